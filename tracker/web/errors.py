"""Error pages. Anything unexpected rolls back and shows a generic page: no data, no traceback."""

from flask import current_app
from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.db import rollback_session


def render_error(status, template):
    return render_template(f"errors/{template}.html", status=status), status


def handle_http_error(error):
    rollback_session()
    templates = {403: "404", 404: "404", 405: "405", 413: "413", 429: "429"}
    status = 404 if error.code == 403 else error.code
    return render_error(status, templates.get(error.code, "generic"))


def handle_csrf_error(_error):
    rollback_session()
    return render_error(400, "csrf")


def handle_unexpected_error(error):
    rollback_session()
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("Unhandled error")
    return render_error(500, "500")


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
