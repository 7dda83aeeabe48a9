"""Outcome Harvesting tables: harvests, outcomes, substantiators and their verdicts.

An outcome is a change in a social actor's behaviour, relationships, actions,
policies or practices that the project plausibly influenced (Wilson-Grau).
Outcomes belong to a harvest of one project; substantiators are independent
people knowledgeable about the change who say whether they agree with the
outcome's description, significance and contribution.
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


class HarvestStep(enum.StrEnum):
    """The six steps of Outcome Harvesting (Wilson-Grau & Britt 2012), in order."""

    DESIGN = "design"
    GATHER = "gather"
    ENGAGE = "engage"
    SUBSTANTIATE = "substantiate"
    ANALYSE = "analyse"
    SUPPORT_USE = "support_use"


class OutcomeStatus(enum.StrEnum):
    DRAFT = "draft"
    FORMULATED = "formulated"
    SUBSTANTIATION_PENDING = "substantiation_pending"
    SUBSTANTIATED = "substantiated"
    ANALYSED = "analysed"


class ChangeType(enum.StrEnum):
    BEHAVIOUR = "behaviour"
    RELATIONSHIP = "relationship"
    ACTION = "action"
    POLICY = "policy"
    PRACTICE = "practice"


class DatePrecision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Intention(enum.StrEnum):
    INTENDED = "intended"
    UNINTENDED = "unintended"


class Valence(enum.StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class ActorKind(enum.StrEnum):
    """A social actor is an organisation or a role type, never a private person."""

    ORGANISATION = "organisation"
    ROLE_TYPE = "role_type"


class Verdict(enum.StrEnum):
    FULLY_AGREE = "fully_agree"
    PARTIALLY_AGREE = "partially_agree"
    DISAGREE = "disagree"


class Harvest(Versioned, SQLModel, table=True):
    """One harvest of a project: its period, its questions and the OH step it has reached."""

    __table_args__ = (sa.CheckConstraint("period_end >= period_start", name="period_in_order"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    period_start: date
    period_end: date
    questions: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    intended_uses: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    step: HarvestStep = Field(default=HarvestStep.DESIGN,
                              sa_column=choice_column(HarvestStep, default=HarvestStep.DESIGN))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    project: Project = Relationship()


class OutcomeTocNode(SQLModel, table=True):
    """An outcome's link to a theory-of-change node of the same project."""

    __tablename__ = "outcome_toc_node"

    outcome_id: int = Field(foreign_key="outcome.id", primary_key=True, ondelete="CASCADE")
    node_id: int = Field(foreign_key="toc_node.id", primary_key=True, index=True, ondelete="CASCADE")


class Outcome(Versioned, SQLModel, table=True):
    """A harvested outcome: who changed what, when and where, why it matters and how the project contributed."""

    __table_args__ = (
        sa.Index("ix_outcome_project_status", "project_id", "status"),
        search_index("outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    harvest_id: int = Field(foreign_key="harvest.id", index=True, ondelete="CASCADE")
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    social_actor: str = Field(default="", max_length=300)
    social_actor_kind: ActorKind = Field(
        default=ActorKind.ORGANISATION, sa_column=choice_column(ActorKind, default=ActorKind.ORGANISATION))
    change_agent: str = Field(default="", max_length=300)
    change_date: date | None = None
    date_precision: DatePrecision = Field(
        default=DatePrecision.MONTH, sa_column=choice_column(DatePrecision, default=DatePrecision.MONTH))
    country_code: str | None = Field(default=None, max_length=2, index=True)
    area: str = Field(default="", max_length=200)
    significance: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    contribution: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    sources: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    change_type: ChangeType = Field(sa_column=choice_column(ChangeType, index=True))
    intention: Intention = Field(default=Intention.INTENDED,
                                 sa_column=choice_column(Intention, index=True, default=Intention.INTENDED))
    valence: Valence = Field(default=Valence.POSITIVE,
                             sa_column=choice_column(Valence, index=True, default=Valence.POSITIVE))
    status: OutcomeStatus = Field(default=OutcomeStatus.DRAFT,
                                  sa_column=choice_column(OutcomeStatus, index=True, default=OutcomeStatus.DRAFT))
    smart_checks: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False, default=dict))
    # Bumped whenever description, significance or contribution change, so that verdicts
    # given on an earlier wording are shown as such rather than silently carried over.
    wording_revision: int = Field(default=1)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    project: Project = Relationship()
    harvest: Harvest = Relationship()
    toc_nodes: list[TocNode] = Relationship(
        link_model=OutcomeTocNode, sa_relationship_kwargs={"order_by": "TocNode.position, TocNode.id"})
    substantiations: list["Substantiation"] = Relationship(
        back_populates="outcome",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Substantiation.id"},
    )


class Substantiator(Versioned, SQLModel, table=True):
    """Someone knowledgeable about a project's outcomes who is asked to confirm them.

    Recorded by name or role as the project knows them; the independence flag says
    whether they have no stake in the project (OH asks for independent substantiators).
    """

    __table_args__ = (sa.UniqueConstraint("project_id", "name", name="uq_substantiator_project_name"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    organisation: str = Field(default="", max_length=200)
    expertise: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    is_independent: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)


class Substantiation(SQLModel, table=True):
    """One substantiator's verdicts on one outcome, with their comment."""

    __table_args__ = (
        sa.UniqueConstraint("outcome_id", "substantiator_id", name="uq_substantiation_outcome_substantiator"),
    )

    id: int | None = Field(default=None, primary_key=True)
    outcome_id: int = Field(foreign_key="outcome.id", index=True, ondelete="CASCADE")
    substantiator_id: int = Field(foreign_key="substantiator.id", index=True, ondelete="CASCADE")
    verdict_description: Verdict = Field(sa_column=choice_column(Verdict))
    verdict_significance: Verdict = Field(sa_column=choice_column(Verdict))
    verdict_contribution: Verdict = Field(sa_column=choice_column(Verdict))
    comment: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    given_on: date
    wording_revision: int = Field(default=1)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # A disagreement counts towards substantiation only once M&E staff acknowledge it: who, when and why.
    acknowledged_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    acknowledged_by_name: str = Field(default="", max_length=254)
    acknowledged_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    acknowledgement: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))

    outcome: Outcome = Relationship(back_populates="substantiations")
    substantiator: Substantiator = Relationship()
