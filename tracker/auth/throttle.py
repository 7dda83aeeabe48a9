"""Throttling of failed sign-ins, counted from the audit trail so that it holds across every worker and restart.

Failed logins (a wrong password or a wrong second factor) are already audited as
``login_failed`` with the address typed and the client IP; failed API token attempts as
``api_token_failed`` with the client IP. Once an account name or an IP has ``limit``
failures within ``window``, further attempts are refused (HTTP 429) until the oldest of
those failures leaves the window. A completed login clears the account's count; the IP
count only ages out. The answer does not depend on whether the account exists.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.db_types import UTCDateTime
from tracker.db_types import utcnow

FAILED = "login_failed"
SUCCEEDED = "login"
THROTTLED = "login_throttled"


@dataclass(frozen=True)
class Limits:
    """How many failures, audited as ``failed``, an account and an IP may have within ``window``."""

    per_account: int = 5
    per_ip: int = 5
    window: timedelta = timedelta(minutes=15)
    failed: str = FAILED

    @classmethod
    def from_config(cls, config):
        return cls(per_account=config["LOGIN_FAILURES_PER_ACCOUNT"], per_ip=config["LOGIN_FAILURES_PER_IP"],
                   window=timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]))


def as_utc(value):
    return UTCDateTime().process_result_value(value, None)


def last_success(session, email, since):
    return as_utc(session.scalar(
        sa.select(sa.func.max(AuditEntry.at))
        .where(AuditEntry.actor_email == email, AuditEntry.action == SUCCEEDED, AuditEntry.at > since)
    ))


def blocked_by(session, failed, condition, limit, since):
    """When the ``failed`` entries matching ``condition`` since ``since`` reach ``limit``: the ``limit``-th latest."""
    recent = session.scalars(
        sa.select(AuditEntry.at)
        .where(condition, AuditEntry.action == failed, AuditEntry.at > since)
        .order_by(AuditEntry.at.desc())
        .limit(limit)
    ).all()
    return as_utc(recent[-1]) if len(recent) >= limit else None


def blocked_until(session, email, ip, limits, now=None):
    """Return until when attempts for ``email`` or from ``ip`` are refused, or None if they are allowed.

    ``email`` None counts the IP only (API tokens name no account).
    """
    now = now or utcnow()
    since = now - limits.window
    blocks = []
    if email is not None:
        account_since = max(since, last_success(session, email, since) or since)
        blocks.append(blocked_by(session, limits.failed, AuditEntry.actor_email == email, limits.per_account,
                                 account_since))
    if ip:
        blocks.append(blocked_by(session, limits.failed, AuditEntry.ip == ip, limits.per_ip, since))
    ends = [at + limits.window for at in blocks if at is not None]
    return max(ends) if ends else None
