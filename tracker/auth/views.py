from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session as cookie_session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from tracker.audit.services import Actor
from tracker.audit.services import record
from tracker.auth import passwords
from tracker.auth import services
from tracker.auth import throttle
from tracker.auth import two_factor
from tracker.auth.forms import ChangePasswordForm
from tracker.auth.forms import EnrolForm
from tracker.auth.forms import LoginForm
from tracker.auth.forms import LogoutForm
from tracker.auth.forms import PasswordConfirmForm
from tracker.auth.forms import PreferencesForm
from tracker.auth.forms import SecondFactorForm
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.db import get_session
from tracker.db import read_only
from tracker.db_types import utcnow
from tracker.inbox import services as inbox_services
from tracker.web import transaction
from tracker.web.access import PENDING_KEY
from tracker.web.access import SignedInUser
from tracker.web.access import actor
from tracker.web.access import pending_login
from tracker.web.access import public
from tracker.web.access import requires
from tracker.web.access import safe_next
from tracker.web.pages import action
from tracker.web.pages import form_page

NEXT_KEY = "pending_next"


def hasher():
    return current_app.extensions["tracker.hasher"]


def user_actor(user):
    """The audit actor for a user who is not (yet) logged in."""
    return Actor(user.id, user.email, user.role.value, request.remote_addr)


def limits():
    return throttle.Limits.from_config(current_app.config)


def admit(session, email):
    """None when this attempt may be checked, else until when attempts for ``email`` or from this IP are refused."""
    return throttle.admit(session, email, request.remote_addr, limits())


def record_at_once(session, email, action, details=None):
    """Audit a failed or refused attempt in a transaction of its own, committed at once: the throttle reads
    these, so they are kept whatever the answer. What the request read so far ends first, so that the entry
    is written in a fresh transaction."""
    transaction.commit()
    record(session, Actor(None, email, "anonymous", request.remote_addr), action, "user", details=details)
    transaction.commit()


def refuse_throttled(session, email, until, template, **context):
    """Answer 429 with one generic message, whether or not the account exists; the refusal is audited."""
    record_at_once(session, email, throttle.THROTTLED)
    minutes = max(1, -(-int((until - utcnow()).total_seconds()) // 60))
    context["form"].form_errors.append(_(
        "Too many failed attempts. For your security, logging in is paused: try again in %(minutes)d minutes.",
        minutes=minutes))
    response = current_app.make_response((render_template(template, **context), 429))
    response.headers["Retry-After"] = str(minutes * 60)
    return response


def record_failure(session, email, factor):
    """Count a failed attempt: its reservation stays, and the audit trail records it."""
    record_at_once(session, email, throttle.FAILED, details={"factor": factor})


def release(session, email):
    """The attempt was right: it gives back its reservation, as it is no failure."""
    throttle.release(session, limits().keys(email, request.remote_addr))


def record_login(session, user, details=None):
    """Audit a completed login, which clears the account's count of failures."""
    record(session, user_actor(user), throttle.SUCCEEDED, "user", user.id, details=details)
    throttle.clear(session, user.email)


@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        email = services.normalise_email(form.email.data)[:254]
        until = admit(session, email)
        if until is not None:
            return refuse_throttled(session, email, until, "auth/login.html", form=form)
        user = check_password(session, email, form.password.data)
        if user is None:
            record_failure(session, email, "password")
            form.form_errors.append(_("The email address or password is not right."))
        else:
            release(session, email)
            services.upgrade_password_hash(session, hasher(), user, form.password.data)
            return after_password(session, user)
    return render_template("auth/login.html", form=form)


def check_password(session, email, password):
    """The account these credentials open, or None.

    Hashing the password takes a good part of a second. It runs in a transaction that only reads and ends
    before anything is written: on SQLite a writing transaction holds the write lock (see tracker.db), and
    every other login and save would queue behind the hashing. The attempt was reserved before (``admit``).
    """
    transaction.commit()
    read_only(session)
    user = services.authenticate(session, hasher(), email, password)
    transaction.commit()
    return user


def after_password(session, user):
    """The password was right: finish the login, or ask for (or set up) the second factor."""
    target = safe_next(request.args.get("next"))
    enrolled = two_factor.is_enrolled(session, user)
    if not enrolled and not two_factor.is_required(user):
        token = services.start_login_session(session, user, verified=True, ip=request.remote_addr,
                                             user_agent=request.user_agent.string)
        record_login(session, user)
        login_user(SignedInUser(user, None, token, set()))
        return redirect(target or url_for("home.home"))
    token = services.start_login_session(session, user, verified=False, ip=request.remote_addr,
                                         user_agent=request.user_agent.string)
    cookie_session[PENDING_KEY] = token
    cookie_session[NEXT_KEY] = target
    return redirect(url_for(".verify" if enrolled else ".enrol"))


def complete_login(session, login_session, user, factor):
    """The second factor is right: the login session becomes a real one, under a fresh token."""
    token = services.verify_login_session(session, login_session)
    record_login(session, user, details={"second_factor": factor})
    cookie_session.pop(PENDING_KEY, None)
    target = cookie_session.pop(NEXT_KEY, None)
    login_user(SignedInUser(user, login_session, token, set()))
    return target


@pending_login
def verify(pending):
    """Second step of a login: a code from the authenticator app, or a recovery code."""
    login_session, user = pending
    session = get_session()
    if not two_factor.is_enrolled(session, user):
        return redirect(url_for(".enrol"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        until = admit(session, user.email)
        if until is not None:
            return refuse_throttled(session, user.email, until, "auth/verify.html", form=form)
        factor = two_factor.check_second_factor(session, user, form.code.data)
        if factor is None:
            record_failure(session, user.email, "second_factor")
            form.code.errors.append(_("This code is not right, or it was already used. Wait for the next code."))
        else:
            release(session, user.email)
            target = complete_login(session, login_session, user, factor)
            if factor == "recovery_code":
                flash(_("You used a recovery code; %(count)d are left. You can make new ones on your account page.",
                        count=two_factor.remaining_recovery_codes(session, user)), "info")
            return redirect(target or url_for("home.home"))
    return render_template("auth/verify.html", form=form)


def enrolment_context(session, user):
    """The secret to set up, as text and QR code; starting the enrolment stores a secret the first time."""
    credential = two_factor.start_enrolment(session, user_actor(user), user)
    uri = two_factor.provisioning_uri(credential, user, current_app.config["TOTP_ISSUER"])
    return {"secret": two_factor.grouped_secret(credential.secret), "uri": uri,
            "qr_code": two_factor.qr_code_data_uri(uri)}


def recovery_codes_page(codes, target):
    """The new recovery codes, shown once, with a link on to ``target``."""
    return render_template("auth/recovery_codes.html", codes=codes, target=target)


@pending_login
def enrol(pending):
    """First login of an account that needs two-factor authentication: set up the authenticator app."""
    login_session, user = pending
    session = get_session()
    if two_factor.is_enrolled(session, user):
        return redirect(url_for(".verify"))

    def confirm(form):
        codes = two_factor.confirm_enrolment(session, user_actor(user), user, form.code.data)
        return codes, complete_login(session, login_session, user, "totp") or url_for("home.home")

    return form_page(EnrolForm(), "auth/enrol.html", confirm, None,
                     answer=lambda codes_and_target: recovery_codes_page(*codes_and_target),
                     context_for=lambda form: {"form": form, **enrolment_context(session, user)})


@requires("account.self")
def logout():
    session = get_session()

    def log_out(form):
        services.end_login_session(session, current_user.token)
        record(session, actor(), "logout", "user", current_user.id)
        logout_user()
        flash(_("You are logged out."), "info")

    return action(LogoutForm(), log_out, url_for(".login"))


def check_current_password(password, field):
    """Refuse unless ``password`` is the signed-in user's own (the reason goes on ``field``)."""
    if not passwords.verify(hasher(), current_user.user.password_hash, password):
        raise ValidationFailed.on(field, N_("This is not your current password."))


@requires("account.self")
def account():
    """Two forms on one page: the language preference and a password change; the button pressed says which."""
    session = get_session()
    user = current_user.user
    preferences = PreferencesForm(prefix="pref", data={"language": user.language or "",
                                                       "notifications": inbox_services.frequency_of(session, user)})
    change_password = ChangePasswordForm(prefix="pw")
    context = {"preferences": preferences, "change_password": change_password,
               "two_factor_on": two_factor.is_enrolled(session, user)}

    def save_preferences(form):
        user.language = form.language.data or None
        session.add(user)
        record(session, actor(), "update", "user", user.id, details={"fields": ["language"]})
        if form.notifications.data != inbox_services.frequency_of(session, user):
            inbox_services.set_frequency(session, actor(), user, form.notifications.data)

    def save_password(form):
        check_current_password(form.current_password.data, "current_password")
        services.set_password(session, hasher(), actor(), user, form.new_password.data)
        logout_user()

    if "pref-submit" in request.form:
        return form_page(preferences, "auth/account.html", save_preferences, url_for(".account"),
                         saved=_("Preferences saved."), **context)
    return form_page(change_password, "auth/account.html", save_password, url_for(".login"),
                     saved=_("Password changed. Please log in again with the new password."), **context)


def two_factor_context(session, enrol_form=None, password_form=None):
    user = current_user.user
    context = {"enrolled": two_factor.is_enrolled(session, user), "required": two_factor.is_required(user),
               "enrol_form": enrol_form or EnrolForm(), "password_form": password_form or PasswordConfirmForm()}
    if context["enrolled"]:
        context["remaining"] = two_factor.remaining_recovery_codes(session, user)
    else:
        context.update(enrolment_context(session, user))
    return context


@requires("account.self")
def account_two_factor():
    """Set up two-factor authentication from the account page (optional for grantees and donors)."""
    session = get_session()
    if two_factor.is_enrolled(session, current_user.user):
        return render_template("auth/two_factor.html", **two_factor_context(session))
    return form_page(EnrolForm(), "auth/two_factor.html",
                     lambda form: two_factor.confirm_enrolment(session, actor(), current_user.user, form.code.data),
                     None, answer=lambda codes: recovery_codes_page(codes, url_for(".account")),
                     context_for=lambda form: two_factor_context(session, enrol_form=form))


def password_confirmed_page(session, save, **kwargs):
    """A POST that needs the user's password again; a wrong one shows the two-factor page with the reason."""

    def confirmed(form):
        check_current_password(form.password.data, "password")
        return save()

    return form_page(PasswordConfirmForm(), "auth/two_factor.html", confirmed, **kwargs,
                     context_for=lambda form: two_factor_context(session, password_form=form))


@requires("account.self")
def new_recovery_codes():
    session = get_session()
    if not two_factor.is_enrolled(session, current_user.user):
        return redirect(url_for(".account_two_factor"))
    return password_confirmed_page(
        session, lambda: two_factor.new_recovery_codes(session, actor(), current_user.user), next_url=None,
        answer=lambda codes: recovery_codes_page(codes, url_for(".account_two_factor")))


@requires("account.self")
def turn_off_two_factor():
    session = get_session()
    if two_factor.is_required(current_user.user):
        flash(_("Your role must use two-factor authentication; it cannot be turned off."), "error")
        return redirect(url_for(".account_two_factor"))
    return password_confirmed_page(
        session, lambda: two_factor.remove_two_factor(session, actor(), current_user.user),
        next_url=url_for(".account"), saved=_("Two-factor authentication is off."))
