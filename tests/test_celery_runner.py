"""Report jobs on Celery (``REPORT_JOB_RUNNER=celery``): a real Redis and real worker processes.

Each test runs on a database of its own (a SQLite file, or PostgreSQL) that the web app (the test client) and
the workers share, with a 1-second heartbeat and a 3-second lease so that a killed worker's job comes back
within seconds.
"""

import logging
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import select

from tests import stored_files as stored_contents
from tests.conftest import FAST_HASHING
from tests.conftest import csrf_from
from tests.conftest import skip_or_fail
from tests.factories import TEST_ACTOR
from tests.factories import Factory
from tests.postgres import free_port
from tracker import create_app
from tracker import migrate
from tracker import queue
from tracker.common import blobs
from tracker.db import database
from tracker.db import make_engine
from tracker.db_types import utcnow
from tracker.reports import jobs
from tracker.reports import runner
from tracker.reports import tasks
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportFormat
from tracker.reports.models import ReportJob

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "celery-test-secret"
HEARTBEAT, LEASE = 1, 3
QUEUE = "celery"  # Celery's default queue: a Redis list of the messages waiting for a worker

# A worker whose first report takes a minute to assemble (long enough to be killed in the middle of it) and whose
# next ones are built as usual: the file named by SLOW_ONCE marks that the slow one began.
SLOW_WORKER = textwrap.dedent("""
    import os
    import sys
    import time

    from celery.bin.celery import main
    from tracker.reports import jobs

    usual_report = jobs.project_report

    def slow_once(*args, **kwargs):
        if not os.path.exists(os.environ["SLOW_ONCE"]):
            open(os.environ["SLOW_ONCE"], "w").close()
            time.sleep(60)
        return usual_report(*args, **kwargs)

    jobs.project_report = slow_once
    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(main())
""")
CELERY_WORKER = ["-A", "tracker.celery_app", "worker", "--pool", "prefork", "-c", "1", "--loglevel", "INFO",
                 "--without-mingle", "--without-gossip"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A throwaway redis-server on a free loopback port, without persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail("redis-server is not installed")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL, start_new_session=True)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for(lambda: answers(url), seconds=10)
        yield url
    finally:
        stop(server)


def answers(url):
    try:
        return redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        return False


@pytest.fixture
def broker(redis_url):
    """The Redis broker, emptied for each test."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def database_url(request, backend, tmp_path, migrated):
    """A database of the test's own at the latest migration: a SQLite file, or a PostgreSQL database."""
    if backend == "sqlite":
        return copy_of(migrated, tmp_path / "jobs.sqlite")
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"celery_{uuid.uuid4().hex[:12]}"
    cluster.create_database(name)
    engine = make_engine(cluster.url(name))
    migrate.upgrade(engine)
    engine.dispose()
    return cluster.url(name)


@pytest.fixture
def settings(database_url, instance_path, redis_url):
    """The settings the web app and the workers share."""
    return {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
            "REPORT_JOB_RUNNER": "celery", "CELERY_BROKER_URL": redis_url,
            "REPORT_HEARTBEAT_SECONDS": HEARTBEAT, "REPORT_LEASE_SECONDS": LEASE}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """An empty database file at the latest migration, copied for each test."""
    path = tmp_path_factory.mktemp("migrated") / "empty.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def copy_of(database_file, target):
    """Copy a SQLite database file to ``target`` (SQLite's backup API); return the copy's URL."""
    with sqlite3.connect(database_file) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


@pytest.fixture
def app(settings, broker):
    """The web app on a database of its own, handing its report jobs to Celery."""
    app = create_app({**settings, **FAST_HASHING})
    yield app
    database(app).engine.dispose()


@pytest.fixture
def start_worker(settings, instance_path, tmp_path):
    """Start a worker process (a new process group, killed at the end of the test): ``start_worker(command)``."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_INSTANCE_PATH": str(instance_path),
                   "SLOW_ONCE": str(tmp_path / "slow-report-began"),
                   **{f"TRACKER_{name}": str(value) for name, value in settings.items()}}
    started = []

    def start(command):
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        worker = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        started.append((worker, log))
        return worker

    yield start
    for worker, log in started:
        stop(worker)
        log.close()
        print(Path(log.name).read_text(errors="replace"))  # shown when the test fails


def stop(process):
    """Kill ``process`` and every process it started (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def celery_worker():
    return [sys.executable, "-m", "celery", *CELERY_WORKER]


def slow_worker():
    return [sys.executable, "-c", SLOW_WORKER, *CELERY_WORKER]


def flask_worker():
    return [sys.executable, "-m", "flask", "--app", "tracker", "worker", "--concurrency", "1"]


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {seconds} s")
        time.sleep(0.2)


def status_of(app, job_id):
    with database(app).new_session() as session:
        return session.get(ReportJob, job_id)


def lease_renewed(app, job_id):
    job = status_of(app, job_id)
    return job.status == JobStatus.RUNNING and job.heartbeat_at > job.started_at


def submit_with(client):
    """POST a form with the CSRF token of its page, as the ``submit`` fixture does for ``client``."""

    def post(url, data):
        html = client.get(url).get_data(as_text=True)
        return client.post(url, data={"csrf_token": csrf_from(html), **data})

    return post


def request_report(client, submit, project):
    """Ask for the project's donor report as a PDF through the web page; return the job's token."""
    response = submit(f"/projects/{project.slug}/reports", {"audience": "donor", "action": "pdf"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def job_with(app, token):
    """The job as the database has it now (a session of its own, so that the test holds no lock meanwhile)."""
    with database(app).new_session() as session:
        return session.exec(select(ReportJob).where(ReportJob.token == token)).one()


def all_jobs(app):
    with database(app).new_session() as session:
        return session.exec(select(ReportJob.id, ReportJob.status)).all()


def download(client, token):
    with client.get(f"/reports/{token}/download") as response:
        return response.status_code, response.get_data()


def stored_files(app):
    """The keys of the files stored in the database of ``app``."""
    with database(app).new_session() as session:
        return sorted(session.scalars(sa.select(blobs.FILES.c.id)))


@pytest.fixture
def project(factory, session):
    project = factory.project()
    session.commit()
    return project


@pytest.fixture
def donor(factory, login, session):
    user = factory.user("donor")
    session.commit()
    login(user)
    return user


# A report built by a worker ----------------------------------------------------------------------------


@pytest.mark.heavy  # about 20 s here, most of it WeasyPrint's first PDF in a new worker process
def test_a_report_asked_for_on_the_web_is_built_by_a_celery_worker_and_downloaded(
        app, client, submit, donor, project, start_worker):
    token = request_report(client, submit, project)
    assert job_with(app, token).status == JobStatus.QUEUED

    start_worker(celery_worker())
    wait_for(lambda: job_with(app, token).status == JobStatus.DONE, seconds=60)

    status, body = download(client, token)
    assert status == 200 and body.startswith(b"%PDF")
    assert stored_files(app) == [job_with(app, token).file_name]


@pytest.mark.heavy  # about 30 s: two workers start, one is killed, the other builds the PDF
@pytest.mark.both_backends
def test_a_job_whose_worker_was_killed_is_taken_over_by_another_and_stored_once(
        app, client, submit, donor, project, start_worker):
    token = request_report(client, submit, project)
    job_id = job_with(app, token).id
    killed = start_worker(slow_worker())
    wait_for(lambda: lease_renewed(app, job_id), seconds=60)

    stop(killed)
    start_worker(flask_worker())
    wait_for(lambda: job_with(app, token).status == JobStatus.DONE, seconds=60)

    job = job_with(app, token)
    assert all_jobs(app) == [(job.id, JobStatus.DONE)]
    assert stored_files(app) == [job.file_name]
    status, body = download(client, token)
    assert status == 200 and body.startswith(b"%PDF")


@pytest.mark.heavy  # about 25 s: the job waits out its lease, then the PDF is built
def test_a_job_whose_pool_process_was_killed_comes_back_and_is_taken_over_when_its_lease_runs_out(
        app, client, submit, donor, project, start_worker):
    token = request_report(client, submit, project)
    job_id = job_with(app, token).id
    worker = start_worker(slow_worker())
    wait_for(lambda: lease_renewed(app, job_id), seconds=60)

    os.kill(pool_process_of(worker), signal.SIGKILL)
    wait_for(lambda: job_with(app, token).status == JobStatus.DONE, seconds=60)

    assert all_jobs(app) == [(job_id, JobStatus.DONE)]
    assert stored_files(app) == [job_with(app, token).file_name]
    status, body = download(client, token)
    assert status == 200 and body.startswith(b"%PDF")


def pool_process_of(worker):
    """The pid of the one pool process (``-c 1``) that builds the worker's tasks."""
    children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 1, children
    return int(children[0])


@pytest.mark.both_backends
def test_a_job_delivered_again_once_done_is_left_as_it_is(app, donor, factory, session, start_worker, broker):
    job = jobs.create_job(session, TEST_ACTOR, donor, fund=factory.fund(), project=factory.project(),
                          audience="donor", report_format=ReportFormat.HTML)
    session.commit()
    runner.submit(app, job.id)
    start_worker(celery_worker())
    wait_for(lambda: job_with(app, job.token).status == JobStatus.DONE, seconds=60)
    done = job_with(app, job.token)

    runner.submit(app, job.id)
    wait_for(lambda: broker.llen(QUEUE) == 0 and not broker.hlen("unacked"), seconds=30)

    again = job_with(app, job.token)
    assert (again.status, again.file_name, again.finished_at) == (JobStatus.DONE, done.file_name, done.finished_at)
    assert stored_files(app) == [done.file_name]


# Queueing without a worker ---------------------------------------------------------------------------


def test_queueing_a_report_sends_one_task_with_the_job_id_only(app, client, submit, donor, project,
                                                               broker):
    token = request_report(client, submit, project)

    assert broker.llen(QUEUE) == 1
    message = broker.lindex(QUEUE, 0).decode()
    assert '"task": "tracker.reports.build_report"' in message
    assert f'"argsrepr": "[{job_with(app, token).id}]"' in message


def test_without_a_reachable_broker_the_job_waits_queued_and_report_cleanup_sends_it_again(
        app, settings, donor, login, project, session, broker, caplog):
    offline = create_app({**settings, **FAST_HASHING, "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"})
    client = offline.test_client()
    login(donor, client)

    token = request_report(client, submit_with(client), project)
    job = job_with(app, token)
    assert job.status == JobStatus.QUEUED
    assert f"Report job {job.id} waits: the queue could not be reached" in caplog.text

    session.execute(sa.update(ReportJob).where(ReportJob.id == job.id)
                    .values(created_at=utcnow() - timedelta(seconds=LEASE + 1)))
    session.commit()
    result = app.test_cli_runner().invoke(args=["report-cleanup"])

    assert result.exit_code == 0 and "handed 1 waiting job(s) to the queue again" in result.output
    assert broker.llen(QUEUE) == 1


# The lease rules with Celery ------------------------------------------------------------------------


def test_the_progress_page_waits_one_more_lease_for_a_worker_to_take_a_stopped_job_over(
        app, client, donor, factory, session, broker):
    job = jobs.create_job(session, TEST_ACTOR, donor, fund=factory.fund(), project=factory.project(),
                          audience="donor", report_format=ReportFormat.HTML)
    session.commit()
    assert jobs.claim(session, job.id, now=utcnow() - timedelta(seconds=LEASE + 1))

    client.get(f"/reports/{job.token}")
    assert job_with(app, job.token).status == JobStatus.RUNNING

    session.execute(sa.update(ReportJob).where(ReportJob.id == job.id)
                    .values(heartbeat_at=utcnow() - timedelta(seconds=2 * LEASE + 1)))
    session.commit()
    client.get(f"/reports/{job.token}")
    assert job_with(app, job.token).status == JobStatus.FAILED


def stopped_job(app, session, donor, factory):
    """An HTML job whose worker stopped: running, its lease out for a second."""
    job = jobs.create_job(session, TEST_ACTOR, donor, fund=factory.fund(), project=factory.project(),
                          audience="donor", report_format=ReportFormat.HTML)
    session.commit()
    assert jobs.claim(session, job.id, now=utcnow() - timedelta(seconds=LEASE + 1))
    return job


def test_a_task_that_finds_its_job_stopped_takes_it_over_and_builds_it(app, donor, factory, session, broker):
    job = stopped_job(app, session, donor, factory)

    app.extensions["celery"].tasks[tasks.TASK_NAME].apply(args=[job.id])

    done = job_with(app, job.token)
    assert done.status == JobStatus.DONE and stored_files(app) == [done.file_name]


def test_a_job_that_stopped_its_worker_again_is_not_taken_over_but_left_to_the_sweep(
        app, client, donor, factory, session, broker, caplog):
    job = stopped_job(app, session, donor, factory)
    broker.set(tasks.TAKEOVER_KEY.format(job.id), tasks.TAKEOVERS)

    app.extensions["celery"].tasks[tasks.TASK_NAME].apply(args=[job.id])

    assert job_with(app, job.token).status == JobStatus.RUNNING and stored_files(app) == []
    assert f"Report job {job.id} stopped its worker again: left to the sweep" in caplog.text
    session.execute(sa.update(ReportJob).where(ReportJob.id == job.id)
                    .values(heartbeat_at=utcnow() - timedelta(seconds=2 * LEASE + 1)))
    session.commit()
    client.get(f"/reports/{job.token}")
    assert job_with(app, job.token).error == "The worker stopped while preparing this report; try again."


# The default needs no Redis -------------------------------------------------------------------------


def test_the_default_thread_runner_builds_reports_with_no_redis_to_be_found(tmp_path, instance_path, migrated):
    app = create_app({"DATABASE_URL": copy_of(migrated, tmp_path / "alone.sqlite"), "SECRET_KEY": SECRET_KEY,
                      "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0", **FAST_HASHING})
    with database(app).new_session() as session:
        factory = Factory(session, app.extensions["tracker.hasher"])
        job = jobs.create_job(session, TEST_ACTOR, factory.user("donor"), fund=factory.fund(),
                              project=factory.project(), audience="donor", report_format=ReportFormat.HTML)
        session.commit()
    try:
        runner.submit(app, job.id)
        wait_for(lambda: job_with(app, job.token).status == JobStatus.DONE)
    finally:
        runner.thread_runner(app).shutdown()
        database(app).engine.dispose()
    assert app.config["REPORT_JOB_RUNNER"] == "thread"


def test_a_worker_takes_one_report_at_a_time_and_acknowledges_it_only_once_it_ended(tmp_path, instance_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}", "SECRET_KEY": SECRET_KEY,
                      "REPORT_JOB_RUNNER": "celery", "REPORT_LEASE_SECONDS": 90})
    celery = app.extensions["celery"]
    task = celery.tasks["tracker.reports.build_report"]

    assert (task.acks_late, task.reject_on_worker_lost, task.ignore_result) == (True, True, True)
    assert celery.conf.worker_prefetch_multiplier == 1 and celery.conf.task_ignore_result
    assert celery.conf.broker_transport_options["visibility_timeout"] == 90


def test_a_pool_process_logs_its_peak_memory_as_it_ends(caplog):
    with caplog.at_level(logging.INFO, logger=queue.__name__):
        queue.end_pool_process(pid=4242, exitcode=0)

    assert re.fullmatch(r"Pool process 4242 ends \(exit code 0\); its peak memory was [0-9.]+ MB", caplog.messages[0])


def test_a_pool_process_that_grew_past_the_memory_setting_is_replaced_after_its_task(tmp_path, instance_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}", "SECRET_KEY": SECRET_KEY,
                      "REPORT_JOB_RUNNER": "celery", "CELERY_WORKER_MAX_MEMORY_MB": 300})
    unbounded = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}", "SECRET_KEY": SECRET_KEY,
                            "REPORT_JOB_RUNNER": "celery", "CELERY_WORKER_MAX_MEMORY_MB": 0})

    assert app.extensions["celery"].conf.worker_max_memory_per_child == 300 * 1024  # Celery counts in KiB
    assert unbounded.extensions["celery"].conf.worker_max_memory_per_child is None


# A portfolio PDF fans out over the workers ---------------------------------------------------------------


@pytest.mark.heavy  # about 15 s: two workers start and render the parts of a three-project portfolio
@pytest.mark.both_backends
def test_a_portfolio_pdf_is_rendered_one_task_per_part_by_every_worker_and_stitched_once(
        app, factory, session, tmp_path, start_worker):
    slugs = ("thailand-helpline", "cambodia-schools", "viet-nam-community-networks")
    for slug in slugs:
        factory.project(slug)
    donor = factory.user("donor")
    session.commit()
    with app.test_request_context():
        job_id = runner.queue(app, session, TEST_ACTOR, donor, fund=factory.fund(), audience="donor").id
    session.commit()  # on SQLite a transaction holds the write lock: end it before the workers write

    for _worker in range(2):
        start_worker(celery_worker())
    wait_for(lambda: status_of(app, job_id).status == JobStatus.DONE, seconds=120)

    done = status_of(app, job_id)
    with database(app).new_session() as reading:
        pdf = stored_contents.content(reading, done.file_name)
    part_tasks = [log.read_text(errors="replace").count(f"{tasks.PART_TASK_NAME}[")
                  for log in sorted(tmp_path.glob("worker-*.log"))]
    every_part = 1 + len(slugs) + 2  # the front, each project, Annex A (one piece here), Annexes B and C
    assert (done.parts_total, done.parts_done) == (every_part, every_part) and pdf.startswith(b"%PDF")
    assert stored_files(app) == [done.file_name]
    assert all(part_tasks), part_tasks  # each worker rendered parts of its own
    assert received(tmp_path, tasks.NUMBER_TASK_NAME) == received(tmp_path, tasks.STITCH_TASK_NAME) == 1


def received(folder, task_name):
    """How many times the workers logging in ``folder`` received a task ``task_name``."""
    return sum(len(re.findall(rf"{re.escape(task_name)}\[[^\]]+\] received", log.read_text(errors="replace")))
               for log in folder.glob("worker-*.log"))
