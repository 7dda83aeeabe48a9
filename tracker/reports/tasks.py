"""The report job as a Celery task (``REPORT_JOB_RUNNER=celery``; see :mod:`tracker.queue`).

The task carries only the job id and may arrive more than once: the broker hands a message again when the
worker that held it died before acknowledging it, and ``report-cleanup`` sends the jobs left waiting again.
Every delivery goes through :func:`tracker.reports.jobs.claim`, so a job already done, failed or revoked is
left as it is, and a job is built once. A job still running under a live lease may be one whose worker has
just been killed (its pool process lost, the message given straight back): the task comes back when that
lease would run out, and takes the job over if no one renewed it.

A portfolio PDF fans out (:mod:`tracker.reports.parts`): the job's task plans its parts and sends one task per
part, so that every worker renders some; each part task, once its part is kept, looks whether every part is
done, and the first to see it sends the task that numbers the contents (a key in Redis makes it one sender),
which sends the stitch task when it is done. Numbering and stitching are tasks of their own so that each
process holds one heavy thing at a time: WeasyPrint's layout of the front matter, or qpdf's copy of every page.
A second delivery of either is harmless: the contents are numbered once, and the stitch of a job no longer
running does nothing. No result backend is needed for this chord: the parts' progress lives in the
``report_part`` rows.

A job is taken over once (:data:`TAKEOVERS`): a report that killed its worker, by running out of memory on a
huge portfolio, say, would kill the next one too. The second time, the task leaves the job to the sweep,
which fails it and tells the requester that the worker stopped. The count lives in Redis beside the queue.
"""

import redis
from celery import shared_task
from flask import current_app

from tracker.db import database
from tracker.db import read_only
from tracker.db_types import utcnow
from tracker.reports import jobs
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob

TASK_NAME = "tracker.reports.build_report"
PART_TASK_NAME = "tracker.reports.render_report_part"
NUMBER_TASK_NAME = "tracker.reports.number_report_contents"
STITCH_TASK_NAME = "tracker.reports.stitch_report"
STITCH_SENT_KEY = "tracker:report-job:{}:stitch-sent"
TAKEOVERS = 1
TAKEOVER_KEY = "tracker:report-job:{}:takeovers"
TAKEOVER_MEMORY_SECONDS = 7 * 24 * 3600


@shared_task(name=TASK_NAME, bind=True, max_retries=None, ignore_result=True, acks_late=True,
             reject_on_worker_lost=True)
def build_report(task, job_id):
    app = current_app._get_current_object()
    lease = app.config["REPORT_LEASE_SECONDS"]
    try:
        wait = seconds_until_lease_ends(app, job_id)
    except Exception as error:  # noqa: BLE001 - the database may be away for a moment: come back in a lease
        app.logger.warning("Report job %s: its state could not be read: %s", job_id, type(error).__name__)
        raise task.retry(countdown=lease) from None
    if wait == 0 and not may_take_over(app, job_id):
        app.logger.warning("Report job %s stopped its worker again: left to the sweep", job_id)
        return
    if wait:
        raise task.retry(countdown=wait)
    if wait is None and in_parts(app, job_id):
        fan_out(app, job_id)
    else:
        jobs.run_job(app, job_id, take_over_after=lease)


@shared_task(name=PART_TASK_NAME, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def render_report_part(job_id, index):
    """Render one part of a portfolio PDF; the task that finds every part done sends the numbering of the
    contents."""
    app = current_app._get_current_object()
    portfolio_parts().run_part(app, job_id, index)
    if all_parts_done(app, job_id) and first_to_stitch(app, job_id):
        number_report_contents.delay(job_id)


@shared_task(name=NUMBER_TASK_NAME, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def number_report_contents(job_id):
    """Render the front part again with the page numbers of its contents, then send the stitch."""
    if portfolio_parts().number_front(current_app._get_current_object(), job_id):
        stitch_report.delay(job_id)


@shared_task(name=STITCH_TASK_NAME, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def stitch_report(job_id):
    portfolio_parts().stitch(current_app._get_current_object(), job_id)


def portfolio_parts():
    """:mod:`tracker.reports.parts`, loaded when a task runs: it brings pypdf and pikepdf, which the web processes
    that only send tasks never need (`flask --help` loads this module)."""
    from tracker.reports import parts

    return parts


def in_parts(app, job_id):
    """Whether queued job ``job_id`` is rendered in parts (a portfolio PDF)."""
    with database(app).new_session() as session:
        read_only(session)
        job = session.get(ReportJob, job_id)
        return job is not None and job.status == JobStatus.QUEUED and portfolio_parts().in_parts(job)


def fan_out(app, job_id):
    """Claim the job, record its parts and send one task per part (none when another worker claimed it)."""
    for index in portfolio_parts().plan(app, job_id):
        render_report_part.delay(job_id, index)


def all_parts_done(app, job_id):
    with database(app).new_session() as session:
        read_only(session)
        job = session.get(ReportJob, job_id)
        return job is not None and job.status == JobStatus.RUNNING and 0 < job.parts_total <= job.parts_done


def first_to_stitch(app, job_id):
    """Whether this task is the first to find every part of job ``job_id`` done (it then sends the numbering and
    the stitch)."""
    with redis.Redis.from_url(app.config["CELERY_BROKER_URL"]) as client:
        return bool(client.set(STITCH_SENT_KEY.format(job_id), 1, nx=True, ex=TAKEOVER_MEMORY_SECONDS))


def seconds_until_lease_ends(app, job_id):
    """For a running job: seconds until its lease runs out unless renewed, 0 when it ran out; else None."""
    with database(app).new_session() as session:
        read_only(session)
        job = session.get(ReportJob, job_id)
        if job is None or job.status != JobStatus.RUNNING:
            return None
        last = job.heartbeat_at or job.started_at or job.created_at
    left = last.timestamp() + app.config["REPORT_LEASE_SECONDS"] - utcnow().timestamp()
    return max(0, round(left) + 1) if left > 0 else 0


def may_take_over(app, job_id):
    """Count one more takeover of job ``job_id``; whether it stays within :data:`TAKEOVERS`."""
    with redis.Redis.from_url(app.config["CELERY_BROKER_URL"]) as client:
        key = TAKEOVER_KEY.format(job_id)
        taken, _expiry = client.pipeline().incr(key).expire(key, TAKEOVER_MEMORY_SECONDS).execute()
    return taken <= TAKEOVERS
