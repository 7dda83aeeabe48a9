"""Outcome Harvesting: harvests, outcomes with their substantiation, and writing outcomes.

Outcomes are selected through :func:`tracker.outcomes.sharing.outcomes_visible_to`,
so donors get only substantiated outcomes, without sources or substantiator names.
Every outcome whose full text an answer carries is audited as a ``read``.
"""

from datetime import date
from datetime import datetime

from flask_login import current_user
from pydantic import Field

from tracker.api.blueprint import api
from tracker.api.common import Id
from tracker.api.common import Page
from tracker.api.common import PageQuery
from tracker.api.common import Schema
from tracker.api.common import page_of
from tracker.api.common import text
from tracker.api.problems import ApiProblem
from tracker.db import get_session
from tracker.outcomes import services
from tracker.outcomes.models import ActorKind
from tracker.outcomes.models import ChangeType
from tracker.outcomes.models import DatePrecision
from tracker.outcomes.models import HarvestStep
from tracker.outcomes.models import Intention
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.models import Substantiation as SubstantiationRow
from tracker.outcomes.models import Valence
from tracker.outcomes.models import Verdict
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.outcomes.summary import Standing
from tracker.web import transaction
from tracker.web.access import actor
from tracker.web.access import record_sensitive_read
from tracker.web.access import record_shown
from tracker.web.access import sensitive_scope
from tracker.web.requests import is_donor

TAG = "Outcomes"
LONG_TEXT = 20_000


class Substantiation(Schema):
    """One substantiator's verdicts on the outcome."""

    independent: bool = Field(description="The substantiator has no stake in the project.")
    verdict_description: Verdict
    verdict_significance: Verdict
    verdict_contribution: Verdict
    comment: str
    given_on: date
    on_current_wording: bool = Field(description="False when the outcome was reworded after these verdicts.")
    substantiator_expertise: str
    substantiator_name: str | None = Field(description="Null for donors, who see substantiators by expertise only.")
    substantiator_organisation: str | None = Field(description="Null for donors.")
    comment_withheld: bool = Field(description="True when a donor does not get the comment: the personal-data "
                                               "review found details in it that may identify someone.")
    acknowledged_by: str | None = Field(description="Who acknowledged this disagreement (null when not "
                                                    "acknowledged).")
    acknowledgement: str = Field(description="Why the outcome stands despite the disagreement.")


class Outcome(Schema):
    id: int
    project: str = Field(description="The project's slug.")
    harvest_id: int | None = Field(description="Null for donors.")
    description: str
    social_actor: str
    social_actor_kind: ActorKind
    change_agent: str
    change_date: date | None
    date_precision: DatePrecision
    country_code: str | None
    area: str
    significance: str
    contribution: str
    sources: str | None = Field(description="Null for donors: sources may name informants.")
    type_of_change: ChangeType
    intended: bool
    positive: bool
    status: OutcomeStatus = Field(description="The workflow step; whether the verdicts substantiate the outcome "
                                              "is `substantiation`.")
    substantiation: Standing = Field(description="Derived from the verdicts: substantiated, substantiated with "
                                                 "(acknowledged) disagreement, or why not.")
    toc_node_ids: list[int]
    substantiations: list[Substantiation]
    updated_at: datetime
    version: int = Field(description="Send it back when updating the outcome.")


class OutcomePage(Page[Outcome]):
    pass


class OutcomeQuery(PageQuery):
    status: OutcomeStatus | None = None
    harvest_id: Id | None = None
    type_of_change: ChangeType | None = None
    intention: Intention | None = None
    valence: Valence | None = None


class OutcomeInput(Schema):
    harvest_id: Id = Field(description="One of the project's harvests (see listHarvests).")
    description: text(LONG_TEXT, 1) = Field(description="Who changed what, when and where.")
    social_actor: text(300) = Field(default="", description="An organisation or a role, never a private person.")
    social_actor_kind: ActorKind = ActorKind.ORGANISATION
    change_agent: text(300) = ""
    change_date: date | None = None
    date_precision: DatePrecision = DatePrecision.MONTH
    country_code: text(2) | None = Field(default=None, description="ISO 3166-1 alpha-2.")
    area: text(200) = ""
    significance: text(LONG_TEXT) = ""
    contribution: text(LONG_TEXT) = ""
    sources: text(LONG_TEXT) = ""
    type_of_change: ChangeType
    intended: bool = True
    positive: bool = True
    toc_node_ids: list[Id] = Field(default_factory=list, max_length=100,
                                   description="Results of the project's theory of change the outcome relates to.")


class OutcomeUpdate(OutcomeInput):
    version: int = Field(ge=1, description="The version you last read; a stale version answers 409.")


class Harvest(Schema):
    id: int
    title: str
    period_start: date
    period_end: date
    questions: str
    step: HarvestStep


class HarvestPage(Page[Harvest]):
    pass


def substantiation_out(item: SubstantiationRow, outcome, donor):
    comment, withheld = services.shareable(item.comment, item.substantiator, donor)
    reason, _ = services.shareable(item.acknowledgement, item.substantiator, donor)
    return Substantiation(
        independent=item.substantiator.is_independent, verdict_description=item.verdict_description,
        verdict_significance=item.verdict_significance, verdict_contribution=item.verdict_contribution,
        comment=comment, comment_withheld=withheld, given_on=item.given_on,
        acknowledged_by=item.acknowledged_by_name if item.acknowledged_at else None, acknowledgement=reason,
        on_current_wording=item.wording_revision == outcome.wording_revision,
        substantiator_expertise=item.substantiator.expertise,
        substantiator_name=None if donor else item.substantiator.name,
        substantiator_organisation=None if donor else item.substantiator.organisation)


def outcome_out(outcome, donor):
    return Outcome(
        id=outcome.id, project=outcome.project.slug, harvest_id=None if donor else outcome.harvest_id,
        description=outcome.description, social_actor=outcome.social_actor,
        social_actor_kind=outcome.social_actor_kind, change_agent=outcome.change_agent,
        change_date=outcome.change_date, date_precision=outcome.date_precision, country_code=outcome.country_code,
        area=outcome.area, significance=outcome.significance, contribution=outcome.contribution,
        sources=None if donor else outcome.sources, type_of_change=outcome.change_type,
        intended=outcome.intention == Intention.INTENDED, positive=outcome.valence == Valence.POSITIVE,
        status=outcome.status, substantiation=services.outcome_standing(outcome),
        toc_node_ids=[node.id for node in outcome.toc_nodes],
        substantiations=[substantiation_out(item, outcome, donor) for item in outcome.substantiations],
        updated_at=outcome.updated_at, version=outcome.version)


def visible_outcomes(project):
    return outcomes_visible_to(current_user.role, sensitive_scope(get_session(), "outcome.view"), project.fund_id)


def audited(session, outcomes):
    """Audit the reads of these outcomes' full text (one INSERT), under a grant with its reason."""
    record_shown(session, "outcome", "outcome.view", outcomes, "api")
    return outcomes


@api.operation("GET", "/projects/<slug>/outcomes", operation_id="listOutcomes", tag=TAG,
               summary="List a project's outcomes with their substantiation", permission="outcome.view",
               scope="project", sensitive=True, query=OutcomeQuery, response=OutcomePage)
def list_outcomes(project, query):
    """Outcomes, latest change first. Donors get only substantiated (or analysed) outcomes. Each outcome
    returned is recorded in the audit trail as read."""
    session = get_session()
    donor = is_donor()
    statement = services.outcome_list_statement(
        visible_outcomes(project), project, status=query.status, harvest_id=query.harvest_id,
        change_type=query.type_of_change, valence=query.valence, intention=query.intention,
    ).options(*services.outcome_details())
    return page_of(OutcomePage, session, statement, query,
                   lambda outcomes: [outcome_out(item, donor) for item in audited(session, outcomes)])


def load_outcome(session, project, outcome_id):
    """The visible outcome, or an audited refusal answered exactly like an outcome that does not exist."""
    outcome = services.get_outcome(session, project, outcome_id, base=visible_outcomes(project))
    if outcome is None:
        services.deny_read(session, actor(), "outcome", outcome_id, project_id=project.id)
        transaction.keep_on_error()
        raise ApiProblem(404)
    return outcome


@api.operation("GET", "/projects/<slug>/outcomes/<int:outcome_id>", operation_id="getOutcome", tag=TAG,
               summary="Get an outcome", permission="outcome.view", scope="project", sensitive=True,
               response=Outcome)
def get_outcome(project, outcome_id):
    """One outcome with its substantiation (audited as a read)."""
    session = get_session()
    outcome = load_outcome(session, project, outcome_id)
    record_sensitive_read(session, "outcome", outcome.id, project)
    return outcome_out(outcome, is_donor())


def service_values(body):
    values = body.model_dump(exclude={"type_of_change", "intended", "positive", "version"})
    values.update(change_type=body.type_of_change,
                  intention=Intention.INTENDED if body.intended else Intention.UNINTENDED,
                  valence=Valence.POSITIVE if body.positive else Valence.NEGATIVE)
    return values


@api.operation("POST", "/projects/<slug>/outcomes", operation_id="createOutcome", tag=TAG,
               summary="Record an outcome (as a draft)", permission="outcome.edit", scope="project",
               body=OutcomeInput, response=Outcome, status=201)
def create_outcome(project, body):
    """Record a harvested outcome of one of the project's harvests. It starts as a draft; moving it through
    formulation and substantiation happens on the web."""
    session = get_session()
    outcome = services.create_outcome(session, actor(), project, service_values(body))
    return outcome_out(services.get_outcome(session, project, outcome.id), donor=False), 201


@api.operation("PUT", "/projects/<slug>/outcomes/<int:outcome_id>", operation_id="updateOutcome", tag=TAG,
               summary="Update an outcome", permission="outcome.edit", scope="project", body=OutcomeUpdate,
               response=Outcome, errors=(409,))
def update_outcome(project, outcome_id, body):
    """Replace the outcome's fields. Send the `version` you read: if someone changed the outcome since, the
    answer is 409 and nothing is saved. Rewording an outcome under substantiation sends it back to
    substantiation, as on the web."""
    session = get_session()
    outcome = load_outcome(session, project, outcome_id)
    values = service_values(body) | {"smart_checks": outcome.smart_checks}
    services.update_outcome(session, actor(), project, outcome, values, body.version)
    return outcome_out(services.get_outcome(session, project, outcome.id), donor=False)


class VerdictsInput(Schema):
    substantiator_id: Id = Field(description="One of the project's substantiators.")
    verdict_description: Verdict
    verdict_significance: Verdict
    verdict_contribution: Verdict
    comment: text(LONG_TEXT) = Field(default="", description="In the substantiator's words; required when they "
                                                             "disagree.")
    given_on: date = Field(description="Not in the future, and not before the outcome's change date.")


@api.operation("POST", "/projects/<slug>/outcomes/<int:outcome_id>/substantiations", operation_id="recordVerdicts",
               tag=TAG, summary="Record a substantiator's verdicts", permission="outcome.substantiate",
               scope="project", body=VerdictsInput, response=Outcome, status=201)
def record_verdicts(project, outcome_id, body):
    """Record one substantiator's verdicts on an outcome under substantiation. A substantiator who judged an
    earlier wording may judge the current one; their new verdicts replace the old ones."""
    session = get_session()
    outcome = load_outcome(session, project, outcome_id)
    services.record_substantiation(session, actor(), project, outcome, body.model_dump())
    return outcome_out(services.get_outcome(session, project, outcome.id), donor=False), 201


@api.operation("GET", "/projects/<slug>/harvests", operation_id="listHarvests", tag=TAG,
               summary="List a project's harvests", permission="outcome.edit", scope="project",
               query=PageQuery, response=HarvestPage)
def list_harvests(project, query):
    """The harvests new outcomes can belong to (for the project team and M&E staff)."""
    return page_of(HarvestPage, get_session(), services.harvests_statement(project), query,
                   lambda harvests: [Harvest(id=h.id, title=h.title, period_start=h.period_start,
                                             period_end=h.period_end, questions=h.questions, step=h.step)
                                     for h in harvests])


