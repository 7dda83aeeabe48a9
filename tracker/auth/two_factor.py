"""Two-factor authentication: TOTP (RFC 6238) from an authenticator app, and single-use recovery codes.

Required for the roles in ``permissions.TWO_FACTOR_REQUIRED`` (they enrol at their
first login), optional for everyone else. A code is accepted for the current
30-second time-step or the one before or after (clock drift), and never twice:
the credential remembers the last step used and only a later step passes.
"""

import hashlib
import hmac
import secrets

import pyotp
import segno
import sqlalchemy as sa
from sqlmodel import select

from tracker.audit.services import record
from tracker.auth.models import RecoveryCode
from tracker.auth.models import TotpCredential
from tracker.auth.permissions import TWO_FACTOR_REQUIRED
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.db_types import utcnow

VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# 16 characters from 31 unambiguous ones: about 79 bits, so a plain SHA-256 is a safe way to store them.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_GROUPS = 4
RECOVERY_GROUP_LENGTH = 4


def is_required(user):
    return user.role in TWO_FACTOR_REQUIRED


def get_credential(session, user):
    return session.get(TotpCredential, user.id)


def is_enrolled(session, user):
    credential = get_credential(session, user)
    return credential is not None and credential.confirmed_at is not None


def matching_step(secret, code, now):
    """Return the time-step (within the allowed drift) whose code is ``code``, or None."""
    code = "".join(code.split())
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def claim_step(session, user, step):
    """Record ``step`` as used; False if it (or a later one) already was: the replay check.

    A single conditional UPDATE, so two requests racing with the same code cannot both win.
    """
    result = session.execute(
        sa.update(TotpCredential)
        .where(TotpCredential.user_id == user.id,
               sa.or_(TotpCredential.last_step.is_(None), TotpCredential.last_step < step))
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def start_enrolment(session, actor, user):
    """Return the user's unconfirmed credential, creating one with a new secret if needed."""
    credential = get_credential(session, user)
    if credential is not None and credential.confirmed_at is not None:
        raise ValidationFailed.on(None, N_("Two-factor authentication is already set up for this account."))
    if credential is None:
        credential = TotpCredential(user_id=user.id, secret=pyotp.random_base32())
        session.add(credential)
        session.flush()
        record(session, actor, "create", "totp_credential", user.id)
    return credential


def confirm_enrolment(session, actor, user, code, now=None):
    """Confirm the pending credential with a first code; return new recovery codes (shown once)."""
    credential = get_credential(session, user)
    if credential is None or credential.confirmed_at is not None:
        raise ValidationFailed.on(None, N_("Start the set-up again: no authenticator is waiting for confirmation."))
    step = matching_step(credential.secret, code, now or utcnow())
    if step is None:
        raise ValidationFailed.on("code", N_("This code is not right. Check the time on your phone and try the next "
                                             "code."))
    credential.confirmed_at = utcnow()
    credential.last_step = step
    session.add(credential)
    session.flush()
    record(session, actor, "update", "totp_credential", user.id, details={"fields": ["confirmed_at"]})
    return new_recovery_codes(session, actor, user)


def set_confirmed_secret(session, actor, user, secret):
    """Enrol ``user`` with a known secret, confirmed at once (for the demo seed only)."""
    credential = get_credential(session, user) or TotpCredential(user_id=user.id, secret=secret)
    if credential.secret == secret and credential.confirmed_at is not None:
        return credential
    credential.secret = secret
    credential.confirmed_at = utcnow()
    credential.last_step = None
    session.add(credential)
    session.flush()
    record(session, actor, "update", "totp_credential", user.id, details={"fields": ["secret", "confirmed_at"]})
    return credential


def provisioning_uri(credential, user, issuer):
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(credential.secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_data_uri(uri):
    """The QR code of ``uri`` as an SVG ``data:`` URI, for an ``<img>`` (no inline markup, CSP-safe)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0b1f33", light="#ffffff")


def grouped_secret(secret):
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def hash_recovery_code(code):
    normalised = "".join(character for character in code.lower() if character.isalnum())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def generate_recovery_code():
    groups = ("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
              for _ in range(RECOVERY_GROUPS))
    return "-".join(groups)


def new_recovery_codes(session, actor, user):
    """Replace the user's recovery codes with new ones; return them in clear (shown once, never stored)."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [generate_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(code)) for code in codes)
    session.flush()
    record(session, actor, "create", "recovery_codes", user.id, details={"count": len(codes)})
    return codes


def remaining_recovery_codes(session, user):
    return session.scalar(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def use_recovery_code(session, user, code):
    """Spend a recovery code; False when it is unknown or already used."""
    result = session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == hash_recovery_code(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def check_second_factor(session, user, code, now=None):
    """Check a login's second factor: returns ``"totp"`` or ``"recovery_code"``, or None when refused.

    Six digits are read as an authenticator code, anything else as a recovery code.
    """
    credential = get_credential(session, user)
    if credential is None or credential.confirmed_at is None:
        return None
    compact = "".join(code.split())
    if compact.isdigit() and len(compact) == 6:
        step = matching_step(credential.secret, compact, now or utcnow())
        return "totp" if step is not None and claim_step(session, user, step) else None
    return "recovery_code" if use_recovery_code(session, user, code) else None


def remove_two_factor(session, actor, user):
    """Delete the user's authenticator secret and recovery codes (turning off, or an admin's reset)."""
    credential = get_credential(session, user)
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    if credential is not None:
        session.delete(credential)
    session.flush()
    record(session, actor, "delete", "totp_credential", user.id)


def enrolled_user_ids(session, user_ids):
    """The ids among ``user_ids`` that have a confirmed authenticator (one query)."""
    return set(session.exec(
        select(TotpCredential.user_id)
        .where(TotpCredential.user_id.in_(list(user_ids) or [-1]), TotpCredential.confirmed_at.is_not(None))
    ))
