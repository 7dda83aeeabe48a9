"""Create, find, list and revoke API tokens. Every change is audited in the caller's transaction.

A token is ``et_`` followed by 43 URL-safe characters (256 random bits), so it
cannot be guessed; only its SHA-256 hash is stored, which is enough for a secret
of that entropy (a slow password hash would add nothing but latency).
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from tracker.api.models import ApiToken
from tracker.audit.services import record
from tracker.auth.models import User
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.db_types import utcnow

TOKEN_PREFIX = "et_"  # noqa: S105  # nosec B105 (a label, not a secret)
SHOWN_CHARACTERS = 10
MAX_NAME = 120
MAX_DAYS = 3650
# Record a token's last use at most this often, so that reads stay reads.
LAST_USED_RESOLUTION = timedelta(seconds=60)
# Audit action of a request that presented an unknown, revoked or expired token.
FAILED = "api_token_failed"


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token):
    return token.startswith(TOKEN_PREFIX) and 20 <= len(token) <= 200 and token.isascii()


def create_token(session, actor, user, name, *, days=None):
    """Create a token for ``user``; return ``(ApiToken, token)``. The token is never stored nor shown again."""
    name = " ".join((name or "").split())
    reasons = []
    if not name:
        reasons.append(("name", N_("Name the token after what will use it, e.g. “Kobo sync”.")))
    elif len(name) > MAX_NAME:
        reasons.append(("name", N_("Keep the name under %(count)d characters.", count=MAX_NAME)))
    if days is not None and not 1 <= days <= MAX_DAYS:
        reasons.append(("days", N_("A token lasts between 1 and %(count)d days.", count=MAX_DAYS)))
    if not user.is_active:
        reasons.append((None, N_("This account is deactivated; it cannot have tokens.")))
    if reasons:
        raise ValidationFailed(reasons)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(user_id=user.id, name=name, prefix=token[:SHOWN_CHARACTERS], token_hash=hash_token(token),
                   created_at=now, expires_at=now + timedelta(days=days) if days else None)
    session.add(row)
    session.flush()
    record(session, actor, "create", "api_token", row.id, details={"user": user.id, "expires": bool(days)})
    return row, token


def find_token(session, token, now=None):
    """Return ``(ApiToken, User)`` for a live token of an active user, or None (one query)."""
    if not looks_like_token(token):
        return None
    row = session.execute(
        sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    api_token, user = row
    if not api_token.is_active(now or utcnow()) or not user.is_active:
        return None
    return api_token, user


def is_known(session, token):
    """Whether ``token`` is one this app issued, live or not (revoked, expired, of a deactivated user)."""
    return looks_like_token(token) and session.scalar(
        sa.select(ApiToken.id).where(ApiToken.token_hash == hash_token(token))) is not None


def touch_token(session, api_token, ip, now=None):
    """Record the token's use; returns whether anything changed (at most once a minute, or on a new IP)."""
    now = now or utcnow()
    recent = api_token.last_used_at is not None and now - api_token.last_used_at < LAST_USED_RESOLUTION
    if recent and api_token.last_used_ip == ip:
        return False
    api_token.last_used_at, api_token.last_used_ip = now, ip
    session.add(api_token)
    return True


def revoke_token(session, actor, api_token):
    """Revoke ``api_token`` now; revoking a revoked token changes nothing."""
    if api_token.revoked_at is not None:
        return api_token
    api_token.revoked_at = utcnow()
    session.add(api_token)
    session.flush()
    record(session, actor, "revoke", "api_token", api_token.id, details={"user": api_token.user_id})
    return api_token


def get_token(session, token_id, user=None):
    """The token ``token_id`` (of ``user``, if given), or None."""
    api_token = session.get(ApiToken, token_id)
    if api_token is None or (user is not None and api_token.user_id != user.id):
        return None
    return api_token


def tokens_statement(user=None):
    """Tokens (of ``user``, if given) with their users, newest first."""
    statement = sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(
        ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        statement = statement.where(ApiToken.user_id == user.id)
    return statement


def user_tokens(session, user):
    return [row.ApiToken for row in session.execute(tokens_statement(user))]


