"""The web page where people manage their own API tokens (cookie login, CSRF-protected like every form)."""

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.api import tokens
from tracker.api.forms import NewTokenForm
from tracker.api.forms import RevokeTokenForm
from tracker.auth import passwords
from tracker.common.errors import ValidationFailed
from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.web.access import actor
from tracker.web.access import requires
from tracker.web.forms import apply_errors

bp = Blueprint("api_tokens", __name__)


def render(form, status=200, token=None):
    session = get_session()
    return render_template("api/tokens.html", form=form, revoke_form=RevokeTokenForm(), now=utcnow(),
                           tokens=tokens.user_tokens(session, current_user.user), new_token=token), status


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@requires("account.self")
def token_list():
    form = NewTokenForm()
    if not form.validate_on_submit():
        return render(form)
    hasher = current_app.extensions["tracker.hasher"]
    if not passwords.verify(hasher, current_user.user.password_hash, form.password.data):
        form.password.errors.append(_("This is not your current password."))
        return render(form)
    session = get_session()
    try:
        _row, token = tokens.create_token(session, actor(), current_user.user, form.name.data, days=form.days.data)
    except ValidationFailed as error:
        apply_errors(form, error)
        return render(form)
    session.commit()
    return render(NewTokenForm(formdata=None), token=token)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@requires("account.self")
def token_revoke(token_id):
    session = get_session()
    api_token = tokens.get_token(session, token_id, user=current_user.user)
    if api_token is None or not RevokeTokenForm().validate_on_submit():
        abort(404)
    tokens.revoke_token(session, actor(), api_token)
    session.commit()
    flash(_("Token “%(name)s” revoked: it no longer works.", name=api_token.name), "success")
    return redirect(url_for(".token_list"))
