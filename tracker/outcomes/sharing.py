"""Which outcomes donors see, decided once (the outcome counterpart of :mod:`tracker.msc.sharing`).

Donors see an outcome when it has been **substantiated** (or analysed after
substantiation) and its project belongs to the fund they look at. Drafts,
formulated outcomes and outcomes awaiting substantiation are the grantee's and
the M&E team's working material and stay internal.

Outcomes name organisations and role types, not people, but two parts are
still internal: the *sources* (which may name informants) and the
substantiators' names. :func:`donor_view` leaves both out; substantiators
appear to donors by expertise and independence only, and their disagreements
are shown, never hidden.

Every donor-facing list, count, search, export and page selects outcomes with
:func:`donor_visible_outcomes` (or :func:`outcomes_visible_to` for pages that
serve several roles), so the rule lives here only.
"""

from dataclasses import dataclass

from sqlmodel import select

from tracker.auth.permissions import Role
from tracker.auth.permissions import holds_everywhere
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import OutcomeStatus
from tracker.portfolio.models import Project

DONOR_STATUSES = (OutcomeStatus.SUBSTANTIATED, OutcomeStatus.ANALYSED)


def donor_visible_outcomes(fund_id):
    """``SELECT outcome`` limited to the substantiated outcomes of fund ``fund_id``."""
    return (
        select(Outcome)
        .join(Project, Project.id == Outcome.project_id)
        .where(Project.fund_id == fund_id, Outcome.status.in_(DONOR_STATUSES))
    )


def donor_visible_outcome_ids(fund_id):
    return donor_visible_outcomes(fund_id).with_only_columns(Outcome.id)


def outcomes_visible_to(role, project_ids, fund_id):
    """``SELECT outcome`` for what a user of ``role`` may see.

    Donors get the donor rule; roles that read outcomes everywhere (M&E staff) the fund's
    outcomes; everyone else only those of ``project_ids`` (from
    :func:`tracker.auth.permissions.scoped_project_ids`): a grantee's memberships, or the
    projects an administrator broke the glass for.
    """
    if Role(role) is Role.DONOR:
        return donor_visible_outcomes(fund_id)
    statement = select(Outcome).join(Project, Project.id == Outcome.project_id).where(Project.fund_id == fund_id)
    if holds_everywhere(role, "outcome.view"):
        return statement
    return statement.where(Outcome.project_id.in_(sorted(project_ids) or [-1]))


@dataclass(frozen=True)
class DonorOutcome:
    """An outcome as donors see it: no sources, no substantiator names."""

    id: int
    project_slug: str
    project_title: str
    description: str
    social_actor: str
    change_agent: str
    change_date: object
    date_precision: object
    country_code: str | None
    area: str
    significance: str
    contribution: str
    change_type: object
    intention: object
    valence: object
    status: object


def donor_view(outcome):
    """Return the donor view of ``outcome`` (which the caller got from :func:`donor_visible_outcomes`)."""
    return DonorOutcome(
        id=outcome.id,
        project_slug=outcome.project.slug,
        project_title=outcome.project.title,
        description=outcome.description,
        social_actor=outcome.social_actor,
        change_agent=outcome.change_agent,
        change_date=outcome.change_date,
        date_precision=outcome.date_precision,
        country_code=outcome.country_code,
        area=outcome.area,
        significance=outcome.significance,
        contribution=outcome.contribution,
        change_type=outcome.change_type,
        intention=outcome.intention,
        valence=outcome.valence,
        status=outcome.status,
    )
