from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import SQLModel

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
