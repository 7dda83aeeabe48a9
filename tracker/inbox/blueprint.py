"""The URL rules of the inbox, its count in the navigation, the e-mail hook and the digest command."""

import sqlalchemy as sa
from flask import Blueprint
from flask import current_app
from flask import g
from flask_login import current_user

from tracker.db import get_session
from tracker.inbox import cli
from tracker.inbox import notify
from tracker.inbox import views
from tracker.inbox.display import todo_count

bp = Blueprint("inbox", __name__)

bp.add_url_rule("/inbox", view_func=views.index, methods=["GET"])


def inbox_count():
    """The signed-in person's number of to-dos, counted once per request, when the navigation asks.

    None when the database cannot answer: an error page (the database locked or gone) must still render.
    """
    if "inbox_count" not in g:
        try:
            g.inbox_count = todo_count(get_session(), current_user.user)
        except sa.exc.SQLAlchemyError as error:
            current_app.logger.warning("The inbox count could not be read (%s)", type(error).__name__)
            g.inbox_count = None
    return g.inbox_count


def init_app(app):
    app.register_blueprint(bp)
    app.cli.add_command(cli.send_digests_command)
    app.jinja_env.globals["inbox_count"] = inbox_count
    notify.init_app(app)
