"""Evidence tables: items of evidence and what each one supports.

An item is one piece of evidence of a project: a harvested outcome, an MSC story,
an indicator result (one period's actual), an uploaded document, a web link, or an
interview or observation note. It is attached to theory-of-change links or to the
assumptions on them, each time with a strength (strong, moderate, weak) and a
note; one item may support several links. An uploaded document's content is kept in the database
(:mod:`tracker.common.blobs`); ``stored_name`` is its key there, never shown to anyone.
"""

import enum
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from tracker.db_types import Versioned
from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow
from tracker.toc.models import Assumption
from tracker.toc.models import TocLink


class EvidenceKind(enum.StrEnum):
    OUTCOME = "outcome"
    STORY = "story"
    INDICATOR_RESULT = "indicator_result"
    DOCUMENT = "document"
    WEB_LINK = "web_link"
    INTERVIEW = "interview"
    OBSERVATION = "observation"


class Strength(enum.StrEnum):
    """How strongly an item supports what it is attached to (ordered weakest first in ``STRENGTH_ORDER``)."""

    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"


STRENGTH_ORDER = (Strength.WEAK, Strength.MODERATE, Strength.STRONG)


class EvidenceItem(Versioned, SQLModel, table=True):
    __tablename__ = "evidence_item"
    __table_args__ = (sa.Index("ix_evidence_item_project_kind", "project_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    kind: EvidenceKind = Field(sa_column=choice_column(EvidenceKind))
    title: str = Field(max_length=300)
    summary: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    source: str = Field(default="", max_length=300)
    collected_on: date | None = None
    # The record the item stands for; kept (SET NULL) if that record is deleted, the title still says what it was.
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id", index=True, ondelete="SET NULL")
    story_id: int | None = Field(default=None, foreign_key="story.id", index=True, ondelete="SET NULL")
    period_id: int | None = Field(default=None, foreign_key="indicator_period.id", index=True, ondelete="SET NULL")
    url: str = Field(default="", max_length=2000)
    file_name: str = Field(default="", max_length=255)
    stored_name: str = Field(default="", max_length=80)
    content_type: str = Field(default="", max_length=120)
    file_size: int | None = None
    sha256: str = Field(default="", max_length=64)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    attachments: list["EvidenceAttachment"] = Relationship(
        back_populates="evidence",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "EvidenceAttachment.id"},
    )

    @property
    def has_file(self):
        return bool(self.stored_name)


class EvidenceAttachment(SQLModel, table=True):
    """An item supporting one ToC link or one assumption, with a strength and a note."""

    __tablename__ = "evidence_attachment"
    __table_args__ = (
        sa.CheckConstraint("(link_id IS NULL) <> (assumption_id IS NULL)", name="one_target"),
        sa.UniqueConstraint("evidence_id", "link_id", name="uq_evidence_attachment_evidence_link"),
        sa.UniqueConstraint("evidence_id", "assumption_id", name="uq_evidence_attachment_evidence_assumption"),
    )

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence_item.id", index=True, ondelete="CASCADE")
    link_id: int | None = Field(default=None, foreign_key="toc_link.id", index=True, ondelete="CASCADE")
    assumption_id: int | None = Field(default=None, foreign_key="assumption.id", index=True, ondelete="CASCADE")
    strength: Strength = Field(sa_column=choice_column(Strength))
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())

    evidence: EvidenceItem = Relationship(back_populates="attachments")
    link: TocLink | None = Relationship()
    assumption: Assumption | None = Relationship()
