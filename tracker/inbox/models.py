"""What the inbox stores: each person's choice of e-mail, and a log of what was sent to whom.

To-dos themselves are never stored: they are derived from the workflow states each time
(:mod:`tracker.inbox.services`). ``notification_sent`` only remembers which to-do keys a person
was already told about, so that "immediately" mails only new ones and a digest goes once a day.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class Frequency(enum.StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    NEVER = "never"


class NotificationPreference(SQLModel, table=True):
    """How often a person wants to be e-mailed about their to-dos; without a row, their role's default."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    frequency: Frequency = Field(sa_column=choice_column(Frequency))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class NotificationSent(SQLModel, table=True):
    """One e-mail about one to-do key (or one day's digest) sent to one person: a log of sending."""

    __tablename__ = "notification_sent"
    __table_args__ = (sa.UniqueConstraint("user_id", "todo_key", name="uq_notification_sent_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    todo_key: str = Field(max_length=200)
    sent_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
