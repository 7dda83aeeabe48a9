"""The web page where people manage their own API tokens (cookie login, CSRF-protected like every form)."""

from flask import Blueprint
from flask import abort
from flask import current_app
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
from tracker.web.pages import action
from tracker.web.pages import form_page

bp = Blueprint("api_tokens", __name__)


def listing():
    """What the tokens page shows besides the form: the user's tokens and their revoke buttons."""
    return {"revoke_form": RevokeTokenForm(), "now": utcnow(),
            "tokens": tokens.user_tokens(get_session(), current_user.user)}


def create_token(form):
    """A new token for the current user, who confirms with their password; returns the token, shown once."""
    hasher = current_app.extensions["tracker.hasher"]
    if not passwords.verify(hasher, current_user.user.password_hash, form.password.data):
        raise ValidationFailed.on("password", _("This is not your current password."))
    _row, token = tokens.create_token(get_session(), actor(), current_user.user, form.name.data, days=form.days.data)
    return token


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@requires("account.self")
def token_list():
    """The user's tokens and the form to create one; a new token is shown on the answer, and never again."""
    return form_page(NewTokenForm(), "api/tokens.html", create_token, None,
                     answer=lambda token: render_template("api/tokens.html", form=NewTokenForm(formdata=None),
                                                          new_token=token, **listing()),
                     new_token=None, **listing())


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@requires("account.self")
def token_revoke(token_id):
    session = get_session()
    api_token = tokens.get_token(session, token_id, user=current_user.user) or abort(404)
    return action(RevokeTokenForm(), lambda form: tokens.revoke_token(session, actor(), api_token),
                  url_for(".token_list"), done=_("Token “%(name)s” revoked: it no longer works.", name=api_token.name))
