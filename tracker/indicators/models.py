"""Indicators on theory-of-change nodes: baselines, periods with targets, and reviewed actuals.

Values follow IATI 2.03: a baseline, then periods (start < end) each with a
target and an actual, optionally disaggregated by dimensions such as sex,
age band or country. Qualitative indicators (IATI measure 5) hold narratives,
never numbers. An actual counts only once M&E staff approve it; the approved
copy is kept apart from the working copy so that a revision in progress never
changes what reports show.

Disaggregated values are stored as JSON lists of
``{"dimension": "sex", "category": "female", "value": "120"}`` (values as
decimal strings), in the order of the indicator's declared dimensions.
"""

import enum
from datetime import date
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from tracker.auth.models import User
from tracker.db_types import Versioned
from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow
from tracker.toc.models import TocNode

VALUE_TYPE = sa.Numeric(18, 4)


class IndicatorMeasure(enum.StrEnum):
    """IATI IndicatorMeasure; ``IATI_MEASURE_CODES`` gives the codes."""

    UNIT = "unit"
    PERCENTAGE = "percentage"
    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    QUALITATIVE = "qualitative"


IATI_MEASURE_CODES = {
    IndicatorMeasure.UNIT: "1",
    IndicatorMeasure.PERCENTAGE: "2",
    IndicatorMeasure.NOMINAL: "3",
    IndicatorMeasure.ORDINAL: "4",
    IndicatorMeasure.QUALITATIVE: "5",
}


class ActualStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class ActualAction(enum.StrEnum):
    SAVED = "saved"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Indicator(Versioned, SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    node_id: int = Field(foreign_key="toc_node.id", index=True)
    title: str = Field(max_length=300)
    definition: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    means_of_verification: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    measure: IndicatorMeasure = Field(sa_column=choice_column(IndicatorMeasure))
    ascending: bool = Field(default=True)
    unit: str = Field(default="", max_length=60)
    baseline_year: int | None = Field(default=None)
    baseline_date: date | None = Field(default=None)
    baseline_value: Decimal | None = Field(default=None, sa_column=sa.Column(VALUE_TYPE, nullable=True))
    baseline_comment: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    dimensions: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    # Public indicators (with their approved actuals) appear in the fund's IATI publication.
    public: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, default=False,
                                                             server_default=sa.false()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    node: TocNode = Relationship()
    periods: list["IndicatorPeriod"] = Relationship(
        back_populates="indicator",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "IndicatorPeriod.start_date"},
    )

    @property
    def is_qualitative(self):
        return self.measure == IndicatorMeasure.QUALITATIVE

    @property
    def iati_measure(self):
        return IATI_MEASURE_CODES[self.measure]


class IndicatorPeriod(Versioned, SQLModel, table=True):
    __tablename__ = "indicator_period"
    __table_args__ = (sa.CheckConstraint("start_date < end_date", name="starts_before_it_ends"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    start_date: date
    end_date: date
    target_value: Decimal | None = Field(default=None, sa_column=sa.Column(VALUE_TYPE, nullable=True))
    target_comment: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    target_breakdown: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    # A partial breakdown covers only some of the total (e.g. sex recorded for some participants only).
    target_breakdown_partial: bool = Field(default=False, sa_column=sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()))
    version: int = Field(default=1)

    indicator: Indicator = Relationship(back_populates="periods")
    actual: "PeriodActual" = Relationship(
        back_populates="period", sa_relationship_kwargs={"uselist": False, "cascade": "all, delete-orphan"}
    )


class PeriodActual(Versioned, SQLModel, table=True):
    """The actual value of one period: a working copy under review, and the last approved copy."""

    __tablename__ = "period_actual"

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="indicator_period.id", ondelete="CASCADE", sa_column_kwargs={"unique": True})
    status: ActualStatus = Field(sa_column=choice_column(ActualStatus, index=True))
    value: Decimal | None = Field(default=None, sa_column=sa.Column(VALUE_TYPE, nullable=True))
    comment: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    breakdown: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    breakdown_partial: bool = Field(default=False, sa_column=sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    submitted_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    review_note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    approved_value: Decimal | None = Field(default=None, sa_column=sa.Column(VALUE_TYPE, nullable=True))
    approved_comment: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    approved_breakdown: list | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    approved_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    approved_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    # Four eyes: the approved copy keeps who submitted it as well as who approved it.
    approved_submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    approved_breakdown_partial: bool = Field(default=False, sa_column=sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()))
    version: int = Field(default=1)

    submitted_by: User | None = Relationship(sa_relationship_kwargs={"foreign_keys": "PeriodActual.submitted_by_id"})
    approved_by: User | None = Relationship(sa_relationship_kwargs={"foreign_keys": "PeriodActual.approved_by_id"})
    approved_submitted_by: User | None = Relationship(
        sa_relationship_kwargs={"foreign_keys": "PeriodActual.approved_submitted_by_id"})
    period: IndicatorPeriod = Relationship(back_populates="actual")
    events: list["ActualEvent"] = Relationship(
        back_populates="actual",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ActualEvent.id"},
    )

    @property
    def has_approved_copy(self):
        return self.approved_at is not None


class ActualEvent(SQLModel, table=True):
    """One step in an actual's history: who saved, submitted, approved or returned which value, and why."""

    __tablename__ = "actual_event"

    id: int | None = Field(default=None, primary_key=True)
    actual_id: int = Field(foreign_key="period_actual.id", index=True, ondelete="CASCADE")
    action: ActualAction = Field(sa_column=choice_column(ActualAction))
    at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    actor_name: str = Field(max_length=254)
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    value: Decimal | None = Field(default=None, sa_column=sa.Column(VALUE_TYPE, nullable=True))
    comment: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    breakdown: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))

    actual: PeriodActual = Relationship(back_populates="events")
