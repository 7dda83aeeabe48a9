"""Migration 0028: ``init-db`` moves the evidence documents and report files of the old folders into the database."""

import hashlib
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import stored_files
from tests.conftest import FAST_HASHING
from tests.factories import TEST_ACTOR
from tests.factories import Factory
from tracker import create_app
from tracker import migrate
from tracker.common import blobs
from tracker.db import database
from tracker.db_types import utcnow
from tracker.evidence import services as evidence_services
from tracker.reports import jobs
from tracker.reports.models import JobStatus

DOCUMENTS = {"register.txt": b"Referral register, 2023: 14 calls, 9 referrals.\n" * 50000,  # 2.4 MB: 3 chunks
             "minutes.txt": b"Steering group minutes, March."}


@pytest.fixture
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/tracker.sqlite"
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"files_{request.node.name.split('[')[0][-24:]}_{os.getpid()}"
    cluster.create_database(name)
    return cluster.url(name)


BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def old_instance(database_url, tmp_path, monkeypatch):
    """An instance as versions before 0028 left it: two documents in ``instance/uploads``, a done report's file in
    ``instance/reports``, the database at revision 0027. Yields ``(app, {evidence id: content}, report job id)``."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "file-migration", "REPORT_JOB_RUNNER": "inline",
                      **FAST_HASHING})
    engine = database(app).engine
    migrate.upgrade(engine)
    with database(app).new_session() as session:
        factory = Factory(session, app.extensions["tracker.hasher"])
        project, requester = factory.project(), factory.user("donor")
        documents = {evidence_services.create_item(session, TEST_ACTOR, project, "document", {"title": ""},
                                                   upload=(name, data)).id: data for name, data in DOCUMENTS.items()}
        job = jobs.create_job(session, TEST_ACTOR, requester, fund=factory.fund(), project=project, audience="donor")
        job.file_name, job.file_size = blobs.save(session, b"%PDF-1.7 donor report", "application/pdf"), 21
        job.status, job.finished_at = JobStatus.DONE, utcnow()
        job.expires_at = job.finished_at + timedelta(days=1)
        session.commit()
        job_id = job.id
    stored_files.as_before_0028(engine, instance)
    yield app, documents, job_id
    engine.dispose()


def evidence_row(app, evidence_id, connection=None):
    if connection is None:
        with database(app).engine.connect() as connection:
            return evidence_row(app, evidence_id, connection)
    return connection.execute(sa.text("SELECT stored_name, sha256 FROM evidence_item WHERE id = :id"),
                              {"id": evidence_id}).one()


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@BOTH
def test_init_db_moves_every_document_into_the_database_under_its_key_checked_against_its_sha256(old_instance):
    app, documents, _job_id = old_instance
    keys = {evidence_id: evidence_row(app, evidence_id).stored_name for evidence_id in documents}

    result = invoke(app, "init-db")

    assert result.exit_code == 0, result.output
    assert migrate.current_revision(database(app).engine) == migrate.heads()[0]
    with database(app).engine.connect() as connection:
        for evidence_id, data in documents.items():
            key, sha256 = evidence_row(app, evidence_id, connection)
            assert key == keys[evidence_id] and stored_files.content(connection, key) == data
            assert blobs.describe(connection, key).sha256 == sha256 == hashlib.sha256(data).hexdigest()
            assert blobs.describe(connection, key).media_type == "text/plain; charset=utf-8"
        assert stored_files.count(connection) == (3, 3 + 1 + 1)


@BOTH
def test_init_db_moves_a_done_reports_file_and_its_link_keeps_working(old_instance):
    app, _documents, job_id = old_instance

    invoke(app, "init-db")

    with database(app).new_session() as session:
        job = session.get(jobs.ReportJob, job_id)
        assert job.status == JobStatus.DONE and blobs.is_key(job.file_name)
        assert stored_files.content(session, job.file_name) == b"%PDF-1.7 donor report"
        assert blobs.describe(session, job.file_name).media_type == "application/pdf"


@SQLITE
def test_a_document_altered_on_disk_stops_the_migration_naming_its_evidence_id_and_changes_nothing(
        old_instance, tmp_path):
    app, documents, _job_id = old_instance
    altered = list(documents)[1]
    (tmp_path / "instance" / "uploads" / evidence_row(app, altered).stored_name).write_bytes(b"Someone's edit")

    result = invoke(app, "init-db")

    assert result.exit_code != 0
    assert f"Evidence {altered}: its file in" in result.output and "SHA-256 does not match" in result.output
    assert "Someone's edit" not in result.output and "Steering" not in result.output
    assert migrate.current_revision(database(app).engine) == "0027"
    assert "stored_file" not in sa.inspect(database(app).engine).get_table_names()


@SQLITE
def test_a_missing_document_stops_the_migration_naming_its_evidence_id(old_instance, tmp_path):
    app, documents, _job_id = old_instance
    missing = list(documents)[0]
    (tmp_path / "instance" / "uploads" / evidence_row(app, missing).stored_name).unlink()

    result = invoke(app, "init-db")

    assert result.exit_code != 0 and f"Evidence {missing}: its file is missing from" in result.output
    assert migrate.current_revision(database(app).engine) == "0027"


@SQLITE
def test_a_done_report_whose_file_is_gone_is_marked_expired(old_instance, tmp_path):
    app, _documents, job_id = old_instance
    for path in (tmp_path / "instance" / "reports").iterdir():
        path.unlink()

    result = invoke(app, "init-db")

    assert result.exit_code == 0, result.output
    with database(app).new_session() as session:
        job = session.get(jobs.ReportJob, job_id)
        assert job.status == JobStatus.EXPIRED and job.file_name == ""


@SQLITE
def test_the_migration_reads_the_documents_from_evidence_upload_folder_when_it_was_set(old_instance, tmp_path):
    app, documents, _job_id = old_instance
    elsewhere = tmp_path / "shared-disk"
    (tmp_path / "instance" / "uploads").rename(elsewhere)
    app.config["EVIDENCE_UPLOAD_FOLDER"] = str(elsewhere)

    result = invoke(app, "init-db")

    assert result.exit_code == 0, result.output
    with database(app).engine.connect() as connection:
        assert all(stored_files.content(connection, evidence_row(app, evidence_id, connection).stored_name) == data
                   for evidence_id, data in documents.items())
