"""Each person's to-dos, read from the workflow states with one aggregate query per kind; preferences and the
log of what was sent.

The number of queries for one person is constant whatever the size of the portfolio: a membership query,
then one ``GROUP BY`` (or one narrow ``SELECT``) per kind the person owes. To-dos carry ids, slugs,
counts and dates only: no title, name or text ever leaves here, so nothing personal can reach a page
heading or an e-mail through them.
"""

import sqlalchemy as sa
from sqlmodel import select

from tracker.audit.models import AlertStatus
from tracker.audit.models import AuditAlert
from tracker.audit.services import record
from tracker.auth.models import Membership
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.db_types import utcnow
from tracker.inbox import rules
from tracker.inbox.models import Frequency
from tracker.inbox.models import NotificationPreference
from tracker.inbox.models import NotificationSent
from tracker.indicators.models import ActualStatus
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.indicators.models import PeriodActual
from tracker.msc.models import ConsentRecord
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.msc.selection import owed_feedback_statement
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.models import Substantiation
from tracker.outcomes.models import Verdict
from tracker.portfolio.models import Project
from tracker.portfolio.services import get_fund

# The to-dos of one person ------------------------------------------------------------------------


def viewer_of(session, user):
    """The :class:`rules.Viewer` of ``user``: one query for their memberships."""
    member_ids = frozenset(session.scalars(sa.select(Membership.project_id).where(Membership.user_id == user.id)))
    return rules.Viewer(user.id, Role(user.role), member_ids, bool(user.is_data_protection_lead))


def todos_for(session, user, today=None):
    """Every to-do of ``user``, kind by kind in the order of :data:`rules.KINDS`."""
    viewer = viewer_of(session, user)
    today = today or utcnow().date()
    todos = []
    for kind in rules.kinds_for(viewer):
        projects = rules.team_projects(kind, viewer) if kind.audience == rules.TEAM else None
        todos += QUERIES[kind.name](session, projects, today)
    return todos


def marker(value):
    """The newest item's time (or id) as text: it changes when an item joins the count."""
    if value is None:
        return "-"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def in_projects(column, projects):
    """Narrow to ``projects`` (team kinds) or not at all (``None``: staff and lead kinds)."""
    return sa.true() if projects is None else column.in_(sorted(projects) or [-1])


def per_project(kind, rows, **values):
    """One to-do per ``(slug, count, oldest, newest)`` row, linked to the project's page with ``values``."""
    return [rules.Todo(kind, count, oldest, marker(newest), {"slug": slug, **values}, project_slug=slug)
            for slug, count, oldest, newest in rows if count]


def portfolio_wide(kind, row, **values):
    """One to-do for a ``(count, oldest, newest)`` row over the whole portfolio, or none when the count is 0."""
    count, oldest, newest = row
    return [rules.Todo(kind, count, oldest, marker(newest), values)] if count else []


def returned_actuals(session, projects, _today):
    rows = session.execute(
        sa.select(PeriodActual.id, PeriodActual.version, PeriodActual.updated_at, IndicatorPeriod.id,
                  Indicator.id, Project.slug)
        .join(IndicatorPeriod, IndicatorPeriod.id == PeriodActual.period_id)
        .join(Indicator, Indicator.id == IndicatorPeriod.indicator_id)
        .join(Project, Project.id == Indicator.project_id)
        .where(PeriodActual.status == ActualStatus.RETURNED, in_projects(Project.id, projects))
        .order_by(PeriodActual.updated_at, PeriodActual.id))
    return [rules.Todo("actual_returned", 1, returned_at, str(version),
                       {"slug": slug, "indicator_id": indicator_id, "period_id": period_id},
                       project_slug=slug, record_id=actual_id)
            for actual_id, version, returned_at, period_id, indicator_id, slug in rows]


def due_actuals(session, projects, today):
    """Periods that have ended without an actual sent for review (none yet, or a draft)."""
    waiting = sa.or_(PeriodActual.id.is_(None), PeriodActual.status == ActualStatus.DRAFT)
    rows = session.execute(
        sa.select(Project.slug, sa.func.count(), sa.func.min(IndicatorPeriod.end_date),
                  sa.func.max(IndicatorPeriod.end_date))
        .join(Indicator, Indicator.id == IndicatorPeriod.indicator_id)
        .join(Project, Project.id == Indicator.project_id)
        .outerjoin(PeriodActual, PeriodActual.period_id == IndicatorPeriod.id)
        .where(IndicatorPeriod.end_date < today, waiting, in_projects(Project.id, projects))
        .group_by(Project.slug).order_by(Project.slug))
    return per_project("actual_due", rows)


def stories_needing_consent(session, projects, _today):
    rows = session.execute(
        sa.select(Project.slug, sa.func.count(), sa.func.min(Story.created_at), sa.func.max(Story.created_at))
        .join(Project, Project.id == Story.project_id)
        .join(ConsentRecord, ConsentRecord.id == Story.consent_id)
        .where(ConsentRecord.complete.is_(False), ConsentRecord.withdrawn_on.is_(None),
               in_projects(Project.id, projects))
        .group_by(Project.slug).order_by(Project.slug))
    return per_project("consent_needed", rows, consent="needs_consent")


def actuals_to_review(session, _projects, _today):
    row = session.execute(
        sa.select(sa.func.count(), sa.func.min(PeriodActual.submitted_at), sa.func.max(PeriodActual.submitted_at))
        .where(PeriodActual.status == ActualStatus.SUBMITTED)).one()
    return portfolio_wide("actuals_to_review", row)


def story_counts(condition):
    return (sa.select(sa.func.count(), sa.func.min(Story.created_at), sa.func.max(Story.updated_at))
            .join(ConsentRecord, ConsentRecord.id == Story.consent_id)
            .where(ConsentRecord.withdrawn_on.is_(None), condition))


def safeguarding_reviews(session, _projects, _today):
    row = session.execute(story_counts(Story.safeguarding_status == SafeguardingStatus.PENDING)).one()
    return portfolio_wide("safeguarding_review", row, safeguarding=SafeguardingStatus.PENDING.value)


def donor_versions(session, _projects, _today):
    """Stories donors could read but for their de-identified version, which is not approved yet."""
    row = session.execute(story_counts(sa.and_(
        Story.safeguarding_status == SafeguardingStatus.APPROVED, ConsentRecord.complete.is_(True),
        ConsentRecord.scope_donor.is_(True), Story.donor_version_approved_at.is_(None)))).one()
    return portfolio_wide("donor_version", row, consent="donor_scope",
                          safeguarding=SafeguardingStatus.APPROVED.value)


def substantiations_pending(session, _projects, _today):
    rows = session.execute(
        sa.select(Project.slug, sa.func.count(), sa.func.min(Outcome.updated_at), sa.func.max(Outcome.updated_at))
        .join(Project, Project.id == Outcome.project_id)
        .where(Outcome.status == OutcomeStatus.SUBSTANTIATION_PENDING)
        .group_by(Project.slug).order_by(Project.slug))
    return per_project("substantiation_pending", rows, status=OutcomeStatus.SUBSTANTIATION_PENDING.value)


def disagreements(session, _projects, _today):
    """Outcomes with a substantiator's disagreement that M&E staff have not acknowledged yet."""
    disagrees = sa.or_(*(column == Verdict.DISAGREE for column in (
        Substantiation.verdict_description, Substantiation.verdict_significance, Substantiation.verdict_contribution)))
    rows = session.execute(
        sa.select(Outcome.id, Project.slug, sa.func.min(Substantiation.created_at), sa.func.max(Substantiation.id))
        .join(Outcome, Outcome.id == Substantiation.outcome_id)
        .join(Project, Project.id == Outcome.project_id)
        .where(disagrees, Substantiation.acknowledged_at.is_(None))
        .group_by(Outcome.id, Project.slug).order_by(Outcome.id))
    return [rules.Todo("disagreement_to_acknowledge", 1, oldest, str(newest), {"slug": slug, "outcome_id": outcome_id},
                       project_slug=slug, record_id=outcome_id)
            for outcome_id, slug, oldest, newest in rows]


def feedback_owed(session, _projects, _today):
    fund = get_fund(session)
    if fund is None:
        return []
    owed = owed_feedback_statement(fund).order_by(None).subquery()
    row = session.execute(sa.select(sa.func.count(), sa.func.min(owed.c.decided_on), sa.func.max(owed.c.id))).one()
    return portfolio_wide("feedback_owed", row)


def open_alerts(session, _projects, _today):
    row = session.execute(sa.select(sa.func.count(), sa.func.min(AuditAlert.raised_at), sa.func.max(AuditAlert.id))
                          .where(AuditAlert.status == AlertStatus.OPEN)).one()
    return portfolio_wide("audit_alerts", row)


QUERIES = {
    "actual_returned": returned_actuals,
    "actual_due": due_actuals,
    "consent_needed": stories_needing_consent,
    "actuals_to_review": actuals_to_review,
    "safeguarding_review": safeguarding_reviews,
    "donor_version": donor_versions,
    "substantiation_pending": substantiations_pending,
    "disagreement_to_acknowledge": disagreements,
    "feedback_owed": feedback_owed,
    "audit_alerts": open_alerts,
}

# Preferences -------------------------------------------------------------------------------------


def frequency_of(session, user):
    chosen = session.get(NotificationPreference, user.id)
    return chosen.frequency if chosen is not None else rules.default_frequency(user.role)


def set_frequency(session, actor, user, frequency):
    chosen = session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)
    chosen.frequency, chosen.updated_at = Frequency(frequency), utcnow()
    session.add(chosen)
    session.flush()
    record(session, actor, "update", "notification_preference", user.id, details={"fields": ["frequency"]})


def users_choosing(session, frequency, user_ids=None):
    """Active accounts whose preference (chosen, or their role's default) is ``frequency``, by id."""
    chosen = NotificationPreference.frequency
    defaults = [role for role in Role if rules.default_frequency(role) == frequency]
    statement = (select(User).outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
                 .where(User.is_active.is_(True),
                        sa.or_(chosen == frequency, sa.and_(chosen.is_(None), User.role.in_(defaults))))
                 .order_by(User.id))
    if user_ids is not None:
        statement = statement.where(User.id.in_(sorted(user_ids) or [-1]))
    return list(session.exec(statement))


def users_concerned(session, project_ids):
    """The ids of the accounts whose to-dos a change on ``project_ids`` may alter: the members of those projects
    and every account that is not only a project member (staff hold their kinds everywhere)."""
    members = sa.select(Membership.user_id).where(Membership.project_id.in_(sorted(project_ids) or [-1]))
    return set(session.scalars(sa.select(User.id).where(sa.or_(User.id.in_(members), User.role != Role.GRANTEE))))


# The log of sending ------------------------------------------------------------------------------


def sent_keys(session, user_id, keys):
    keys = sorted(set(keys))
    if not keys:
        return set()
    return set(session.scalars(sa.select(NotificationSent.todo_key)
                               .where(NotificationSent.user_id == user_id, NotificationSent.todo_key.in_(keys))))


def record_sent(session, user_id, keys, at=None):
    at = at or utcnow()
    session.add_all(NotificationSent(user_id=user_id, todo_key=key, sent_at=at) for key in sorted(set(keys)))
    session.flush()


def digest_sent(session, user_id, day):
    return bool(sent_keys(session, user_id, [rules.digest_key(day)]))
