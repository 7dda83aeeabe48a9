"""Alembic environment: migrations run on the connection that tracker.migrate hands over."""

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from tracker.db import load_models
from tracker.db import make_engine
from tracker.db_search import alembic_filters
from tracker.db_search import expression_indexes_unreflectable_here
from tracker.db_types import UTCDateTime

load_models()
target_metadata = SQLModel.metadata


def render_item(kind, obj, autogen_context):
    """Write SQLModel's and our column types as types a migration can import."""
    if kind == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if kind == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("import tracker.db_types")
        return "tracker.db_types.UTCDateTime()"
    return False


def configure_and_run(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
        **alembic_filters(connection.dialect.name),
    )
    with context.begin_transaction(), expression_indexes_unreflectable_here():
        context.run_migrations()


def run_migrations_online():
    connection = context.config.attributes.get("connection")
    if connection is not None:
        configure_and_run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as new_connection:
        configure_and_run(new_connection)


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `flask --app tracker init-db`.")
run_migrations_online()
