"""Bearer-token authentication for the API; cookies are never looked at.

Every API request starts anonymous: the browser's login cookie is ignored, so
another site can never ride a logged-in session through the API (which is why
the API needs no CSRF token). A request to a non-public endpoint must carry
``Authorization: Bearer <token>``; it then acts as the token's user with that
user's current role and memberships, exactly like a web request of that user.

Failed attempts (no such token, revoked, expired, or a deactivated user) are
audited as ``api_token_failed`` with the client IP. After
``API_AUTH_FAILURES_PER_IP`` of them within ``API_AUTH_FAILURE_WINDOW_MINUTES``
requests from that IP answer 429 until the oldest failure leaves the window.
"""

from datetime import timedelta

from flask import current_app
from flask import g
from flask import request
from flask_login import AnonymousUserMixin

from tracker.api import tokens
from tracker.api.problems import ApiProblem
from tracker.audit.services import Actor
from tracker.audit.services import record
from tracker.auth import services as auth_services
from tracker.auth.throttle import Limits
from tracker.auth.throttle import blocked_until
from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.web import transaction
from tracker.web.access import PUBLIC
from tracker.web.access import SignedInUser


def bearer_token():
    """The token of an ``Authorization: Bearer`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def limits():
    """Failed token attempts allowed per client IP (no account is named, so none is counted)."""
    config = current_app.config
    return Limits(per_ip=config["API_AUTH_FAILURES_PER_IP"],
                  window=timedelta(minutes=config["API_AUTH_FAILURE_WINDOW_MINUTES"]), failed=tokens.FAILED)


def refuse(session, reason):
    """Audit a failed attempt (kept although the request fails: it counts towards throttling) and answer 401."""
    record(session, Actor(user_id=None, email="api-token", role="anonymous", ip=request.remote_addr),
           tokens.FAILED, "api_token", details={"reason": reason, "path": request.path[:200]})
    transaction.keep_on_error()
    raise ApiProblem(401, "This token is not valid: it is unknown, revoked or expired, or its account is "
                          "deactivated.")


def throttle(session):
    until = blocked_until(session, None, request.remote_addr, limits())
    if until is not None:
        seconds = max(1, int((until - utcnow()).total_seconds()) + 1)
        raise ApiProblem(429, headers={"Retry-After": str(seconds)})


def authenticate():
    """``before_request`` of the API blueprint: set ``current_user`` from the bearer token, or refuse."""
    g._login_user = AnonymousUserMixin()
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "required_permission", None) == PUBLIC:
        return None
    session = get_session()
    throttle(session)
    token = bearer_token()
    if token is None:
        raise ApiProblem(401)
    found = tokens.find_token(session, token)
    if found is None:
        refuse(session, "invalid")
    api_token, user = found
    if tokens.touch_token(session, api_token, request.remote_addr):
        transaction.commit()  # the token's use is recorded whatever the request then answers
    g.api_token = api_token
    g._login_user = SignedInUser(user, None, None, auth_services.member_project_ids(session, user.id))
    return None
