"""Accounts, authentication, login sessions and memberships."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from tracker.audit.services import record
from tracker.auth import passwords
from tracker.auth.models import LoginSession
from tracker.auth.models import Membership
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.auth.permissions import may_be_data_protection_lead
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.text import normalise_email
from tracker.db_types import UTCDateTime
from tracker.db_types import utcnow

# Refresh a session's last-seen time at most this often, to keep page views read-only.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def hash_token(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def get_user_by_email(session, email):
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def check_new_password(password, field="password"):
    problems = passwords.password_problems(password)
    if problems:
        raise ValidationFailed([(field, problem) for problem in problems])


def create_user(session, hasher, actor, *, email, display_name, role, password, language=None,
                set_by_administrator=False):
    """Create an account; a password ``set_by_administrator`` must be changed by its user at first login."""
    email = normalise_email(email)
    if get_user_by_email(session, email) is not None:
        raise ValidationFailed.on("email", N_("An account with this email address already exists."))
    check_new_password(password)
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=Role(role),
        password_hash=hasher.hash(password),
        language=language or None,
        must_change_password=set_by_administrator,
    )
    session.add(user)
    session.flush()
    record(session, actor, "create", "user", user.id,
           details={"role": user.role.value, "must_change_password": user.must_change_password})
    return user


def update_user(session, actor, user, *, version, display_name, role, is_active, language,
                is_data_protection_lead=None):
    """Save an account; ``is_data_protection_lead`` None keeps the flag as it is."""
    check_version(user, version)
    values = {"display_name": display_name.strip(), "role": Role(role), "is_active": bool(is_active),
              "language": language or None}
    if is_data_protection_lead is not None:
        values["is_data_protection_lead"] = bool(is_data_protection_lead)
    if values.get("is_data_protection_lead") and not may_be_data_protection_lead(values["role"]):
        raise ValidationFailed.on("is_data_protection_lead", N_(
            "Only an administrator or M&E account can be the data-protection lead."))
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name, value in values.items():
        setattr(user, name, value)
    # A new role may need a second factor or see other data: the user logs in again.
    if ("is_active" in changed and not user.is_active) or "role" in changed:
        revoke_login_sessions(session, user)
    session.add(user)
    session.flush()
    record(session, actor, "update", "user", user.id, details={"fields": changed})
    return user


def set_password(session, hasher, actor, user, password, *, set_by_administrator=False):
    """Set a new password and end every login session of ``user``.

    A password ``set_by_administrator`` (a reset) is known to someone else, so its user must change it at their
    next login; a password the user sets themselves lifts that requirement. The audit entry says which.
    """
    check_new_password(password)
    details = {"fields": ["password"]}
    if set_by_administrator:
        details["must_change_password"] = True
    elif user.must_change_password:
        details["required_change"] = True
    user.password_hash = hasher.hash(password)
    user.password_changed_at = utcnow()
    user.must_change_password = set_by_administrator
    session.add(user)
    revoke_login_sessions(session, user)
    session.flush()
    record(session, actor, "update", "user", user.id, details=details)


def authenticate(session, hasher, email, password):
    """Return the active user with these credentials, or None; only reads.

    An unknown address costs the same hashing work as a wrong password,
    so response times don't reveal which accounts exist.
    """
    user = get_user_by_email(session, email)
    if user is None:
        passwords.verify(hasher, dummy_hash(hasher), password)
        return None
    if not passwords.verify(hasher, user.password_hash, password) or not user.is_active:
        return None
    return user


def upgrade_password_hash(session, hasher, user, password):
    """Hash the password just checked again when the hashing settings were raised since it was stored."""
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        session.add(user)


_DUMMY_HASHES = {}


def dummy_hash(hasher):
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMY_HASHES[key]


def start_login_session(session, user, *, verified, ip=None, user_agent=None):
    """Open a server-side login session and return its (unhashed) token for the cookie.

    ``verified`` is False while the login still needs its second factor; such a
    session opens no page until :func:`verify_login_session` completes it.
    """
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=hash_token(token),
            user_id=user.id,
            verified_at=utcnow() if verified else None,
            ip=ip,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    session.flush()
    return token


def live_login(session, token):
    """Return ``(login_session, user)`` for a token of an unrevoked session of an active user, or None."""
    row = session.execute(
        sa.select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    login_session, user = row
    if login_session.revoked_at is not None or not user.is_active:
        return None
    return login_session, user


def find_login_session(session, token, idle_timeout):
    """Return ``(login_session, user)`` for a live, fully verified token, or None.

    A session is live when it is not revoked, its user is active, its login
    was completed (second factor included) and it was used within ``idle_timeout``.
    """
    found = live_login(session, token)
    if found is None:
        return None
    login_session, _user = found
    if login_session.verified_at is None or utcnow() - login_session.last_seen_at > idle_timeout:
        return None
    return found


def find_pending_login(session, token, max_age):
    """Return ``(login_session, user)`` for a login that passed its password less than ``max_age`` ago
    and still waits for its second factor, or None."""
    found = live_login(session, token)
    if found is None:
        return None
    login_session, _user = found
    if login_session.verified_at is not None or utcnow() - login_session.created_at > max_age:
        return None
    return found


def verify_login_session(session, login_session):
    """Complete a login after its second factor; returns a fresh token (the pre-login one is dropped)."""
    token = secrets.token_urlsafe(32)
    login_session.token_hash = hash_token(token)
    login_session.verified_at = login_session.last_seen_at = utcnow()
    session.add(login_session)
    session.flush()
    return token


def touch_login_session(session, login_session):
    """Record activity; returns whether anything needs committing."""
    now = utcnow()
    if now - login_session.last_seen_at < LAST_SEEN_RESOLUTION:
        return False
    login_session.last_seen_at = now
    session.add(login_session)
    return True


def end_login_session(session, token):
    session.execute(
        sa.update(LoginSession)
        .where(LoginSession.token_hash == hash_token(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_login_sessions(session, user):
    session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def member_project_ids(session, user_id):
    return set(session.exec(select(Membership.project_id).where(Membership.user_id == user_id)))


def set_memberships(session, actor, user, project_ids):
    """Make ``user`` a member of exactly ``project_ids``."""
    wanted = set(project_ids)
    current = member_project_ids(session, user.id)
    for project_id in current - wanted:
        session.delete(session.get(Membership, (user.id, project_id)))
    for project_id in wanted - current:
        session.add(Membership(user_id=user.id, project_id=project_id))
    session.flush()
    if wanted != current:
        record(session, actor, "update", "membership", user.id,
               details={"added": sorted(wanted - current), "removed": sorted(current - wanted)})


def last_logins(session, user_ids):
    """Map user id → time of their latest login, for the given users (one query)."""
    rows = session.execute(
        sa.select(LoginSession.user_id, sa.func.max(LoginSession.created_at))
        .where(LoginSession.user_id.in_(list(user_ids) or [-1]))
        .group_by(LoginSession.user_id)
    )
    return {user_id: UTCDateTime().process_result_value(at, None) for user_id, at in rows}


def list_users(session, role=None):
    statement = select(User).order_by(User.display_name, User.id)
    if role:
        statement = statement.where(User.role == Role(role))
    return statement
