"""Print timings for contribution analysis on a synthetic fund (a command, not a test).

    python -m tracker.bench.tracing [--projects N] [--evidence N] [--components N] [--url DATABASE_URL]

Every project gets a theory of change of 18 results and 30 links, a claim along a
pathway of five links, ``--evidence`` evidence items attached to its links and
assumptions, and ``--components`` mechanism components with five pieces of
contribution-tracing evidence each. Records are created through the services, so
validation, recomputation and the audit trail do their normal work. Without
``--url`` a throwaway SQLite file is used; a PostgreSQL URL must name an empty database.
"""

import argparse
import secrets
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from tracker import create_app
from tracker import migrate
from tracker.audit.services import Actor
from tracker.contribution import coverage
from tracker.contribution import evidence_map
from tracker.contribution import services
from tracker.contribution.models import CtStep
from tracker.contribution.outline import claim_chain
from tracker.contribution.tracing import bayes as tracing
from tracker.contribution.tracing import services as tracing_services
from tracker.db import database
from tracker.evidence import services as evidence_services
from tracker.evidence.models import EvidenceItem
from tracker.portfolio import services as portfolio_services
from tracker.toc import presentation
from tracker.toc import services as toc_services
from tracker.toc.models import TocLink

ACTOR = Actor.command_line("benchmark")
LEVELS = ("activity", "output", "short_term_outcome", "intermediate_outcome", "long_term_outcome", "impact")
STRENGTHS = ("weak", "moderate", "strong")
SHADING_WORDS = {"strong": "Strong", "moderate": "Moderate", "weak": "Weak", "gap": "Gap"}


def build_toc(session, project):
    """Three results per level; each result leads to two of the next level. Returns the links of one pathway."""
    nodes = [[toc_services.create_node(session, ACTOR, project, {
        "title": f"{level.replace('_', ' ').capitalize()} {number} of {project.slug}", "level": level})
        for number in range(3)] for level in LEVELS]
    links = {}
    for upper, lower in zip(nodes, nodes[1:], strict=False):
        for index, cause in enumerate(upper):
            for effect in (lower[index], lower[(index + 1) % 3]):
                if (cause.id, effect.id) not in links:
                    links[(cause.id, effect.id)] = toc_services.create_link(session, ACTOR, project, {
                        "cause_id": cause.id, "effect_id": effect.id, "rationale": "Synthetic link."})
    for link in list(links.values())[::3]:
        toc_services.add_assumption(session, ACTOR, project, link, {"text": "A condition holds.",
                                                                    "status": "supported"})
    column = [level[0] for level in nodes]
    return [links[(cause.id, effect.id)] for cause, effect in zip(column, column[1:], strict=False)]


def build_project(session, fund, pillar, organisation, number, evidence, components):
    project = portfolio_services.create_project(session, ACTOR, fund, {
        "slug": f"project-{number}", "title": f"Project {number}", "organisation_id": organisation.id,
        "pillar_id": pillar.id, "countries": ["TH"], "start_date": date(2021, 1, 1), "end_date": date(2024, 12, 31),
        "budget": 100000, "currency": "USD", "iati_identifier": None, "summary": ""})
    pathway = build_toc(session, project)
    claim = services.create_claim(session, ACTOR, project, {
        "title": f"Claim of project {number}", "question": "Did the project contribute?", "claim_text": "It did.",
        "outcome_node_id": pathway[-1].effect_id, "pathway": [link.id for link in pathway]})
    for index in range(evidence):
        evidence_services.create_item(session, ACTOR, project, "interview", {
            "title": f"Interview {index}", "summary": "What was said.", "source": "A role",
            "target": f"link-{pathway[index % (len(pathway) - 1)].id}", "strength": STRENGTHS[index % 3]})
    for index in range(components):
        component = tracing_services.add_component(session, ACTOR, project, claim, {
            "entity": f"Entity {index}", "activity": "does its part"})
        for step in range(5):
            tracing_services.add_ct_evidence(session, ACTOR, project, component, {
                "description": f"Evidence {step}", "sensitivity": 0.6 + step * 0.07, "type1_error": 0.1 + step * 0.08,
                "observed": ("found", "found", "not_found", "pending", "found")[step]})
    return project, claim


def timed(function, repeat=15):
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations), max(durations)


def report(label, figures):
    median, worst = figures
    print(f"  {label:<56} median {median:7.1f} ms   max {worst:7.1f} ms")


def evidence_map_svg(session, project):
    data = coverage.project_map(session, project)
    styles = evidence_map.shading(data.picture.graph, data.link_strengths, data.claimed, SHADING_WORDS)
    return presentation.diagram_svg(data.picture, title="Evidence map", description="", node_styles=styles[0],
                                    link_styles=styles[1], legend=styles[2])


def run(url, projects, evidence, components):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)})
    migrate.upgrade(database(app).engine)
    with app.test_request_context():
        session = database(app).new_session()
        start = time.perf_counter()
        fund = portfolio_services.create_fund(session, ACTOR, slug="bench", name="Benchmark fund")
        pillar = portfolio_services.save_pillar(session, ACTOR, fund, key="systems", name="Systems")
        organisation = portfolio_services.save_organisation(session, ACTOR, {"name": "Benchmark NGO"})
        built = [build_project(session, fund, pillar, organisation, number, evidence, components)
                 for number in range(projects)]
        session.commit()
        counts = {name: session.scalar(sa.select(sa.func.count()).select_from(model))
                  for name, model in (("links", TocLink), ("evidence items", EvidenceItem), ("tracing steps", CtStep))}
        print(f"{database(app).engine.dialect.name}: built {projects} projects, "
              + ", ".join(f"{count} {name}" for name, count in counts.items())
              + f" through the services in {time.perf_counter() - start:.1f} s")
        project, claim = built[0]
        component = claim.components[0]
        report("claim summary (figures for page, API and PDF)", timed(lambda: tracing_services.claim_summary(
            session, claim)))
        report("claim chain, link by link (claim page, story outline)", timed(lambda: claim_chain(session, claim)))
        report("recompute one component (5 steps, stored)", timed(lambda: tracing_services.recompute(
            session, component)))
        report("evidence map of one project (queries + shading + SVG)", timed(lambda: evidence_map_svg(
            session, project)))
        report(f"coverage per ToC level across {projects} projects (one query)", timed(
            lambda: coverage.coverage_by_level(session, fund.id)))
        report("projects with most gaps, first page of 25", timed(lambda: coverage.project_coverage_page(
            session, fund.id, 1, 25)))
        items = [tracing.EvidenceItem(index, 0.3 + (index % 6) / 10, 0.05 + (index % 5) / 10,
                                      ("found", "not_found", "pending")[index % 3]) for index in range(1000)]
        report("pure tracing of 1,000 pieces of evidence", timed(lambda: tracing.trace_component(items)))
        session.rollback()
        session.close()
    database(app).engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--evidence", type=int, default=30, help="evidence items per project")
    parser.add_argument("--components", type=int, default=4, help="mechanism components per claim")
    parser.add_argument("--url", help="an empty database to fill (default: a temporary SQLite file)")
    arguments = parser.parse_args()
    if arguments.url:
        run(arguments.url, arguments.projects, arguments.evidence, arguments.components)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'bench.sqlite'}", arguments.projects, arguments.evidence,
            arguments.components)


if __name__ == "__main__":
    main()
