"""Celery, the queue of background work when ``REPORT_JOB_RUNNER`` is ``celery`` (Flask's Celery pattern).

The app factory configures one Celery app per Flask app (:func:`celery_init_app`) whose tasks run inside an
application context. Building it connects to nothing: only sending a task or starting a worker reaches Redis,
so the embedded default (``make run``, the thread runner) needs no Redis.

Workers start with ``flask --app tracker worker`` or ``celery -A tracker.celery_app worker``. Their settings make
a worker that dies in the middle of a job (killed, out of memory, restarted) give the job back instead of losing
it: a task is acknowledged only once it ends (``task_acks_late``), goes back to the queue when its pool process
is lost (``task_reject_on_worker_lost``), and a worker reserves one task at a time
(``worker_prefetch_multiplier``). A pool process whose memory went past ``CELERY_WORKER_MAX_MEMORY_MB`` in a
task is replaced once it ends (``worker_max_memory_per_child``): what one task leaves behind (WeasyPrint's
caches, a heap the layout of a long part fragmented) never adds to the peak of the next. Redis gives a message
that was not acknowledged within a report lease to a worker again (``visibility_timeout``, looked for every
heartbeat): the message of a killed worker, which the report task then takes over
(:mod:`tracker.reports.tasks`), and also that of a job still being built past a lease, which the task finds
held and leaves. Status lives in the ``report_job`` table: no result backend.
"""

import logging

import click
from celery import Celery
from celery import Task
from celery import current_app as current_celery_app
from celery.signals import worker_process_init
from celery.signals import worker_process_shutdown
from flask import current_app
from flask.cli import with_appcontext

from tracker.common.memory import peak_rss_mb
from tracker.db import database

EXTENSION = "celery"
LOG = logging.getLogger(__name__)  # a worker logs it: Celery sets up the root logger at its level


def celery_init_app(app):
    """A Celery app configured from ``app``'s settings, whose tasks run in ``app``'s context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.flask_app = app
    celery_app.conf.update(celery_settings(app.config))
    celery_app.set_default()
    app.extensions[EXTENSION] = celery_app
    app.cli.add_command(worker_command)
    return celery_app


def celery_settings(config):
    lease, heartbeat = config["REPORT_LEASE_SECONDS"], config["REPORT_HEARTBEAT_SECONDS"]
    return {
        "broker_url": config["CELERY_BROKER_URL"],
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": lease, "unacked_restore_interval": heartbeat,
                                     "unacked_restore_throttle": 1},
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_max_memory_per_child": config["CELERY_WORKER_MAX_MEMORY_MB"] * 1024 or None,
        "task_serializer": "json",
        "accept_content": ["json"],
        "worker_hijack_root_logger": False,
    }


def celery_for(app):
    return app.extensions[EXTENSION]


@worker_process_init.connect
def start_pool_process(**_kwargs):
    """A prefork pool process must not share the database connections its parent opened before forking; and
    WeasyPrint's page-by-page progress would bury the worker's own log lines at INFO."""
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    app = getattr(current_celery_app, "flask_app", None)
    if app is not None:
        database(app).engine.dispose(close=False)


@worker_process_shutdown.connect
def end_pool_process(pid=None, exitcode=None, **_kwargs):
    """Log a pool process's peak memory as it ends (replaced past ``CELERY_WORKER_MAX_MEMORY_MB``, or with its
    worker): what sizing that setting and the machine needs."""
    LOG.info("Pool process %s ends (exit code %s); its peak memory was %s MB", pid, exitcode, peak_rss_mb())


@click.command("worker")
@with_appcontext
@click.option("-c", "--concurrency", type=click.IntRange(min=1), default=2, show_default=True,
              help="Report jobs this worker builds at the same time (one process each).")
@click.option("-l", "--loglevel", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              default="INFO", show_default=True, help="INFO logs each job's task as it is received and ends.")
def worker_command(concurrency, loglevel):
    """Start a Celery worker that builds the report jobs queued with REPORT_JOB_RUNNER=celery (needs Redis)."""
    if current_app.config["REPORT_JOB_RUNNER"] != "celery":
        click.echo(f"Warning: REPORT_JOB_RUNNER is {current_app.config['REPORT_JOB_RUNNER']!r}, not 'celery': the web "
                   "processes send this worker no report jobs.", err=True)
    celery_for(current_app).worker_main(["worker", "--pool", "prefork", f"--concurrency={concurrency}",
                                         f"--loglevel={loglevel.upper()}"])
