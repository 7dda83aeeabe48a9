"""Demo outcomes: ``seeds/demo/outcomes/<project-slug>.toml`` loaded through the outcome services.

Each file lists the project's harvests, substantiators and outcomes; an
outcome names its harvest, the status to reach, its verdicts and, optionally,
theory-of-change node titles (linked when nodes with those titles exist for the
project, skipped otherwise). Loading twice changes nothing: records are found
by harvest title, substantiator name and outcome description.
"""

from sqlmodel import select

from tracker.audit.services import Actor
from tracker.outcomes import services
from tracker.outcomes import workflow
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import OutcomeStatus
from tracker.seeding import read_section
from tracker.toc.models import TocNode

STAFF_EMAIL = "me@example.org"


def staff_actor(context, fallback):
    """Record demo verdicts and status changes as the demo M&E officer, when that account exists."""
    user = context.get("users", {}).get(STAFF_EMAIL)
    if user is None:
        return fallback
    return Actor(user_id=user.id, email=user.email, role=user.role.value)


def staff_name(context):
    user = context.get("users", {}).get(STAFF_EMAIL)
    return user.display_name if user is not None else "M&E team"


def load(session, actor, context):
    staff = staff_actor(context, actor)
    for slug, data in read_section(context, "outcomes"):
        project = context["projects"].get(slug)
        if project is None:
            continue
        harvests = {seed["title"]: ensure_harvest(session, actor, project, seed) for seed in data.get("harvests", [])}
        people = {seed["name"]: ensure_substantiator(session, actor, project, seed)
                  for seed in data.get("substantiators", [])}
        for seed in data.get("outcomes", []):
            ensure_outcome(session, actor, staff, project, harvests, people, seed, staff_name(context))


def ensure_harvest(session, actor, project, seed):
    for harvest in services.project_harvests(session, project):
        if harvest.title == seed["title"]:
            return harvest
    return services.save_harvest(session, actor, project, seed)


def ensure_substantiator(session, actor, project, seed):
    for person in services.project_substantiators(session, project):
        if person.name == seed["name"]:
            return person
    return services.save_substantiator(session, actor, project, {**seed, "is_independent": seed["independent"]})


def node_ids(session, project, titles):
    """Ids of the project's ToC nodes with these titles; titles without a node are skipped."""
    if not titles:
        return []
    return list(session.exec(select(TocNode.id).where(TocNode.project_id == project.id, TocNode.title.in_(titles))))


def ensure_outcome(session, actor, staff, project, harvests, people, seed, acknowledger):
    existing = session.exec(select(Outcome).where(Outcome.project_id == project.id,
                                                  Outcome.description == seed["description"].strip())).first()
    if existing is not None:
        return existing
    values = {
        **seed,
        "harvest_id": harvests[seed["harvest"]].id,
        "country_code": seed.get("country"),
        "smart_checks": {key: True for key in seed.get("smart", [])},
        "toc_node_ids": node_ids(session, project, seed.get("toc_nodes")),
    }
    outcome = services.create_outcome(session, actor, project, values)
    target = OutcomeStatus(seed.get("status", "draft"))
    while workflow.position(outcome.status) < workflow.position(target):
        _back, step = workflow.neighbours(outcome.status)
        if step is OutcomeStatus.SUBSTANTIATED:
            record_verdicts(session, staff, project, outcome, people, seed, acknowledger)
        mover = staff if workflow.permission_for(outcome.status, step) == "outcome.substantiate" else actor
        services.change_outcome_status(session, mover, outcome, step, outcome.version)
    if outcome.status is OutcomeStatus.SUBSTANTIATION_PENDING:
        record_verdicts(session, staff, project, outcome, people, seed, acknowledger)
    return outcome


def record_verdicts(session, staff, project, outcome, people, seed, acknowledger):
    for verdict in seed.get("substantiations", []):
        person = people[verdict["substantiator"]]
        if any(item.substantiator_id == person.id for item in outcome.substantiations):
            continue
        item = services.record_substantiation(session, staff, project, outcome, {
            "substantiator_id": person.id,
            "verdict_description": verdict["description"],
            "verdict_significance": verdict["significance"],
            "verdict_contribution": verdict["contribution"],
            "comment": verdict.get("comment", ""),
            "given_on": verdict["given_on"],
        })
        if verdict.get("acknowledgement"):
            services.acknowledge_disagreement(session, staff, project, outcome, item.id, verdict["acknowledgement"],
                                              acknowledger)
