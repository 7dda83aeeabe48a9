"""Engine (on SQLite every transaction begins IMMEDIATE), one database session per request, and the model registry."""

import importlib
import os
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask import g
from sqlmodel import Session

from tracker.common.files import FILE_MODE
from tracker.common.files import FOLDER_MODE
from tracker.common.text import stored_form

# Every domain module that defines tables; Alembic and the tests read the metadata from here.
MODEL_MODULES = (
    "tracker.common.blobs",
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
    "tracker.inbox.models",
    "tracker.wellbeing.models",
    "tracker.home.models",
)


# How long a transaction waits for another's write lock before giving up ("database is locked").
BUSY_TIMEOUT_MS = 5000
# The execution option of sessions that only read (see configure_sqlite).
READ_ONLY = "tracker_read_only"


@sa.event.listens_for(sa.orm.Session, "before_flush")
def store_text_in_stored_form(session, _context, _instances):
    """Every text column of every new or changed record is stored in :func:`~tracker.common.text.stored_form`.

    Services clean their fields already; this is the net under every path (API, imports, commands, seeds).
    """
    for record in (*session.new, *session.dirty):
        for column in sa.inspect(record).mapper.column_attrs:
            value = getattr(record, column.key, None)
            if isinstance(value, str):
                normal = stored_form(value)
                if normal != value:
                    setattr(record, column.key, normal)


def load_models():
    """Import every model module so that ``SQLModel.metadata`` is complete."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def make_engine(url, echo=False):
    """Create an engine; SQLite gets foreign keys, WAL and real SAVEPOINT support.

    ``hide_parameters``: an error's message never carries the statement's values (a story's text is one), so
    nothing personal reaches a log through a database error.
    """
    url = sa.make_url(url)
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, echo=echo, pool_pre_ping=url.get_backend_name() != "sqlite",
                              hide_parameters=True)
    if url.get_backend_name() == "sqlite":
        in_memory = url.database in (None, "", ":memory:") or url.database.startswith("file::memory:")
        configure_sqlite(engine, in_memory=in_memory)
        if not in_memory:
            keep_database_file_private(engine, Path(url.database))
    return engine


def keep_database_file_private(engine, path):
    """Before each new connection opens ``path``, create it 0600 if missing and make it (and WAL files) 0600."""

    @sa.event.listens_for(engine, "do_connect")
    def before_connect(_dialect, _record, _arguments, _parameters):
        make_private_database_file(path)


def make_private_database_file(path):
    """Create the SQLite file readable by its owner only (0600), or make an existing one so, whatever the umask.

    SQLite creates the ``-wal`` and ``-shm`` files with the mode of the database file, so they are private too.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            companion.chmod(FILE_MODE)


def configure_sqlite(engine, in_memory):
    """Turn on foreign keys and WAL, and begin every transaction ``IMMEDIATE``.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; SQLAlchemy's documented
    remedy is to disable it and emit BEGIN ourselves.

    Why ``BEGIN IMMEDIATE``: a request reads first (the login session, the record) and writes afterwards (an
    audit entry, a login, a job). In a plain (deferred) transaction that write must upgrade a read snapshot,
    and SQLite refuses the upgrade at once with SQLITE_BUSY whenever another connection writes meanwhile:
    ``busy_timeout`` does not apply to it, so a few parallel users got "database is locked". Taking the write
    lock when the transaction begins makes writers queue on ``busy_timeout`` instead, in order, and every
    transaction sees the latest data. The alternative, retrying the whole request on SQLITE_BUSY, would have
    to replay request bodies and side effects (files, job hand-offs), so it was not chosen.

    The price is that transactions run one at a time, each from a request's first query to its commit. Under
    gunicorn's few workers that costs little (``flask bench-load``: no 5xx at 20 clients, p95 within 1.5
    times PostgreSQL's). Work that only reads and takes long must not hold the lock: building a report, streaming
    an export and checking a password mark their transaction :func:`read_only`, which begins deferred (a
    WAL snapshot, no lock) and ends before anything is written.
    """

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # A REPLACE conflict deletes the old row: with recursive triggers on, that deletion fires the delete
        # triggers too, so no statement rewrites an append-only row (the audit trail) through REPLACE.
        cursor.execute("PRAGMA recursive_triggers = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection):
        reads_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if reads_only else "BEGIN IMMEDIATE")


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
    """End the request's session; the response is already decided, so a failure is logged, never raised."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except Exception:  # noqa: BLE001 - the connection is dropped by the pool either way
        current_app.logger.exception("Could not close the request's database session")


def read_only(session):
    """Begin ``session``'s next transaction as one that only reads: on SQLite it is deferred and holds no lock.

    For long work that only reads (building a report, streaming an export): call it before the transaction's
    first statement, and end the transaction (commit or roll back) before writing anything.
    """
    session.connection(execution_options={READ_ONLY: True})


def rollback_session():
    """Roll back this request's transaction, if it opened one."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()
