"""Contribution claims and contribution tracing: claims, mechanism components, tracing evidence, figures.

The figures come from :func:`tracker.contribution.tracing.services.claim_summary`, the same
function the claim page and the PDF report use, so all three always agree. The qualitative
confidence is judged at read time by the same rule as on the web
(:func:`tracker.contribution.services.confidence_judgement`): a stated "strong" that no longer
holds is answered lowered, with the reasons. Donors get no claim endpoints (as on the web);
grantees read their projects' claims; M&E staff write them.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field
from sqlalchemy.orm import selectinload

from tracker.api.blueprint import api
from tracker.api.common import Id
from tracker.api.common import Page
from tracker.api.common import PageQuery
from tracker.api.common import Schema
from tracker.api.common import page_of
from tracker.api.common import text
from tracker.api.problems import ApiProblem
from tracker.api.registry import project_access
from tracker.contribution import services
from tracker.contribution.models import ClaimLevel
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import CtComponent
from tracker.contribution.models import Necessity
from tracker.contribution.models import QualitativeConfidence
from tracker.contribution.models import Sufficiency
from tracker.contribution.tracing import services as tracing_services
from tracker.contribution.tracing.bayes import EvidenceTest
from tracker.contribution.tracing.bayes import classify
from tracker.contribution.tracing.bayes import disconfirming
from tracker.db import get_session
from tracker.portfolio.models import Project
from tracker.web.access import actor

TAG = "Contribution claims"


class TracingStep(Schema):
    evidence_id: int = Field(description="The tracing evidence this update applied.")
    position: int
    observed: Literal["found", "not_found", "pending"]
    sensitivity: float
    type1_error: float
    test_type: EvidenceTest = Field(description="Named in the direction the evidence points (see `disconfirming`).")
    disconfirming: bool = Field(description="Se < α: finding this evidence lowers the confidence in the component.")
    prior: float
    posterior: float


class Component(Schema):
    id: int
    position: int
    entity: str
    activity: str
    prior: float
    confidence: float = Field(description="The last posterior (the prior while no evidence is recorded).")
    band: str | None
    steps: list[TracingStep]


class Claim(Schema):
    id: int
    project: str
    title: str
    cause_effect_question: str
    claim_text: str
    outcome_node_id: int | None = Field(description="The result the claim is about; null while at step 1.")
    level: ClaimLevel
    step: str = Field(description="Mayne's step the claim is at.")
    pathway: list[int] = Field(description="The causal pathway: ToC link ids in order.")
    causal_package: str
    necessity: Necessity = Field(description="Whether the project was a necessary part of the causal package.")
    sufficiency: Sufficiency = Field(description="Whether the causal package was sufficient for the result (INUS).")
    qualitative_confidence: QualitativeConfidence = Field(
        description="The team's judgement as the confidence rule allows it now: a stated `strong` that no longer "
                    "holds is answered as `moderate`, with `qualitative_confidence_lowered_because`.")
    stated_qualitative_confidence: QualitativeConfidence = Field(description="The judgement the team recorded.")
    qualitative_confidence_lowered_because: list[str] = Field(
        description="Why a stated `strong` no longer holds (empty when it is shown as stated).")
    low_tracing_reason: str = Field(description="Why the team judges the claim strong although contribution "
                                                "tracing puts it below 0.5.")
    confidence: float | None = Field(description="The weakest component's confidence; null without components.")
    band: str | None = Field(description="The verbal band of `confidence` in the fund's scale.")
    rule: Literal["weakest_component"] = Field(description="How the claim's confidence is derived.")
    weakest_component_id: int | None
    components: list[Component]
    version: int


class ClaimPage(Page[Claim]):
    pass


class ClaimInput(Schema):
    title: text(200, 1)
    cause_effect_question: text(20_000, 1)
    claim_text: text(20_000) = ""
    outcome_node_id: Id | None = Field(default=None, description="An outcome or the impact of the project's ToC.")
    level: ClaimLevel = ClaimLevel.DIRECT_INFLUENCE
    pathway: list[Id] = Field(default_factory=list, max_length=8,
                              description="ToC link ids in causal order; each link's effect is the next one's cause.")
    causal_package: text(20_000) = ""
    necessity: Necessity = Necessity.NOT_YET_KNOWN
    sufficiency: Sufficiency = Sufficiency.NOT_YET_KNOWN
    qualitative_confidence: QualitativeConfidence = Field(
        default=QualitativeConfidence.NOT_ASSESSED,
        description="`strong` needs every assumption on the pathway supported or partly supported, no alternative "
                    "explanation still plausible, and a tracing confidence of 0.5 or more unless "
                    "`low_tracing_reason` says why.")
    low_tracing_reason: text(20_000) = ""


class ClaimUpdate(ClaimInput):
    version: int = Field(ge=1, description="The version you last read; a stale version answers 409.")


class ComponentInput(Schema):
    entity: text(200, 1) = Field(description="Who or what acts: an organisation, a role, a system.")
    activity: text(20_000, 1) = Field(description="What the entity does in the mechanism.")
    prior: float | None = Field(default=None, gt=0, lt=1, description="Defaults to 0.5.")


class EvidenceInput(Schema):
    description: text(20_000, 1)
    sensitivity: float = Field(gt=0, lt=1, description="Se = P(evidence | component true).")
    type1_error: float = Field(gt=0, lt=1, description="α = P(evidence | component false).")
    observed: Literal["found", "not_found", "pending"] = "pending"
    rationale: text(20_000) = ""
    evidence_item_id: Id | None = Field(default=None, description="The project's evidence item it rests on.")


class TracingEvidence(Schema):
    id: int
    component_id: int
    description: str
    sensitivity: float
    type1_error: float
    observed: Literal["found", "not_found", "pending"]
    test_type: EvidenceTest = Field(description="Derived from Se and α: hoop (Se ≥ 0.8), smoking gun (α ≤ 0.2), "
                                                "doubly decisive (both) or straw in the wind (neither); for "
                                                "disconfirming evidence with Se and α in swapped roles.")
    disconfirming: bool = Field(description="Se < α: finding this evidence lowers the confidence in the component.")
    position: int
    component_confidence: float


class TracingRevision(Schema):
    id: int
    component_id: int
    evidence_id: int | None = Field(description="The tracing evidence changed; null for a change to the prior.")
    field: Literal["prior", "sensitivity", "type1_error", "observed"]
    old_value: str | None = Field(description="Null when the value was first set.")
    new_value: str
    reason: str
    changed_by: str
    changed_at: datetime


class TracingRevisionList(Schema):
    items: list[TracingRevision]


def claim_out(session, claim, project, bands=None, components=None):
    summary = tracing_services.claim_summary(session, claim, bands, components)
    judgement = services.confidence_judgement(claim)
    return Claim(
        id=claim.id, project=project.slug, title=claim.title, cause_effect_question=claim.question,
        claim_text=claim.claim_text, outcome_node_id=claim.outcome_node_id, level=claim.level, step=claim.step.value,
        pathway=[item.link_id for item in claim.pathway], causal_package=claim.causal_package,
        necessity=claim.necessity, sufficiency=claim.sufficiency, qualitative_confidence=judgement.shown,
        stated_qualitative_confidence=judgement.stated,
        qualitative_confidence_lowered_because=[str(services.strong_reason(problem))
                                                for problem in judgement.problems],
        low_tracing_reason=claim.low_tracing_reason,
        confidence=summary["confidence"], band=summary["band"], rule=summary["rule"],
        weakest_component_id=summary["weakest_component_id"], version=claim.version,
        components=[component_out(component) for component in summary["components"]])


def component_out(component):
    return Component(
        id=component["id"], position=component["position"], entity=component["entity"],
        activity=component["activity"], prior=component["prior"], confidence=component["confidence"],
        band=component["band"],
        steps=[TracingStep(**{name: step[name] for name in TracingStep.model_fields}) for step in component["steps"]])


def api_field(field):
    """The API's name of a claim form field: pathway slots are ``pathway.<index>``, the question is named in full."""
    if field and field.startswith(services.SLOT_PREFIX):
        return f"pathway.{int(field[len(services.SLOT_PREFIX):]) - 1}"
    return {"question": "cause_effect_question", "confidence": "qualitative_confidence"}.get(field, field)


def claim_in_scope(session, claim_id, permission):
    """The claim with id ``claim_id`` and its project, if the caller holds ``permission`` there; else 404."""
    claim = session.get(ContributionClaim, claim_id)
    project = session.get(Project, claim.project_id) if claim is not None else None
    project_access(project, permission)
    return services.get_claim(session, project, claim_id), project


@api.operation("GET", "/projects/<slug>/claims", operation_id="listClaims", tag=TAG,
               summary="List a project's contribution claims", permission="contribution.view", scope="project",
               query=PageQuery, response=ClaimPage)
def list_claims(project, query):
    """The project's claims, most recently changed first, each with its tracing figures."""
    session = get_session()
    bands = tracing_services.fund_bands(session, project.fund_id)
    statement = services.claims_statement(project).options(
        selectinload(ContributionClaim.components).options(*tracing_services.component_loading()))

    def serialise(claims):
        return [claim_out(session, claim, project, bands, sorted(claim.components, key=lambda c: c.position))
                for claim in claims]

    return page_of(ClaimPage, session, statement, query, serialise)


@api.operation("POST", "/projects/<slug>/claims", operation_id="createClaim", tag=TAG,
               summary="Create a contribution claim", permission="contribution.edit", scope="project",
               body=ClaimInput, response=Claim, status=201, field_names=api_field)
def create_claim(project, body):
    """Create a claim at Mayne's step 1. A title and a cause–effect question are enough; the claim, the result it
    is about and its causal pathway (which must chain) can be given now or on the web, and are needed to leave
    step 1."""
    session = get_session()
    claim = services.create_claim(session, actor(), project, claim_values(body), draft=True)
    return claim_out(session, services.get_claim(session, project, claim.id), project), 201


def claim_values(body):
    """The service's values from a claim input (the API names the question and the confidence in full)."""
    return {"title": body.title, "question": body.cause_effect_question, "claim_text": body.claim_text,
            "outcome_node_id": body.outcome_node_id, "level": body.level, "pathway": body.pathway,
            "causal_package": body.causal_package, "necessity": body.necessity, "sufficiency": body.sufficiency,
            "confidence": body.qualitative_confidence, "low_tracing_reason": body.low_tracing_reason}


@api.operation("PUT", "/claims/<int:claim_id>", operation_id="updateClaim", tag=TAG,
               summary="Update a contribution claim", permission="contribution.edit", scope="object",
               body=ClaimUpdate, response=Claim, errors=(409,), field_names=api_field)
def update_claim(claim_id, body):
    """Replace the claim's fields and pathway. Send the `version` you read: if someone changed the claim since, the
    answer is 409 and nothing is saved. Past step 1 the claim needs its `claim_text` and result; `strong` is
    refused when the confidence rule does not hold."""
    session = get_session()
    claim, project = claim_in_scope(session, claim_id, "contribution.edit")
    services.update_claim(session, actor(), project, claim, claim_values(body), body.version)
    return claim_out(session, services.get_claim(session, project, claim.id), project)


@api.operation("GET", "/claims/<int:claim_id>", operation_id="getClaim", tag=TAG,
               summary="Get a claim with its contribution-tracing figures", permission="contribution.view",
               scope="object", response=Claim)
def get_claim(claim_id):
    """The claim, its components and every stored update step; `confidence` is the weakest component's."""
    session = get_session()
    claim, project = claim_in_scope(session, claim_id, "contribution.view")
    return claim_out(session, claim, project)


@api.operation("POST", "/claims/<int:claim_id>/components", operation_id="addComponent", tag=TAG,
               summary="Add a mechanism component to a claim", permission="contribution.edit", scope="object",
               body=ComponentInput, response=Component, status=201)
def add_component(claim_id, body):
    """A mechanism component (an entity doing an activity) with its prior (0.5 when left out)."""
    session = get_session()
    claim, project = claim_in_scope(session, claim_id, "contribution.edit")
    component = tracing_services.add_component(session, actor(), project, claim, body.model_dump())
    bands = tracing_services.fund_bands(session, project.fund_id)
    loaded = tracing_services.get_component(session, claim, component.id)
    return component_out(tracing_services.component_summary(loaded, bands)), 201


@api.operation("POST", "/components/<int:component_id>/evidence", operation_id="addTracingEvidence", tag=TAG,
               summary="Record evidence sought for a component", permission="contribution.edit", scope="object",
               body=EvidenceInput, response=TracingEvidence, status=201)
def add_evidence(component_id, body):
    """Evidence sought for the component, applied after the evidence already recorded; the component's steps and
    confidence are recomputed at once."""
    session = get_session()
    component = session.get(CtComponent, component_id)
    if component is None:
        raise ApiProblem(404)
    claim, project = claim_in_scope(session, component.claim_id, "contribution.edit")
    values = {**body.model_dump(exclude={"evidence_item_id"}), "evidence_id": body.evidence_item_id}
    item = tracing_services.add_ct_evidence(session, actor(), project, component, values)
    return TracingEvidence(
        id=item.id, component_id=component.id, description=item.description, sensitivity=item.sensitivity,
        type1_error=item.type1_error, observed=item.observed.value, position=item.position,
        test_type=classify(item.sensitivity, item.type1_error),
        disconfirming=disconfirming(item.sensitivity, item.type1_error),
        component_confidence=component.confidence), 201


@api.operation("GET", "/claims/<int:claim_id>/tracing-revisions", operation_id="getTracingRevisions", tag=TAG,
               summary="List every change to a claim's tracing inputs", permission="contribution.view",
               scope="object", response=TracingRevisionList)
def list_tracing_revisions(claim_id):
    """Every value the priors, Se, α and observations of the claim's tracing have had, oldest first, with who
    changed them, when and why. Read-only: revisions are never changed or deleted."""
    session = get_session()
    claim, _project = claim_in_scope(session, claim_id, "contribution.view")
    return TracingRevisionList(items=[TracingRevision(**tracing_services.revision_summary(revision))
                                      for revision in tracing_services.claim_revisions(session, claim.id)])
