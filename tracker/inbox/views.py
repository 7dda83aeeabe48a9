"""The inbox: everything waiting for the signed-in person, grouped by kind, each with its action link."""

from flask import render_template
from flask_login import current_user

from tracker.db import get_session
from tracker.inbox.display import todo_groups
from tracker.web.access import requires


@requires("account.self")
def index():
    return render_template("inbox/index.html", groups=todo_groups(get_session(), current_user.user))
