"""Bearer-token authentication for the API; cookies are never looked at.

Every API request starts anonymous: the browser's login cookie is ignored, so
another site can never ride a logged-in session through the API (which is why
the API needs no CSRF token). A request to a non-public endpoint must carry
``Authorization: Bearer <token>``; it then acts as the token's user with that
user's current role and memberships, exactly like a web request of that user.

Failed attempts (no such token, revoked, expired, or a deactivated user) are audited as
``api_token_failed`` with the client IP, and throttled by the sign-in throttle
(:mod:`tracker.auth.throttle`): what is counted is failed *tokens*, never addresses as such.

* Every failure counts against the presented token's fingerprint, its SHA-256 (what the token table
  stores; the token itself is never kept). After ``API_AUTH_FAILURES_PER_TOKEN`` failures within
  ``API_AUTH_FAILURE_WINDOW_MINUTES`` that token answers 429: a client retrying a revoked or mistyped
  token is slowed down, and nobody else is.
* A token that matches no token at all (a guess) also counts against the client IP; after
  ``API_AUTH_FAILURES_PER_IP`` such failures, further unknown tokens from that IP answer 429.
* A valid token is looked up and served as usual, whatever failed before from its address. Counting per
  IP before looking at the token meant that after 10 bad tokens from one address (an office behind NAT, a
  proxy) every valid token from there got 429 for 15 minutes: one broken script locked out every client.

So the token is looked up first, and only a failure is counted (one atomic upsert per key; see
``throttle.reserve``): N parallel failures get at most the limit of 401s and audit entries, the rest 429.
Looking up first gives nothing away, because a valid token must be served anyway: the lookup is one
indexed query on the SHA-256 of a 256-bit secret, which no number of guesses finds; the throttle's job
is to keep failing clients from flooding the audit trail and the server. And a valid request writes
nothing but its token's last use, at most once a minute.
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
from tracker.auth import throttle
from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.web import transaction
from tracker.web.access import PUBLIC
from tracker.web.access import SignedInUser

# What the throttle counts failed tokens on: the token's fingerprint; the client IP, for tokens matching none.
FINGERPRINT = "api_token"
UNKNOWN_FROM_IP = "api_ip"


def bearer_token():
    """The token of an ``Authorization: Bearer`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def failure_keys(session, token):
    """The counters a failed ``token`` counts on: its fingerprint, and the client IP if it matches no token."""
    config = current_app.config
    keys = [throttle.Key(FINGERPRINT, tokens.hash_token(token), config["API_AUTH_FAILURES_PER_TOKEN"])]
    if request.remote_addr and not tokens.is_known(session, token):
        keys.append(throttle.Key(UNKNOWN_FROM_IP, request.remote_addr, config["API_AUTH_FAILURES_PER_IP"]))
    return keys


def refuse(session, token, reason):
    """Count the failure; answer 429 past a limit, else audit it (kept although the request fails) and answer 401."""
    window = timedelta(minutes=current_app.config["API_AUTH_FAILURE_WINDOW_MINUTES"])
    until = throttle.reserve(session, failure_keys(session, token), window)
    if until is not None:
        seconds = max(1, int((until - utcnow()).total_seconds()) + 1)
        raise ApiProblem(429, headers={"Retry-After": str(seconds)})
    record(session, Actor(user_id=None, email="api-token", role="anonymous", ip=request.remote_addr),
           tokens.FAILED, "api_token", details={"reason": reason, "path": request.path[:200]})
    transaction.keep_on_error()
    raise ApiProblem(401, "This token is not valid: it is unknown, revoked or expired, or its account is "
                          "deactivated.")


def authenticate():
    """``before_request`` of the API blueprint: set ``current_user`` from the bearer token, or refuse."""
    g._login_user = AnonymousUserMixin()
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "required_permission", None) == PUBLIC:
        return None
    token = bearer_token()
    if token is None:
        raise ApiProblem(401)
    session = get_session()
    found = tokens.find_token(session, token)
    if found is None:
        refuse(session, token, "invalid")
    api_token, user = found
    if tokens.touch_token(session, api_token, request.remote_addr):
        transaction.commit()  # the token's use is recorded whatever the request then answers
    g.api_token = api_token
    g._login_user = SignedInUser(user, None, None, auth_services.member_project_ids(session, user.id))
    return None
