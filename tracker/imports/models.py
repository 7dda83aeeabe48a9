"""Import tables: saved column mappings, import batches, and the source ids that make imports idempotent.

``imported_record`` remembers, per project, every row id already imported from
a source (a KoboToolbox ``_uuid``, an ODK ``instanceID``, or a column the user
chose). Its unique constraint on ``(project_id, source, source_id)`` is the
last line of defence against importing a row twice; the import itself checks
the ids first, so that a second import of the same file adds nothing.
It deliberately has no foreign key to the created outcome or story: a record
deleted later (e.g. at the storyteller's request) is not brought back by
importing the same file again.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import Relationship
from sqlmodel import SQLModel

from tracker.auth.models import User
from tracker.db_types import Versioned
from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class ImportKind(enum.StrEnum):
    OUTCOMES = "outcomes"
    STORIES = "stories"


class ImportMapping(Versioned, SQLModel, table=True):
    """A named column mapping of one project, reused for the next export of the same form.

    ``mapping`` holds ``{"record_table", "source_column", "fields": {target: column},
    "defaults": {target: value}}`` where a column is ``"table::header"``.
    """

    __tablename__ = "import_mapping"
    __table_args__ = (sa.UniqueConstraint("project_id", "kind", "name", name="uq_import_mapping_project_kind_name"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    kind: ImportKind = Field(sa_column=choice_column(ImportKind))
    name: str = Field(max_length=120)
    mapping: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    version: int = Field(default=1)


class ImportBatch(SQLModel, table=True):
    """One committed import: which file, by whom, how many rows were created and how many were already there."""

    __tablename__ = "import_batch"
    __table_args__ = (sa.Index("ix_import_batch_project_created", "project_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    kind: ImportKind = Field(sa_column=choice_column(ImportKind))
    source: str = Field(max_length=160)
    file_name: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64)
    mapping_name: str = Field(default="", max_length=120)
    created_count: int = Field(default=0)
    skipped_count: int = Field(default=0)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())

    created_by: User | None = Relationship()


class ImportedRecord(SQLModel, table=True):
    """A source row already imported into a project, and the outcome or story it became."""

    __tablename__ = "imported_record"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "source", "source_id", name="uq_imported_record_project_source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    batch_id: int = Field(foreign_key="import_batch.id", index=True, ondelete="CASCADE")
    source: str = Field(max_length=160)
    source_id: str = Field(max_length=255)
    object_type: str = Field(max_length=40)
    object_id: int


class ImportUpload(SQLModel, table=True):
    """An uploaded file waiting between the import steps (see :mod:`tracker.imports.staging`).

    Kept in the database, content included (``content_key``, a :mod:`tracker.common.blobs` key), so that any
    web host can continue an import that another one received.
    """

    __tablename__ = "import_upload"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="CASCADE")
    kind: str = Field(max_length=20)
    file_name: str = Field(max_length=255)
    suffix: str = Field(max_length=20)
    size: int = Field(default=0)
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
    mapping: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    mapping_name: str = Field(default="", max_length=120)
    extra: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    content_key: str = Field(max_length=32)
