"""Where report jobs run, as ``REPORT_JOB_RUNNER`` says:

* ``"thread"`` (default): a pool of ``REPORT_WORKERS`` threads in each web process (:class:`ThreadRunner`),
  which needs no Redis nor any other service, so it runs the embedded SQLite default (``make run``);
* ``"celery"``: a Celery task through the Redis broker at ``CELERY_BROKER_URL``
  (:mod:`tracker.reports.tasks`), built by workers started with ``flask --app tracker worker``;
* ``"inline"``: at once, in the request (the test suite uses this);
* a dotted path such as ``"myqueue.tasks:submit_report"``: that callable receives the job id and hands it
  to an external queue, whose worker calls ``tracker.reports.jobs.run_job(create_app(), job_id)``.

A web process starts its thread runner on its first request. The runner then, at once and every
``REPORT_HEARTBEAT_SECONDS``, fails the jobs whose worker stopped (:func:`tracker.reports.jobs.sweep`) and
takes every queued job it does not hold yet: jobs queued before a restart, or by a process that died before
it started them. Each job is claimed atomically, so two processes taking the same job build it once.

The lease rules hold for every runner: a running job whose lease ran out is failed by the sweep (the thread
runner's, the progress page's, ``report-cleanup``'s). With Celery the sweep waits one lease more
(:func:`stopped_after`), in which the task the stopped worker held comes back and takes the job over.
"""

import importlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import current_app
from kombu.exceptions import OperationalError

from tracker.db import database
from tracker.db_types import utcnow
from tracker.queue import celery_for
from tracker.reports import jobs
from tracker.reports import tasks

RUNNER_KEY = "tracker.report_runner"
THREAD, INLINE, CELERY = "thread", "inline", "celery"
STARTING = threading.Lock()


def submit(app, job_id):
    """Hand a committed job to the configured runner."""
    how = app.config["REPORT_JOB_RUNNER"]
    if how == INLINE:
        jobs.run_job(app, job_id)
    elif how == THREAD:
        thread_runner(app).submit(job_id)
    elif how == CELERY:
        send_to_celery(app, job_id)
    else:
        external_submit(how)(job_id)


def send_to_celery(app, job_id):
    """Send the job's task; when the broker cannot be reached, the job waits queued for ``report-cleanup``."""
    try:
        celery_for(app).send_task(tasks.TASK_NAME, args=[job_id])
    except OperationalError as error:
        app.logger.error("Report job %s waits: the queue could not be reached: %s", job_id, type(error).__name__)


def stopped_after(app):
    """Seconds without a lease renewal after which the sweep fails a running job as stopped.

    A lease; with Celery one lease more, in which the message a killed worker held becomes visible again
    (after a lease, :mod:`tracker.queue`) and its task takes the job over.
    """
    lease = app.config["REPORT_LEASE_SECONDS"]
    return 2 * lease if app.config["REPORT_JOB_RUNNER"] == CELERY else lease


def queue(app, session, actor, user, **options):
    """Create a report job (:func:`tracker.reports.jobs.create_job` takes ``options``), commit it and hand it over.

    Committed first, since the runner reads the job in its own session, possibly in another thread or process;
    the job comes back refreshed, done already when the runner is ``"inline"``.
    """
    job = jobs.create_job(session, actor, user, **options)
    jobs.expire_all(session, app)
    session.commit()
    submit(app, job.id)
    session.refresh(job)
    return job


def external_submit(path):
    module_name, _sep, name = path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def thread_runner(app):
    """This process's thread runner, started on first use."""
    with STARTING:
        runner = app.extensions.get(RUNNER_KEY)
        if runner is None:
            runner = app.extensions[RUNNER_KEY] = ThreadRunner(app)
            runner.start()
    return runner


def start_on_first_request():
    """``before_request``: a serving process starts its thread runner, which takes the jobs left waiting."""
    if current_app.config["REPORT_JOB_RUNNER"] == THREAD and RUNNER_KEY not in current_app.extensions:
        thread_runner(current_app._get_current_object())


def hand_over_waiting(app, session):
    """Hand the jobs waiting longer than a lease to an external queue again (``report-cleanup``); returns their ids.

    The thread runner is left alone: only a web process can hold its pool, and it takes them itself.
    """
    if app.config["REPORT_JOB_RUNNER"] in (THREAD, INLINE):
        return []
    lease = timedelta(seconds=app.config["REPORT_LEASE_SECONDS"])
    waiting = jobs.queued_job_ids(session, queued_before=utcnow() - lease)
    for job_id in waiting:
        submit(app, job_id)
    return waiting


class ThreadRunner:
    """A pool of ``REPORT_WORKERS`` threads, and a sweeper thread that keeps it supplied from the database."""

    def __init__(self, app):
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=app.config["REPORT_WORKERS"], thread_name_prefix="report")
        self.held = set()  # the jobs in the pool, waiting or running
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.sweeper = threading.Thread(target=self.sweep_periodically, name="report-sweeper", daemon=True)

    def start(self):
        self.sweeper.start()

    def submit(self, job_id):
        with self.lock:
            if job_id in self.held or self.stopping.is_set():
                return
            self.held.add(job_id)
        self.pool.submit(self.run, job_id)

    def run(self, job_id):
        try:
            jobs.run_job(self.app, job_id)
        except Exception as error:  # noqa: BLE001 - a pool swallows exceptions: say it, the sweep ends the job
            self.app.logger.error("Report job %s: the runner failed: %s", job_id, type(error).__name__)
        finally:
            with self.lock:
                self.held.discard(job_id)

    def take_waiting(self):
        """Fail the jobs whose worker stopped, then take every queued job this process does not hold.

        It looks before it writes: on SQLite a write, even one that changes nothing, holds the one write lock,
        and a request that read before it writes cannot wait for it.
        """
        lease_seconds = self.app.config["REPORT_LEASE_SECONDS"]
        with database(self.app).new_session() as session:
            stopped = jobs.stopped_job_ids(session, lease_seconds)
            waiting = jobs.queued_job_ids(session)
            session.commit()
            if stopped:
                stopped = jobs.sweep(session, lease_seconds)
                session.commit()
        if stopped:
            self.app.logger.warning("Report jobs %s failed: their worker stopped", stopped)
        for job_id in waiting:
            self.submit(job_id)

    def sweep_periodically(self):
        while not self.stopping.is_set():
            try:
                self.take_waiting()
            except Exception as error:  # noqa: BLE001 - the database may be away for a moment; try again later
                self.app.logger.error("Report job sweep failed: %s", type(error).__name__)
            self.stopping.wait(self.app.config["REPORT_HEARTBEAT_SECONDS"])

    def shutdown(self, wait=True):
        """Stop taking jobs; with ``wait``, let the pool finish the jobs it holds."""
        self.stopping.set()
        self.sweeper.join()
        self.pool.shutdown(wait=wait)
