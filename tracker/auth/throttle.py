"""Throttling of failed sign-ins, web logins (both factors) and API tokens alike: the audit trail is the record,
a counter per key is the lock.

**The record.** Failed logins (a wrong password or a wrong second factor) are audited as ``login_failed``
with the address typed and the client IP, refused ones as ``login_throttled``, failed API tokens as
``api_token_failed``. Once an account name or an IP has ``limit`` login failures within ``window``, further
attempts are refused (HTTP 429) until the oldest of those failures leaves the window (:func:`blocked_until`).
A completed login clears the account's count; the IP count only ages out. The answer does not depend on
whether the account exists.

**The lock.** Reading the record and then checking the password races with itself: parallel attempts all
read the same count before any of them has failed, so 40 parallel wrong passwords had 8 checked against a
limit of 5. So before a password or a code is checked, one attempt is *reserved* on a counter per key
(:class:`~tracker.auth.models.AttemptCount`: the account and the IP) by one atomic upsert,
``INSERT … ON CONFLICT DO UPDATE SET attempts = attempts + 1 … RETURNING attempts``, in a short transaction
of its own that is committed at once (:func:`reserve`). The database serialises the upserts of one key (a
row lock on PostgreSQL, the write lock on SQLite), so each attempt gets its own number: of N parallel
attempts only those numbered up to the limit are checked, the others are refused without being checked
(and without counting). A failed attempt keeps its reservation (it is a failure); one that succeeds gives
it back (:func:`release`), and a completed login clears the account's counter (:func:`clear`). The API,
which must serve every valid token, counts only failed tokens, on the same counters (see
:mod:`tracker.api.auth`).

A counter's window starts with its first attempt; the first attempt after it has ended starts a new one,
and rows of ended windows are purged then (:func:`purge`), so the table holds only keys tried within the
last window. So a counter holds the failures since its window started, all of which are in the record's
(sliding) window too, plus the attempts being checked: it never refuses what the record allows, but for
attempts in flight.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from tracker.audit.models import AuditEntry
from tracker.auth.models import AttemptCount
from tracker.db_types import UTCDateTime
from tracker.db_types import utcnow

FAILED = "login_failed"
SUCCEEDED = "login"
THROTTLED = "login_throttled"
# What a login's counters count: the address typed, the client IP.
ACCOUNT = "login_account"
IP = "login_ip"

UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class Key:
    """A counter: ``scope`` says what ``subject`` is (an account, an IP, a token's fingerprint)."""

    scope: str
    subject: str
    limit: int


@dataclass(frozen=True)
class Limits:
    """How many failed logins an account and an IP may have within ``window``."""

    per_account: int = 5
    per_ip: int = 5
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config):
        return cls(per_account=config["LOGIN_FAILURES_PER_ACCOUNT"], per_ip=config["LOGIN_FAILURES_PER_IP"],
                   window=timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]))

    def keys(self, email, ip):
        """The counters of a login attempt for ``email`` from ``ip``."""
        return [key for key in (Key(ACCOUNT, email, self.per_account), Key(IP, ip, self.per_ip)) if key.subject]


def as_utc(value):
    return UTCDateTime().process_result_value(value, None)


def last_success(session, email, since):
    return as_utc(session.scalar(
        sa.select(sa.func.max(AuditEntry.at))
        .where(AuditEntry.actor_email == email, AuditEntry.action == SUCCEEDED, AuditEntry.at > since)
    ))


def blocked_by(session, condition, limit, since):
    """When the failures matching ``condition`` since ``since`` reach ``limit``: the ``limit``-th latest."""
    recent = session.scalars(
        sa.select(AuditEntry.at)
        .where(condition, AuditEntry.action == FAILED, AuditEntry.at > since)
        .order_by(AuditEntry.at.desc())
        .limit(limit)
    ).all()
    return as_utc(recent[-1]) if len(recent) >= limit else None


def blocked_until(session, email, ip, limits, now=None):
    """Return until when, by the audit trail, logins for ``email`` or from ``ip`` are refused, or None."""
    now = now or utcnow()
    since = now - limits.window
    account_since = max(since, last_success(session, email, since) or since)
    blocks = [blocked_by(session, AuditEntry.actor_email == email, limits.per_account, account_since)]
    if ip:
        blocks.append(blocked_by(session, AuditEntry.ip == ip, limits.per_ip, since))
    ends = [at + limits.window for at in blocks if at is not None]
    return max(ends) if ends else None


def admit(session, email, ip, limits, now=None):
    """Whether a login attempt may be checked: None, or until when it is refused.

    Recent failures in the audit trail refuse it; otherwise it reserves one attempt on its counters.
    """
    until = blocked_until(session, email, ip, limits, now)
    return until or reserve(session, limits.keys(email, ip), limits.window, now)


def reserve(session, keys, window, now=None):
    """Count one attempt on every key; return None if each is within its limit, else until when to refuse it.

    A refused attempt is not checked, so it counts on no key: the counters hold the failures of their
    window and the attempts being checked. A transaction of its own: what ``session`` holds is committed
    first (the caller has only read so far) and the count is committed at once, so it stands whatever the
    request then does, and no counter stays locked while the attempt is checked.
    """
    now = now or utcnow()
    session.commit()
    keys = sorted(keys, key=lambda key: (key.scope, key.subject))  # one order, so no two reservations deadlock
    counted = [session.execute(count_attempt(session, key, now, window)).one() for key in keys]
    refused_until = [as_utc(ends) for key, (attempts, ends) in zip(keys, counted, strict=True) if attempts > key.limit]
    if refused_until:
        release(session, keys)
    session.commit()
    if any(attempts == 1 for attempts, _ends in counted):
        purge(session, now)
        session.commit()
    return max(refused_until, default=None)


def count_attempt(session, key, now, window):
    """The upsert that adds one attempt to ``key``'s counter (a new window if its last one ended) and returns it."""
    table = AttemptCount.__table__
    window_ends_at = sa.literal(now + window, UTCDateTime())
    ended = table.c.window_ends_at <= now
    upsert = UPSERTS[session.get_bind().dialect.name](table).values(
        scope=key.scope, subject=key.subject, attempts=1, window_ends_at=window_ends_at)
    return upsert.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.subject],
        set_={"attempts": sa.case((ended, 1), else_=table.c.attempts + 1),
              "window_ends_at": sa.case((ended, window_ends_at), else_=table.c.window_ends_at)},
    ).returning(table.c.attempts, table.c.window_ends_at)


def release(session, keys):
    """Give back the attempt reserved on each key: it succeeded, or was refused unchecked, so it is no failure."""
    for key in sorted(keys, key=lambda key: (key.scope, key.subject)):
        session.execute(sa.update(AttemptCount)
                        .where(AttemptCount.scope == key.scope, AttemptCount.subject == key.subject,
                               AttemptCount.attempts > 0)
                        .values(attempts=AttemptCount.attempts - 1))


def clear(session, email):
    """A completed login clears the account's counter (as its ``login`` entry clears the audited count)."""
    session.execute(sa.delete(AttemptCount).where(AttemptCount.scope == ACCOUNT, AttemptCount.subject == email))


def purge(session, now=None):
    """Delete the counters whose window has ended; rows another transaction is counting on are left for later."""
    ended = (sa.select(AttemptCount.scope, AttemptCount.subject)
             .where(AttemptCount.window_ends_at <= (now or utcnow()))
             .with_for_update(skip_locked=True))
    session.execute(sa.delete(AttemptCount)
                    .where(sa.tuple_(AttemptCount.scope, AttemptCount.subject).in_(ended)))
