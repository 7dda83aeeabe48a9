"""Back up and restore the whole database: SQLite's online backup API, or pg_dump/pg_restore for PostgreSQL.

SQLite is copied page by page while the app keeps running (``sqlite3.Connection.backup``)
into a single self-contained file. PostgreSQL uses pg_dump's custom format and
pg_restore in one transaction, so a failed restore changes nothing. Backups are
written to a temporary name with mode 0600 and renamed when complete: they hold
everything, so they are as sensitive as the database itself.

The only programs run are pg_dump and pg_restore, by absolute path, with argument
lists and no shell (hence the bandit/ruff exemptions on those two lines).
"""

import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

import sqlalchemy as sa

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
BOOKKEEPING_TABLES = frozenset({"alembic_version"})
PG_TIMEOUT_SECONDS = 3600


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def backend(engine):
    return engine.dialect.name


def row_counts(engine):
    """Map every table of the database to its number of rows."""
    with engine.connect() as connection:
        names = sorted(sa.inspect(connection).get_table_names())
        return {name: connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
                for name in names}


def holds_data(engine):
    """Whether any table other than Alembic's bookkeeping holds a row."""
    return any(count for name, count in row_counts(engine).items() if name not in BOOKKEEPING_TABLES)


def private_file(path):
    """Create (or empty) ``path`` readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def backup(engine, path, *, overwrite=False, pg_bin_dir=None):
    """Write a full backup of ``engine``'s database to ``path``."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} already exists; choose another name or pass --force to replace it.")
    partial = path.with_name(path.name + ".partial")
    private_file(partial)
    try:
        if backend(engine) == "sqlite":
            backup_sqlite(engine, partial)
        else:
            backup_postgresql(engine, partial, pg_bin_dir)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def backup_sqlite(engine, path):
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        try:
            raw.driver_connection.backup(target)
            # One self-contained file: no -wal file beside it.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    finally:
        raw.close()


def backup_postgresql(engine, path, pg_bin_dir):
    run_pg_tool(engine, "pg_dump", ["--format=custom", "--no-password", f"--file={path}"], pg_bin_dir)


def backup_kind(path):
    """Return "sqlite" or "postgresql" from the file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump custom-format backup.")


def restore(engine, path, *, force=False, pg_bin_dir=None):
    """Replace ``engine``'s database with the backup at ``path``.

    Refuses to overwrite a database that holds data unless ``force`` is given.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    kind = backup_kind(path)
    if kind != backend(engine):
        raise BackupError(f"{path} is a {kind} backup but the database is {backend(engine)}.")
    if holds_data(engine) and not force:
        raise BackupError("The database already holds data. Restoring replaces all of it: "
                          "back it up first, then pass --force.")
    engine.dispose()
    if kind == "sqlite":
        restore_sqlite(engine, path)
    else:
        restore_postgresql(engine, path, pg_bin_dir)
    engine.dispose()


def restore_sqlite(engine, path):
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = source.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"{path} is damaged: {problems[:3]}")
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
    finally:
        source.close()


def restore_postgresql(engine, path, pg_bin_dir):
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password"]
    with engine.connect() as connection:
        if sa.inspect(connection).get_table_names():
            options += ["--clean", "--if-exists"]
    run_pg_tool(engine, "pg_restore", [*options, f"--dbname={engine.url.database}", str(path)], pg_bin_dir)


def find_pg_tool(name, pg_bin_dir=None):
    """Locate a PostgreSQL client program: ``pg_bin_dir``, then Debian's versioned folders (newest first), then PATH.

    Debian's ``/usr/bin/pg_dump`` is a wrapper that needs a configured cluster, so the real binaries come first.
    """
    candidates = [str(Path(pg_bin_dir) / name)] if pg_bin_dir else []
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=debian_version, reverse=True)
    candidates += [shutil.which(name) or ""]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return str(Path(candidate).resolve())
    raise BackupError(f"{name} was not found; install the PostgreSQL client (apt-get install postgresql-client) "
                      "or set PG_BIN_DIR.")


def debian_version(path):
    """The major version in /usr/lib/postgresql/<version>/bin/..., as a number for sorting."""
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0


def pg_environment(url):
    """Connection settings for libpq programs, passed by environment so the password is not on a command line."""
    environment = dict(os.environ)
    settings = {"PGHOST": url.query.get("host") or url.host, "PGPORT": url.port, "PGUSER": url.username,
                "PGPASSWORD": url.password, "PGDATABASE": url.database, "PGSSLMODE": url.query.get("sslmode")}
    environment.update({key: str(value) for key, value in settings.items() if value not in (None, "")})
    return environment


def run_pg_tool(engine, name, arguments, pg_bin_dir):
    command = [find_pg_tool(name, pg_bin_dir), *arguments]
    result = subprocess.run(  # noqa: S603 # nosec B603
        command, env=pg_environment(engine.url), capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS,
        check=False)
    if result.returncode != 0:
        raise BackupError(f"{name} failed: {result.stderr.strip()[-2000:]}")
    return result
