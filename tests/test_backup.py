"""flask backup / restore: a full copy of the database that restores into a fresh one with every row."""

import os

import pytest

from tests.conftest import FAST_HASHING
from tracker import backup
from tracker import create_app
from tracker import migrate
from tracker.db import database

_apps = []


@pytest.fixture(autouse=True)
def dispose_engines():
    """Each test's apps own real databases outside the rolled-back test connection: close their pools."""
    yield
    while _apps:
        database(_apps.pop()).engine.dispose()


def empty_app(url):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "backup-tests", **FAST_HASHING})
    _apps.append(app)
    return app


def seeded_app(url):
    """A separate app on its own (committed) database, migrated and loaded with the demo portfolio."""
    app = empty_app(url)
    migrate.upgrade(database(app).engine)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def databases(request, tmp_path, instance_path):
    """(source URL, fresh target URL) on the backend under test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/source.sqlite", f"sqlite:///{tmp_path}/target.sqlite"
    cluster = request.getfixturevalue("postgres_cluster")
    names = [f"backup_{request.node.name.split('[')[0][-20:]}_{os.getpid()}_{side}" for side in ("src", "dst")]
    for name in names:
        cluster.create_database(name)
    return tuple(cluster.url(name) for name in names)


BOTH = pytest.mark.parametrize("databases", ["sqlite", "postgresql"], indirect=True)


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@BOTH
def test_a_backup_restores_into_a_fresh_database_with_the_same_row_counts(databases, tmp_path):
    source_url, target_url = databases
    source, target = seeded_app(source_url), empty_app(target_url)
    file = tmp_path / "tracker.backup"

    made = invoke(source, "backup", "-o", str(file))
    restored = invoke(target, "restore", str(file))

    assert made.exit_code == 0, made.output
    assert restored.exit_code == 0, restored.output
    before, after = backup.row_counts(database(source).engine), backup.row_counts(database(target).engine)
    assert after == before
    assert sum(1 for count in before.values() if count) >= 8
    assert migrate.current_revision(database(target).engine) == migrate.heads()[0]
    assert "Restored" in restored.output and f"{sum(after.values())} rows" in restored.output


@BOTH
def test_the_restored_audit_trail_is_still_append_only(databases, tmp_path):
    source_url, target_url = databases
    source, target = seeded_app(source_url), empty_app(target_url)
    file = tmp_path / "tracker.backup"
    invoke(source, "backup", "-o", str(file))
    invoke(target, "restore", str(file))

    engine = database(target).engine
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM audit_entry")


@BOTH
def test_restore_refuses_a_database_that_holds_data_unless_forced(databases, tmp_path):
    source_url, target_url = databases
    source = seeded_app(source_url)
    file = tmp_path / "tracker.backup"
    invoke(source, "backup", "-o", str(file))
    target = seeded_app(target_url)
    invoke(target, "create-user", "extra@example.org", "--role", "donor", "--password-stdin")
    engine = database(target).engine
    extra = backup.row_counts(engine)

    refused = invoke(target, "restore", str(file))
    after_refusal = backup.row_counts(engine)
    forced = invoke(target, "restore", str(file), "--force")

    assert refused.exit_code != 0 and "already holds data" in refused.output
    assert after_refusal == extra
    assert forced.exit_code == 0, forced.output
    assert backup.row_counts(engine) == backup.row_counts(database(source).engine)


def test_backups_are_readable_by_their_owner_only(tmp_path, instance_path):
    app = seeded_app(f"sqlite:///{tmp_path}/source.sqlite")

    invoke(app, "backup", "-o", str(tmp_path / "private.backup"))

    assert oct((tmp_path / "private.backup").stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "private.backup.partial").exists()


def test_a_sqlite_backup_is_one_self_contained_file(tmp_path, instance_path):
    import sqlite3

    app = seeded_app(f"sqlite:///{tmp_path}/source.sqlite")
    invoke(app, "backup", "-o", str(tmp_path / "copy.sqlite"))

    copy = sqlite3.connect(tmp_path / "copy.sqlite")
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT count(*) FROM fund").fetchone() == (1,)
    finally:
        copy.close()


def test_backup_does_not_overwrite_a_file_unless_forced(tmp_path, instance_path):
    app = seeded_app(f"sqlite:///{tmp_path}/source.sqlite")
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me", encoding="utf-8")

    refused = invoke(app, "backup", "-o", str(existing))
    forced = invoke(app, "backup", "-o", str(existing), "--force")

    assert refused.exit_code != 0 and "already exists" in refused.output
    assert forced.exit_code == 0 and existing.read_bytes().startswith(backup.SQLITE_MAGIC)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, instance_path):
    app = empty_app(f"sqlite:///{tmp_path}/target.sqlite")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database", encoding="utf-8")

    result = invoke(app, "restore", str(junk))

    assert result.exit_code != 0 and "neither a SQLite backup nor a pg_dump" in result.output


def test_restore_refuses_a_backup_of_the_other_backend(tmp_path, instance_path):
    app = empty_app(f"sqlite:///{tmp_path}/target.sqlite")
    dump = tmp_path / "tracker.pgdump"
    dump.write_bytes(backup.PG_DUMP_MAGIC + b"\x01\x0e")

    result = invoke(app, "restore", str(dump))

    assert result.exit_code != 0 and "is a postgresql backup but the database is sqlite" in result.output


def test_libpq_programs_get_the_password_by_environment_not_command_line():
    import sqlalchemy as sa

    environment = backup.pg_environment(sa.make_url("postgresql+psycopg://tracker:s3cret@db.internal:5433/evidence"))

    assert (environment["PGHOST"], environment["PGPORT"], environment["PGUSER"], environment["PGPASSWORD"],
            environment["PGDATABASE"]) == ("db.internal", "5433", "tracker", "s3cret", "evidence")
