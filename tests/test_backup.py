"""flask backup / restore: one archive of the database, evidence documents included, restored into a fresh instance."""

import io
import os
import shutil
import sqlite3
import stat
import tarfile

import pytest
import sqlalchemy as sa

from tests import stored_files
from tests.conftest import FAST_HASHING
from tests.factories import TEST_ACTOR
from tracker import backup
from tracker import create_app
from tracker import migrate
from tracker.audit.services import record
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.common import blobs
from tracker.db import database

_apps = []


@pytest.fixture(autouse=True)
def dispose_engines():
    """Each test's apps own real databases outside the rolled-back test connection: close their pools."""
    yield
    while _apps:
        database(_apps.pop()).engine.dispose()


def empty_app(url, instance):
    """A separate app on its own database, with its own instance folder.

    Report jobs run inline: a thread runner would outlive the test and poll a database that is gone."""
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("TRACKER_INSTANCE_PATH", str(instance))
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "backup-tests", "REPORT_JOB_RUNNER": "inline",
                          **FAST_HASHING})
    _apps.append(app)
    return app


def seeded_app(url, instance):
    """A separate app on its own (committed) database, migrated and loaded with the demo portfolio and its documents."""
    app = empty_app(url, instance)
    migrate.upgrade(database(app).engine)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app


def demo_app(demo_database, instance, url="sqlite"):
    """An app on the demo portfolio, its evidence documents in its database, with ``instance`` as its folder.

    On SQLite, a copy of the demo loaded once per test worker (into ``instance``, whatever ``url`` says);
    on PostgreSQL, the demo seeded into the database ``url``.
    """
    if not url.startswith("sqlite"):
        return seeded_app(url, instance)
    copy = demo_database.copy_to(instance)
    return empty_app(f"sqlite:///{copy}", instance)


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


def stored_documents(app):
    """(evidence id, project slug, stored file key, title) of every evidence item with a file, by id."""
    with database(app).engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT evidence_item.id, project.slug, evidence_item.stored_name, evidence_item.title "
            "FROM evidence_item JOIN project ON project.id = evidence_item.project_id "
            "WHERE evidence_item.stored_name <> '' ORDER BY evidence_item.id")).all()


def signed_in_client(app, email):
    """A test client of ``app`` with a fully verified login session of the account ``email``."""
    with database(app).new_session() as session:
        user = session.scalars(sa.select(User).where(User.email == email)).one()
        token = auth_services.start_login_session(session, user, verified=True)
        session.commit()
    client = app.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = token
        cookie_session["_fresh"] = True
    return client


@BOTH
def test_a_backup_restores_into_a_fresh_instance_with_every_row_and_every_evidence_document(databases, tmp_path,
                                                                                            demo_database):
    source_url, target_url = databases
    source = demo_app(demo_database, tmp_path / "source", source_url)
    target = empty_app(target_url, tmp_path / "target")
    documents = stored_documents(source)
    file = tmp_path / "tracker.backup"

    made = invoke(source, "backup", "-o", str(file))
    restored = invoke(target, "restore", str(file))

    assert made.exit_code == 0, made.output
    assert documents and f"{len(documents)} evidence documents among them" in made.output
    assert restored.exit_code == 0, restored.output
    before, after = backup.row_counts(database(source).engine), backup.row_counts(database(target).engine)
    assert after == before
    assert sum(1 for count in before.values() if count) >= 8
    assert migrate.current_revision(database(target).engine) == migrate.heads()[0]
    assert "Restored" in restored.output and f"{sum(after.values())} rows" in restored.output
    assert "Every evidence document the database refers to is present and unaltered" in restored.output
    assert not (tmp_path / "target" / "uploads").exists()
    client = signed_in_client(target, "me@example.org")
    with database(source).engine.connect() as connection:
        for evidence_id, slug, key, _title in documents:
            with client.get(f"/projects/{slug}/evidence/{evidence_id}/download") as response:
                assert response.status_code == 200, evidence_id
                assert response.data == stored_files.content(connection, key)


def test_a_restore_names_by_id_the_evidence_whose_document_the_backup_lacks(tmp_path, demo_database):
    source = demo_app(demo_database, tmp_path / "source")
    target = empty_app(f"sqlite:///{tmp_path}/target.sqlite", tmp_path / "target")
    (lost_id, _slug, lost_key, lost_title), *kept = stored_documents(source)
    with database(source).engine.begin() as connection:
        blobs.delete(connection, lost_key)
    invoke(source, "backup", "-o", str(tmp_path / "tracker.backup"))

    restored = invoke(target, "restore", str(tmp_path / "tracker.backup"))

    assert restored.exit_code != 0
    assert f"Evidence {lost_id}: its file is missing." in restored.output
    assert "The database was restored, but 1 evidence documents" in restored.output
    assert lost_title not in restored.output
    assert all(f"Evidence {evidence_id}:" not in restored.output for evidence_id, *_ in kept)
    assert backup.row_counts(database(target).engine) == backup.row_counts(database(source).engine)


def test_a_restore_names_the_evidence_whose_file_was_altered_since_upload(tmp_path, demo_database):
    source = demo_app(demo_database, tmp_path / "source")
    target = empty_app(f"sqlite:///{tmp_path}/target.sqlite", tmp_path / "target")
    evidence_id, _slug, key, _title = stored_documents(source)[0]
    with database(source).engine.begin() as connection:
        connection.execute(blobs.CHUNKS.update().where(blobs.CHUNKS.c.file_id == key).values(data=b"tampered"))
    invoke(source, "backup", "-o", str(tmp_path / "tracker.backup"))

    restored = invoke(target, "restore", str(tmp_path / "tracker.backup"))

    assert restored.exit_code != 0
    assert f"Evidence {evidence_id}: its file differs from the one uploaded" in restored.output


def database_only_backup(app, path):
    """A backup as older versions could also write it: the SQLite database alone."""
    backup.private_file(path)
    backup.backup_sqlite(database(app).engine, path)


def test_a_database_only_backup_holds_the_evidence_documents_too(tmp_path, demo_database):
    source = demo_app(demo_database, tmp_path / "source")
    target = empty_app(f"sqlite:///{tmp_path}/target.sqlite", tmp_path / "target")
    database_only_backup(source, tmp_path / "copy.sqlite")

    restored = invoke(target, "restore", str(tmp_path / "copy.sqlite"))

    assert restored.exit_code == 0, restored.output
    assert "Every evidence document the database refers to is present and unaltered" in restored.output


def test_a_database_only_backup_of_an_older_version_says_where_to_copy_its_files_for_init_db(tmp_path,
                                                                                            demo_database):
    source = demo_app(demo_database, tmp_path / "source")
    stored_files.as_before_0028(database(source).engine, tmp_path / "source")
    target = empty_app(f"sqlite:///{tmp_path}/target.sqlite", tmp_path / "target")
    database_only_backup(source, tmp_path / "old.sqlite")

    restored = invoke(target, "restore", str(tmp_path / "old.sqlite"))
    shutil.copytree(tmp_path / "source" / "uploads", tmp_path / "target" / "uploads")
    upgraded = invoke(target, "init-db")

    assert restored.exit_code == 0, restored.output
    assert "database-only backup" in restored.output and str(tmp_path / "target" / "uploads") in restored.output
    assert "Run `flask --app tracker init-db`" in restored.output
    assert upgraded.exit_code == 0, upgraded.output
    assert backup.evidence_file_problems(database(target).engine) == []


def test_a_backup_archive_of_an_older_version_puts_its_files_where_init_db_moves_them_into_the_database(
        tmp_path, demo_database):
    source = demo_app(demo_database, tmp_path / "source")
    documents = stored_documents(source)
    stored_files.as_before_0028(database(source).engine, tmp_path / "source")
    old_archive = tmp_path / "old.backup"
    database_only_backup(source, tmp_path / "old.sqlite")
    with tarfile.open(old_archive, "w:gz") as archive:
        archive.add(write(tmp_path / "backup.json", b'{"format": "evidence-tracker-backup", "version": 1, '
                                                    b'"database": "sqlite"}'), arcname="backup.json")
        archive.add(tmp_path / "old.sqlite", arcname="database")
        for path in (tmp_path / "source" / "uploads").iterdir():
            archive.add(path, arcname=f"uploads/{path.name}")
    target = empty_app(f"sqlite:///{tmp_path}/target.sqlite", tmp_path / "target")

    restored = invoke(target, "restore", str(old_archive))
    upgraded = invoke(target, "init-db")

    assert restored.exit_code == 0, restored.output
    assert f"{len(documents)} evidence files of this older backup were put into" in restored.output
    assert upgraded.exit_code == 0, upgraded.output
    assert backup.evidence_file_problems(database(target).engine) == []
    client = signed_in_client(target, "me@example.org")
    for evidence_id, slug, key, _title in documents:
        response = client.get(f"/projects/{slug}/evidence/{evidence_id}/download")
        assert response.data == (tmp_path / "source" / "uploads" / key).read_bytes()


def write(path, data):
    path.write_bytes(data)
    return path


def test_restore_refuses_an_archive_entry_that_would_land_outside_the_upload_folder(tmp_path):
    target = empty_app(f"sqlite:///{tmp_path}/target.sqlite", tmp_path / "target")
    crafted = tmp_path / "crafted.backup"
    with tarfile.open(crafted, "w:gz") as archive:
        for name, data in (("backup.json", b'{"format": "evidence-tracker-backup", "version": 1}'),
                           ("database", backup.SQLITE_MAGIC), ("uploads/../../escaped.txt", b"surprise")):
            entry = tarfile.TarInfo(name)
            entry.size = len(data)
            archive.addfile(entry, io.BytesIO(data))

    result = invoke(target, "restore", str(crafted))

    assert result.exit_code != 0 and "never holds" in result.output
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "target" / "uploads").exists()


@BOTH
def test_the_restored_audit_trail_is_still_append_only(databases, tmp_path, demo_database):
    source_url, target_url = databases
    source = demo_app(demo_database, tmp_path / "source", source_url)
    target = empty_app(target_url, tmp_path / "target")
    file = tmp_path / "tracker.backup"
    invoke(source, "backup", "-o", str(file))
    invoke(target, "restore", str(file))

    engine = database(target).engine
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM audit_entry")


@BOTH
def test_restore_refuses_a_database_that_holds_data_unless_forced(databases, tmp_path, demo_database):
    source_url, target_url = databases
    source = demo_app(demo_database, tmp_path / "source", source_url)
    file = tmp_path / "tracker.backup"
    invoke(source, "backup", "-o", str(file))
    target = demo_app(demo_database, tmp_path / "target", target_url)
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


def test_backups_are_readable_by_their_owner_only(tmp_path, demo_database):
    app = demo_app(demo_database, tmp_path / "source")

    invoke(app, "backup", "-o", str(tmp_path / "private.backup"))

    assert oct((tmp_path / "private.backup").stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "private.backup.partial").exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".tracker-backup")] == []
    with tarfile.open(tmp_path / "private.backup") as archive:
        assert {entry.mode for entry in archive.getmembers()} == {0o600}


def test_the_archive_holds_the_database_as_one_self_contained_sqlite_file(tmp_path, demo_database):
    app = demo_app(demo_database, tmp_path / "source")
    invoke(app, "backup", "-o", str(tmp_path / "tracker.backup"))

    with tarfile.open(tmp_path / "tracker.backup") as archive:
        (tmp_path / "copy.sqlite").write_bytes(archive.extractfile("database").read())
    copy = sqlite3.connect(tmp_path / "copy.sqlite")
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT count(*) FROM fund").fetchone() == (1,)
    finally:
        copy.close()


def test_backup_does_not_overwrite_a_file_unless_forced(tmp_path, demo_database):
    app = demo_app(demo_database, tmp_path / "source")
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me", encoding="utf-8")

    refused = invoke(app, "backup", "-o", str(existing))
    forced = invoke(app, "backup", "-o", str(existing), "--force")

    assert refused.exit_code != 0 and "already exists" in refused.output
    assert forced.exit_code == 0 and backup.backup_kind(existing) == "archive"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, instance_path):
    app = empty_app(f"sqlite:///{tmp_path}/target.sqlite", tmp_path / "target")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database", encoding="utf-8")

    result = invoke(app, "restore", str(junk))

    assert result.exit_code != 0 and "neither a backup archive nor a SQLite or pg_dump" in result.output


def test_restore_refuses_a_backup_of_the_other_backend(tmp_path, instance_path):
    app = empty_app(f"sqlite:///{tmp_path}/target.sqlite", tmp_path / "target")
    dump = tmp_path / "tracker.pgdump"
    dump.write_bytes(backup.PG_DUMP_MAGIC + b"\x01\x0e")

    result = invoke(app, "restore", str(dump))

    assert result.exit_code != 0 and "is a postgresql backup but the database is sqlite" in result.output


def test_libpq_programs_get_the_password_by_environment_not_command_line():
    environment = backup.pg_environment(sa.make_url("postgresql+psycopg://tracker:s3cret@db.internal:5433/evidence"))

    assert (environment["PGHOST"], environment["PGPORT"], environment["PGUSER"], environment["PGPASSWORD"],
            environment["PGDATABASE"]) == ("db.internal", "5433", "tracker", "s3cret", "evidence")


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask():
    """The loosest umask there is: every file and folder would be world-writable if the app relied on it."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_instance_folder_database_and_wal_files_are_private_whatever_the_umask(tmp_path, permissive_umask):
    instance = tmp_path / "instance"
    app = empty_app(f"sqlite:///{instance}/tracker.sqlite", instance)
    invoke(app, "init-db")
    with database(app).new_session() as session:
        record(session, TEST_ACTOR, "create", "user", 1)
        session.commit()
        database_files = [instance / name for name in ("tracker.sqlite", "tracker.sqlite-wal", "tracker.sqlite-shm")]
        assert all(path.exists() for path in database_files)

        assert mode(instance) == 0o700
        assert {path.name: mode(path) for path in database_files} == {path.name: 0o600 for path in database_files}


def test_backups_and_a_restored_database_are_private_whatever_the_umask(tmp_path, demo_database, permissive_umask):
    source = demo_app(demo_database, tmp_path / "source")
    file = tmp_path / "tracker.backup"
    invoke(source, "backup", "-o", str(file))
    target = empty_app(f"sqlite:///{tmp_path}/target/tracker.sqlite", tmp_path / "target")
    restored = invoke(target, "restore", str(file))

    assert restored.exit_code == 0, restored.output
    assert mode(file) == 0o600
    assert mode(tmp_path / "target" / "tracker.sqlite") == 0o600
