"""The consent lifecycle of report files: withdrawing consent revokes every report that included the story.

Whenever a flush withdraws a story's consent, restricts the story in a safeguarding review, or deletes
the story (retention erasure), every finished report file that included it (:class:`ReportJobStory`)
is revoked in the same transaction: its link stops working at once, an audit entry records why, and
the file is deleted when the transaction commits. This listens to the ORM, so every path that changes
those fields (forms, imports, the retention command) is covered without calling anything.
"""

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import select

from tracker.audit.models import AuditEntry
from tracker.msc.models import ConsentRecord
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.reports.files import delete_after_commit
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportJobStory

LIVE = (JobStatus.DONE, JobStatus.QUEUED, JobStatus.RUNNING)
ACTOR = "consent-lifecycle"


def newly_set(obj, attribute, wanted=None):
    """Whether this flush gives ``obj.attribute`` a value (``wanted``, or any non-empty one) it did not have."""
    history = sa.inspect(obj).attrs[attribute].history
    return any(value is not None and (wanted is None or value == wanted) for value in history.added) and not any(
        value is not None and (wanted is None or value == wanted) for value in history.deleted)


def affected_stories(session):
    """``{story_id: reason}`` for the stories this flush withdraws, restricts or deletes."""
    reasons = {}
    withdrawn = [obj.id for obj in session.dirty if isinstance(obj, ConsentRecord) and newly_set(obj, "withdrawn_on")]
    if withdrawn:
        with session.no_autoflush:
            for story_id in session.scalars(sa.select(Story.id).where(Story.consent_id.in_(withdrawn))):
                reasons[story_id] = "consent_withdrawn"
    for obj in session.dirty:
        if isinstance(obj, Story) and newly_set(obj, "safeguarding_status", SafeguardingStatus.RESTRICTED):
            reasons.setdefault(obj.id, "restricted")
    for obj in session.deleted:
        if isinstance(obj, Story):
            reasons.setdefault(obj.id, "story_erased")
    return reasons


def revoke(session, reasons):
    """Revoke the live report jobs that included any story in ``reasons`` (no flush: called during one)."""
    with session.no_autoflush:
        rows = session.execute(select(ReportJob, ReportJobStory.story_id)
                               .join(ReportJobStory, ReportJobStory.job_id == ReportJob.id)
                               .where(ReportJobStory.story_id.in_(sorted(reasons)), ReportJob.status.in_(LIVE))).all()
    jobs, stories_of = {}, {}
    for job, story_id in rows:
        jobs[job.id] = job
        stories_of.setdefault(job.id, []).append(story_id)
    for job_id, story_ids in stories_of.items():
        job = jobs[job_id]
        reason = reasons[story_ids[0]]
        delete_after_commit(session, job.file_name)
        job.status, job.revoked_reason, job.file_name = JobStatus.REVOKED, reason, ""
        session.add(job)
        session.add(AuditEntry(actor_id=None, actor_email=ACTOR, actor_role="system", action="revoke",
                               object_type="report_job", object_id=str(job.id), project_id=job.project_id,
                               details=json.dumps({"reason": reason, "stories": sorted(story_ids)})))
    return list(jobs.values())


@sa.event.listens_for(Session, "before_flush")
def revoke_reports_of_withdrawn_stories(session, _flush_context, _instances):
    reasons = affected_stories(session)
    if reasons:
        revoke(session, reasons)
