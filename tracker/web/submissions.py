"""One submission of a form saves once: a double click or a resent POST never creates two records.

Every CSRF-protected form carries a random ``submission_id`` (added by
:meth:`tracker.web.forms.Form.hidden_tag`). Before the view runs, the id is claimed
in its own short transaction; after the view, a redirect (success, Post/Redirect/Get)
keeps the claim with the page it led to, anything else (a form shown again with
errors, a failure) releases it so that the same form can be sent again. A second
POST with a claimed id is answered with the first one's redirect, or, while the
first is still running, with a "being saved" page.

Only signed-in people's forms are claimed: an anonymous visitor's POST (a sign-in) writes no receipt,
so nobody can fill the table from outside. Receipts are kept for :data:`KEEP_FOR`; each new claim
deletes the expired ones (an indexed delete), and so does ``flask --app tracker purge-expired``.
"""

from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.db import database
from tracker.db import rollback_session
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow
from tracker.web.errors import render_error

FIELD = "submission_id"
KEEP_FOR = timedelta(days=2)


class SubmissionReceipt(SQLModel, table=True):
    __tablename__ = "submission_receipt"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int | None = Field(default=None, index=True)
    path: str = Field(max_length=500)
    location: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))


def submitted_id(form):
    """The submission id of the form that was posted (forms may be prefixed), or None."""
    for key, value in form.items():
        if key == FIELD or key.endswith("-" + FIELD):
            return value[:64] or None
    return None


def claim():
    """Before the view: claim this POST's submission id, or answer a repeated submission."""
    if request.method != "POST":
        return None
    submission = submitted_id(request.form)
    if submission is None or not current_user.is_authenticated:
        return None
    user_id = current_user.id
    # End the request's transaction (loading the user) before another connection writes the claim: on SQLite
    # every transaction holds the write lock from its start (see tracker.db), so the claim would wait for it.
    rollback_session()
    with database().new_session() as session:
        existing = session.get(SubmissionReceipt, submission)
        if existing is None:
            forget_old(session)
            session.add(SubmissionReceipt(id=submission, path=request.path[:500], user_id=user_id))
            try:
                session.commit()
            except sa.exc.IntegrityError:
                session.rollback()
                existing = session.get(SubmissionReceipt, submission)
        repeat = existing is not None
        location = existing.location if repeat else None
    if repeat:  # answered once the claim's session is closed, so nothing else nests inside it
        return repeated(location)
    g.submission = submission
    return None


def repeated(location):
    if location:
        flash(_("This form had already been saved; it was not saved a second time."), "info")
        return redirect(location, 303)
    return render_error(409, "being_saved")


def settle(response):
    """After the view: keep the claim with the redirect it led to, or release it.

    The request's own work is committed (or rolled back) by then, so a failure here is only logged: it must not
    turn a saved form into an error page. At worst the claim stays unsettled and a resent form says "being saved".
    """
    submission = g.pop("submission", None)
    if submission is None:
        return response
    try:
        settle_claim(submission, response)
    except Exception:  # noqa: BLE001 - bookkeeping after the commit; the answer stands
        current_app.logger.exception("Could not settle submission %s", submission)
    return response


def settle_claim(submission, response):
    rollback_session()  # whatever the view did not commit is not kept; frees SQLite's write lock
    with database().new_session() as session:
        receipt = session.get(SubmissionReceipt, submission)
        if receipt is not None:
            if 300 <= response.status_code < 400 and response.location:
                receipt.location = response.location[:500]
                session.add(receipt)
            else:
                session.delete(receipt)
            session.commit()


def forget_old(session, now=None):
    """Delete receipts older than :data:`KEEP_FOR`; returns how many."""
    cutoff = (now or utcnow()) - KEEP_FOR
    return session.execute(sa.delete(SubmissionReceipt).where(SubmissionReceipt.created_at < cutoff)).rowcount


def init_app(app):
    app.before_request(claim)
    app.after_request(settle)
