"""Demo MSC cycles: ``seeds/demo/msc/<cycle>.toml`` loaded through the MSC services.

Each file is one cycle: its domains and levels, its stories (with consent,
translations, safeguarding review and any withdrawal), the panels with their
decisions, the feedback sent and the verifications. Stories, panels and
decisions refer to each other by a ``key`` used only in the seed. Loading
twice changes nothing: every record is looked up before it is created.
"""

from sqlmodel import select

from tracker.msc import donor_version
from tracker.msc import selection as panels
from tracker.msc import services
from tracker.msc.models import CycleStatus
from tracker.msc.models import MscCycle
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import SealedStory
from tracker.msc.models import Story
from tracker.msc.models import Verification
from tracker.outcomes.seeding import node_ids
from tracker.outcomes.seeding import staff_actor
from tracker.seeding import read_section

CONSENT_KEYS = {"storyteller": "storyteller_consent", "guardian": "guardian_consent", "child_assent": "child_assent",
                "obtained_on": "obtained_on", "form": "form_name", "version": "form_version",
                "internal": "scope_internal", "donor": "scope_donor", "public": "scope_public", "named": "named"}


def load(session, actor, context):
    staff = staff_actor(context, actor)
    for _name, data in read_section(context, "msc"):
        project = context["projects"].get(data["cycle"].get("project")) if data["cycle"].get("project") else None
        cycle = ensure_cycle(session, staff, context["fund"], project, data)
        stories = {seed["key"]: ensure_story(session, actor, staff, context, cycle, seed)
                   for seed in data.get("stories", [])}
        stories = {key: story for key, story in stories.items() if story is not None}
        boards = {seed["key"]: ensure_panel(session, staff, context, cycle, seed) for seed in data.get("panels", [])}
        decisions = {}
        for seed in data.get("decisions", []):
            decisions[(seed["panel"], seed["story"])] = ensure_decision(
                session, staff, boards[seed["panel"]], stories[seed["story"]], seed)
        for seed in data.get("feedback", []):
            ensure_feedback(session, staff, decisions[(seed["panel"], seed["story"])], seed)
        for seed in data.get("verifications", []):
            ensure_verification(session, staff, stories[seed["story"]], seed)
        if data["cycle"].get("status", "open") != cycle.status.value:
            services.update_cycle(session, staff, cycle, {**data["cycle"], "status": data["cycle"]["status"]},
                                  cycle.version)


def ensure_cycle(session, actor, fund, project, data):
    seed = data["cycle"]
    cycle = session.exec(select(MscCycle).where(MscCycle.fund_id == fund.id, MscCycle.title == seed["title"])).first()
    if cycle is None:
        cycle = services.create_cycle(session, actor, fund, {
            **seed, "status": CycleStatus.OPEN, "levels": "\n".join(seed["levels"]),
            "project_id": project.id if project else None})
    for domain in data.get("domains", []):
        if not any(existing.name == domain["name"] for existing in cycle.domains):
            services.save_domain(session, actor, cycle, domain)
            session.refresh(cycle)
    return cycle


def consent_values(seed):
    if seed == "missing":
        return {}
    return {field: seed.get(key, False if field not in ("obtained_on", "form_name", "form_version") else None)
            for key, field in CONSENT_KEYS.items()}


def find_story(session, cycle, project, title):
    """The story of ``project`` in ``cycle`` titled ``title``, sealed or not (a sealed one keeps its title sealed)."""
    in_place = select(Story).where(Story.cycle_id == cycle.id, Story.project_id == project.id)
    story = session.exec(in_place.where(Story.title == title)).first()
    if story is None:
        sealed = session.exec(in_place.join(SealedStory, SealedStory.story_id == Story.id)).all()
        story = next((item for item in sealed if item.sealed.content["story"]["title"] == title), None)
    return story


def ensure_story(session, actor, staff, context, cycle, seed):
    project = context["projects"].get(seed["project"])
    if project is None:
        return None
    story = find_story(session, cycle, project, seed["title"].strip())
    if story is not None:
        return story
    domain = next(domain for domain in cycle.domains if domain.name == seed["domain"])
    values = {
        **seed,
        "cycle_id": cycle.id, "domain_id": domain.id, "country_code": seed["country"],
        "storyteller_pseudonym": seed["pseudonym"], "storyteller_category": seed["category"],
        "toc_node_ids": node_ids(session, project, seed.get("toc_nodes")),
    }
    missing = seed["consent"] == "missing"
    story = services.create_story(session, actor, project, values, consent_values(seed["consent"]),
                                  require_consent=not missing)
    for translation in seed.get("translations", []):
        services.save_translation(session, actor, story, translation)
    if seed.get("safeguarding", "pending") != SafeguardingStatus.PENDING.value:
        services.review_safeguarding(session, staff, story, {
            "status": seed["safeguarding"], "note": seed.get("safeguarding_note", ""),
            "place_shareable": seed.get("place_shareable", False)}, story.version)
    if seed.get("safeguarding") == SafeguardingStatus.APPROVED.value and seed.get("donor_version", True):
        approve_proposed_donor_version(session, staff, story)
    if seed.get("withdrawn_on"):
        services.withdraw_consent(session, actor, story, seed["withdrawn_on"], seed.get("withdrawal_note", ""),
                                  story.consent.version)
    return story


def approve_proposed_donor_version(session, reviewer, story):
    """The demo reviewer accepts the finder's proposal as it stands (a real reviewer reads and edits it)."""
    texts = {proposal.language: {field.name: field.proposed for field in proposal.fields}
             for proposal in donor_version.propose(story)}
    donor_version.approve(session, reviewer, story, texts, story.version, remaining_checked=True)


def ensure_panel(session, actor, context, cycle, seed):
    existing = [panel for panel in panels.cycle_panels(session, cycle) if panel.name == seed["name"]]
    if existing:
        return existing[0]
    level = next(level for level in cycle.levels if level.ordinal == seed["level"])
    project = context["projects"].get(seed["project"]) if seed.get("project") else None
    return panels.create_panel(session, actor, cycle, {
        **seed, "level_id": level.id, "members": "\n".join(seed["members"]),
        "project_id": project.id if project else None, "country_code": seed.get("country")})


def ensure_decision(session, actor, panel, story, seed):
    decision = panels.decision_for(session, panel, story)
    if decision is not None:
        return decision
    session.refresh(panel)
    return panels.record_decision(session, actor, panel, story.id, seed)


def ensure_feedback(session, actor, decision, seed):
    if not any(item.kind.value == seed["kind"] for item in decision.feedback):
        panels.record_feedback(session, actor, decision, seed)


def ensure_verification(session, actor, story, seed):
    exists = session.exec(select(Verification).where(Verification.story_id == story.id,
                                                     Verification.method == seed["method"])).first()
    if exists is None:
        panels.record_verification(session, actor, story, seed)
