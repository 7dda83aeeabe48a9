"""Column types and helpers shared by every domain's models."""

import enum
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr
from sqlmodel import SQLModel

# Named constraints make Alembic's SQLite batch migrations and downgrades reliable.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow():
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so values would otherwise come back naive there
    and aware on PostgreSQL.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use tracker.db_types.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def timestamp_column(nullable=False, index=False, default=utcnow):
    """Return a new UTC timestamp column."""
    return sa.Column(UTCDateTime(), nullable=nullable, index=index, default=default)


def choice_column(choices: type[enum.Enum], nullable=False, index=False, default=None):
    """Return a new column holding one value of ``choices`` (a str-valued Enum).

    Stored as a plain string so that adding a choice needs no database migration.
    """
    length = max(len(member.value) for member in choices)
    return sa.Column(
        sa.Enum(
            choices,
            native_enum=False,
            create_constraint=False,
            length=max(length, 16),
            values_callable=lambda members: [member.value for member in members],
            validate_strings=True,
        ),
        nullable=nullable,
        index=index,
        default=default,
    )


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps the model's ``version`` column.

    Forms carry the version they were loaded with and services compare it
    before saving (:func:`tracker.common.errors.check_version`); the mapper-level
    check also catches a race between that comparison and the commit.
    A model using this mixin declares ``version: int = Field(default=1)``.
    """

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}
