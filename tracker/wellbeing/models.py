from datetime import datetime

from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class ReaderSetting(SQLModel, table=True):
    """A reader's own wellbeing setting, read only for that reader's own panel.

    ``note_threshold``: from this many distressing stories read in a week, the panel adds a note with the
    fund's support contacts; None, never.
    """

    __tablename__ = "reader_wellbeing"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    note_threshold: int | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
