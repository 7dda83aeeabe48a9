"""Error pages. Anything unexpected rolls back and shows a generic page: no data, no traceback.

An area that answers in another format (the JSON API) registers its own renderer for
its path prefix with :func:`register_renderer`; errors under that prefix go to it.
"""

from flask import current_app
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from tracker.db import rollback_session

RENDERERS = "tracker.error_renderers"


def register_renderer(app, prefix, renderer):
    """Answer errors of requests under ``prefix`` with ``renderer(error)`` instead of an HTML page."""
    app.extensions.setdefault(RENDERERS, {})[prefix] = renderer


def area_renderer():
    for prefix, renderer in current_app.extensions.get(RENDERERS, {}).items():
        if request.path.startswith(prefix):
            return renderer
    return None


def render_error(status, template):
    return render_template(f"errors/{template}.html", status=status), status


def handle_http_error(error):
    """An error page; the request's work is rolled back by :mod:`tracker.web.transaction` unless kept."""
    renderer = area_renderer()
    if renderer is not None:
        return renderer(error)
    templates = {403: "404", 404: "404", 405: "405", 413: "413", 429: "429"}
    status = 404 if error.code == 403 else error.code
    return render_error(status, templates.get(error.code, "generic"))


def handle_csrf_error(error):
    renderer = area_renderer()
    if renderer is not None:
        return renderer(error)
    return render_error(400, "csrf")


# Never echo these back, even to their owner.
SECRET_FIELDS = ("csrf_token", "password", "code", "secret", "token", "confirm")


def resubmittable_fields(form):
    """``[(name, value)]`` of a POSTed form, without tokens and secrets, in the order sent."""
    return [(name, value) for name, values in form.lists() for value in values
            if not any(secret in name for secret in SECRET_FIELDS)]


def handle_database_unavailable(error):
    """The database refused the write (locked, disconnected): nothing was saved, and nothing is lost.

    A form's content comes back on the page, ready to be sent again as it was.
    """
    rollback_session()
    current_app.logger.warning("Database unavailable on %s %s", request.method, request.url_rule, exc_info=True)
    fields = resubmittable_fields(request.form) if request.method == "POST" else []
    response = render_template("errors/not_saved.html", status=503, fields=fields, action=request.path)
    return response, 503, {"Retry-After": "5"}


def handle_unexpected_error(error):
    rollback_session()
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.url_rule)
    renderer = area_renderer()
    if renderer is not None:
        return renderer(error)
    return render_error(500, "500")


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
