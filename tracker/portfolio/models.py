from datetime import date
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from tracker.db_types import Versioned
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class Fund(Versioned, SQLModel, table=True):
    """A funding portfolio, e.g. Safe Online, with its own pillars and settings.

    Its version covers every fund-wide settings page: its own details, the names of the theory-of-change
    levels and the verbal confidence scale (saving those touches ``updated_at``).
    """

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    # Months after a project ends before its stories and other identifying text are erased
    # (``flask --app tracker purge-expired``); None keeps them until someone decides.
    retention_months: int | None = Field(default=None)
    # Who staff can turn to after reading distressing stories: shown only on each reader's own wellbeing panel.
    wellbeing_support: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    pillars: list["Pillar"] = Relationship(
        back_populates="fund", sa_relationship_kwargs={"order_by": "Pillar.position"}
    )


class Pillar(Versioned, SQLModel, table=True):
    """A strategic area of the fund, e.g. "Technology tools"."""

    __table_args__ = (sa.UniqueConstraint("fund_id", "key", name="uq_pillar_fund_key"),)

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    key: str = Field(max_length=40)
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    position: int = Field(default=0)
    version: int = Field(default=1)

    fund: Fund = Relationship(back_populates="pillars")


class Organisation(Versioned, SQLModel, table=True):
    """A grantee or partner organisation. Only organisations, never private persons."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    short_name: str = Field(default="", max_length=40)
    org_type: str = Field(default="22", max_length=2)  # IATI OrganisationType code
    iati_ref: str | None = Field(default=None, max_length=100)
    country_code: str | None = Field(default=None, max_length=2)
    website: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)


class Project(Versioned, SQLModel, table=True):
    """A grant-funded project of one grantee organisation."""

    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),
        sa.CheckConstraint("budget >= 0", name="budget_not_negative"),
        sa.Index("ix_project_fund_title", "fund_id", "title"),
    )

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    slug: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    title: str = Field(max_length=200)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    pillar_id: int = Field(foreign_key="pillar.id", index=True)
    start_date: date
    end_date: date
    budget: Decimal = Field(default=Decimal(0), sa_column=sa.Column(sa.Numeric(14, 2), nullable=False))
    currency: str = Field(default="USD", max_length=3)
    iati_identifier: str | None = Field(default=None, max_length=150, sa_column_kwargs={"unique": True})
    summary: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)

    organisation: Organisation = Relationship()
    pillar: Pillar = Relationship()
    countries: list["ProjectCountry"] = Relationship(
        back_populates="project",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ProjectCountry.country_code"},
    )

    @property
    def country_codes(self):
        return [country.country_code for country in self.countries]


class ProjectCountry(SQLModel, table=True):
    """A country (ISO 3166-1 alpha-2) a project works in."""

    __tablename__ = "project_country"

    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    country_code: str = Field(max_length=2, primary_key=True, index=True)

    project: Project = Relationship(back_populates="countries")
