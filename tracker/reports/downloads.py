"""Reading a report job and serving its file, the same way for the web pages and the API.

Every reading first brings the job up to date (:func:`bring_up_to_date`): a link past its expiry expires, a
file its requester or one of its stories no longer allows is revoked, and a job whose worker stopped fails.
Those changes stand even when the answer is an error (410), since the file is deleted either way.
"""


from flask import current_app
from flask_babel import gettext as _

from tracker.common import blobs
from tracker.db import get_session
from tracker.portfolio.models import Project
from tracker.reports import jobs
from tracker.reports import lifecycle
from tracker.reports import runner
from tracker.reports.models import JobStatus
from tracker.web import transaction
from tracker.web.access import actor
from tracker.web.downloads import stored_file_response

GONE = (JobStatus.EXPIRED, JobStatus.REVOKED)


def bring_up_to_date(job):
    """Expire ``job`` or revoke it when its file may no longer be served, and fail it if its worker stopped."""
    session = get_session()
    if jobs.expire(session, current_app, [job]):
        transaction.keep_on_error()  # its file is deleted: the expiry stands even when the link answers 410
    reason = jobs.revocation_reason(session, job) if job.status == JobStatus.DONE else None
    if reason:
        lifecycle.revoke_job(session, job, reason)
        transaction.keep_on_error()  # the revocation stands even though the link answers 410
    lease_seconds = runner.stopped_after(current_app)
    if jobs.lease_expired(job, lease_seconds):
        jobs.sweep(session, lease_seconds)
        session.refresh(job)
    return job


def revocation(job):
    """Why ``job`` was revoked, in the reader's language ("" unless it was)."""
    if job.status != JobStatus.REVOKED:
        return ""
    return _(lifecycle.REASONS.get(job.revoked_reason, lifecycle.REASONS["no_longer_shareable"]))


def file_response(job):
    """The done job's file as an attachment streamed from the database, its download audited; None when there is
    no file to serve."""
    stored = blobs.describe(get_session(), job.file_name) if job.file_name else None
    if job.status != JobStatus.DONE or stored is None:
        return None
    jobs.record_download(get_session(), actor(), job)
    return stored_file_response(stored, stored.media_type, download_name(job))


def download_name(job):
    subject = "portfolio"
    if job.project_id:
        subject = get_session().get(Project, job.project_id).slug
    day = job.finished_at.date().isoformat()
    return f"{subject}-{job.audience.value}-report-{day}.{job.format.value}"
