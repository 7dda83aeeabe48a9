"""Contribution tracing records: mechanism components, the evidence sought for them, the stored update steps,
the fund's verbal confidence bands, and :func:`claim_summary`, the figures every page, the JSON API and
the PDF report show.

All arithmetic is :mod:`tracker.contribution.tracing.bayes`'s. Whenever a component's
prior or evidence changes, :func:`recompute` runs it again over the evidence in
recorded order and replaces the stored steps, so what is stored is always what
the pure module computes. Services validate, flush and audit; they never commit.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import AppendOnlyViolation
from tracker.audit.services import record
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.messages import lazy
from tracker.common.text import clean_line
from tracker.common.text import clean_text
from tracker.common.text import over_length
from tracker.contribution.models import ConfidenceBand
from tracker.contribution.models import CtComponent
from tracker.contribution.models import CtEvidence
from tracker.contribution.models import CtRevision
from tracker.contribution.models import CtStep
from tracker.contribution.tracing import bayes as tracing
from tracker.db_types import utcnow
from tracker.evidence.models import EvidenceItem
from tracker.portfolio.models import Project
from tracker.portfolio.services import fund_settings_changed

OBSERVATION_LABELS = {
    tracing.Observation.FOUND: lazy(N_("Found")),
    tracing.Observation.NOT_FOUND: lazy(N_("Sought and not found")),
    tracing.Observation.PENDING: lazy(N_("Pending: not yet sought")),
}
TEST_LABELS = {
    tracing.EvidenceTest.HOOP: lazy(N_("Hoop test")),
    tracing.EvidenceTest.SMOKING_GUN: lazy(N_("Smoking gun")),
    tracing.EvidenceTest.DOUBLY_DECISIVE: lazy(N_("Doubly decisive")),
    tracing.EvidenceTest.STRAW_IN_THE_WIND: lazy(N_("Straw in the wind")),
}
DISCONFIRMING_LABEL = lazy(N_("disconfirming: finding it lowers confidence"))
REVISED_FIELD_LABELS = {
    "prior": lazy(N_("Prior")),
    "sensitivity": lazy(N_("Sensitivity (Se)")),
    "type1_error": lazy(N_("Type I error (α)")),
    "observed": lazy(N_("Observation")),
}
WEAKEST_LINK_RULE = lazy(N_("A claim is only as strong as its weakest mechanism component: the claim's confidence "
                            "is the lowest of its components' confidences."))


MAX_ENTITY = 200
MAX_BAND_LABEL = 120


def probability(value, field):
    """``value`` as a number strictly between 0 and 1, or ValidationFailed on ``field`` (the input stays in the form).

    A decimal comma is accepted ("0,85"), as many of the fund's languages write it.
    """
    text = "" if value is None else str(value).strip().replace(",", ".")
    try:
        float(text)
    except ValueError:
        raise ValidationFailed.on(field, N_("Enter a number between 0 and 1, e.g. 0.85.")) from None
    try:
        return tracing.check_probability(text, field)
    except tracing.TracingInputError:
        raise ValidationFailed.on(field, N_("Must be strictly between 0 and 1: neither 0 nor 1 can be known for "
                                            "certain.")) from None


# Components ------------------------------------------------------------------------------------


def get_component(session, claim, component_id):
    return session.exec(select(CtComponent).where(CtComponent.id == component_id, CtComponent.claim_id == claim.id)
                        .options(selectinload(CtComponent.evidence), selectinload(CtComponent.steps))).first()


def get_ct_evidence(session, claim, ct_evidence_id):
    return session.exec(select(CtEvidence).join(CtComponent, CtComponent.id == CtEvidence.component_id)
                        .where(CtEvidence.id == ct_evidence_id, CtComponent.claim_id == claim.id)).first()


def component_loading():
    """Loader options for a claim's components with what :func:`claim_summary` reads."""
    return (selectinload(CtComponent.evidence).selectinload(CtEvidence.item), selectinload(CtComponent.steps))


def tracing_components(session, claim):
    """The claim's components with their evidence, linked items and steps (four queries, whatever their number)."""
    return list(session.exec(
        select(CtComponent).where(CtComponent.claim_id == claim.id)
        .options(selectinload(CtComponent.evidence).selectinload(CtEvidence.item), selectinload(CtComponent.steps))
        .order_by(CtComponent.position)))


def clean_component_values(values):
    cleaned = {"entity": clean_line(values.get("entity")), "activity": clean_text(values.get("activity"))}
    reasons = over_length(cleaned, {"entity": MAX_ENTITY}) + [(name, message) for name, message in (
        ("entity", N_("Name the entity: who or what acts (an organisation, a role, a system).")),
        ("activity", N_("Describe the activity: what the entity does in the mechanism."))) if not cleaned[name]]
    raw_prior = values.get("prior")
    try:
        cleaned["prior"] = tracing.DEFAULT_PRIOR if raw_prior in (None, "") else probability(raw_prior, "prior")
    except ValidationFailed as error:
        reasons += error.reasons
    if reasons:
        raise ValidationFailed(reasons)
    return cleaned


def add_component(session, actor, project, claim, values):
    cleaned = clean_component_values(values)
    position = max((component.position for component in claim.components), default=-1) + 1
    component = CtComponent(claim_id=claim.id, position=position, confidence=cleaned["prior"], **cleaned)
    claim.components.append(component)
    session.add(component)
    session.flush()
    keep_revisions(session, actor, component, None, [("prior", None, component.prior)], "")
    record(session, actor, "create", "ct_component", component.id, project_id=project.id,
           details={"claim": claim.id})
    return component


def update_component(session, actor, project, component, values, version):
    check_version(component, version)
    cleaned = clean_component_values(values)
    changes = revised(component, cleaned, ("prior",))
    reason = required_reason(values, changes)
    for name, value in cleaned.items():
        setattr(component, name, value)
    keep_revisions(session, actor, component, None, changes, reason)
    recompute(session, component)
    record(session, actor, "update", "ct_component", component.id, project_id=project.id,
           details={"claim": component.claim_id, "confidence": component.confidence})
    return component


def delete_component(session, actor, project, component):
    component_id, claim_id = component.id, component.claim_id
    session.delete(component)
    session.flush()
    record(session, actor, "delete", "ct_component", component_id, project_id=project.id, details={"claim": claim_id})


# Evidence for components ------------------------------------------------------------------------


def clean_ct_evidence_values(session, project, values):
    reasons = []
    cleaned = {"description": clean_text(values.get("description")), "rationale": clean_text(values.get("rationale"))}
    if not cleaned["description"]:
        reasons.append(("description", N_("Describe the evidence: what would be observed if the component holds.")))
    for field in ("sensitivity", "type1_error"):
        try:
            cleaned[field] = probability(values.get(field), field)
        except ValidationFailed as error:
            reasons += error.reasons
    try:
        cleaned["observed"] = tracing.Observation(values.get("observed") or tracing.Observation.PENDING)
    except ValueError:
        reasons.append(("observed", N_("Say whether the evidence was found, not found or is still pending.")))
    cleaned["evidence_id"] = values.get("evidence_id") or None
    if cleaned["evidence_id"] is not None and session.exec(select(EvidenceItem.id).where(
            EvidenceItem.id == cleaned["evidence_id"], EvidenceItem.project_id == project.id)).first() is None:
        reasons.append(("evidence_id", N_("Choose one of the project's evidence items.")))
    if reasons:
        raise ValidationFailed(reasons)
    return cleaned


def add_ct_evidence(session, actor, project, component, values, warn_if_disconfirming=False):
    """Record evidence sought for ``component`` after those already recorded, then recompute its steps.

    With ``warn_if_disconfirming`` (the web form), disconfirming evidence is saved only once the user has ticked
    ``confirm_disconfirming`` (see :func:`check_direction`).
    """
    cleaned = clean_ct_evidence_values(session, project, values)
    if warn_if_disconfirming:
        check_direction(cleaned, values)
    position = max((item.position for item in component.evidence), default=-1) + 1
    item = CtEvidence(component_id=component.id, position=position, recorded_by_id=actor.user_id, **cleaned)
    component.evidence.append(item)
    session.add(item)
    session.flush()
    keep_revisions(session, actor, component, item.id,
                   [(name, None, getattr(item, name)) for name in REVISED_EVIDENCE_FIELDS], "")
    recompute(session, component)
    record(session, actor, "create", "ct_evidence", item.id, project_id=project.id,
           details={"component": component.id, "confidence": component.confidence})
    return item


def update_ct_evidence(session, actor, project, item, values, version, warn_if_disconfirming=False):
    """Change an item (it keeps its place in the recorded order) and recompute its component.

    A change to Se, α or the observation needs a reason in ``values["reason"]`` and is kept as a revision.
    """
    check_version(item, version)
    cleaned = clean_ct_evidence_values(session, project, values)
    changes = revised(item, cleaned, REVISED_EVIDENCE_FIELDS)
    reasons = []
    for check in (lambda: required_reason(values, changes),
                  lambda: check_direction(cleaned, values, item) if warn_if_disconfirming else None):
        try:
            check()
        except ValidationFailed as error:
            reasons += error.reasons
    if reasons:
        raise ValidationFailed(reasons)
    for name, value in cleaned.items():
        setattr(item, name, value)
    item.updated_at = utcnow()
    session.add(item)
    session.flush()
    keep_revisions(session, actor, item.component, item.id, changes, clean_text(values.get("reason")))
    recompute(session, item.component)
    record(session, actor, "update", "ct_evidence", item.id, project_id=project.id,
           details={"component": item.component_id, "confidence": item.component.confidence})
    return item


def delete_ct_evidence(session, actor, project, item):
    component, item_id = item.component, item.id
    clear_steps(session, component)
    component.evidence.remove(item)
    session.delete(item)
    session.flush()
    recompute(session, component)
    record(session, actor, "delete", "ct_evidence", item_id, project_id=project.id,
           details={"component": component.id, "confidence": component.confidence})


def clear_steps(session, component):
    """Delete the component's stored steps (before its evidence changes or the steps are computed again)."""
    for step in list(component.steps):
        component.steps.remove(step)
    session.flush()


def recompute(session, component):
    """Run the tracing module over the component's evidence in recorded order and store every step it returns."""
    evidence = sorted(component.evidence, key=lambda item: item.position)
    result = tracing.trace_component(
        [tracing.EvidenceItem(item.id, item.sensitivity, item.type1_error, item.observed) for item in evidence],
        prior=component.prior)
    clear_steps(session, component)
    component.steps.extend(
        CtStep(ct_evidence_id=step.evidence_id, position=position, observed=step.observed,
               sensitivity=step.sensitivity, type1_error=step.type1_error, test_type=step.test_type,
               prior=step.prior, posterior=step.posterior)
        for position, step in enumerate(result.steps))
    component.confidence = result.confidence
    session.add(component)
    session.flush()
    return result


# Direction and revisions ------------------------------------------------------------------------

REVISED_EVIDENCE_FIELDS = ("sensitivity", "type1_error", "observed")


def check_direction(cleaned, values, item=None):
    """Refuse disconfirming evidence (Se < α) until ``values["confirm_disconfirming"]`` says the user meant it.

    Finding such an item lowers the confidence in the component, which a hurried "smoking gun" with Se 0.05 and
    α 0.10 does without a word. Once saved as disconfirming, an item is not questioned again on each edit.
    """
    if not tracing.disconfirming(cleaned["sensitivity"], cleaned["type1_error"]) or values.get("confirm_disconfirming"):
        return
    if item is not None and tracing.disconfirming(item.sensitivity, item.type1_error):
        return
    raise ValidationFailed.on("confirm_disconfirming", N_(
        "Se (%(sensitivity)s) is below α (%(type1_error)s): this evidence is likelier if the component does not "
        "hold, so finding it lowers the confidence. It will be shown as disconfirming evidence. Check the two "
        "probabilities; if they are right, tick the box to save it.",
        sensitivity=f"{cleaned['sensitivity']:g}", type1_error=f"{cleaned['type1_error']:g}"))


def revised(record_, cleaned, fields):
    """``[(field, old, new)]`` for the tracked ``fields`` whose value ``cleaned`` changes on ``record_``."""
    return [(name, getattr(record_, name), cleaned[name]) for name in fields if getattr(record_, name) != cleaned[name]]


def required_reason(values, changes):
    """The reason given for ``changes`` (cleaned), or ValidationFailed on ``reason`` if they need one and have none.

    The method depends on probabilities fixed before the evidence is seen: a change after the fact must say why.
    """
    reason = clean_text(values.get("reason"))
    if changes and not reason:
        raise ValidationFailed.on("reason", N_(
            "Say why you change %(fields)s: contribution tracing depends on probabilities fixed before the evidence "
            "is seen, so every later change is kept with its reason.",
            fields=", ".join(name for name, _old, _new in changes)))
    return reason


def revision_value(value):
    """A tracked value as stored in a revision: an observation's code, or the probability's exact decimal."""
    if value is None:
        return None
    return value.value if isinstance(value, tracing.Observation) else repr(float(value))


def keep_revisions(session, actor, component, ct_evidence_id, changes, reason):
    """Append one :class:`CtRevision` per changed input (never changed or deleted afterwards)."""
    at = utcnow()
    for name, old, new in changes:
        session.add(CtRevision(claim_id=component.claim_id, component_id=component.id, ct_evidence_id=ct_evidence_id,
                               field=name, old_value=revision_value(old), new_value=revision_value(new),
                               reason=reason, changed_by_id=actor.user_id, changed_by=actor.email, changed_at=at))
    session.flush()


@sa.event.listens_for(Session, "before_flush")
def refuse_changed_revisions(session, _flush_context, _instances):
    """The ORM half of the append-only rule (the triggers of migration 0019 are the database's)."""
    if any(isinstance(row, CtRevision) and session.is_modified(row) for row in session.dirty) or any(
            isinstance(row, CtRevision) for row in session.deleted):
        raise AppendOnlyViolation("tracing revisions can only be added, never changed or deleted")


@sa.event.listens_for(Session, "do_orm_execute")
def refuse_bulk_revision_changes(state):
    """Also refuse ``session.execute(update(CtRevision))`` and ``delete(CtRevision)``."""
    if (state.is_update or state.is_delete) and any(mapper.class_ is CtRevision for mapper in state.all_mappers):
        raise AppendOnlyViolation("tracing revisions can only be added, never changed or deleted")


def claim_revisions(session, claim_id):
    """Every revision of the claim's tracing inputs, oldest first (one query)."""
    return list(session.exec(select(CtRevision).where(CtRevision.claim_id == claim_id)
                             .order_by(CtRevision.changed_at, CtRevision.id)))


def revision_summary(revision):
    return {"id": revision.id, "component_id": revision.component_id, "evidence_id": revision.ct_evidence_id,
            "field": revision.field, "old_value": revision.old_value, "new_value": revision.new_value,
            "reason": revision.reason, "changed_by": revision.changed_by, "changed_at": revision.changed_at}


# Verbal bands -----------------------------------------------------------------------------------


def fund_bands(session, fund_id):
    """The fund's verbal scale as :class:`tracing.Band` objects, lowest first; the default scale if it has none.

    Exactly 0.5 is "as likely as not" on every scale (see :data:`tracing.AS_LIKELY_AS_NOT`).
    """
    rows = session.exec(select(ConfidenceBand).where(ConfidenceBand.fund_id == fund_id)
                        .order_by(ConfidenceBand.lower_bound)).all()
    if not rows:
        return tracing.DEFAULT_BANDS
    return tracing.with_midpoint(tracing.Band(row.lower_bound, row.label) for row in rows)


def bands_as_text(bands):
    return "\n".join(f"{band.lower:.2f} {band.label}" for band in sorted(bands, key=tracing.scale_order)
                     if not band.exact)


def parse_bands(text):
    """Read one band per line, "lower bound, then the words": e.g. ``0.50 more confident than not``."""
    bands, reasons = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        bound, _sep, label = line.strip().partition(" ")
        try:
            lower = float(bound.replace(",", "."))
        except ValueError:
            reasons.append(N_("Line %(number)d does not start with a number.", number=number))
            continue
        if not 0 <= lower < 1 or not label.strip():
            reasons.append(N_("Line %(number)d needs a lower bound from 0 up to (not including) 1, then the words.",
                              number=number))
            continue
        if len(clean_line(label)) > MAX_BAND_LABEL:
            reasons.append(N_("Line %(number)d: keep the words under %(count)d characters.", number=number,
                              count=MAX_BAND_LABEL))
            continue
        bands.append(tracing.Band(lower, clean_line(label)))
    lowers = [band.lower for band in bands]
    if not reasons and (0.0 not in lowers):
        reasons.append(N_("The scale must start at 0 so that every confidence has words."))
    if len(set(lowers)) != len(lowers):
        reasons.append(N_("Two lines have the same lower bound."))
    if reasons:
        raise ValidationFailed([("bands", reason) for reason in reasons])
    return sorted(bands, key=lambda band: band.lower)


def save_bands(session, actor, fund, text, version):
    """Replace the fund's verbal scale (an empty text restores the default scale). ``version`` is the fund's."""
    check_version(fund, version)
    bands = parse_bands(text) if (text or "").strip() else []
    rows = session.exec(select(ConfidenceBand).where(ConfidenceBand.fund_id == fund.id)
                        .order_by(ConfidenceBand.lower_bound)).all()
    if [tracing.Band(row.lower_bound, row.label) for row in rows] != bands:  # the midpoint is never stored
        fund_settings_changed(session, fund)
    for row in rows:
        session.delete(row)
    session.flush()
    for band in bands:
        session.add(ConfidenceBand(fund_id=fund.id, lower_bound=band.lower, label=band.label))
    session.flush()
    record(session, actor, "update", "confidence_bands", fund.id, details={"bands": len(bands)})
    return bands


# The figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A claim's contribution-tracing figures as the pages show them (see :func:`claim_summary` for plain data)."""

    confidence: float | None
    band: str | None
    weakest_component_id: int | None
    pattern: str = "0.000"


def figure_pattern(confidence, bands):
    """The number pattern printing ``confidence`` consistently with its band (see :func:`tracing.figure_decimals`)."""
    return "0." + "0" * tracing.figure_decimals(confidence, bands) if confidence is not None else "0.000"


def claim_figures(components, bands):
    confidence = tracing.claim_confidence(component.confidence for component in components)
    weakest = min(components, key=lambda component: (component.confidence, component.position)) if components else None
    return Figures(confidence, tracing.verbal_band(confidence, bands), weakest.id if weakest else None,
                   figure_pattern(confidence, bands))


def claim_summary(session, claim, bands=None, components=None):
    """The claim's tracing figures as plain data, for the claim page, the JSON API and the PDF report alike.

    ``{"id", "title", "step", "qualitative_confidence", "confidence", "band", "confidence_pattern", "rule",
    "weakest_component_id", "components": [{"id", "position", "entity", "activity", "prior", "confidence",
    "band", "confidence_pattern", "steps": [{"evidence_id", "evidence_item_id", "description", "position",
    "observed", "sensitivity", "type1_error", "test_type", "disconfirming", "prior", "posterior"}]}]}``.
    ``confidence_pattern`` is the number pattern that prints the confidence consistently with its band.
    A step's ``evidence_id`` is the CT evidence it applies
    (the id :func:`tracing.trace_component` was given), ``evidence_item_id`` the evidence item that evidence rests on,
    if any. ``confidence`` and ``band`` are None for a claim without components.
    """
    if bands is None:
        bands = fund_bands(session, claim_fund_id(session, claim))
    if components is None:
        components = tracing_components(session, claim)
    figures = claim_figures(components, bands)
    return {
        "id": claim.id,
        "title": claim.title,
        "step": claim.step.value,
        "qualitative_confidence": claim.confidence.value,
        "confidence": figures.confidence,
        "band": figures.band,
        "confidence_pattern": figures.pattern,
        "rule": "weakest_component",
        "weakest_component_id": figures.weakest_component_id,
        "components": [component_summary(component, bands) for component in components],
    }


def component_summary(component, bands):
    items = {item.id: item for item in component.evidence}
    return {
        "id": component.id,
        "position": component.position,
        "entity": component.entity,
        "activity": component.activity,
        "prior": component.prior,
        "confidence": component.confidence,
        "band": tracing.verbal_band(component.confidence, bands),
        "confidence_pattern": figure_pattern(component.confidence, bands),
        "steps": [step_summary(step, items.get(step.ct_evidence_id)) for step in component.steps],
    }


def step_summary(step, item):
    return {
        "evidence_id": step.ct_evidence_id,
        "evidence_item_id": item.evidence_id if item is not None else None,
        "description": item.description if item is not None else "",
        "position": step.position,
        "observed": step.observed.value,
        "sensitivity": step.sensitivity,
        "type1_error": step.type1_error,
        "test_type": step.test_type.value,
        "disconfirming": tracing.disconfirming(step.sensitivity, step.type1_error),
        "prior": step.prior,
        "posterior": step.posterior,
    }


def claim_fund_id(session, claim):
    return session.exec(select(Project.fund_id).where(Project.id == claim.project_id)).one()


def claims_figures(session, claims, fund_id):
    """``{claim_id: Figures}`` for claims whose components are loaded (one query for the bands)."""
    bands = fund_bands(session, fund_id)
    return {claim.id: claim_figures(claim.components, bands) for claim in claims}


