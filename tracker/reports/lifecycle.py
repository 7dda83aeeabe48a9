"""The lifecycle of report files: a file lives only while everything in it may still be shown to its reader.

One hook, on every flush (:func:`revoke_reports_no_longer_allowed`), looks at what the flush changes and
revokes the live report jobs it concerns, so that no change path (forms, the API, imports, the retention
command, a future service) can forget it:

- every report that holds a story whose consent is withdrawn, that a safeguarding review restricts, that
  moves to another project, or that is erased;
- every *donor* report that holds a story that may no longer reach donors or whose text changed: donor
  scope unticked, consent no longer complete, safeguarding back to pending, the donor version unapproved
  or edited, the story or one of its translations edited;
- every report of a requester whose project membership was removed, or whose account was deactivated
  or given another role (what they may read changed).

A report can also be revoked on request (``DELETE /api/v1/reports/{id}``, :data:`ON_REQUEST`), with the person
who asked as the audit entry's actor.

A revoked job's link answers 410 with its reason (:data:`REASONS`), an audit entry records why, and the
file is deleted in the same transaction (:func:`tracker.common.blobs.delete`), so a rolled-back change leaves
a still-valid file working. Downloads check the donor rule again
(:func:`tracker.reports.jobs.revocation_reason`): the hook is the first line, not the only one.
"""

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import select

from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.auth.models import Membership
from tracker.auth.models import User
from tracker.common import blobs
from tracker.common.messages import N_
from tracker.msc.models import ConsentRecord
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.msc.models import StoryDonorText
from tracker.msc.models import StoryTranslation
from tracker.reports.models import Audience
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportJobStory

LIVE = (JobStatus.DONE, JobStatus.QUEUED, JobStatus.RUNNING)
ACTOR = "consent-lifecycle"
LIFECYCLE = Actor(user_id=None, email=ACTOR, role="system")

# Why a report was revoked, as its reader is told on the 410 page.
REASONS = {
    "consent_withdrawn": N_("A storyteller withdrew consent for a story in this report."),
    "restricted": N_("A story in this report was restricted in a safeguarding review."),
    "story_erased": N_("A story in this report was erased."),
    "story_moved": N_("A story in this report was moved to another project."),
    "donor_scope_removed": N_("A storyteller no longer agrees to a story in this report reaching donors."),
    "consent_incomplete": N_("The consent record of a story in this report is no longer complete."),
    "safeguarding_pending": N_("A story in this report went back to safeguarding review."),
    "donor_version_changed": N_("The donor version of a story in this report was unapproved or edited."),
    "story_edited": N_("A story in this report was edited since the report was prepared."),
    "no_longer_shareable": N_("A story in this report may no longer be shared with donors."),
    "access_changed": N_("Your access to this project changed since the report was prepared."),
    "revoked_on_request": N_("This report was revoked on request, by its requester or the fund's staff."),
}
ON_REQUEST = "revoked_on_request"
# Columns whose change is bookkeeping, not a change of what a report shows.
BOOKKEEPING = frozenset({"version", "updated_at", "created_at", "created_by_id", "safeguarding_note",
                         "safeguarding_reviewer_id", "safeguarding_reviewed_at"})
# Columns that record a review's decision rather than the story's content (each has a reason of its own).
DECISIONS = frozenset({"safeguarding_status", "donor_version_approved_at"})


def changed(obj, attribute):
    """Whether this flush changes ``obj.attribute``."""
    history = sa.inspect(obj).attrs[attribute].history
    return bool(history.added or history.deleted) and list(history.added) != list(history.deleted)


def newly_set(obj, attribute, wanted=None):
    """Whether this flush gives ``obj.attribute`` a value (``wanted``, or any non-empty one) it did not have."""
    history = sa.inspect(obj).attrs[attribute].history
    return any(value is not None and (wanted is None or value == wanted) for value in history.added) and not any(
        value is not None and (wanted is None or value == wanted) for value in history.deleted)


def newly_cleared(obj, attribute):
    """Whether this flush sets ``obj.attribute`` to an empty value (None or False)."""
    history = sa.inspect(obj).attrs[attribute].history
    return changed(obj, attribute) and any(not value for value in history.added)


def story_reasons(story):
    """``(reason for every report, reason for donor reports)`` of a changed story (either may be None)."""
    if newly_set(story, "safeguarding_status", SafeguardingStatus.RESTRICTED):
        return "restricted", None
    if changed(story, "project_id"):
        return "story_moved", None
    columns = {attribute.key for attribute in sa.inspect(story).mapper.column_attrs} - BOOKKEEPING - DECISIONS
    if any(changed(story, name) for name in sorted(columns)):
        return None, "story_edited"
    if changed(story, "safeguarding_status") and story.safeguarding_status != SafeguardingStatus.APPROVED:
        return None, "safeguarding_pending"
    if changed(story, "donor_version_approved_at"):
        return None, "donor_version_changed"
    return None, None


def text_changed(obj):
    """Whether this flush changes the text of a translation or donor text (not only its bookkeeping)."""
    return isinstance(obj, (StoryDonorText, StoryTranslation)) and any(
        changed(obj, name) for name in ("language", "title", "what_happened", "why_significant"))


def consent_reasons(consent):
    if newly_set(consent, "withdrawn_on"):
        return "consent_withdrawn", None
    if newly_cleared(consent, "scope_donor"):
        return None, "donor_scope_removed"
    if newly_cleared(consent, "complete"):
        return None, "consent_incomplete"
    return None, None


def affected_stories(session):
    """``({story_id: reason}, {story_id: reason for donor reports only})`` for the stories this flush changes."""
    every, donor = {}, {}

    def note(story_id, reasons):
        if story_id is not None and reasons[0]:
            every.setdefault(story_id, reasons[0])
        if story_id is not None and reasons[1]:
            donor.setdefault(story_id, reasons[1])

    consents = {obj.id: consent_reasons(obj) for obj in session.dirty if isinstance(obj, ConsentRecord)}
    consents = {consent_id: reasons for consent_id, reasons in consents.items() if any(reasons)}
    if consents:
        with session.no_autoflush:
            for story_id, consent_id in session.execute(sa.select(Story.id, Story.consent_id)
                                                        .where(Story.consent_id.in_(sorted(consents)))):
                note(story_id, consents[consent_id])
    for obj in (*session.new, *session.deleted, *(obj for obj in session.dirty if text_changed(obj))):
        if isinstance(obj, StoryDonorText):
            note(obj.story_id, (None, "donor_version_changed"))
        elif isinstance(obj, StoryTranslation):
            note(obj.story_id, (None, "story_edited"))
    for obj in session.dirty:
        if isinstance(obj, Story):
            note(obj.id, story_reasons(obj))
    for obj in session.deleted:
        if isinstance(obj, Story):
            note(obj.id, ("story_erased", None))
    return every, donor


def affected_requesters(session):
    """``{(user_id, project_id or None for all their reports): reason}`` for the access this flush takes away."""
    reasons = {}
    for obj in session.deleted:
        if isinstance(obj, Membership):
            reasons[(obj.user_id, obj.project_id)] = "access_changed"
    for obj in session.dirty:
        if isinstance(obj, User) and (changed(obj, "role") or newly_cleared(obj, "is_active")):
            reasons[(obj.id, None)] = "access_changed"
    return reasons


def jobs_holding(session, reasons, audience=None):
    """``{job id: (job, reason, story ids)}`` of the live jobs that hold a story of ``reasons``."""
    if not reasons:
        return {}
    statement = (select(ReportJob, ReportJobStory.story_id)
                 .join(ReportJobStory, ReportJobStory.job_id == ReportJob.id)
                 .where(ReportJobStory.story_id.in_(sorted(reasons)), ReportJob.status.in_(LIVE)))
    if audience is not None:
        statement = statement.where(ReportJob.audience == audience)
    found = {}
    with session.no_autoflush:
        for job, story_id in session.execute(statement).all():
            found.setdefault(job.id, (job, reasons[story_id], []))[2].append(story_id)
    return found


def jobs_of_requesters(session, reasons):
    """``{job id: (job, reason, [])}`` of the live jobs of the requesters in ``reasons``
    (see :func:`affected_requesters`)."""
    found = {}
    for (user_id, project_id), reason in reasons.items():
        statement = select(ReportJob).where(ReportJob.requester_id == user_id, ReportJob.status.in_(LIVE))
        if project_id is not None:
            statement = statement.where(ReportJob.project_id == project_id)
        with session.no_autoflush:
            for job in session.scalars(statement):
                found.setdefault(job.id, (job, reason, []))
    return found


def revoke_job(session, job, reason, story_ids=(), actor=None):
    """Revoke one job now: no link, an audit entry, and its file deleted in the same transaction.

    ``actor`` is the person who asked for it (:data:`ON_REQUEST`); by default the lifecycle itself. No flush:
    the hook calls this during one.
    """
    blobs.delete(session, job.file_name)
    job.status, job.revoked_reason, job.file_name = JobStatus.REVOKED, reason, ""
    session.add(job)
    who = actor or LIFECYCLE
    session.add(AuditEntry(actor_id=who.user_id, actor_email=who.email, actor_role=who.role, ip=who.ip,
                           action="revoke", object_type="report_job", object_id=str(job.id),
                           project_id=job.project_id,
                           details=json.dumps({"reason": reason, "stories": sorted(story_ids)})))


def revoke(session, reasons, donor_reasons=None, requester_reasons=None):
    """Revoke the live jobs this flush concerns (no flush: called during one); returns them."""
    found = jobs_holding(session, reasons)
    for more in (jobs_holding(session, donor_reasons or {}, Audience.DONOR),
                 jobs_of_requesters(session, requester_reasons or {})):
        for job_id, value in more.items():
            found.setdefault(job_id, value)
    for job, reason, story_ids in found.values():
        revoke_job(session, job, reason, story_ids)
    return [job for job, _reason, _stories in found.values()]


@sa.event.listens_for(Session, "before_flush")
def revoke_reports_no_longer_allowed(session, _flush_context, _instances):
    every, donor = affected_stories(session)
    requesters = affected_requesters(session)
    if every or donor or requesters:
        revoke(session, every, donor, requesters)
