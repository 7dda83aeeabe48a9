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


# The largest id a record can have. Ids, and the other numbers a URL names (ToC version and contribution
# story revision numbers), are ``sa.Integer`` columns (the models and migrations declare no BigInteger):
# 64-bit on SQLite but 32-bit ``integer`` on PostgreSQL, the smallest of them. A larger number names no
# record, and the database refuses it (a server error) instead of finding nothing. No list has more rows,
# so it bounds page numbers too.
MAX_ID = 2**31 - 1


def as_id(value):
    """``value`` (text or int) as a number a record's id can be (1 to :data:`MAX_ID`), or None when it is not one."""
    if isinstance(value, str):
        digits = value.lstrip("0") if value.isascii() and value.isdigit() else ""
        value = int(digits) if 0 < len(digits) <= len(str(MAX_ID)) else None
    return value if isinstance(value, int) and 1 <= value <= MAX_ID else None


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
