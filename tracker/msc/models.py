"""Most Significant Change tables: cycles, domains, stories with their consent and safeguarding review,
selection levels, panels and decisions, feedback and verification (Davies & Dart 2005).

Consent is part of the story record: ``story.consent_id`` is NOT NULL, so no
story exists without a consent record. A consent record whose details are
incomplete (``complete`` false) marks the story "needs consent"; such a story
never reaches a donor (see :mod:`tracker.msc.sharing`).
"""

import enum
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from tracker.db_search import search_index
from tracker.db_types import Versioned
from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow
from tracker.portfolio.models import Project
from tracker.toc.models import TocNode


class CycleStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class StorytellerCategory(enum.StrEnum):
    CHILD = "child"
    YOUNG_PERSON = "young_person"
    PARENT_CAREGIVER = "parent_caregiver"
    TEACHER = "teacher"
    PROFESSIONAL = "professional"
    COMMUNITY_MEMBER = "community_member"
    OTHER = "other"


class AgeBand(enum.StrEnum):
    UNDER_10 = "under_10"
    AGE_10_12 = "10_12"
    AGE_13_15 = "13_15"
    AGE_16_17 = "16_17"
    AGE_18_24 = "18_24"
    AGE_25_39 = "25_39"
    AGE_40_59 = "40_59"
    AGE_60_PLUS = "60_plus"
    NOT_RECORDED = "not_recorded"


class SafeguardingStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RESTRICTED = "restricted"


class DistressLevel(enum.StrEnum):
    """How distressing a story is to read, as the safeguarding review judged it (for readers' wellbeing)."""

    NONE = "none"
    SOME = "some"
    SEVERE = "severe"


class PanelMethod(enum.StrEnum):
    VOTE = "vote"
    SCORING = "scoring"
    CONSENSUS = "consensus"


class FeedbackKind(enum.StrEnum):
    """Feedback goes to the storyteller and, above the lowest level, to the level that passed the story up."""

    STORYTELLER = "storyteller"
    LOWER_LEVEL = "lower_level"


class VerificationResult(enum.StrEnum):
    CONFIRMED = "confirmed"
    PARTLY_CONFIRMED = "partly_confirmed"
    NOT_CONFIRMED = "not_confirmed"


class VerificationState(enum.StrEnum):
    """Where a selected story's verification stands: its latest result, or pending until one is recorded."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    PARTLY_CONFIRMED = "partly_confirmed"
    NOT_CONFIRMED = "not_confirmed"


class MscCycle(Versioned, SQLModel, table=True):
    """A round of story collection and selection over a reporting period, for the fund or for one project."""

    __tablename__ = "msc_cycle"
    __table_args__ = (sa.CheckConstraint("period_end >= period_start", name="period_in_order"),)

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True, ondelete="CASCADE")
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    period_start: date
    period_end: date
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    status: CycleStatus = Field(default=CycleStatus.OPEN,
                                sa_column=choice_column(CycleStatus, default=CycleStatus.OPEN))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    project: Project | None = Relationship()
    domains: list["Domain"] = Relationship(
        back_populates="cycle",
        sa_relationship_kwargs={"cascade": "all, delete-orphan",
                                "order_by": "(Domain.is_open, Domain.position, Domain.id)"},
    )
    levels: list["SelectionLevel"] = Relationship(
        back_populates="cycle",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "SelectionLevel.ordinal"},
    )


class Domain(Versioned, SQLModel, table=True):
    """A domain of change; every cycle has exactly one open "any other change" domain.

    What makes a domain the open one is ``is_open``, never its name: the open domain can be
    renamed (or translated) and stays open; the partial unique index keeps it one per cycle.
    """

    __tablename__ = "msc_domain"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "name", name="uq_msc_domain_cycle_name"),
        sa.Index("uq_msc_domain_one_open_per_cycle", "cycle_id", unique=True,
                 sqlite_where=sa.text("is_open"), postgresql_where=sa.text("is_open")),
    )

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="msc_cycle.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    definition: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    is_open: bool = Field(default=False)
    position: int = Field(default=0)
    version: int = Field(default=1)

    cycle: MscCycle = Relationship(back_populates="domains")


class SelectionLevel(SQLModel, table=True):
    """A level of the selection hierarchy, e.g. 1 Project, 2 Country, 3 Fund."""

    __tablename__ = "msc_level"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "ordinal", name="uq_msc_level_cycle_ordinal"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="msc_cycle.id", index=True, ondelete="CASCADE")
    ordinal: int
    name: str = Field(max_length=120)

    cycle: MscCycle = Relationship(back_populates="levels")


class ConsentRecord(Versioned, SQLModel, table=True):
    """Who consented to which uses of a story, when, on which form; and whether it was withdrawn.

    For a child the guardian's consent and the child's own assent are both needed.
    ``complete`` is computed by the service from the other fields
    (:func:`tracker.msc.consent.consent_problems`).
    """

    __tablename__ = "consent_record"
    __table_args__ = (sa.Index("ix_consent_record_sharing", "scope_donor", "complete"),)

    id: int | None = Field(default=None, primary_key=True)
    storyteller_consent: bool = Field(default=False)
    guardian_consent: bool = Field(default=False)
    child_assent: bool = Field(default=False)
    obtained_on: date | None = None
    form_name: str = Field(default="", max_length=200)
    form_version: str = Field(default="", max_length=40)
    scope_internal: bool = Field(default=False)
    scope_donor: bool = Field(default=False)
    scope_public: bool = Field(default=False)
    named: bool = Field(default=False)
    complete: bool = Field(default=False)
    withdrawn_on: date | None = Field(default=None, index=True)
    withdrawal_note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)


class StoryTocNode(SQLModel, table=True):
    __tablename__ = "story_toc_node"

    story_id: int = Field(foreign_key="story.id", primary_key=True, ondelete="CASCADE")
    node_id: int = Field(foreign_key="toc_node.id", primary_key=True, index=True, ondelete="CASCADE")


class Story(Versioned, SQLModel, table=True):
    """A significant-change story, in its original language, told by a pseudonymous storyteller."""

    __table_args__ = (
        sa.Index("ix_story_project_cycle", "project_id", "cycle_id"),
        search_index("story"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    cycle_id: int = Field(foreign_key="msc_cycle.id", index=True)
    domain_id: int = Field(foreign_key="msc_domain.id", index=True)
    consent_id: int = Field(foreign_key="consent_record.id", sa_column_kwargs={"unique": True})
    title: str = Field(max_length=300)
    what_happened: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    why_significant: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    events_when: str = Field(default="", max_length=120)
    country_code: str = Field(max_length=2, index=True)
    place: str = Field(default="", max_length=200)
    place_shareable: bool = Field(default=False)
    collector: str = Field(max_length=200)
    collected_on: date
    storyteller_pseudonym: str = Field(max_length=80)
    storyteller_category: StorytellerCategory = Field(sa_column=choice_column(StorytellerCategory, index=True))
    age_band: AgeBand = Field(default=AgeBand.NOT_RECORDED,
                              sa_column=choice_column(AgeBand, default=AgeBand.NOT_RECORDED))
    language: str = Field(max_length=16, index=True)
    safeguarding_status: SafeguardingStatus = Field(
        default=SafeguardingStatus.PENDING,
        sa_column=choice_column(SafeguardingStatus, index=True, default=SafeguardingStatus.PENDING),
    )
    safeguarding_reviewer_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    safeguarding_note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    safeguarding_reviewed_at: datetime | None = Field(
        default=None, sa_column=timestamp_column(nullable=True, default=None))
    # Set at the safeguarding review; None until then (readers' exposure counts only rated stories).
    distress_level: DistressLevel | None = Field(
        default=None, sa_column=choice_column(DistressLevel, nullable=True, default=None))
    # The de-identified donor version (StoryDonorText rows) counts only while approved;
    # any change to the story's text clears the approval (see services.reset_approval).
    # Who approved it is in the audit trail ("approve_donor_version").
    donor_version_approved_at: datetime | None = Field(
        default=None, sa_column=timestamp_column(nullable=True, default=None))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    project: Project = Relationship()
    cycle: MscCycle = Relationship()
    domain: Domain = Relationship()
    consent: ConsentRecord = Relationship()
    translations: list["StoryTranslation"] = Relationship(
        back_populates="story",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "StoryTranslation.language"},
    )
    toc_nodes: list[TocNode] = Relationship(
        link_model=StoryTocNode, sa_relationship_kwargs={"order_by": "TocNode.position, TocNode.id"})
    donor_texts: list["StoryDonorText"] = Relationship(
        back_populates="story",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "StoryDonorText.language"},
    )
    sealed: "SealedStory" = Relationship(sa_relationship_kwargs={"cascade": "all, delete-orphan",
                                                                 "uselist": False})


class SealedStory(SQLModel, table=True):
    """What a withdrawal sealed away: the story's text, pseudonym, translations and donor version.

    From the moment consent is withdrawn the story row keeps only its stub (project, dates, categories)
    and empty texts, so no page, list, search index, API or export can show them; a safeguarding lead
    reads this record only through a reasoned, audited, time-limited grant (:mod:`tracker.msc.sealing`).
    It goes with the story when the retention purge erases it.
    """

    __tablename__ = "sealed_story"

    story_id: int = Field(foreign_key="story.id", primary_key=True, ondelete="CASCADE")
    sealed_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    sealed_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    content: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False, default=dict))


class StoryDonorText(SQLModel, table=True):
    """The de-identified text of a story in one language, as a reviewer approved it for donors.

    There is one for the original language and one per translation. Donors read only these,
    never the story's own text.
    """

    __tablename__ = "story_donor_text"
    __table_args__ = (sa.UniqueConstraint("story_id", "language", name="uq_story_donor_text_story_language"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True, ondelete="CASCADE")
    language: str = Field(max_length=16)
    title: str = Field(max_length=300)
    what_happened: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    why_significant: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # Said once, in the original language's row: when it happened and the storyteller's pseudonym, as
    # donors read them (a date of birth or a real name typed there must not reach them either).
    events_when: str = Field(default="", max_length=120)
    pseudonym: str = Field(default="", max_length=80)

    story: Story = Relationship(back_populates="donor_texts")


class StoryTranslation(Versioned, SQLModel, table=True):
    """A translation of a story's text into another language, with the translator's note."""

    __tablename__ = "story_translation"
    __table_args__ = (
        sa.UniqueConstraint("story_id", "language", name="uq_story_translation_story_language"),
        search_index("story_translation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True, ondelete="CASCADE")
    language: str = Field(max_length=16)
    title: str = Field(max_length=300)
    what_happened: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    why_significant: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    translator_note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    story: Story = Relationship(back_populates="translations")


class Panel(SQLModel, table=True):
    """A selection panel at one level; it may look only at one project's or one country's stories."""

    __tablename__ = "msc_panel"

    id: int | None = Field(default=None, primary_key=True)
    level_id: int = Field(foreign_key="msc_level.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    method: PanelMethod = Field(sa_column=choice_column(PanelMethod))
    members: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False, default=list))
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True, ondelete="CASCADE")
    country_code: str | None = Field(default=None, max_length=2)
    met_on: date | None = None
    notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())

    level: SelectionLevel = Relationship()
    project: Project | None = Relationship()


class SelectionDecision(Versioned, SQLModel, table=True):
    """A panel's decision on one story of one domain: selected with written reasons, or not; and any dissent.

    A panel selects one story per domain; ``joint_reason`` records why it selected a further one.
    """

    __tablename__ = "msc_selection"
    __table_args__ = (
        sa.UniqueConstraint("panel_id", "story_id", name="uq_msc_selection_panel_story"),
        sa.CheckConstraint("NOT selected OR reasons <> ''", name="reasons_when_selected"),
    )

    id: int | None = Field(default=None, primary_key=True)
    panel_id: int = Field(foreign_key="msc_panel.id", index=True, ondelete="CASCADE")
    story_id: int = Field(foreign_key="story.id", index=True, ondelete="CASCADE")
    domain_id: int = Field(foreign_key="msc_domain.id", index=True)
    selected: bool = Field(default=False, index=True)
    reasons: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    dissent: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    joint_reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default="",
                                                              server_default=""))
    decided_on: date
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    panel: Panel = Relationship()
    story: Story = Relationship()
    domain: Domain = Relationship()
    feedback: list["Feedback"] = Relationship(
        back_populates="decision", sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Feedback.id"})


class Feedback(SQLModel, table=True):
    """Feedback sent about a selection: to whom, when, how, and what it said."""

    __tablename__ = "msc_feedback"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="msc_selection.id", index=True, ondelete="CASCADE")
    kind: FeedbackKind = Field(sa_column=choice_column(FeedbackKind))
    recipients: str = Field(max_length=300)
    content: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    channel: str = Field(default="", max_length=120)
    sent_on: date
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())

    decision: SelectionDecision = Relationship(back_populates="feedback")


class Verification(SQLModel, table=True):
    """A check of a selected story's facts: how, by whom, with what result."""

    __tablename__ = "msc_verification"

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True, ondelete="CASCADE")
    method: str = Field(max_length=300)
    verifier: str = Field(max_length=200)
    result: VerificationResult = Field(sa_column=choice_column(VerificationResult))
    verified_on: date
    notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
