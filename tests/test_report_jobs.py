"""Report jobs always end: claimed once, leased while they run, failed when their worker stops.

The tests that need more than one connection (two claimers, a restart, a worker killed by signal) run on a
SQLite file of their own; the others on the suite's rolled-back transaction, with jobs run inline.
"""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests import stored_files
from tests.conftest import FAST_HASHING
from tests.factories import TEST_ACTOR
from tests.factories import Factory
from tracker import create_app
from tracker import migrate
from tracker.auth import services as auth_services
from tracker.db import database
from tracker.db_types import utcnow
from tracker.reports import jobs
from tracker.reports import render
from tracker.reports import runner
from tracker.reports.models import JobStatus
from tracker.reports.models import PartKind
from tracker.reports.models import ReportFormat
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportPart

ROOT = Path(__file__).resolve().parents[1]
WORKER_STOPPED = "The worker stopped while preparing this report; try again."
REFRESH = 'http-equiv="refresh"'

# A worker process that builds one job whose report takes a minute to assemble: long enough to be killed in it.
SLOW_WORKER = textwrap.dedent("""
    import sys
    import time

    from tracker import create_app
    from tracker.reports import jobs

    def slow_report(*_args, **_kwargs):
        time.sleep(60)

    jobs.project_report = slow_report
    app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "worker", "REPORT_HEARTBEAT_SECONDS": 1})
    jobs.run_job(app, int(sys.argv[2]))
""")


def queue_job(session, factory, user=None, project=None):
    job = jobs.create_job(session, TEST_ACTOR, user or factory.user("donor"), fund=factory.fund(),
                          project=project or factory.project(), audience="donor", report_format=ReportFormat.HTML)
    session.commit()
    return job


def status_of(app, job_id):
    with database(app).new_session() as session:
        return session.get(ReportJob, job_id)


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {seconds} s")
        time.sleep(0.1)


def lease_renewed(app, job_id):
    """Whether the job runs, and its worker renewed its lease at least once since claiming it."""
    job = status_of(app, job_id)
    return job.status == JobStatus.RUNNING and job.heartbeat_at > job.started_at


def logged_in_client(app, session, user):
    client = app.test_client()
    token = auth_services.start_login_session(session, user, verified=True)
    session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    return client


@pytest.fixture
def file_app(tmp_path, monkeypatch):
    """An app on a SQLite file of its own, as ``make run`` serves it (jobs inline unless a test says otherwise)."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite'}", "SECRET_KEY": "jobs",
                      "REPORT_JOB_RUNNER": "inline", **FAST_HASHING})
    migrate.upgrade(database(app).engine)
    yield app
    if runner.RUNNER_KEY in app.extensions:
        runner.thread_runner(app).shutdown(wait=True)
    database(app).engine.dispose()


@pytest.fixture
def file_session(file_app):
    with database(file_app).new_session() as session:
        yield session


@pytest.fixture
def file_factory(file_app, file_session):
    return Factory(file_session, file_app.extensions["tracker.hasher"])


# A worker killed in the middle of a job ------------------------------------------------------------------


def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_failed_once_its_lease_runs_out(
        file_app, file_session, file_factory):
    requester = file_factory.user("donor")
    job = queue_job(file_session, file_factory, requester)
    worker = subprocess.Popen([sys.executable, "-c", SLOW_WORKER, file_app.config["DATABASE_URL"], str(job.id)],
                              cwd=ROOT, env=os.environ.copy())
    try:
        wait_for(lambda: lease_renewed(file_app, job.id))
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    client = logged_in_client(file_app, file_session, requester)
    killed = status_of(file_app, job.id)
    assert killed.status == JobStatus.RUNNING and REFRESH in client.get(f"/reports/{job.token}").get_data(
        as_text=True)

    file_app.config["REPORT_LEASE_SECONDS"] = 1
    wait_for(lambda: utcnow() > killed.heartbeat_at + timedelta(seconds=1), seconds=5)
    result = file_app.test_cli_runner().invoke(args=["report-cleanup"])
    page = client.get(f"/reports/{job.token}").get_data(as_text=True)

    assert result.exit_code == 0 and "Failed 1 report job(s) whose worker stopped" in result.output
    failed = status_of(file_app, job.id)
    assert failed.status == JobStatus.FAILED and failed.error == WORKER_STOPPED and failed.file_name == ""
    assert REFRESH not in page and WORKER_STOPPED in page and ">Try again</button>" in page


def test_the_progress_page_of_a_job_whose_worker_stopped_stops_refreshing_and_says_so(
        app, client, factory, login, session):
    user = factory.user("donor")
    job = queue_job(session, factory, user)
    assert jobs.claim(session, job.id, now=utcnow() - timedelta(seconds=app.config["REPORT_LEASE_SECONDS"] + 1))
    login(user)

    page = client.get(f"/reports/{job.token}").get_data(as_text=True)

    assert REFRESH not in page and WORKER_STOPPED in page and ">Try again</button>" in page
    session.expire_all()
    assert session.get(ReportJob, job.id).status == JobStatus.FAILED


def test_a_running_job_keeps_refreshing_while_its_lease_holds(app, client, factory, login, session):
    user = factory.user("donor")
    job = queue_job(session, factory, user)
    assert jobs.claim(session, job.id)
    login(user)

    page = client.get(f"/reports/{job.token}").get_data(as_text=True)

    assert REFRESH in page and "Being prepared" in page and "Try again" not in page


def test_a_worker_whose_job_was_swept_meanwhile_does_not_turn_it_done(app, factory, session, monkeypatch):
    original = render.html_for

    def swept_meanwhile(*args, **kwargs):
        with database(app).new_session() as other:
            jobs.sweep(other, app.config["REPORT_LEASE_SECONDS"], now=utcnow() + timedelta(hours=1))
            other.commit()
        return original(*args, **kwargs)

    monkeypatch.setattr(render, "html_for", swept_meanwhile)
    job = queue_job(session, factory)

    jobs.run_job(app, job.id)
    session.expire_all()

    assert session.get(ReportJob, job.id).error == WORKER_STOPPED
    assert stored_files.count(session) == (0, 0)


# Any exception ends the job ----------------------------------------------------------------------------


def test_an_exception_while_claiming_the_job_fails_it_and_is_logged_without_its_text(
        app, factory, session, monkeypatch, caplog):
    def locked(_session, _job_id, **_options):
        raise sa.exc.OperationalError("UPDATE report_job …", {"story": "Somchai"}, Exception("database is locked"))

    monkeypatch.setattr(jobs, "claim", locked)
    job = queue_job(session, factory)

    jobs.run_job(app, job.id)
    session.expire_all()
    failed = session.get(ReportJob, job.id)

    assert failed.status == JobStatus.FAILED and failed.finished_at is not None
    assert failed.error == "An unexpected error stopped the preparation of this report."
    assert f"Report job {job.id} failed: OperationalError" in caplog.text
    assert "Somchai" not in caplog.text and "database is locked" not in caplog.text


def test_a_job_that_cannot_even_be_marked_failed_stays_queued_for_the_next_sweep(
        app, factory, session, monkeypatch, caplog):
    def unavailable(*_args, **_kwargs):
        raise sa.exc.OperationalError("UPDATE report_job …", {}, Exception("disk I/O error"))

    monkeypatch.setattr(jobs, "claim", unavailable)
    monkeypatch.setattr(jobs, "fail", unavailable)
    job = queue_job(session, factory)

    jobs.run_job(app, job.id)
    session.expire_all()

    assert session.get(ReportJob, job.id).status == JobStatus.QUEUED
    assert f"Report job {job.id} could not be marked failed: OperationalError" in caplog.text
    assert job.id in jobs.queued_job_ids(session)


# Claims ------------------------------------------------------------------------------------------------


def test_two_workers_claiming_the_same_job_at_once_one_wins(file_app, file_session, file_factory):
    job = queue_job(file_session, file_factory)
    start = threading.Barrier(2)
    won = []

    def claim():
        with database(file_app).new_session() as session:
            start.wait()
            won.append(jobs.claim(session, job.id))

    claimers = [threading.Thread(target=claim) for _ in range(2)]
    for claimer in claimers:
        claimer.start()
    for claimer in claimers:
        claimer.join()

    assert sorted(won) == [False, True]
    claimed = status_of(file_app, job.id)
    assert claimed.status == JobStatus.RUNNING and claimed.heartbeat_at == claimed.started_at


def test_a_job_already_claimed_is_left_to_its_worker(app, factory, session):
    job = queue_job(session, factory)
    assert jobs.claim(session, job.id)

    jobs.run_job(app, job.id)
    session.expire_all()

    assert session.get(ReportJob, job.id).status == JobStatus.RUNNING


@pytest.mark.both_backends
def test_a_claim_that_may_take_over_takes_a_running_job_whose_lease_ran_out(app, factory, session):
    lease = app.config["REPORT_LEASE_SECONDS"]
    job = queue_job(session, factory)
    assert jobs.claim(session, job.id, now=utcnow() - timedelta(seconds=lease + 1))

    assert not jobs.claim(session, job.id)
    assert jobs.claim(session, job.id, take_over_after=lease)
    session.expire_all()
    taken = session.get(ReportJob, job.id)
    assert taken.status == JobStatus.RUNNING and utcnow() - taken.heartbeat_at < timedelta(seconds=lease)


@pytest.mark.both_backends
def test_a_claim_that_may_take_over_leaves_a_job_whose_lease_holds_and_a_finished_one(app, factory, session):
    lease = app.config["REPORT_LEASE_SECONDS"]
    running, failed = queue_job(session, factory), queue_job(session, factory)
    assert jobs.claim(session, running.id, now=utcnow() - timedelta(seconds=lease - 5))
    assert jobs.claim(session, failed.id, now=utcnow() - timedelta(hours=1))
    jobs.fail(session, failed.id, "stopped")

    assert not jobs.claim(session, running.id, take_over_after=lease)
    assert not jobs.claim(session, failed.id, take_over_after=lease)


# A job whose parts wait behind another job's ---------------------------------------------------------------


def job_with_parts_waiting(session, factory, heartbeat):
    """A portfolio-style job claimed at ``heartbeat`` whose two parts were planned and none rendered yet."""
    job = queue_job(session, factory)
    assert jobs.claim(session, job.id, now=heartbeat)
    session.add_all([ReportPart(job_id=job.id, index=0, kind=PartKind.FRONT),
                     ReportPart(job_id=job.id, index=1, kind=PartKind.PROJECT, project_id=job.project_id)])
    session.commit()
    return job


@pytest.mark.both_backends
def test_a_job_whose_parts_wait_behind_another_running_job_is_not_failed_as_stopped(app, factory, session):
    lease = app.config["REPORT_LEASE_SECONDS"]
    waiting = job_with_parts_waiting(session, factory, heartbeat=utcnow() - timedelta(seconds=3 * lease))
    busy = queue_job(session, factory)
    assert jobs.claim(session, busy.id)

    assert jobs.stopped_job_ids(session, lease) == []
    assert jobs.sweep(session, lease) == []
    session.commit()
    session.expire_all()
    assert session.get(ReportJob, waiting.id).status == JobStatus.RUNNING


@pytest.mark.both_backends
def test_a_job_whose_parts_wait_while_no_other_job_is_alive_is_failed_as_stopped(app, factory, session):
    lease = app.config["REPORT_LEASE_SECONDS"]
    long_ago = utcnow() - timedelta(seconds=3 * lease)
    waiting = job_with_parts_waiting(session, factory, heartbeat=long_ago)
    also_stopped = queue_job(session, factory)
    assert jobs.claim(session, also_stopped.id, now=long_ago)

    assert sorted(jobs.sweep(session, lease)) == sorted([waiting.id, also_stopped.id])


@pytest.mark.both_backends
def test_a_job_with_no_part_waiting_is_failed_as_stopped_even_while_another_job_runs(app, factory, session):
    lease = app.config["REPORT_LEASE_SECONDS"]
    stopped = queue_job(session, factory)
    assert jobs.claim(session, stopped.id, now=utcnow() - timedelta(seconds=3 * lease))
    busy = queue_job(session, factory)
    assert jobs.claim(session, busy.id)

    assert jobs.sweep(session, lease) == [stopped.id]


def test_two_workers_taking_over_the_same_stopped_job_at_once_one_wins(file_app, file_session, file_factory):
    lease = file_app.config["REPORT_LEASE_SECONDS"]
    job = queue_job(file_session, file_factory)
    assert jobs.claim(file_session, job.id, now=utcnow() - timedelta(seconds=lease + 1))
    start = threading.Barrier(2)
    won = []

    def take_over():
        with database(file_app).new_session() as session:
            start.wait()
            won.append(jobs.claim(session, job.id, take_over_after=lease))

    takers = [threading.Thread(target=take_over) for _ in range(2)]
    for taker in takers:
        taker.start()
    for taker in takers:
        taker.join()

    assert sorted(won) == [False, True]


# A restart ---------------------------------------------------------------------------------------------


def test_the_web_process_builds_the_jobs_queued_before_it_restarted_and_fails_those_it_was_running(
        file_app, file_session, file_factory):
    waiting = queue_job(file_session, file_factory)
    interrupted = queue_job(file_session, file_factory)
    assert jobs.claim(file_session, interrupted.id,
                      now=utcnow() - timedelta(seconds=file_app.config["REPORT_LEASE_SECONDS"] + 1))
    file_app.config["REPORT_JOB_RUNNER"] = "thread"

    assert file_app.test_client().get("/healthz").status_code == 200  # the first request of the new process
    wait_for(lambda: status_of(file_app, waiting.id).status == JobStatus.DONE)

    assert status_of(file_app, interrupted.id).status == JobStatus.FAILED
    assert status_of(file_app, interrupted.id).error == WORKER_STOPPED
    with database(file_app).new_session() as session:
        assert stored_files.content(session, status_of(file_app, waiting.id).file_name)


def test_report_cleanup_hands_long_waiting_jobs_to_an_external_queue_again(file_app, file_session, file_factory):
    file_app.config["REPORT_JOB_RUNNER"] = f"{__name__}:remember"
    REMEMBERED.clear()
    old = queue_job(file_session, file_factory)
    old.created_at = utcnow() - timedelta(hours=1)
    file_session.add(old)
    file_session.commit()
    queue_job(file_session, file_factory)

    result = file_app.test_cli_runner().invoke(args=["report-cleanup"])

    assert result.exit_code == 0 and "handed 1 waiting job(s) to the queue again" in result.output
    assert REMEMBERED == [old.id]
    assert file_session.exec(select(ReportJob.status).where(ReportJob.id == old.id)).one() == JobStatus.QUEUED


REMEMBERED = []


def remember(job_id):
    """A stand-in external queue: it only remembers the ids it is handed."""
    REMEMBERED.append(job_id)
