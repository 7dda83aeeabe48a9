from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from tracker.audit.services import Actor
from tracker.audit.services import record
from tracker.auth import passwords
from tracker.auth import services
from tracker.auth.forms import ChangePasswordForm
from tracker.auth.forms import LoginForm
from tracker.auth.forms import LogoutForm
from tracker.auth.forms import PreferencesForm
from tracker.db import get_session
from tracker.errors import ValidationFailed
from tracker.web.access import SignedInUser
from tracker.web.access import actor
from tracker.web.access import public
from tracker.web.access import requires
from tracker.web.forms import apply_errors

bp = Blueprint("auth", __name__)


def hasher():
    return current_app.extensions["tracker.hasher"]


def safe_next(target):
    """Only follow ``next`` to a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("portfolio.overview"))
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        user = services.authenticate(session, hasher(), form.email.data, form.password.data)
        if user is None:
            record(session, Actor(None, services.normalise_email(form.email.data)[:254], "anonymous",
                                  request.remote_addr), "login_failed", "user")
            session.commit()
            form.form_errors.append(_("The email address or password is not right."))
        else:
            token = services.start_login_session(session, user, ip=request.remote_addr,
                                                 user_agent=request.user_agent.string)
            record(session, Actor(user.id, user.email, user.role.value, request.remote_addr), "login", "user", user.id)
            session.commit()
            login_user(SignedInUser(user, None, token, set()))
            return redirect(safe_next(request.args.get("next")) or url_for("portfolio.overview"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@requires("account.self")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        session = get_session()
        services.end_login_session(session, current_user.token)
        record(session, actor(), "logout", "user", current_user.id)
        session.commit()
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for(".login"))


@bp.route("/account", methods=["GET", "POST"])
@requires("account.self")
def account():
    session = get_session()
    preferences = PreferencesForm(prefix="pref", data={"language": current_user.language or ""})
    change_password = ChangePasswordForm(prefix="pw")
    if request.method == "POST" and "pref-submit" in request.form and preferences.validate():
        current_user.user.language = preferences.language.data or None
        session.add(current_user.user)
        record(session, actor(), "update", "user", current_user.id, details={"fields": ["language"]})
        session.commit()
        flash(_("Preferences saved."), "success")
        return redirect(url_for(".account"))
    if request.method == "POST" and "pw-submit" in request.form and change_password.validate():
        if not passwords.verify(hasher(), current_user.user.password_hash, change_password.current_password.data):
            change_password.current_password.errors.append(_("This is not your current password."))
        else:
            try:
                services.set_password(session, hasher(), actor(), current_user.user, change_password.new_password.data)
            except ValidationFailed as error:
                apply_errors(change_password, error)
            else:
                session.commit()
                logout_user()
                flash(_("Password changed. Please log in again with the new password."), "success")
                return redirect(url_for(".login"))
    return render_template("auth/account.html", preferences=preferences, change_password=change_password)
