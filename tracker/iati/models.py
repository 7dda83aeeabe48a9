"""The fund's IATI publishing settings: who reports, and the defaults of every activity it publishes."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.db_types import Versioned
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow
from tracker.iati.codes import DEFAULT_SECTOR


class IatiSettings(Versioned, SQLModel, table=True):
    """One row per fund: the fund as IATI reporting organisation (ref, name, OrganisationType),
    the DAC 5-digit sector of its activities and the language of its narratives."""

    __tablename__ = "iati_settings"
    __table_args__ = (sa.UniqueConstraint("fund_id", name="uq_iati_settings_fund"),)

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", ondelete="CASCADE")
    reporting_org_ref: str = Field(max_length=100)
    reporting_org_name: str = Field(max_length=200)
    reporting_org_type: str = Field(max_length=2)
    default_sector: str = Field(default=DEFAULT_SECTOR, max_length=5)
    language: str = Field(default="en", max_length=2)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)
