"""The synthetic portfolio of ``flask bench``: built fast, in the shapes the services produce.

Project 0 is built entirely through the services (theory of change, claim with tracing components,
indicators, outcomes through substantiation, stories with consent, safeguarding review and an approved
donor version), by the report benchmark's :class:`~tracker.bench.report.Synthetic`. Its rows are the
templates: every further project is created by the portfolio service (with a harvest), and the bulk of
outcomes, stories and claims are copies of the template rows inserted with SQLAlchemy Core in batches,
each with its consent record, donor text, substantiation and ``create`` audit entry as the services write
them. Database triggers (SQLite FTS5, the audit trail's guards) fire as for any insert.
"""

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.bench.report import ACTOR
from tracker.bench.report import Synthetic
from tracker.bench.search import sentence
from tracker.bench.search import settle as settle_engine
from tracker.contribution.models import ContributionClaim
from tracker.msc.models import ConsentRecord
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.msc.models import StoryDonorText
from tracker.outcomes import services as outcome_services
from tracker.outcomes.models import Harvest
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.models import Substantiation
from tracker.portfolio import services as portfolio_services

DEFAULT_SIZES = {"projects": 300, "outcomes": 30_000, "stories": 15_000, "claims": 3_000}
BATCH = 2_000


@dataclass(frozen=True)
class Sizes:
    projects: int
    outcomes: int
    stories: int
    claims: int

    @classmethod
    def scaled(cls, scale):
        return cls(**{name: max(1, math.ceil(count * scale)) for name, count in DEFAULT_SIZES.items()})

    def fraction(self, part):
        return Sizes(**{name: max(1, math.ceil(getattr(self, name) * part)) for name in DEFAULT_SIZES})

    def as_dict(self):
        return {name: getattr(self, name) for name in DEFAULT_SIZES}


def row_of(session, model, object_id):
    table = model.__table__
    return dict(session.execute(sa.select(table).where(table.c.id == object_id)).mappings().one())


def audit_template(session, object_type, object_id):
    table = AuditEntry.__table__
    return dict(session.execute(sa.select(table).where(
        table.c.object_type == object_type, table.c.object_id == str(object_id),
        table.c.action == "create")).mappings().one())


class IdBlock:
    """Explicit ids for bulk rows, continuing after the table's highest id."""

    def __init__(self, session, model):
        self.next = (session.scalar(sa.select(sa.func.max(model.__table__.c.id))) or 0) + 1

    def take(self):
        value, self.next = self.next, self.next + 1
        return value


class Portfolio:
    """Grows a synthetic portfolio to given :class:`Sizes`; call :meth:`grow` with larger sizes to extend it."""

    def __init__(self, session):
        self.session = session
        self.synthetic = Synthetic(session)
        project = self.synthetic.add(0)
        session.flush()
        self.projects = [project]
        self.harvests = {project.id: session.scalars(sa.select(Harvest.id).where(
            Harvest.project_id == project.id)).first()}
        self.templates = self.find_templates(project)
        self.counts = {"outcomes": 6, "stories": 3, "claims": 1}
        session.commit()

    def find_templates(self, project):
        session = self.session
        outcomes = session.scalars(sa.select(Outcome).where(Outcome.project_id == project.id)
                                   .order_by(Outcome.id)).all()
        substantiated = next(o for o in outcomes if o.status is OutcomeStatus.SUBSTANTIATED)
        draft = next(o for o in outcomes if o.status is OutcomeStatus.DRAFT)
        stories = session.scalars(sa.select(Story).where(Story.project_id == project.id).order_by(Story.id)).all()
        shared = next(s for s in stories if s.donor_version_approved_at is not None)
        pending = next(s for s in stories if s.safeguarding_status is SafeguardingStatus.PENDING)
        claim = session.scalars(sa.select(ContributionClaim).where(ContributionClaim.project_id == project.id)).first()
        substantiation = session.scalars(sa.select(Substantiation).where(
            Substantiation.outcome_id == substantiated.id)).first()
        return {
            "outcome": [row_of(session, Outcome, draft.id), row_of(session, Outcome, substantiated.id)],
            "substantiation": row_of(session, Substantiation, substantiation.id),
            "story": [row_of(session, Story, pending.id), row_of(session, Story, shared.id)],
            "consent": row_of(session, ConsentRecord, shared.consent_id),
            "donor_texts": [dict(row) for row in session.execute(sa.select(StoryDonorText.__table__).where(
                StoryDonorText.story_id == shared.id)).mappings()],
            "claim": row_of(session, ContributionClaim, claim.id),
            "audit": {kind: audit_template(session, kind, object_id) for kind, object_id in (
                ("outcome", draft.id), ("story", shared.id), ("contribution_claim", claim.id))},
        }

    def grow(self, sizes, progress):
        """Add projects, then outcomes, stories and claims spread over all projects, up to ``sizes``."""
        session = self.session
        while len(self.projects) < sizes.projects:
            self.add_project(len(self.projects))
            if len(self.projects) % 50 == 0:
                session.commit()
                progress(f"  {len(self.projects)} projects")
        session.commit()
        for kind, builder in (("outcomes", self.outcome_rows), ("stories", self.story_rows),
                              ("claims", self.claim_rows)):
            target = getattr(sizes, kind)
            while self.counts[kind] < target:
                count = min(BATCH, target - self.counts[kind])
                builder(range(self.counts[kind], self.counts[kind] + count))
                self.counts[kind] += count
                session.commit()
            progress(f"  {self.counts[kind]} {kind}")
        finish_ids(session)

    def add_project(self, number):
        session = self.session
        synthetic = self.synthetic
        project = portfolio_services.create_project(session, ACTOR, synthetic.fund, {
            "slug": f"project-{number}", "title": f"Project {number}: {sentence(number)[:60]}",
            "organisation_id": synthetic.organisation.id, "pillar_id": synthetic.pillars[number % 3].id,
            "countries": [("TH", "KH", "PH", "VN")[number % 4]], "start_date": date(2021, 1, 1),
            "end_date": date(2025, 12, 31), "budget": 50_000 + 1_000 * number, "currency": "USD",
            "iati_identifier": None, "summary": sentence(number + 5)})
        harvest = outcome_services.save_harvest(session, ACTOR, project, {
            "title": "Harvest 2023", "period_start": date(2021, 1, 1), "period_end": date(2025, 12, 31),
            "questions": "Which organisations changed how they respond to children?"})
        self.projects.append(project)
        self.harvests[project.id] = harvest.id

    def project_for(self, number):
        return self.projects[number % len(self.projects)].id

    def audit_row(self, kind, object_id, project_id):
        row = dict(self.templates["audit"][kind], object_id=str(object_id), project_id=project_id)
        row.pop("id")
        return row

    def outcome_rows(self, numbers):
        ids = IdBlock(self.session, Outcome)
        outcomes, substantiations, audits = [], [], []
        for number in numbers:
            template = self.templates["outcome"][number % 2]
            project_id = self.project_for(number)
            outcome_id = ids.take()
            outcomes.append(dict(template, id=outcome_id, project_id=project_id,
                                 harvest_id=self.harvests[project_id], description=sentence(number),
                                 significance=sentence(number + 2), contribution=sentence(number + 3),
                                 change_type=("behaviour", "practice", "policy", "relationship", "action")[
                                     number % 5]))
            if number % 2:
                substantiation = dict(self.templates["substantiation"], outcome_id=outcome_id)
                substantiation.pop("id")
                substantiations.append(substantiation)
            audits.append(self.audit_row("outcome", outcome_id, project_id))
        self.insert(Outcome, outcomes)
        self.insert(Substantiation, substantiations)
        self.insert(AuditEntry, audits)

    def story_rows(self, numbers):
        session = self.session
        story_ids, consent_ids = IdBlock(session, Story), IdBlock(session, ConsentRecord)
        stories, consents, texts, audits = [], [], [], []
        for number in numbers:
            template = self.templates["story"][number % 2]
            project_id = self.project_for(number)
            story_id, consent_id = story_ids.take(), consent_ids.take()
            consents.append(dict(self.templates["consent"], id=consent_id))
            what_happened, why = sentence(number), sentence(number + 1)
            stories.append(dict(template, id=story_id, project_id=project_id, consent_id=consent_id,
                                title=f"Story {number}", what_happened=what_happened, why_significant=why,
                                storyteller_pseudonym=f"S{number}"))
            if number % 2:
                for text in self.templates["donor_texts"]:
                    copy = dict(text, story_id=story_id, title=f"Story {number}", what_happened=what_happened,
                                why_significant=why)
                    copy.pop("id")
                    texts.append(copy)
            audits.append(self.audit_row("story", story_id, project_id))
        self.insert(ConsentRecord, consents)
        self.insert(Story, stories)
        self.insert(StoryDonorText, texts)
        self.insert(AuditEntry, audits)

    def claim_rows(self, numbers):
        ids = IdBlock(self.session, ContributionClaim)
        claims, audits = [], []
        for number in numbers:
            project_id = self.project_for(number)
            claim_id = ids.take()
            claims.append(dict(self.templates["claim"], id=claim_id, project_id=project_id,
                               title=f"Claim {number}", question=f"Did the project contribute to change {number}?"))
            audits.append(self.audit_row("contribution_claim", claim_id, project_id))
        self.insert(ContributionClaim, claims)
        self.insert(AuditEntry, audits)

    def insert(self, model, rows):
        if rows:
            self.session.execute(model.__table__.insert(), rows)


def finish_ids(session):
    """After explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in (Outcome, Story, ConsentRecord, ContributionClaim):
        sequence = sa.func.pg_get_serial_sequence(model.__table__.name, "id")
        session.execute(sa.select(sa.func.setval(sequence, sa.select(sa.func.max(model.id)).scalar_subquery())))
    session.commit()


def settle(session):
    """Fresh planner statistics, as after autovacuum (and merged GIN pending lists on PostgreSQL)."""
    session.commit()
    settle_engine(session.get_bind())
