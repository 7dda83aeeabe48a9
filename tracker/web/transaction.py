"""The transaction boundary of every web request: the one place where the web commits.

Modelled on Indico's request handler: a view (and the services it calls) only *flushes*; when the
view has produced its response, :func:`end_request` commits the request's unit of work if the response
is a success or a redirect, and rolls it back otherwise. So a view that fails half-way, a form
re-shown with errors or an edit conflict never leaves anything behind, and a newcomer never has to
decide where ``commit()`` goes.

Two cases need the work kept although the response is an error, and say so with :func:`keep_on_error`:
an audited refusal (the audit entry of a 404 must be written) and the like. Commands (``flask …``)
and background jobs are their own boundary and commit themselves.
"""

from flask import current_app
from flask import g
from flask import session as cookie_session

from tracker.db import get_session

KEEP = "tracker.keep_on_error"


def flush():
    """Send the pending changes to the database now, so that conflicts and constraints surface in the view."""
    get_session().flush()


def rollback():
    """Drop everything this request has changed so far."""
    get_session().rollback()


def commit():
    """Commit now, for the rare view that must before it answers (a download streamed after a write)."""
    get_session().commit()


def keep_on_error():
    """Commit this request's work even though its response will be an error (an audited refusal)."""
    g.setdefault(KEEP, True)


def end_request(response):
    """Commit on success or redirect, roll back on an error response (unless kept).

    A commit that fails (the database locked or gone) is answered as the same error raised in the view
    would be (the "not saved" page keeps the user's text), without the view's "saved" message.
    """
    session = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400 and not g.get(KEEP):
        session.rollback()
        return response
    try:
        session.commit()
    except Exception as error:
        session.rollback()
        cookie_session.pop("_flashes", None)
        return current_app.make_response(current_app.handle_user_exception(error))
    return response


def init_app(app):
    app.after_request(end_request)
