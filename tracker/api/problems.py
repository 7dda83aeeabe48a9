"""RFC 9457 problem details: every API error is ``application/problem+json``.

``type`` is a URI naming the kind of problem (a fragment of the API docs page,
so a person can look it up), ``title`` its short description, ``status`` the HTTP
status, ``detail`` what happened this time and ``instance`` the request path.
Field errors (bad input) come as ``errors: [{"field", "message"}]``.
"""

import json

from flask import Response
from flask import request
from flask import url_for
from werkzeug.exceptions import HTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"

# status → (slug for the type URI, title)
KINDS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Edit conflict"),
    410: ("gone", "Gone"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid", "Invalid input"),
    429: ("too-many-requests", "Too many requests"),
    500: ("server-error", "Internal server error"),
}

DETAILS = {
    400: "The request could not be read.",
    401: "Send a valid API token as 'Authorization: Bearer <token>'.",
    404: "There is nothing at this address that this token may see.",
    405: "This address does not accept this method.",
    406: "This API answers only in JSON.",
    409: "The record changed after you read it.",
    410: "This file is no longer available: its link expired or it was revoked.",
    413: "The request body is too large.",
    415: "Send the request body as application/json.",
    422: "Some fields are not valid; see errors.",
    429: "Too many failed attempts; try again later.",
    500: "Something went wrong on our side; nothing was saved.",
}


class ApiProblem(Exception):
    """Raise inside an API view to answer with a problem document."""

    def __init__(self, status, detail=None, *, errors=None, headers=None, extra=None):
        super().__init__(detail or DETAILS.get(status, ""))
        self.status = status
        self.detail = detail or DETAILS.get(status, "")
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


def type_uri(status):
    slug = KINDS.get(status, KINDS[500] if status >= 500 else KINDS[400])[0]
    return url_for("api.docs", _anchor=f"problem-{slug}", _external=False)


def problem_response(status, detail=None, *, errors=None, headers=None, extra=None):
    """The problem document for ``status`` as a Flask response."""
    title = KINDS.get(status, (None, "Error"))[1]
    body = {"type": type_uri(status), "title": title, "status": status,
            "detail": detail or DETAILS.get(status, title), "instance": request.path}
    if errors is not None:
        body["errors"] = [{"field": field, "message": str(message)} for field, message in errors]
    body.update(extra or {})
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    response.headers["Cache-Control"] = "no-store"
    return response


def from_exception(error):
    """A problem response for an ``ApiProblem`` or a Werkzeug ``HTTPException``."""
    if isinstance(error, ApiProblem):
        return problem_response(error.status, error.detail, errors=error.errors, headers=error.headers,
                                extra=error.extra)
    status = error.code if isinstance(error, HTTPException) and error.code else 500
    status = 404 if status == 403 else status
    headers = {}
    if isinstance(error, HTTPException) and status == 405:
        headers = {name: value for name, value in error.get_headers() if name == "Allow"}
    return problem_response(status, headers=headers)
