import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class AuditEntry(SQLModel, table=True):
    """One audited event. Rows are only ever inserted, never changed.

    Three locks keep it so: the app has no code path that changes or deletes an
    entry, the ORM refuses to flush such a change (``tracker.audit.services``),
    and database triggers (migration 0003) make UPDATE and DELETE fail on
    SQLite and PostgreSQL (and TRUNCATE on PostgreSQL).
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        sa.Index("ix_audit_entry_object", "object_type", "object_id"),
        # Filters of the audit page and the login throttle (failures per account or IP, recent first).
        sa.Index("ix_audit_entry_actor_email_at", "actor_email", "at"),
        sa.Index("ix_audit_entry_ip_at", "ip", "at"),
        # The access overview and its signals: every aggregation is a range of one action over time, and this
        # index covers the columns they group by, so they never read the table itself.
        sa.Index("ix_audit_entry_insight", "action", "at", "object_type", "actor_id", "project_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
    actor_id: int | None = Field(default=None, index=True)
    actor_email: str = Field(max_length=254)
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=32, index=True)
    object_type: str = Field(max_length=48)
    object_id: str | None = Field(default=None, max_length=64)
    project_id: int | None = Field(default=None, index=True)
    ip: str | None = Field(default=None, max_length=45)
    reason: str | None = Field(default=None, max_length=500)
    details: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class AlertStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AuditAlert(SQLModel, table=True):
    """A signal that fired: something in the audit trail the data-protection lead should look at.

    Alerts are never deleted; closing one keeps it, with who closed it, when and a note. ``pattern`` and
    ``period_start`` identify what fired (one person's pattern in one period), so the same pattern in the same
    period never raises a second alert. ``entry_ids`` names the audit entries behind it (a few, as a sample,
    when there are many: ``entry_count`` says how many there were).
    """

    __tablename__ = "audit_alert"
    __table_args__ = (sa.UniqueConstraint("signal", "subject", "period_start", name="uq_audit_alert_pattern"),)

    id: int | None = Field(default=None, primary_key=True)
    signal: str = Field(max_length=32, index=True)
    # Whom the signal is about: an account's email address (or, for none, the literal "fund").
    subject: str = Field(max_length=254)
    subject_id: int | None = Field(default=None)
    period_start: datetime = Field(sa_column=timestamp_column(default=None))
    period_end: datetime = Field(sa_column=timestamp_column(default=None))
    figures: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    entry_ids: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    entry_count: int = Field(default=0)
    raised_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
    status: AlertStatus = Field(default=AlertStatus.OPEN, sa_column=choice_column(AlertStatus, index=True,
                                                                                 default=AlertStatus.OPEN))
    closed_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    closed_by_id: int | None = Field(default=None)
    closing_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
