"""Contribution analysis (Mayne) and contribution tracing (Befani & Stedman-Bryce) tables.

A *claim* says that a project contributed to one result of its theory of change,
along a *causal pathway* of ToC links that chain (each link's effect is the next
link's cause). It follows Mayne's six steps, records the causal package and the
influencing factors and alternative explanations, and carries a qualitative
confidence. Its *contribution story* is a narrative kept in numbered revisions.

For contribution tracing a claim has *mechanism components* (an entity doing an
activity), each with a prior and the evidence sought for it (Se, α, found / not
found / pending). The updates computed by :mod:`tracker.contribution.tracing.bayes` are
stored as *steps*, recomputed whenever the evidence changes.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from tracker.contribution.tracing.bayes import DEFAULT_PRIOR
from tracker.contribution.tracing.bayes import EvidenceTest
from tracker.contribution.tracing.bayes import Observation
from tracker.db_types import Versioned
from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow
from tracker.evidence.models import EvidenceItem
from tracker.evidence.models import Strength
from tracker.toc.models import ExternalFactor
from tracker.toc.models import TocLink
from tracker.toc.models import TocNode

PROBABILITY_CHECK = "{column} > 0 AND {column} < 1"


class ClaimLevel(enum.StrEnum):
    """Mayne's (2008) levels of contribution analysis."""

    MINIMALIST = "minimalist"
    DIRECT_INFLUENCE = "direct_influence"
    INDIRECT_INFLUENCE = "indirect_influence"


class Necessity(enum.StrEnum):
    """Whether the project was a necessary part of the causal package (Mayne 2012)."""

    NECESSARY = "necessary"
    NOT_NECESSARY = "not_necessary"
    NOT_YET_KNOWN = "not_yet_known"


class Sufficiency(enum.StrEnum):
    """Whether the causal package, the project's part included, was sufficient for the result (Mayne 2012, INUS)."""

    SUFFICIENT = "sufficient"
    NOT_SUFFICIENT = "not_sufficient"
    NOT_YET_KNOWN = "not_yet_known"


class CaStep(enum.StrEnum):
    """Mayne's six steps, in order (see ``tracker.contribution.rules.STEPS``)."""

    SET_OUT = "set_out_question"
    POSTULATE = "postulate_toc"
    GATHER = "gather_evidence"
    ASSEMBLE = "assemble_story"
    SEEK = "seek_evidence"
    REVISE = "revise_story"


class QualitativeConfidence(enum.StrEnum):
    NOT_ASSESSED = "not_assessed"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"


class ExplanationKind(enum.StrEnum):
    INFLUENCING_FACTOR = "influencing_factor"
    ALTERNATIVE_EXPLANATION = "alternative_explanation"


class FactorInfluence(enum.StrEnum):
    """How an influencing factor bore on the result."""

    ENABLED = "enabled"
    HINDERED = "hindered"
    BOTH = "both"


class ExplanationStatus(enum.StrEnum):
    RULED_OUT = "ruled_out"
    PARTLY = "partly"
    PLAUSIBLE = "plausible"


class ContributionClaim(Versioned, SQLModel, table=True):
    __tablename__ = "contribution_claim"
    __table_args__ = (sa.Index("ix_contribution_claim_project_step", "project_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    question: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    claim_text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # Chosen with the claim, or later: a claim at Mayne's step 1 may be only its question.
    outcome_node_id: int | None = Field(default=None, foreign_key="toc_node.id", index=True)
    level: ClaimLevel = Field(default=ClaimLevel.DIRECT_INFLUENCE,
                              sa_column=choice_column(ClaimLevel, default=ClaimLevel.DIRECT_INFLUENCE))
    causal_package: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    necessity: Necessity = Field(default=Necessity.NOT_YET_KNOWN,
                                 sa_column=choice_column(Necessity, default=Necessity.NOT_YET_KNOWN))
    sufficiency: Sufficiency = Field(default=Sufficiency.NOT_YET_KNOWN,
                                     sa_column=choice_column(Sufficiency, default=Sufficiency.NOT_YET_KNOWN))
    step: CaStep = Field(default=CaStep.SET_OUT, sa_column=choice_column(CaStep, default=CaStep.SET_OUT))
    confidence: QualitativeConfidence = Field(
        default=QualitativeConfidence.NOT_ASSESSED,
        sa_column=choice_column(QualitativeConfidence, default=QualitativeConfidence.NOT_ASSESSED))
    # Why the team judges the claim strong although contribution tracing puts it below 0.5 (shown in reports).
    low_tracing_reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    outcome_node: TocNode | None = Relationship()
    pathway: list["ClaimLink"] = Relationship(
        back_populates="claim",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ClaimLink.position"})
    explanations: list["AlternativeExplanation"] = Relationship(
        back_populates="claim",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "AlternativeExplanation.id"})
    components: list["CtComponent"] = Relationship(
        back_populates="claim",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "CtComponent.position"})


class ClaimLink(SQLModel, table=True):
    """One link of a claim's causal pathway, at its position (0 first)."""

    __tablename__ = "claim_link"
    __table_args__ = (
        sa.UniqueConstraint("claim_id", "position", name="uq_claim_link_claim_position"),
        sa.UniqueConstraint("claim_id", "link_id", name="uq_claim_link_claim_link"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="contribution_claim.id", index=True, ondelete="CASCADE")
    link_id: int = Field(foreign_key="toc_link.id", index=True)
    position: int

    claim: ContributionClaim = Relationship(back_populates="pathway")
    link: TocLink = Relationship()


class AlternativeExplanation(Versioned, SQLModel, table=True):
    """An alternative explanation of the claimed result, or an influencing factor, with what is known about it.

    An alternative explanation (a rival cause) has a ``status``: ruled out, partly explains the result, or still
    plausible. An influencing factor is no rival: its ``influence`` says whether it enabled the result, hindered it
    or both, and ``accounted_for`` how the team took it into account. Each kind leaves the other's fields empty;
    influencing factors recorded before the kinds had their own fields keep their status, and their influence is
    not recorded yet.
    """

    __tablename__ = "alternative_explanation"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="contribution_claim.id", index=True, ondelete="CASCADE")
    kind: ExplanationKind = Field(sa_column=choice_column(ExplanationKind))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    status: ExplanationStatus | None = Field(default=None, sa_column=choice_column(ExplanationStatus, nullable=True))
    influence: FactorInfluence | None = Field(default=None, sa_column=choice_column(FactorInfluence, nullable=True))
    accounted_for: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    external_factor_id: int | None = Field(default=None, foreign_key="external_factor.id", index=True,
                                           ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    claim: ContributionClaim = Relationship(back_populates="explanations")
    external_factor: ExternalFactor | None = Relationship()
    evidence: list["ExplanationEvidence"] = Relationship(
        back_populates="explanation",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ExplanationEvidence.id"})


class ExplanationEvidence(SQLModel, table=True):
    """An evidence item bearing on an explanation (e.g. what rules it out), with a strength and a note."""

    __tablename__ = "explanation_evidence"
    __table_args__ = (
        sa.UniqueConstraint("explanation_id", "evidence_id", name="uq_explanation_evidence_explanation_evidence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    explanation_id: int = Field(foreign_key="alternative_explanation.id", index=True, ondelete="CASCADE")
    evidence_id: int = Field(foreign_key="evidence_item.id", index=True, ondelete="CASCADE")
    strength: Strength = Field(sa_column=choice_column(Strength))
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())

    explanation: AlternativeExplanation = Relationship(back_populates="evidence")
    item: EvidenceItem = Relationship()


class CtComponent(Versioned, SQLModel, table=True):
    """A mechanism component: an entity doing an activity, with its prior and its confidence (the last posterior)."""

    __tablename__ = "ct_component"
    __table_args__ = (
        sa.UniqueConstraint("claim_id", "position", name="uq_ct_component_claim_position"),
        sa.CheckConstraint(PROBABILITY_CHECK.format(column="prior"), name="prior_in_range"),
        sa.CheckConstraint(PROBABILITY_CHECK.format(column="confidence"), name="confidence_in_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="contribution_claim.id", index=True, ondelete="CASCADE")
    position: int
    entity: str = Field(max_length=200)
    activity: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    prior: float = Field(default=DEFAULT_PRIOR, sa_column=sa.Column(sa.Float, nullable=False, default=DEFAULT_PRIOR))
    confidence: float = Field(default=DEFAULT_PRIOR,
                              sa_column=sa.Column(sa.Float, nullable=False, default=DEFAULT_PRIOR))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    claim: ContributionClaim = Relationship(back_populates="components")
    evidence: list["CtEvidence"] = Relationship(
        back_populates="component",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "CtEvidence.position"})
    steps: list["CtStep"] = Relationship(
        back_populates="component",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "CtStep.position"})


class CtEvidence(Versioned, SQLModel, table=True):
    """Evidence sought for a component, in recorded order: Se, α and whether it was found."""

    __tablename__ = "ct_evidence"
    __table_args__ = (
        sa.UniqueConstraint("component_id", "position", name="uq_ct_evidence_component_position"),
        sa.CheckConstraint(PROBABILITY_CHECK.format(column="sensitivity"), name="sensitivity_in_range"),
        sa.CheckConstraint(PROBABILITY_CHECK.format(column="type1_error"), name="type1_error_in_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    component_id: int = Field(foreign_key="ct_component.id", index=True, ondelete="CASCADE")
    position: int
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    sensitivity: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    type1_error: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    observed: Observation = Field(default=Observation.PENDING,
                                  sa_column=choice_column(Observation, default=Observation.PENDING))
    rationale: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    evidence_id: int | None = Field(default=None, foreign_key="evidence_item.id", index=True, ondelete="SET NULL")
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    component: CtComponent = Relationship(back_populates="evidence")
    item: EvidenceItem | None = Relationship()


class CtStep(SQLModel, table=True):
    """One stored Bayesian update with its inputs, as
    :func:`~tracker.contribution.tracing.bayes.trace_component` gave it.
    """

    __tablename__ = "ct_step"
    __table_args__ = (sa.UniqueConstraint("component_id", "position", name="uq_ct_step_component_position"),)
    # Steps go with their component and with their evidence (ON DELETE CASCADE on both): deleting a component
    # deletes its evidence first, and the database has already removed the steps the ORM then deletes.
    __mapper_args__ = {"confirm_deleted_rows": False}

    id: int | None = Field(default=None, primary_key=True)
    component_id: int = Field(foreign_key="ct_component.id", index=True, ondelete="CASCADE")
    ct_evidence_id: int = Field(foreign_key="ct_evidence.id", index=True, ondelete="CASCADE")
    position: int
    observed: Observation = Field(sa_column=choice_column(Observation))
    sensitivity: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    type1_error: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    test_type: EvidenceTest = Field(sa_column=choice_column(EvidenceTest))
    prior: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    posterior: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())

    component: CtComponent = Relationship(back_populates="steps")


class CtRevision(SQLModel, table=True):
    """One change to a tracing input: an evidence item's Se, α or observation, or a component's prior.

    Contribution tracing is only as honest as its probabilities were fixed before the evidence was seen, so every
    value an input ever had is kept here, with who set it, when and why. Rows are only ever inserted: the app has
    no path that changes or deletes one, and database triggers (migration 0019) refuse UPDATE and DELETE. The ids
    carry no foreign key on purpose: the history outlives a deleted item, component or claim, as the audit
    trail does.
    """

    __tablename__ = "ct_revision"
    __table_args__ = (sa.Index("ix_ct_revision_component_evidence", "component_id", "ct_evidence_id"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(index=True)
    component_id: int
    ct_evidence_id: int | None = Field(default=None, description="None for a change to the component's prior.")
    field: str = Field(max_length=16)
    old_value: str | None = Field(default=None, max_length=32, description="None when the value was first set.")
    new_value: str = Field(max_length=32)
    reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    changed_by_id: int | None = Field(default=None)
    changed_by: str = Field(max_length=254)
    changed_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class ContributionStory(SQLModel, table=True):
    """One revision of a claim's contribution story; every save adds a revision, none is overwritten."""

    __tablename__ = "contribution_story"
    __table_args__ = (sa.UniqueConstraint("claim_id", "number", name="uq_contribution_story_claim_number"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="contribution_claim.id", index=True, ondelete="CASCADE")
    number: int
    narrative: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    step: CaStep = Field(sa_column=choice_column(CaStep))
    change_note: str = Field(default="", max_length=300)
    author_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    author_name: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class ConfidenceBand(SQLModel, table=True):
    """A fund's verbal scale: from ``lower_bound`` upwards (up to the next band) confidence is called ``label``."""

    __tablename__ = "confidence_band"
    __table_args__ = (
        sa.UniqueConstraint("fund_id", "lower_bound", name="uq_confidence_band_fund_lower_bound"),
        sa.CheckConstraint("lower_bound >= 0 AND lower_bound < 1", name="lower_bound_in_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True, ondelete="CASCADE")
    lower_bound: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    label: str = Field(max_length=120)
