"""Theory-of-change tables.

The live graph (nodes, links, assumptions, external factors) is the project's
*working version*. Freezing a version stores a snapshot of the whole graph
(``TocVersion.snapshot``); later edits change the live graph, which becomes the
next working version. Outcomes, stories, indicators and evidence attach to live
nodes and links, whose ids never change across versions.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from tracker.db_types import Versioned
from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class NodeLevel(enum.StrEnum):
    """Result levels, in causal order. Their display labels are configurable per fund."""

    ACTIVITY = "activity"
    OUTPUT = "output"
    SHORT_TERM_OUTCOME = "short_term_outcome"
    INTERMEDIATE_OUTCOME = "intermediate_outcome"
    LONG_TERM_OUTCOME = "long_term_outcome"
    IMPACT = "impact"


class Sphere(enum.StrEnum):
    """Where the node lies relative to the project's ceiling of accountability."""

    CONTROL = "control"
    INFLUENCE = "influence"


class AssumptionStatus(enum.StrEnum):
    UNTESTED = "untested"
    SUPPORTED = "supported"
    PARTLY_SUPPORTED = "partly_supported"
    NOT_SUPPORTED = "not_supported"


class TocNode(Versioned, SQLModel, table=True):
    __tablename__ = "toc_node"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    level: NodeLevel = Field(sa_column=choice_column(NodeLevel))
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    sphere: Sphere = Field(default=Sphere.INFLUENCE, sa_column=choice_column(Sphere, default=Sphere.INFLUENCE))
    is_precondition: bool = Field(default=False)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    external_factors: list["ExternalFactor"] = Relationship(
        back_populates="node", sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ExternalFactor.id"}
    )


class TocLink(Versioned, SQLModel, table=True):
    """A causal link: ``cause`` contributes to ``effect``."""

    __tablename__ = "toc_link"
    __table_args__ = (
        sa.UniqueConstraint("cause_id", "effect_id", name="uq_toc_link_cause_effect"),
        sa.CheckConstraint("cause_id <> effect_id", name="not_a_self_loop"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    cause_id: int = Field(foreign_key="toc_node.id", index=True, ondelete="CASCADE")
    effect_id: int = Field(foreign_key="toc_node.id", index=True, ondelete="CASCADE")
    rationale: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    assumptions: list["Assumption"] = Relationship(
        back_populates="link", sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Assumption.id"}
    )


class Assumption(Versioned, SQLModel, table=True):
    """A condition believed to hold for a link to work, with what is known about it."""

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="toc_link.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    status: AssumptionStatus = Field(
        default=AssumptionStatus.UNTESTED, sa_column=choice_column(AssumptionStatus, default=AssumptionStatus.UNTESTED)
    )
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    version: int = Field(default=1)

    link: TocLink = Relationship(back_populates="assumptions")


class ExternalFactor(Versioned, SQLModel, table=True):
    """Something outside the project that influences a node (context, other actors, risks)."""

    __tablename__ = "external_factor"

    id: int | None = Field(default=None, primary_key=True)
    node_id: int = Field(foreign_key="toc_node.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    version: int = Field(default=1)

    node: TocNode = Relationship(back_populates="external_factors")


class TocVersion(SQLModel, table=True):
    """A frozen version of a project's theory of change, e.g. "Baseline" or "Midline"."""

    __tablename__ = "toc_version"
    __table_args__ = (sa.UniqueConstraint("project_id", "number", name="uq_toc_version_project_number"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    number: int
    label: str = Field(max_length=120)
    frozen_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    frozen_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    snapshot: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))


class TocLevelLabel(SQLModel, table=True):
    """A fund's own name for a result level, e.g. "Immediate outcome" instead of "Short-term outcome"."""

    __tablename__ = "toc_level_label"
    __table_args__ = (sa.UniqueConstraint("fund_id", "level", name="uq_toc_level_label_fund_level"),)

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True, ondelete="CASCADE")
    level: NodeLevel = Field(sa_column=choice_column(NodeLevel))
    label: str = Field(max_length=80)
