"""Back up and restore a whole instance: its database, which holds the uploaded evidence documents too.

The archive is a gzipped tar holding ``backup.json`` (what it is) and ``database``: SQLite copied page by
page while the app keeps running (``sqlite3.Connection.backup``) into a single self-contained file, or
pg_dump's custom format for PostgreSQL, which pg_restore loads in one transaction, so a failed restore
changes nothing. Evidence documents and report files are rows of the database (:mod:`tracker.common.blobs`),
so the one copy carries them. Backups are written to a temporary name with mode 0600 and renamed when
complete: they hold everything, so they are as sensitive as the database itself.

A restore then checks every evidence document the database refers to against the SHA-256 recorded at
upload (:func:`evidence_file_problems`). Older backups still restore: a database-only backup (a SQLite
file or a pg_dump), and a version 1 archive, whose ``uploads/<stored name>`` files are put back into the
old upload folder, from which ``init-db`` (migration 0028) moves them into the upgraded database.

The only programs run are pg_dump and pg_restore, by absolute path, with argument
lists and no shell (hence the bandit/ruff exemptions on those two lines).
"""

import glob
import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tracker.common import blobs
from tracker.common.files import open_private
from tracker.common.files import private_folder

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
GZIP_MAGIC = b"\x1f\x8b"
ARCHIVE_FORMAT = "evidence-tracker-backup"
ARCHIVE_VERSION = 2
# Version 1 archives also held the upload folder's files under ``uploads/``.
READABLE_VERSIONS = (1, 2)
MANIFEST, DATABASE, UPLOADS = "backup.json", "database", "uploads/"
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
    open_private(path).close()


def backup(engine, path, *, overwrite=False, pg_bin_dir=None):
    """Write an archive of ``engine``'s database, evidence documents included, to ``path``.

    Return the number of evidence documents the database held when the backup began.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} already exists; choose another name or pass --force to replace it.")
    partial = path.with_name(path.name + ".partial")
    private_file(partial)
    try:
        with tempfile.TemporaryDirectory(prefix=".tracker-backup-", dir=path.parent) as work:
            dump = Path(work) / DATABASE
            private_file(dump)
            if backend(engine) == "sqlite":
                backup_sqlite(engine, dump)
            else:
                backup_postgresql(engine, dump, pg_bin_dir)
            documents = evidence_document_count(engine)
            write_archive(partial, backend(engine), dump, documents)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return documents


def evidence_document_count(engine):
    with engine.connect() as connection:
        if "evidence_item" not in sa.inspect(connection).get_table_names():
            return 0
        return connection.scalar(sa.text("SELECT count(*) FROM evidence_item WHERE stored_name <> ''"))


def write_archive(path, kind, dump, documents):
    """The manifest first, then the database: a restore reads them in that order."""
    manifest = json.dumps({"format": ARCHIVE_FORMAT, "version": ARCHIVE_VERSION, "database": kind,
                           "evidence_files": documents}).encode("utf-8")
    with open_private(path) as handle, tarfile.open(fileobj=handle, mode="w:gz", compresslevel=6) as archive:
        add_bytes(archive, MANIFEST, manifest)
        archive.add(dump, arcname=DATABASE, recursive=False, filter=private_entry)


def add_bytes(archive, name, data):
    entry = private_entry(tarfile.TarInfo(name))
    entry.size = len(data)
    archive.addfile(entry, io.BytesIO(data))


def private_entry(entry):
    """Archive entries carry no owner names and mode 0600, whoever made the backup."""
    entry.uid = entry.gid = 0
    entry.uname = entry.gname = ""
    entry.mode = 0o600
    return entry


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
    """Return "archive" (what ``backup`` writes), or "sqlite" or "postgresql" for a database-only backup."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(GZIP_MAGIC):
        return "archive"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a backup archive nor a SQLite or pg_dump custom-format backup.")


@dataclass(frozen=True)
class Restored:
    """What a restore put back: ``evidence_files`` is None for a database-only backup, which holds none;
    ``legacy_files`` counts the files of a version 1 archive put back into the old upload folder."""

    evidence_files: int | None
    legacy_files: int = 0


def restore(engine, path, *, force=False, pg_bin_dir=None, legacy_uploads=None):
    """Replace ``engine``'s database with the backup at ``path``.

    Refuses to overwrite a database that holds data unless ``force`` is given. The files of a version 1
    archive go into the folder ``legacy_uploads`` (a file of the same name there is replaced), for ``init-db``
    to move into the database.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    kind = backup_kind(path)
    if kind != "archive":
        check_target(engine, path, kind, force)
        restore_database(engine, path, kind, pg_bin_dir, label=path)
        return Restored(evidence_files=None)
    try:
        with tarfile.open(path, mode="r:gz") as archive, \
                tempfile.TemporaryDirectory(prefix=".tracker-restore-") as work:
            files, kind, documents = archive_contents(archive, path)
            check_target(engine, path, kind, force)
            dump = Path(work) / DATABASE
            with open_private(dump) as handle:
                shutil.copyfileobj(archive.extractfile(files[DATABASE]), handle)
            restore_database(engine, dump, kind, pg_bin_dir, label=path)
            names = [name for name in files if name.startswith(UPLOADS)]
            for name in names:
                put_legacy_file(legacy_uploads, name.removeprefix(UPLOADS), archive.extractfile(files[name]))
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(f"{path} cannot be read as a backup archive: {error}") from None
    return Restored(evidence_files=documents, legacy_files=len(names))


def put_legacy_file(folder, name, stream):
    """Write one file of a version 1 archive into the old upload folder (0600, under a temporary name first)."""
    if folder is None:
        raise BackupError("This backup holds evidence files from an older version; name the folder to put them in.")
    folder = private_folder(Path(folder))
    partial = folder / f"{name}.part"
    with open_private(partial) as handle:
        shutil.copyfileobj(stream, handle, blobs.CHUNK_BYTES)
    os.replace(partial, folder / name)


def archive_contents(archive, path):
    """The archive's entries by name and the kind of database it holds; refuses any archive ``backup`` did not write.

    Only regular files named as ``backup`` names them are accepted, so that nothing is ever
    written outside the upload folder. Also returns the number of evidence documents the manifest counts.
    """
    files = {}
    for entry in archive.getmembers():
        name = entry.name
        ours = name in (MANIFEST, DATABASE) or (name.startswith(UPLOADS) and blobs.is_key(name.removeprefix(UPLOADS)))
        if not entry.isfile() or not ours or name in files:
            raise BackupError(f"{path} holds {name!r}, which a backup made by the backup command never holds.")
        files[name] = entry
    manifest = json.load(archive.extractfile(files[MANIFEST])) if MANIFEST in files else {}
    if manifest.get("format") != ARCHIVE_FORMAT or DATABASE not in files:
        raise BackupError(f"{path} is not a backup made by the backup command.")
    if manifest.get("version") not in READABLE_VERSIONS:
        raise BackupError(f"{path} is a version {manifest.get('version')} backup; this version of the tracker "
                          f"reads versions {', '.join(map(str, READABLE_VERSIONS))}.")
    if manifest["version"] > 1 and any(name.startswith(UPLOADS) for name in files):
        raise BackupError(f"{path} holds evidence files, which a version {manifest['version']} backup never holds.")
    return files, manifest.get("database"), manifest.get("evidence_files", 0)


def check_target(engine, path, kind, force):
    """Refuse, before anything changes, a backup of the other backend or a database that holds data."""
    if kind != backend(engine):
        raise BackupError(f"{path} is a {kind} backup but the database is {backend(engine)}.")
    if holds_data(engine) and not force:
        raise BackupError("The database already holds data. Restoring replaces all of it: "
                          "back it up first, then pass --force.")


def restore_database(engine, path, kind, pg_bin_dir, label):
    """Replace the database with the ``kind`` database file at ``path`` (``label`` names the backup in messages)."""
    try:
        found = backup_kind(path)
    except BackupError:
        found = None
    if found != kind:
        raise BackupError(f"{label} is damaged: its database is not a {kind} backup.")
    engine.dispose()
    if kind == "sqlite":
        restore_sqlite(engine, path, label)
    else:
        restore_postgresql(engine, path, pg_bin_dir)
    engine.dispose()


@dataclass(frozen=True)
class FileProblem:
    """An evidence item whose file is not as uploaded; named by id only, as its title may identify someone."""

    evidence_id: int
    missing: bool

    def __str__(self):
        if self.missing:
            return f"Evidence {self.evidence_id}: its file is missing."
        return f"Evidence {self.evidence_id}: its file differs from the one uploaded (SHA-256 does not match)."


def evidence_file_problems(engine):
    """Every evidence item whose stored document is missing from the database or differs from the one uploaded."""
    problems = []
    with engine.connect() as connection:
        if not {"evidence_item", "stored_file"} <= set(sa.inspect(connection).get_table_names()):
            return []
        items = connection.execute(sa.text(
            "SELECT id, stored_name, sha256 FROM evidence_item WHERE stored_name <> '' ORDER BY id")).all()
        for evidence_id, stored_name, sha256 in items:
            if blobs.describe(connection, stored_name) is None:
                problems.append(FileProblem(evidence_id, missing=True))
            elif sha256 and blobs.content_sha256(connection, stored_name) != sha256:
                problems.append(FileProblem(evidence_id, missing=False))
    return problems


def restore_sqlite(engine, path, label):
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = source.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"{label} is damaged: {problems[:3]}")
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
