"""Outcome Harvesting services: harvests, outcomes and their status, substantiators and verdicts.

Every object is looked up *within* its project, so ids of other projects are
simply not found. Services validate, flush and audit; they never commit.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import record
from tracker.common.countries import is_country
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.text import clean_line
from tracker.common.text import clean_text
from tracker.db_types import utcnow
from tracker.outcomes import smart
from tracker.outcomes import workflow
from tracker.outcomes.actors import looks_like_a_person
from tracker.outcomes.models import ActorKind
from tracker.outcomes.models import ChangeType
from tracker.outcomes.models import DatePrecision
from tracker.outcomes.models import Harvest
from tracker.outcomes.models import HarvestStep
from tracker.outcomes.models import Intention
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.models import OutcomeTocNode
from tracker.outcomes.models import Substantiation
from tracker.outcomes.models import Substantiator
from tracker.outcomes.models import Valence
from tracker.outcomes.models import Verdict
from tracker.outcomes.summary import VerdictInput
from tracker.outcomes.summary import summarise
from tracker.privacy.pii import find_personal_data
from tracker.toc.models import TocNode

WORDING_FIELDS = ("description", "significance", "contribution")
TEXT_FIELDS = ("description", "significance", "contribution", "sources")
LINE_FIELDS = ("social_actor", "change_agent", "area")


# Harvests --------------------------------------------------------------------------


def harvests_statement(project):
    return select(Harvest).where(Harvest.project_id == project.id).order_by(Harvest.period_start.desc(), Harvest.id)


def project_harvests(session, project):
    """The project's harvests, newest first (a short list: for choices and filters)."""
    return list(session.exec(harvests_statement(project)))


def get_harvest(session, project, harvest_id):
    harvest = session.get(Harvest, harvest_id)
    return harvest if harvest is not None and harvest.project_id == project.id else None


def clean_harvest_values(values):
    return {
        "title": clean_line(values.get("title")),
        "period_start": values.get("period_start"),
        "period_end": values.get("period_end"),
        "questions": clean_text(values.get("questions")),
        "intended_uses": clean_text(values.get("intended_uses")),
        "step": HarvestStep(values.get("step") or HarvestStep.DESIGN),
    }


def validate_harvest(values):
    reasons = []
    if not values["title"]:
        reasons.append(("title", N_("Give the harvest a title.")))
    if not values["questions"]:
        reasons.append(("questions", N_("Write the harvest questions the harvest answers.")))
    if values["period_start"] is None:
        reasons.append(("period_start", N_("Give the first day of the period the harvest covers.")))
    if values["period_end"] is None:
        reasons.append(("period_end", N_("Give the last day of the period the harvest covers.")))
    elif values["period_start"] and values["period_end"] < values["period_start"]:
        reasons.append(("period_end", N_("The period must not end before it starts.")))
    if reasons:
        raise ValidationFailed(reasons)


def save_harvest(session, actor, project, values, harvest=None, version=None):
    """Create a harvest of ``project``, or update ``harvest`` (checking the version the user edited)."""
    if harvest is not None:
        check_version(harvest, version)
    values = clean_harvest_values(values)
    validate_harvest(values)
    action = "update" if harvest is not None else "create"
    harvest = harvest or Harvest(project_id=project.id, **values)
    fields = sorted(name for name, value in values.items() if getattr(harvest, name) != value) \
        if action == "update" else sorted(values)
    for name, value in values.items():
        setattr(harvest, name, value)
    harvest.updated_at = utcnow()
    session.add(harvest)
    session.flush()
    record(session, actor, action, "harvest", harvest.id, project_id=project.id, details={"fields": fields})
    return harvest


# Outcomes: reading -----------------------------------------------------------------


def outcome_list_statement(base, project=None, *, status=None, harvest_id=None, change_type=None,
                           valence=None, intention=None):
    """Filter, eager-load and order ``base`` (a ``SELECT outcome`` from :mod:`tracker.outcomes.sharing`)."""
    # The substantiators come joined to the verdicts: one query for both, whatever the page holds.
    statement = base.options(selectinload(Outcome.harvest), selectinload(Outcome.project),
                             selectinload(Outcome.substantiations).joinedload(Substantiation.substantiator))
    if project is not None:
        statement = statement.where(Outcome.project_id == project.id)
    for column, value in ((Outcome.status, status), (Outcome.harvest_id, harvest_id),
                          (Outcome.change_type, change_type), (Outcome.valence, valence),
                          (Outcome.intention, intention)):
        if value:
            statement = statement.where(column == value)
    return statement.order_by(Outcome.change_date.desc().nulls_last(), Outcome.id.desc())


def outcome_details():
    return (selectinload(Outcome.harvest), selectinload(Outcome.project), selectinload(Outcome.toc_nodes),
            selectinload(Outcome.substantiations).joinedload(Substantiation.substantiator))


def get_outcome(session, project, outcome_id, base=None):
    """The outcome ``outcome_id`` of ``project`` (within ``base``, a visibility SELECT, if given), or None."""
    statement = (base if base is not None else select(Outcome)).where(
        Outcome.id == outcome_id, Outcome.project_id == project.id)
    return session.exec(statement.options(*outcome_details())).first()


def read_outcome(session, actor, outcome):
    """Audit that ``actor`` read the outcome's full text."""
    record(session, actor, "read", "outcome", outcome.id, project_id=outcome.project_id)


def deny_read(session, actor, object_type, object_id, project_id=None):
    """Audit a refused read (the user gets the same 404 as for a record that does not exist)."""
    record(session, actor, "denied_read", object_type, object_id, project_id=project_id)


def toc_nodes(session, project):
    """The project's theory-of-change nodes, in causal order, for choosing links."""
    return list(session.exec(select(TocNode).where(TocNode.project_id == project.id)
                             .order_by(TocNode.level, TocNode.position, TocNode.id)))


def substantiation_summary(outcome, for_donor=False):
    """Summarise ``outcome``'s verdicts, with the derived substantiation standing.

    Donors see substantiators by expertise, never by name, and a comment (or an
    acknowledgement's reason) only when the personal-data review finds nothing in it.
    """
    return summarise([verdict_input(item, outcome, for_donor) for item in outcome.substantiations])


def verdict_input(item, outcome, for_donor):
    person = item.substantiator
    comment, withheld = shareable(item.comment, person, for_donor)
    reason, _ = shareable(item.acknowledgement, person, for_donor)
    return VerdictInput(
        substantiator=person.expertise if for_donor else person.name,
        expertise=person.expertise,
        is_independent=person.is_independent,
        description=item.verdict_description,
        significance=item.verdict_significance,
        contribution=item.verdict_contribution,
        comment=comment,
        on_current_wording=item.wording_revision == outcome.wording_revision,
        acknowledged_by=item.acknowledged_by_name if item.acknowledged_at else "",
        acknowledgement=reason,
        comment_withheld=withheld,
    )


def shareable(text, substantiator, for_donor):
    """``(text as the reader may see it, withheld?)``: donors get no text the personal-data review flags."""
    if not for_donor or not text:
        return text, False
    if find_personal_data(text, known_names=(substantiator.name,)):
        return "", True
    return text, False


def outcome_standing(outcome):
    """The derived substantiation standing of ``outcome`` (see :func:`tracker.outcomes.summary.standing`)."""
    return substantiation_summary(outcome).standing


def count_by_node(session, node_ids, visible_ids=None):
    """``{node_id: outcomes linked}``, of ``visible_ids`` only if given (see :mod:`tracker.toc.attachments`)."""
    statement = sa.select(OutcomeTocNode.node_id, sa.func.count()).where(OutcomeTocNode.node_id.in_(list(node_ids)))
    if visible_ids is not None:
        statement = statement.where(OutcomeTocNode.outcome_id.in_(visible_ids))
    return dict(session.execute(statement.group_by(OutcomeTocNode.node_id)).all())


# Outcomes: writing -----------------------------------------------------------------


def normalise_date(value, precision):
    """Keep only what ``precision`` asserts: the first of the month, or 1 January."""
    if value is None:
        return None
    if precision is DatePrecision.MONTH:
        return value.replace(day=1)
    if precision is DatePrecision.YEAR:
        return date(value.year, 1, 1)
    return value


def clean_outcome_values(values):
    cleaned = {name: clean_text(values.get(name)) for name in TEXT_FIELDS}
    cleaned.update({name: clean_line(values.get(name)) for name in LINE_FIELDS})
    precision = DatePrecision(values.get("date_precision") or DatePrecision.MONTH)
    cleaned.update(
        harvest_id=values.get("harvest_id"),
        social_actor_kind=ActorKind(values.get("social_actor_kind") or ActorKind.ORGANISATION),
        date_precision=precision,
        change_date=normalise_date(values.get("change_date"), precision),
        country_code=(values.get("country_code") or "").strip().upper() or None,
        change_type=ChangeType(values["change_type"]),
        intention=Intention(values.get("intention") or Intention.INTENDED),
        valence=Valence(values.get("valence") or Valence.POSITIVE),
        smart_checks=smart.clean_checks(values.get("smart_checks")),
    )
    return cleaned


def validate_outcome(session, project, values, status, today, outcome=None):
    reasons = []
    if not values["description"]:
        reasons.append(("description", N_("Describe who changed what, when and where.")))
    if get_harvest(session, project, values["harvest_id"]) is None:
        reasons.append(("harvest_id", N_("Choose one of the project's harvests.")))
    if looks_like_a_person(values["social_actor"]):
        reasons.append(("social_actor", N_("Name an organisation or a role (e.g. \"school principals in the "
                                           "district\"), never a private person.")))
    if values["country_code"] and not is_country(values["country_code"]):
        reasons.append(("country_code", N_("Choose a country from the list.")))
    if values["change_date"] and values["change_date"] > today:
        reasons.append(("change_date", N_("An outcome is a change that has happened: the date cannot be in the "
                                          "future.")))
    if workflow.position(status) >= workflow.position(OutcomeStatus.SUBSTANTIATION_PENDING):
        reasons.extend(workflow.gate_problems(values))
    earliest = min((item.given_on for item in outcome.substantiations), default=None) if outcome else None
    if earliest and values["change_date"] and values["change_date"] > earliest:
        reasons.append(("change_date", N_("Substantiators gave verdicts on %(day)s, before this date: a verdict "
                                          "cannot predate the change it judges.", day=earliest.isoformat())))
    if reasons:
        raise ValidationFailed(reasons)


def project_nodes(session, project, node_ids):
    """Load ToC nodes by id, refusing any that are not the project's own."""
    node_ids = sorted({int(node_id) for node_id in node_ids or ()})
    if not node_ids:
        return []
    nodes = list(session.exec(select(TocNode).where(TocNode.id.in_(node_ids), TocNode.project_id == project.id)))
    if len(nodes) != len(node_ids):
        raise ValidationFailed.on("toc_node_ids", N_("Choose theory-of-change elements of this project only."))
    return nodes


def create_outcome(session, actor, project, values, today=None):
    cleaned = clean_outcome_values(values)
    validate_outcome(session, project, cleaned, OutcomeStatus.DRAFT, today or date.today())
    nodes = project_nodes(session, project, values.get("toc_node_ids"))
    outcome = Outcome(project_id=project.id, created_by_id=actor.user_id, **cleaned)
    outcome.toc_nodes = nodes
    session.add(outcome)
    session.flush()
    record(session, actor, "create", "outcome", outcome.id, project_id=project.id)
    return outcome


def update_outcome(session, actor, project, outcome, values, version, today=None):
    """Save an edit. Rewording an outcome already under substantiation sends it back to substantiation.

    The verdicts already given stay on the record, marked as given on an earlier wording.
    """
    check_version(outcome, version)
    cleaned = clean_outcome_values(values)
    validate_outcome(session, project, cleaned, outcome.status, today or date.today(), outcome)
    nodes = project_nodes(session, project, values.get("toc_node_ids"))
    fields = sorted(name for name, value in cleaned.items() if getattr(outcome, name) != value)
    reworded = any(name in fields for name in WORDING_FIELDS)
    for name, value in cleaned.items():
        setattr(outcome, name, value)
    if {node.id for node in nodes} != {node.id for node in outcome.toc_nodes}:
        fields.append("toc_nodes")
        outcome.toc_nodes = nodes
    details = {"fields": fields}
    if reworded and outcome.status in workflow.UNDER_SUBSTANTIATION:
        outcome.wording_revision += 1
        if outcome.status is not OutcomeStatus.SUBSTANTIATION_PENDING:
            details["status"] = [outcome.status.value, OutcomeStatus.SUBSTANTIATION_PENDING.value]
            outcome.status = OutcomeStatus.SUBSTANTIATION_PENDING
    outcome.updated_at = utcnow()
    session.add(outcome)
    session.flush()
    record(session, actor, "update", "outcome", outcome.id, project_id=project.id, details=details)
    return outcome


def change_outcome_status(session, actor, outcome, target, version):
    """Move ``outcome`` one step along the workflow, enforcing the substantiation gate.

    The caller checks the permission the move needs (:func:`workflow.permission_for`).
    """
    check_version(outcome, version)
    target = OutcomeStatus(target)
    fields = {name: getattr(outcome, name) for name in workflow.GATE_FIELDS}
    problems = workflow.transition_problems(outcome.status, target, fields, outcome_standing(outcome))
    if problems:
        raise ValidationFailed(problems)
    previous = outcome.status
    outcome.status = target
    outcome.updated_at = utcnow()
    session.add(outcome)
    session.flush()
    record(session, actor, "status", "outcome", outcome.id, project_id=outcome.project_id,
           details={"from": previous.value, "to": target.value})
    return outcome


# Substantiators and substantiation -------------------------------------------------


def substantiators_statement(project):
    return select(Substantiator).where(Substantiator.project_id == project.id).order_by(Substantiator.name)


def project_substantiators(session, project):
    return list(session.exec(substantiators_statement(project)))


def get_substantiator(session, project, substantiator_id):
    found = session.get(Substantiator, substantiator_id)
    return found if found is not None and found.project_id == project.id else None


def save_substantiator(session, actor, project, values, substantiator=None, version=None):
    """Add a substantiator to ``project``, or edit one (checking the version edited)."""
    if substantiator is not None:
        check_version(substantiator, version)
    cleaned = {
        "name": clean_line(values.get("name")),
        "organisation": clean_line(values.get("organisation")),
        "expertise": clean_text(values.get("expertise")),
        "is_independent": bool(values.get("is_independent")),
    }
    reasons = []
    if not cleaned["name"]:
        reasons.append(("name", N_("Give the substantiator's name or role.")))
    if not cleaned["expertise"]:
        reasons.append(("expertise", N_("Say what makes the substantiator knowledgeable about the change.")))
    clash = session.exec(select(Substantiator).where(Substantiator.project_id == project.id,
                                                     Substantiator.name == cleaned["name"])).first()
    if clash is not None and clash is not substantiator:
        reasons.append(("name", N_("This project already has a substantiator with this name.")))
    if reasons:
        raise ValidationFailed(reasons)
    action = "update" if substantiator is not None else "create"
    substantiator = substantiator or Substantiator(project_id=project.id, **cleaned)
    for name, value in cleaned.items():
        setattr(substantiator, name, value)
    session.add(substantiator)
    session.flush()
    record(session, actor, action, "substantiator", substantiator.id, project_id=project.id)
    return substantiator


def record_substantiation(session, actor, project, outcome, values, today=None):
    """Record one substantiator's verdicts on ``outcome`` (which must be under substantiation).

    A substantiator who judged an earlier wording may judge the current one: their new
    verdicts replace the old ones, which stay in the audit trail.
    """
    today = today or date.today()
    reasons = []
    if outcome.status not in workflow.UNDER_SUBSTANTIATION:
        reasons.append((None, N_("Send the outcome to substantiation before recording verdicts.")))
    substantiator = get_substantiator(session, project, values.get("substantiator_id"))
    earlier = None
    if substantiator is None:
        reasons.append(("substantiator_id", N_("Choose one of the project's substantiators.")))
    else:
        earlier = next((item for item in outcome.substantiations if item.substantiator_id == substantiator.id), None)
        if earlier is not None and earlier.wording_revision == outcome.wording_revision:
            reasons.append(("substantiator_id",
                            N_("This substantiator's verdicts on this outcome are already recorded.")))
    reasons += verdict_date_problems(outcome, values.get("given_on"), today)
    if any(Verdict(values[f"verdict_{aspect}"]) is Verdict.DISAGREE for aspect in WORDING_FIELDS) \
            and not clean_text(values.get("comment")):
        reasons.append(("comment", N_("A substantiator who disagrees must say why: record their comment.")))
    if reasons:
        raise ValidationFailed(reasons)
    details = {"outcome": outcome.id}
    if earlier is not None:
        details["replaces"] = {aspect: getattr(earlier, f"verdict_{aspect}").value for aspect in WORDING_FIELDS} | {
            "given_on": earlier.given_on.isoformat(), "wording_revision": earlier.wording_revision,
            "comment": earlier.comment}
        outcome.substantiations.remove(earlier)
        session.flush()
    item = Substantiation(
        outcome_id=outcome.id,
        substantiator_id=substantiator.id,
        verdict_description=Verdict(values["verdict_description"]),
        verdict_significance=Verdict(values["verdict_significance"]),
        verdict_contribution=Verdict(values["verdict_contribution"]),
        comment=clean_text(values.get("comment")),
        given_on=values["given_on"],
        wording_revision=outcome.wording_revision,
        recorded_by_id=actor.user_id,
    )
    outcome.substantiations.append(item)
    session.add(item)
    session.flush()
    record(session, actor, "create", "substantiation", item.id, project_id=project.id, details=details)
    return item


def verdict_date_problems(outcome, given_on, today):
    """A verdict is dated, not in the future, and not before the change it judges."""
    if given_on is None or given_on > today:
        return [("given_on", N_("Give the date of the verdicts (not in the future)."))]
    if outcome.change_date is not None and given_on < outcome.change_date:
        return [("given_on", N_("The verdicts cannot predate the change they judge (%(day)s): check both dates.",
                                day=outcome.change_date.isoformat()))]
    return []


def acknowledge_disagreement(session, actor, project, outcome, substantiation_id, reason, acknowledged_by):
    """Record that M&E staff (``acknowledged_by``, a display name) weighed a disagreement, and why it may stand.

    Only then does an outcome with a disagreement count as substantiated ("with disagreement").
    """
    item = next((row for row in outcome.substantiations if row.id == substantiation_id), None)
    reason = clean_text(reason)
    if item is None or not any(getattr(item, f"verdict_{aspect}") is Verdict.DISAGREE for aspect in WORDING_FIELDS):
        raise ValidationFailed.on(None, N_("Only a substantiator's disagreement can be acknowledged."))
    if item.wording_revision != outcome.wording_revision:
        raise ValidationFailed.on(None, N_("This disagreement is about an earlier wording; ask the substantiator to "
                                           "judge the current wording."))
    if item.acknowledged_at is not None:
        raise ValidationFailed.on(None, N_("This disagreement has already been acknowledged."))
    if not reason:
        raise ValidationFailed.on("reason", N_("Say why the outcome stands despite the disagreement."))
    item.acknowledged_by_id, item.acknowledged_by_name = actor.user_id, acknowledged_by
    item.acknowledged_at, item.acknowledgement = utcnow(), reason
    session.add(item)
    session.flush()
    record(session, actor, "acknowledge", "substantiation", item.id, project_id=project.id,
           details={"outcome": outcome.id})
    return item
