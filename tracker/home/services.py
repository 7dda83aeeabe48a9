"""The figures of each role's home, counted in SQL within the viewer's scope.

Every function answers plain data (dicts, tuples, dataclasses) in a fixed number of queries, whatever the size
of the portfolio: counts are ``GROUP BY`` queries, and the few records a home lists are loaded with ``selectinload``.
Donor figures come only through the donor rules (:mod:`tracker.msc.sharing`, :mod:`tracker.outcomes.sharing`,
:mod:`tracker.evidence.sharing`, approved actuals), so nothing a donor may not see is ever counted for them.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.auth.models import LoginSession
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.breakglass.models import BreakGlassGrant
from tracker.contribution import services as contribution_services
from tracker.contribution.models import ClaimLink
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import QualitativeConfidence
from tracker.evidence.models import EvidenceAttachment
from tracker.evidence.models import EvidenceItem
from tracker.evidence.sharing import donor_visible_evidence_ids
from tracker.indicators.models import ActualStatus
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.indicators.models import PeriodActual
from tracker.indicators.rules import latest_comparison
from tracker.indicators.rules import progress
from tracker.indicators.rules import reported_actual
from tracker.msc.models import ConsentRecord
from tracker.msc.models import Domain
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.msc.selection import owed_feedback_statement
from tracker.msc.sharing import donor_visible_story_ids
from tracker.outcomes.models import ChangeType
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.sharing import donor_visible_outcome_ids
from tracker.portfolio.models import Pillar
from tracker.portfolio.models import Project
from tracker.portfolio.models import ProjectCountry
from tracker.toc.models import TocLink

# Story states as a grantee follows them, in the order a story moves through them.
STORY_STATES = ("needs_consent", "withdrawn", "awaiting_review", "restricted", "awaiting_donor_version",
                "internal_only", "shared")
STRENGTHS = ("strong", "moderate", "weak")
# How many projects each health list names on the M&E home (the count gives the rest).
HEALTH_LIST_LENGTH = 10


# Grantee -----------------------------------------------------------------------------------------


@dataclass
class IndicatorProgress:
    title: str
    period_end: date | None
    percent: object
    met: bool | None
    provisional: bool


@dataclass
class ProjectProgress:
    id: int
    slug: str
    title: str
    outcomes: dict = field(default_factory=dict)
    stories: dict = field(default_factory=dict)
    indicators: list = field(default_factory=list)


def story_state():
    """One SQL expression naming a story's state in :data:`STORY_STATES`."""
    return sa.case(
        (ConsentRecord.withdrawn_on.is_not(None), "withdrawn"),
        (ConsentRecord.complete.is_(False), "needs_consent"),
        (Story.safeguarding_status == SafeguardingStatus.PENDING, "awaiting_review"),
        (Story.safeguarding_status == SafeguardingStatus.RESTRICTED, "restricted"),
        (ConsentRecord.scope_donor.is_(False), "internal_only"),
        (Story.donor_version_approved_at.is_(None), "awaiting_donor_version"),
        else_="shared",
    )


def grantee_progress(session, project_ids):
    """Progress of each project in ``project_ids`` (a grantee's memberships): outcomes by status, stories by
    consent and review state, and each indicator's latest actual as a percentage of its target."""
    ids = sorted(project_ids) or [-1]
    projects = {project.id: ProjectProgress(project.id, project.slug, project.title) for project in session.scalars(
        sa.select(Project).where(Project.id.in_(ids)).order_by(Project.title))}
    for project_id, status, count in session.execute(
            sa.select(Outcome.project_id, Outcome.status, sa.func.count()).where(Outcome.project_id.in_(ids))
            .group_by(Outcome.project_id, Outcome.status)):
        projects[project_id].outcomes[OutcomeStatus(status)] = count
    state = story_state().label("state")
    for project_id, name, count in session.execute(
            sa.select(Story.project_id, state, sa.func.count())
            .join(ConsentRecord, ConsentRecord.id == Story.consent_id).where(Story.project_id.in_(ids))
            .group_by(Story.project_id, state)):
        projects[project_id].stories[name] = count
    indicators = session.scalars(
        sa.select(Indicator).where(Indicator.project_id.in_(ids)).order_by(Indicator.project_id, Indicator.id)
        .options(selectinload(Indicator.periods).selectinload(IndicatorPeriod.actual)))
    for indicator in indicators:
        projects[indicator.project_id].indicators.append(indicator_progress(indicator))
    return list(projects.values())


def indicator_progress(indicator, approved_only=False):
    period, reported = latest_comparison(indicator.periods,
                                         lambda period: reported_actual(period.actual, approved_only=approved_only))
    result = progress(period.target_value if period else None, reported.value if reported else None,
                      ascending=indicator.ascending, baseline=indicator.baseline_value)
    return IndicatorProgress(indicator.title, period.end_date if period else None, result.percent, result.met,
                             bool(reported and reported.provisional))


# M&E staff ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    key: str
    count: int
    oldest: datetime | date | None


def queue(session, key, statement):
    """``statement`` selects ``(count, oldest)``."""
    count, oldest = session.execute(statement).one()
    return Queue(key, count or 0, oldest)


def review_queues(session, fund):
    """The review queues of M&E staff, each with its count and the date of its oldest item."""
    fund_projects = sa.select(Project.id).where(Project.fund_id == fund.id)
    owed = owed_feedback_statement(fund).order_by(None).subquery()
    return [
        queue(session, "actuals", sa.select(sa.func.count(), sa.func.min(PeriodActual.submitted_at))
              .join(IndicatorPeriod, IndicatorPeriod.id == PeriodActual.period_id)
              .join(Indicator, Indicator.id == IndicatorPeriod.indicator_id)
              .where(PeriodActual.status == ActualStatus.SUBMITTED, Indicator.project_id.in_(fund_projects))),
        queue(session, "safeguarding", sa.select(sa.func.count(), sa.func.min(Story.created_at))
              .where(Story.safeguarding_status == SafeguardingStatus.PENDING, Story.project_id.in_(fund_projects))),
        queue(session, "donor_versions", sa.select(sa.func.count(), sa.func.min(Story.safeguarding_reviewed_at))
              .join(ConsentRecord, ConsentRecord.id == Story.consent_id)
              .where(Story.project_id.in_(fund_projects), Story.safeguarding_status == SafeguardingStatus.APPROVED,
                     Story.donor_version_approved_at.is_(None), ConsentRecord.complete.is_(True),
                     ConsentRecord.scope_donor.is_(True), ConsentRecord.withdrawn_on.is_(None))),
        queue(session, "substantiation", sa.select(sa.func.count(), sa.func.min(Outcome.updated_at))
              .where(Outcome.status == OutcomeStatus.SUBSTANTIATION_PENDING, Outcome.project_id.in_(fund_projects))),
        queue(session, "feedback", sa.select(sa.func.count(), sa.func.min(owed.c.decided_on))),
        flagged_claims(session, fund_projects),
    ]


def flagged_claims(session, fund_projects):
    """Claims stated strong that the integrity rule lowers now (:func:`tracker.contribution.rules.judge_confidence`)."""
    claims = session.scalars(
        sa.select(ContributionClaim).where(ContributionClaim.project_id.in_(fund_projects),
                                           ContributionClaim.confidence == QualitativeConfidence.STRONG)
        .options(selectinload(ContributionClaim.pathway).selectinload(ClaimLink.link)
                 .selectinload(TocLink.assumptions),
                 selectinload(ContributionClaim.explanations), selectinload(ContributionClaim.components))).all()
    lowered = [claim for claim in claims if contribution_services.confidence_judgement(claim).lowered]
    return Queue("claims", len(lowered), min((claim.updated_at for claim in lowered), default=None))


def portfolio_health(session, fund, today):
    """Projects without indicators, without any harvested outcome, and with reporting overdue (a period that
    ended before ``today`` with no actual submitted or approved), each as ``(count, first few projects)``."""
    projects = sa.select(Project.id).where(Project.fund_id == fund.id)
    reported = sa.select(PeriodActual.period_id).where(sa.or_(
        PeriodActual.approved_at.is_not(None), PeriodActual.status == ActualStatus.SUBMITTED))
    overdue = (sa.select(Indicator.project_id).join(IndicatorPeriod, IndicatorPeriod.indicator_id == Indicator.id)
               .where(IndicatorPeriod.end_date < today, IndicatorPeriod.id.not_in(reported)))
    return {
        "no_indicators": project_group(session, projects.where(Project.id.not_in(sa.select(Indicator.project_id)))),
        "no_outcomes": project_group(session, projects.where(Project.id.not_in(sa.select(Outcome.project_id)))),
        "overdue": project_group(session, projects.where(Project.id.in_(overdue))),
    }


def project_group(session, project_ids):
    count = session.scalar(sa.select(sa.func.count()).select_from(project_ids.subquery()))
    named = session.execute(sa.select(Project.slug, Project.title).where(Project.id.in_(project_ids))
                            .order_by(Project.title).limit(HEALTH_LIST_LENGTH)).all()
    return count, [tuple(row) for row in named]


# Donors ------------------------------------------------------------------------------------------


def headline(session, fund):
    """Grants, countries and budget per currency (never summed across currencies)."""
    grants = session.scalar(sa.select(sa.func.count()).select_from(Project).where(Project.fund_id == fund.id))
    budgets = session.execute(sa.select(Project.currency, sa.func.sum(Project.budget)).where(
        Project.fund_id == fund.id).group_by(Project.currency).order_by(Project.currency)).all()
    return {"grants": grants, "countries": len(grants_by_country(session, fund)),
            "budgets": [(currency, amount) for currency, amount in budgets]}


def grants_by_country(session, fund):
    """``[(country code, grants working there)]``, most first; a grant in several countries counts in each."""
    rows = session.execute(
        sa.select(ProjectCountry.country_code, sa.func.count())
        .join(Project, Project.id == ProjectCountry.project_id).where(Project.fund_id == fund.id)
        .group_by(ProjectCountry.country_code)).all()
    return sorted(((code, count) for code, count in rows), key=lambda row: (-row[1], row[0]))


def donor_outcomes_by_type(session, fund):
    rows = session.execute(sa.select(Outcome.change_type, sa.func.count())
                           .where(Outcome.id.in_(donor_visible_outcome_ids(fund.id)))
                           .group_by(Outcome.change_type)).all()
    return sorted(((ChangeType(kind), count) for kind, count in rows), key=lambda row: (-row[1], str(row[0])))


def donor_stories_by_domain(session, fund):
    rows = session.execute(sa.select(Domain.name, sa.func.count())
                           .join(Story, Story.domain_id == Domain.id)
                           .where(Story.id.in_(donor_visible_story_ids(fund.id)))
                           .group_by(Domain.name)).all()
    return sorted(((name, count) for name, count in rows), key=lambda row: (-row[1], row[0]))


def donor_evidence_by_pillar(session, fund):
    """``[(pillar name, {strength: attachments})]``: how strongly the evidence donors may see supports the
    projects' theories of change, per pillar of the fund."""
    rows = session.execute(
        sa.select(Pillar.name, Pillar.position, EvidenceAttachment.strength, sa.func.count())
        .join(Project, Project.pillar_id == Pillar.id)
        .join(EvidenceItem, EvidenceItem.project_id == Project.id)
        .join(EvidenceAttachment, EvidenceAttachment.evidence_id == EvidenceItem.id)
        .where(EvidenceItem.id.in_(donor_visible_evidence_ids(fund.id)))
        .group_by(Pillar.name, Pillar.position, EvidenceAttachment.strength)).all()
    pillars = {}
    for name, position, strength, count in rows:
        pillars.setdefault((position, name), dict.fromkeys(STRENGTHS, 0))[str(strength)] = count
    return [(name, strengths) for (_position, name), strengths in sorted(pillars.items())]


def donor_figures(session, fund):
    return {"headline": headline(session, fund), "countries": grants_by_country(session, fund),
            "outcomes_by_type": donor_outcomes_by_type(session, fund),
            "stories_by_domain": donor_stories_by_domain(session, fund),
            "evidence_by_pillar": donor_evidence_by_pillar(session, fund)}


# Administrators ----------------------------------------------------------------------------------


def account_figures(session):
    """Accounts by role (active ones), deactivated, never signed in, and password resets not yet used."""
    by_role = dict(session.execute(sa.select(User.role, sa.func.count()).where(User.is_active.is_(True))
                                   .group_by(User.role)).all())
    signed_in = sa.select(LoginSession.user_id).where(LoginSession.verified_at.is_not(None))
    return {
        "by_role": [(role, by_role.get(role, 0)) for role in Role],
        "deactivated": session.scalar(sa.select(sa.func.count()).select_from(User).where(User.is_active.is_(False))),
        "never_signed_in": session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.is_active.is_(True), User.id.not_in(signed_in))),
        "pending_resets": session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.is_active.is_(True), User.must_change_password.is_(True))),
    }


def active_grants(session, now):
    """Break-the-glass grants in force at ``now``: ``(grant, user name, project title)``, ending soonest first."""
    return session.execute(
        sa.select(BreakGlassGrant, User.display_name, Project.title)
        .join(User, User.id == BreakGlassGrant.user_id).join(Project, Project.id == BreakGlassGrant.project_id)
        .where(BreakGlassGrant.revoked_at.is_(None), BreakGlassGrant.expires_at > now)
        .order_by(BreakGlassGrant.expires_at)).all()

