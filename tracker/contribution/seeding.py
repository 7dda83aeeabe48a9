"""Demo contribution analysis: ``seeds/demo/contribution/<slug>.toml`` loaded through the services (idempotent).

A file refers to the project's theory of change by the node keys of its ToC seed
(``seeds/demo/toc/<slug>.toml``): a link is ``"cause>effect"``, an assumption
``"cause>effect#0"`` (its index on the link). It holds, in order:

* ``assessments``: assumption statuses and notes reached while gathering evidence (Mayne's step 3);
* ``evidence``: items of every kind (``outcome`` and ``story`` found by the start of their description or their
  title, ``indicator_result`` by indicator title and period start, ``document`` with its file's name and text)
  and what each ``supports``;
* ``claims``: fields, pathway, ``explanations`` (with their evidence), story ``revisions`` (each written at its
  ``step``), the final ``step``, and contribution-tracing ``components`` with their ``evidence``.

A project that already has evidence or claims is left as it is.
"""

from sqlmodel import select

from tracker.contribution import services
from tracker.contribution.models import ContributionClaim
from tracker.contribution.rules import STEPS
from tracker.contribution.tracing import services as tracing_services
from tracker.evidence import services as evidence_services
from tracker.evidence.models import EvidenceItem
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome
from tracker.seeding import read_section
from tracker.toc import services as toc_services
from tracker.toc.models import TocNode
from tracker.toc.seeding import user_actor


class SeedError(ValueError):
    """The seed names something the demo does not contain."""


def load(session, actor, context):
    staff = user_actor(session, context, "me") or actor
    toc_seeds = dict(read_section(context, "toc"))
    for slug, data in read_section(context, "contribution"):
        project = context["projects"].get(slug)
        if project is None or already_loaded(session, project):
            continue
        team = user_actor(session, context, "grantee", project) or staff
        graph = ProjectGraph(session, project, node_titles(toc_seeds.get(slug, {})))
        for item in data.get("assessments", []):
            assess(session, staff, project, graph, item)
        evidence = {item["key"]: add_evidence(session, team, project, graph, item) for item in data.get("evidence", [])}
        for item in data.get("claims", []):
            add_claim(session, staff, project, graph, evidence, item)


def already_loaded(session, project):
    return any(session.exec(select(model.id).where(model.project_id == project.id).limit(1)).first() is not None
               for model in (EvidenceItem, ContributionClaim))


def node_titles(toc_seed):
    """``{key: title}`` as the ToC seed leaves them: first titles, then any retitling in its revisions."""
    titles = {node["key"]: node["title"] for node in toc_seed.get("nodes", [])}
    for revision in toc_seed.get("revisions", []):
        titles.update({node["key"]: node["title"] for node in revision.get("nodes", [])})
        titles.update({item["node"]: item["title"] for item in revision.get("retitle", [])})
    return titles


class ProjectGraph:
    """The project's ToC nodes, links and assumptions, found by the keys of its seed."""

    def __init__(self, session, project, titles):
        self.titles = titles
        nodes = session.exec(select(TocNode).where(TocNode.project_id == project.id))
        self.nodes = {node.title: node for node in nodes}
        self.links = {(link.cause_id, link.effect_id): link for link in toc_services.load_links(session, project)}

    def node(self, key):
        try:
            return self.nodes[self.titles[key]]
        except KeyError:
            raise SeedError(f"no ToC node {key!r}") from None

    def link(self, spec):
        cause, _sep, effect = spec.partition(">")
        found = self.links.get((self.node(cause).id, self.node(effect).id))
        if found is None:
            raise SeedError(f"no ToC link {spec!r}")
        return found

    def assumption(self, spec):
        link_spec, _sep, index = spec.partition("#")
        return self.link(link_spec).assumptions[int(index or 0)]

    def target(self, support):
        if "link" in support:
            return f"link-{self.link(support['link']).id}"
        return f"assumption-{self.assumption(support['assumption']).id}"


def assess(session, actor, project, graph, item):
    assumption = graph.assumption(item["assumption"])
    toc_services.update_assumption(session, actor, project, assumption,
                                   {"text": assumption.text, "status": item["status"], "note": item["note"]},
                                   assumption.version)


# Evidence -----------------------------------------------------------------------------------------


def find_outcome(session, project, start):
    found = session.exec(select(Outcome).where(Outcome.project_id == project.id,
                                               Outcome.description.startswith(start.strip()))).first()
    if found is None:
        raise SeedError(f"no outcome starting {start!r}")
    return found.id


def find_story(session, project, title):
    found = session.exec(select(Story).where(Story.project_id == project.id, Story.title == title)).first()
    if found is None:
        raise SeedError(f"no story {title!r}")
    return found.id


def find_period(session, project, indicator_title, start):
    found = session.exec(select(IndicatorPeriod).join(Indicator, Indicator.id == IndicatorPeriod.indicator_id)
                         .where(Indicator.project_id == project.id, Indicator.title == indicator_title,
                                IndicatorPeriod.start_date == start)).first()
    if found is None:
        raise SeedError(f"no period from {start} of {indicator_title!r}")
    return found.id


def add_evidence(session, actor, project, graph, item):
    values = {name: item.get(name, "") for name in ("title", "summary", "source", "url")}
    values["collected_on"] = item.get("collected_on")
    kind, upload = item["kind"], None
    if kind == "outcome":
        values["outcome_id"] = find_outcome(session, project, item["outcome"])
    elif kind == "story":
        values["story_id"] = find_story(session, project, item["story"])
    elif kind == "indicator_result":
        values["period_id"] = find_period(session, project, item["indicator"], item["period_start"])
    elif kind == "document":
        upload = (item["filename"], item["content"].encode("utf-8"))
    created = evidence_services.create_item(session, actor, project, kind, values, upload=upload)
    for support in item.get("supports", []):
        evidence_services.attach(session, actor, project, created, {
            "target": graph.target(support), "strength": support["strength"], "note": support.get("note", "")})
    return created


# Claims -------------------------------------------------------------------------------------------


def add_claim(session, actor, project, graph, evidence, item):
    pathway = [graph.link(spec).id for spec in item["pathway"]]
    claim = services.create_claim(session, actor, project, {
        **{name: item.get(name, "") for name in ("title", "question", "claim_text", "causal_package")},
        "outcome_node_id": graph.node(item["outcome"]).id, "level": item["level"], "necessity": item["necessity"],
        "confidence": item.get("confidence", "not_assessed"), "pathway": pathway})
    for explanation in item.get("explanations", []):
        add_explanation(session, actor, project, claim, evidence, explanation)
    for revision in item.get("revisions", []):
        walk_to(session, actor, project, claim, revision["step"])
        services.save_story(session, actor, project, claim, revision, based_on=revision_count(session, claim))
    walk_to(session, actor, project, claim, item["step"])
    for component in item.get("components", []):
        add_component(session, actor, project, claim, evidence, component)
    return claim


def add_explanation(session, actor, project, claim, evidence, item):
    factor_id = None
    if item.get("factor"):
        factor_id = next(factor_id for factor_id, text, _node in services.project_factors(session, project)
                         if text == item["factor"])
    explanation = services.save_explanation(session, actor, project, claim, {
        "kind": item["kind"], "text": item["text"], "status": item.get("status"), "influence": item.get("influence"),
        "accounted_for": item.get("accounted_for", ""), "note": item.get("note", ""), "external_factor_id": factor_id})
    for support in item.get("evidence", []):
        services.attach_explanation_evidence(session, actor, project, explanation, {
            "evidence_id": evidence[support["key"]].id, "strength": support["strength"],
            "note": support.get("note", "")})


def revision_count(session, claim):
    latest = services.latest_story(session, claim)
    return latest.number if latest else 0


def walk_to(session, actor, project, claim, step):
    """Move the claim one step at a time (through the gate) up to ``step``, or back to it."""
    target = STEPS.index(step)
    while STEPS.index(claim.step) < target:
        services.move_step(session, actor, project, claim, STEPS[STEPS.index(claim.step) + 1], claim.version)
    if STEPS.index(claim.step) > target:
        services.move_step(session, actor, project, claim, step, claim.version)


def add_component(session, actor, project, claim, evidence, item):
    component = tracing_services.add_component(session, actor, project, claim, {
        "entity": item["entity"], "activity": item["activity"], "prior": item.get("prior", "")})
    for sought in item.get("evidence", []):
        tracing_services.add_ct_evidence(session, actor, project, component, {
            "description": sought["description"], "sensitivity": sought["sensitivity"],
            "type1_error": sought["type1_error"], "observed": sought["observed"],
            "rationale": sought.get("rationale", ""),
            "evidence_id": evidence[sought["evidence"]].id if sought.get("evidence") else None})
