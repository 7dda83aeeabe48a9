"""API tokens: bearer credentials that act as their user.

Only the SHA-256 hash of a token is stored; the token itself is shown once,
when it is created. A token acts with its user's current role and memberships,
so a role change applies at once and a deactivated user's tokens stop working.
"""

from datetime import datetime

from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    # The first characters of the token, kept so that people can tell their tokens apart.
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    expires_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    last_used_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    last_used_ip: str | None = Field(default=None, max_length=45)
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))

    def is_active(self, now):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
