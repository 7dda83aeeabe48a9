"""The retention policy: N months after a project ends, its identifying material is erased for good.

What goes: every story (its text, translations, donor versions, consent record, selection
decisions, feedback and verifications) with the evidence items that stood for a story, the
*sources* of every outcome, the names of substantiators, and from the remaining evidence
items the uploaded files and the text of interview and observation notes. What stays: the
project, its theory of change, indicators, outcome descriptions and contribution claims, and
one audit entry per erased record saying what was erased, when, under which policy, by whom.
``flask --app tracker purge-expired [--dry-run]`` runs it.
"""

import calendar
from dataclasses import dataclass
from dataclasses import field
from datetime import date

import sqlalchemy as sa

from tracker.audit.services import record
from tracker.common import blobs
from tracker.evidence.models import EvidenceItem
from tracker.evidence.models import EvidenceKind
from tracker.msc.models import ConsentRecord
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import Substantiator
from tracker.portfolio.models import Fund
from tracker.portfolio.models import Project

ERASED = "[erased under the retention policy]"
NOTE_KINDS = (EvidenceKind.INTERVIEW, EvidenceKind.OBSERVATION)


def add_months(day, months):
    """``day`` moved ``months`` later, on the same day of the month or the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class ProjectErasure:
    project: Project
    retention_months: int
    erase_after: date
    story_ids: list = field(default_factory=list)
    outcome_ids: list = field(default_factory=list)
    substantiator_ids: list = field(default_factory=list)
    evidence_ids: list = field(default_factory=list)

    @property
    def empty(self):
        return not (self.story_ids or self.outcome_ids or self.substantiator_ids or self.evidence_ids)


def expired_projects(session, today):
    """Projects whose fund has a retention period that has run out since the project ended."""
    rows = session.execute(
        sa.select(Project, Fund.retention_months).join(Fund, Fund.id == Project.fund_id)
        .where(Fund.retention_months.is_not(None)).order_by(Project.slug)
    ).all()
    return [(project, months) for project, months in rows if add_months(project.end_date, months) < today]


def plan(session, today=None):
    """What :func:`erase` would erase today, per project (nothing is changed)."""
    today = today or date.today()
    plans = []
    for project, months in expired_projects(session, today):
        erasure = ProjectErasure(project, months, add_months(project.end_date, months))
        erasure.story_ids = list(session.scalars(sa.select(Story.id).where(Story.project_id == project.id)))
        erasure.outcome_ids = list(session.scalars(
            sa.select(Outcome.id).where(Outcome.project_id == project.id, Outcome.sources != "",
                                        Outcome.sources != ERASED)))
        erasure.substantiator_ids = list(session.scalars(
            sa.select(Substantiator.id).where(Substantiator.project_id == project.id,
                                              sa.not_(Substantiator.name.startswith(ERASED)))))
        erasure.evidence_ids = list(session.scalars(
            sa.select(EvidenceItem.id).where(EvidenceItem.project_id == project.id, sa.or_(
                EvidenceItem.kind == EvidenceKind.STORY, EvidenceItem.stored_name != "",
                sa.and_(EvidenceItem.kind.in_(NOTE_KINDS), EvidenceItem.summary != ERASED)))))
        if not erasure.empty:
            plans.append(erasure)
    return plans


def erase(session, actor, plans):
    """Carry out ``plans``: hard-delete stories, blank identifying text, delete files; audit each record.

    Files are deleted in the same transaction: nothing of them is left once it commits, nothing lost if it rolls back.
    """
    for erasure in plans:
        reason = (f"Retention policy: {erasure.retention_months} months after the project ended "
                  f"(erasable from {erasure.erase_after.isoformat()})")
        project_id = erasure.project.id
        for story in session.scalars(sa.select(Story).where(Story.id.in_(erasure.story_ids))):
            consent = session.get(ConsentRecord, story.consent_id)
            session.delete(story)
            session.flush()
            session.delete(consent)
            record(session, actor, "purge", "story", story.id, project_id=project_id, reason=reason,
                   details={"erased": ["text", "translations", "donor_versions", "consent", "selection"]})
        for outcome in session.scalars(sa.select(Outcome).where(Outcome.id.in_(erasure.outcome_ids))):
            outcome.sources = ERASED
            session.add(outcome)
            record(session, actor, "purge", "outcome", outcome.id, project_id=project_id, reason=reason,
                   details={"erased": ["sources"]})
        for person in session.scalars(sa.select(Substantiator).where(Substantiator.id.in_(erasure.substantiator_ids))):
            person.name = f"{ERASED} #{person.id}"
            person.organisation = ""
            session.add(person)
            record(session, actor, "purge", "substantiator", person.id, project_id=project_id, reason=reason,
                   details={"erased": ["name", "organisation"]})
        erase_evidence(session, actor, erasure.evidence_ids, project_id, reason)
    session.flush()


def erase_evidence(session, actor, evidence_ids, project_id, reason):
    for item in session.scalars(sa.select(EvidenceItem).where(EvidenceItem.id.in_(evidence_ids))):
        if item.kind == EvidenceKind.STORY:
            session.delete(item)
            erased = ["evidence_item"]
        else:
            erased = []
            if item.stored_name:
                blobs.delete(session, item.stored_name)
                item.stored_name, item.file_name, item.content_type, item.file_size, item.sha256 = "", "", "", None, ""
                erased.append("file")
            if item.kind in NOTE_KINDS:
                item.summary, item.source = ERASED, ""
                erased.append("note_text")
            session.add(item)
        record(session, actor, "purge", "evidence_item", item.id, project_id=project_id, reason=reason,
               details={"erased": erased})
