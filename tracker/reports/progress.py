"""How far a report job has come, in parts rendered: what its page shows as a progress bar.

A portfolio PDF is rendered in parts (:mod:`tracker.reports.parts`): the front matter, one part per project and
the back matter, counted in ``report_job.parts_done`` as each is kept. Any other report is one part, done when
the job is.
"""

from tracker.reports.models import JobStatus


def progress(job):
    """``(done, total)`` parts of ``job``; a finished job counts all its parts done."""
    if job.parts_total:
        done = job.parts_total if job.status == JobStatus.DONE else min(job.parts_done, job.parts_total)
        return done, job.parts_total
    return (1 if job.status == JobStatus.DONE else 0), 1
