"""Engine, one database session per request, and the model registry."""

import importlib

import sqlalchemy as sa
from flask import current_app
from flask import g
from sqlmodel import Session

# Every domain module that defines tables; Alembic and the tests read the metadata from here.
MODEL_MODULES = (
    "tracker.audit.models",
    "tracker.auth.models",
    "tracker.breakglass.models",
    "tracker.portfolio.models",
    "tracker.toc.models",
    "tracker.web.submissions",
    "tracker.indicators.models",
    "tracker.outcomes.models",
    "tracker.msc.models",
    "tracker.iati.models",
    "tracker.evidence.models",
    "tracker.contribution.models",
    "tracker.imports.models",
    "tracker.api.models",
    "tracker.reports.models",
)


def load_models():
    """Import every model module so that ``SQLModel.metadata`` is complete."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def make_engine(url, echo=False):
    """Create an engine; SQLite gets foreign keys, WAL and real SAVEPOINT support."""
    url = sa.make_url(url)
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, echo=echo, pool_pre_ping=url.get_backend_name() != "sqlite")
    if url.get_backend_name() == "sqlite":
        configure_sqlite(engine, in_memory=url.database in (None, "", ":memory:"))
    return engine


def configure_sqlite(engine, in_memory):
    """Turn on foreign keys and WAL, and let SQLAlchemy own BEGIN.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs;
    SQLAlchemy's documented remedy is to disable it and emit BEGIN ourselves.
    """

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN")


class Database:
    """The app's engine and the bind that new sessions use."""

    def __init__(self, engine):
        self.engine = engine
        self.bind = engine

    def new_session(self):
        return Session(
            self.bind,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    def bind_to(self, connection):
        """Make new sessions share ``connection``'s transaction (test isolation)."""
        self.bind = connection


def init_app(app):
    load_models()
    engine = app.config["DATABASE_ENGINE"] or make_engine(
        app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"]
    )
    app.extensions["tracker.db"] = Database(engine)
    app.teardown_appcontext(close_session)


def database(app=None):
    return (app or current_app).extensions["tracker.db"]


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = database().new_session()
    return g.db_session


def close_session(_error=None):
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def rollback_session():
    """Roll back this request's transaction, if it opened one."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()
