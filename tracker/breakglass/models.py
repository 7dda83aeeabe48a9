from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from tracker.auth.models import User
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow
from tracker.portfolio.models import Project


class BreakGlassGrant(SQLModel, table=True):
    """One user's reasoned, expiring access to the sensitive records of one project, or to one sealed story."""

    __tablename__ = "break_glass_grant"
    __table_args__ = (sa.Index("ix_break_glass_grant_user_project", "user_id", "project_id", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
    expires_at: datetime = Field(sa_column=timestamp_column(default=None))
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    revoked_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    # Set for a grant to read one story's sealed text (consent withdrawn) rather than a project's records.
    story_id: int | None = Field(default=None, foreign_key="story.id", index=True, ondelete="CASCADE")

    user: User = Relationship(sa_relationship_kwargs={"foreign_keys": "[BreakGlassGrant.user_id]"})
    project: Project = Relationship()

    def is_active(self, now):
        return self.revoked_at is None and self.expires_at > now
