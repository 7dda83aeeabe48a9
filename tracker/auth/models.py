from datetime import datetime

from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.auth.permissions import Role
from tracker.db_types import Versioned
from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class User(Versioned, SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    display_name: str = Field(max_length=120)
    role: Role = Field(sa_column=choice_column(Role, index=True))
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    # The fund's data-protection lead (an admin or M&E account): reads the access overview and its alerts.
    is_data_protection_lead: bool = Field(default=False)
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    password_changed_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # Set when an administrator chose the password (a new account, a reset): the user must change it at login.
    must_change_password: bool = Field(default=False)
    version: int = Field(default=1)


class LoginSession(SQLModel, table=True):
    """A server-side login session. The cookie carries a random token; only its hash is stored.

    Revoking the row ends the session for good, so a copied cookie is useless
    after logout or a password change. A session counts as logged in only once
    ``verified_at`` is set, i.e. after the second factor where one is needed.
    """

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    # None while the login still waits for its second factor: such a session opens no page but that step.
    verified_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=255)


class Membership(SQLModel, table=True):
    """A grantee's (or anyone's) membership of a project team."""

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())



class TotpCredential(SQLModel, table=True):
    """A user's authenticator-app secret (RFC 6238 TOTP, 6 digits, 30 seconds).

    It protects logins only once ``confirmed_at`` is set, which happens when the
    user has typed a first valid code. ``last_step`` is the time-step of the last
    code accepted, so a code can never be used twice.
    """

    __tablename__ = "totp_credential"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    secret: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    confirmed_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    last_step: int | None = Field(default=None)


class RecoveryCode(SQLModel, table=True):
    """A single-use code for logging in without the authenticator app; only its SHA-256 hash is kept."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    used_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))


class AttemptCount(SQLModel, table=True):
    """The attempts counted for one key within its current window: the lock of the sign-in throttle.

    ``scope`` says what ``subject`` is: the address typed at login, a client IP, or the fingerprint of an
    API token (its SHA-256, never the token). See :mod:`tracker.auth.throttle`.
    """

    __tablename__ = "attempt_count"

    scope: str = Field(primary_key=True, max_length=16)
    subject: str = Field(primary_key=True, max_length=254)
    attempts: int
    # Rows whose window has ended are purged (see tracker.auth.throttle.purge).
    window_ends_at: datetime = Field(sa_column=timestamp_column(index=True, default=None))
