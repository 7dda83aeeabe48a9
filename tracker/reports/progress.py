"""How far a report job has got, as ``(done, total)`` parts: the API's ``progress``.

For now a job is one part, built or not; counting the report's real parts replaces the body of
:func:`progress` and leaves its callers as they are.
"""

from tracker.reports.models import JobStatus


def progress(job):
    """``(done, total)`` of ``job``: ``(1, 1)`` once its file was built (also after it expired or was revoked)."""
    built = job.status in (JobStatus.DONE, JobStatus.EXPIRED) or (
        job.status == JobStatus.REVOKED and job.file_size is not None)
    return (1, 1) if built else (0, 1)
