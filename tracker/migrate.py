"""Run and inspect Alembic migrations programmatically (no alembic.ini needed)."""

from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from tracker.db import load_models
from tracker.db_search import alembic_filters
from tracker.db_search import expression_indexes_unreflectable_here

MIGRATIONS = Path(__file__).parent / "migrations"


class MigrationStopped(RuntimeError):
    """A migration that cannot go on and changed nothing; its message names the record and says what to do."""


def alembic_config(connection=None, file_folders=None):
    """``file_folders`` (``{"uploads": folder, "reports": folder}``) tells migration 0028 where older versions
    kept their files; without it, a database that refers to files cannot pass that migration."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["file_folders"] = file_folders
    return config


@contextmanager
def migration_connection(engine):
    """Yield a connection in a transaction, with SQLite's foreign keys off meanwhile.

    SQLite rebuilds tables to alter them, and dropping a parent table with
    foreign keys on would cascade-delete the children.
    """
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise RuntimeError(f"migration broke foreign keys: {problems[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


def upgrade(engine, revision="head", file_folders=None):
    """Upgrade the database to ``revision``; a no-op when already there."""
    with migration_connection(engine) as connection:
        command.upgrade(alembic_config(connection, file_folders), revision)


def downgrade(engine, revision):
    with migration_connection(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def heads():
    return ScriptDirectory.from_config(alembic_config()).get_heads()


def current_revision(engine):
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def pending_model_changes(engine):
    """Return Alembic's list of differences between the database and the models."""
    load_models()
    with engine.connect() as connection:
        options = {"compare_type": True, **alembic_filters(connection.dialect.name)}
        context = MigrationContext.configure(connection, opts=options)
        with expression_indexes_unreflectable_here():
            return compare_metadata(context, SQLModel.metadata)


def new_revision(engine, message, rev_id=None):
    """Autogenerate the next numbered migration from the model changes (a developer command)."""
    config = alembic_config()
    next_id = rev_id or f"{len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1:04d}"
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True, rev_id=next_id)
