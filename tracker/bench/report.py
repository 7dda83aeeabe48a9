"""``flask --app tracker bench-report``: report timings and memory as JSON (a command that prints figures).

1. The largest project of the demo portfolio (loaded into a throwaway SQLite file): the report command's
   total time (assemble, render, PDF, write) against WeasyPrint alone rendering the same final HTML.
2. A synthetic portfolio built through the services: the donor portfolio PDF's time and peak memory
   (``resource.getrusage`` max RSS of a child process that renders it), at half of ``--projects`` and at
   ``--projects``, so that the growth with the number of projects can be read off.

Nothing touches the configured database: everything is built in a temporary folder.
"""

import json
import resource
import secrets
import statistics

# The child Python (this module) renders the portfolio so that its peak memory can be measured alone.
import subprocess  # nosec B404
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from tracker import create_app
from tracker import migrate
from tracker.audit.services import Actor
from tracker.bench.tracing import build_project
from tracker.contribution.models import ContributionClaim
from tracker.db import database
from tracker.evidence import services as evidence_services
from tracker.evidence.models import EvidenceItem
from tracker.indicators import services as indicator_services
from tracker.indicators.models import Indicator
from tracker.msc import donor_version
from tracker.msc import selection as panels
from tracker.msc import services as story_services
from tracker.msc.models import Story
from tracker.outcomes import services as outcome_services
from tracker.outcomes import workflow
from tracker.outcomes.models import Outcome
from tracker.portfolio import services as portfolio_services
from tracker.portfolio.models import Project
from tracker.reports import render
from tracker.reports.models import Audience
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report
from tracker.reports.scope import Requester
from tracker.seeding import DEFAULT_SEED_DIR
from tracker.seeding import seed_demo

ACTOR = Actor.command_line("benchmark")
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}
CHANGE_TYPES = ("behaviour", "practice", "policy", "relationship", "action")
ACTORS = ("Commune child-protection officers", "School counsellors", "Helpline counsellors", "Police cyber unit",
          "Parents' associations", "Platform trust-and-safety team")


def bench_app(folder, name):
    return create_app({"DATABASE_URL": f"sqlite:///{folder / name}", "SECRET_KEY": secrets.token_hex(16),
                       **FAST_HASHING})


# 1. The largest demo project ---------------------------------------------------------------------


def largest_project(session):
    """The demo project with the most outcomes, stories, indicators, claims and evidence items together."""
    def size(project):
        return sum(session.scalar(sa.select(sa.func.count()).select_from(model).where(model.project_id == project.id))
                   for model in (Outcome, Story, Indicator, ContributionClaim, EvidenceItem))

    return max(session.scalars(sa.select(Project)), key=size)


def demo_figures(folder, seed_dir, repeat):
    app = bench_app(folder, "demo.sqlite")
    migrate.upgrade(database(app).engine)
    with app.app_context(), database(app).new_session() as session:
        seed_demo(session, app.extensions["tracker.hasher"], {}, seed_dir or DEFAULT_SEED_DIR)
        session.commit()
        project = largest_project(session)
        return {"project": project.slug, "audience": "donor", "repeat": repeat,
                **report_timings(session, project, folder, repeat), "target_ratio": 1.3}


def report_timings(session, project, folder, repeat):
    """The donor report of ``project``: the whole command's median time against WeasyPrint alone on its HTML."""
    render.pdf_bytes(render.project_html(project_report(session, project, Audience.DONOR,
                                                        Requester.command_line())))  # warm fonts and caches
    totals, alone, html = [], [], ""
    for _round in range(repeat):
        started = time.perf_counter()
        report = project_report(session, project, Audience.DONOR, Requester.command_line())
        html = render.project_html(report)
        content = render.pdf_bytes(html)
        (folder / "project.pdf").write_bytes(content)
        totals.append(time.perf_counter() - started)
        started = time.perf_counter()
        render.pdf_bytes(html)
        alone.append(time.perf_counter() - started)
    total, weasyprint = statistics.median(totals), statistics.median(alone)
    return {"report_total_s": round(total, 3), "weasyprint_alone_s": round(weasyprint, 3),
            "ratio": round(total / weasyprint, 3), "pdf_bytes": (folder / "project.pdf").stat().st_size}


# 2. A synthetic portfolio ------------------------------------------------------------------------


class Synthetic:
    """Builds projects of a realistic shape through the services (ToC, indicators, outcomes, stories, claims)."""

    def __init__(self, session):
        self.session = session
        self.fund = portfolio_services.create_fund(session, ACTOR, slug="bench", name="Benchmark fund")
        self.pillars = [portfolio_services.save_pillar(session, ACTOR, self.fund, key=key, name=name, position=index)
                        for index, (key, name) in enumerate((("systems", "Networks & systems"),
                                                             ("research", "Research & data"),
                                                             ("tools", "Technology tools")))]
        self.organisation = portfolio_services.save_organisation(session, ACTOR, {"name": "Benchmark NGO"})
        self.cycle = story_services.create_cycle(session, ACTOR, self.fund, {
            "title": "Benchmark cycle", "period_start": date(2023, 1, 1), "period_end": date(2023, 12, 31),
            "levels": "Project\nFund"})
        for name in ("Speaking up", "Families", "Services", "Systems"):
            story_services.save_domain(session, ACTOR, self.cycle, {"name": name})
        session.refresh(self.cycle)
        self.count = 0

    def add(self, number):
        session = self.session
        project, claim = build_project(session, self.fund, self.pillars[number % 3], self.organisation,
                                            number, evidence=4, components=2)
        pathway = [claim_link.link for claim_link in claim.pathway]
        nodes = {link.effect_id for link in pathway}
        harvest = outcome_services.save_harvest(session, ACTOR, project, {
            "title": "Harvest", "period_start": date(2021, 1, 1), "period_end": date(2024, 12, 31),
            "questions": "Which organisations changed how they respond to children?"})
        substantiator = outcome_services.save_substantiator(session, ACTOR, project, {
            "name": f"Officer {number}", "expertise": "Handles referrals in the province", "is_independent": True})
        for index in range(6):
            self.outcome(project, harvest, substantiator, number, index, pathway)
        for index in range(3):
            self.story(project, number, index)
        for index, node_id in enumerate(sorted(nodes)[:2]):
            self.indicator(project, node_id, index)
        self.count += 1
        return project

    def outcome(self, project, harvest, substantiator, number, index, pathway):
        session = self.session
        outcome = outcome_services.create_outcome(session, ACTOR, project, {
            "harvest_id": harvest.id, "change_type": CHANGE_TYPES[(number + index) % 5],
            "description": f"In 2023 the {ACTORS[index]} of project {number} began referring children who disclosed "
                           "online abuse to services within one working day.",
            "social_actor": ACTORS[index], "change_agent": "Project team", "change_date": date(2023, 1 + index, 1),
            "date_precision": "month", "country_code": "TH", "area": "Chiang Mai",
            "significance": "Children no longer wait weeks for help after disclosing abuse.",
            "contribution": "The project trained the officers and set up the referral form.",
            "sources": "Referral log"})
        if index < 4:
            self.advance(outcome, "substantiation_pending")
            outcome_services.record_substantiation(session, ACTOR, project, outcome, {
                "substantiator_id": substantiator.id, "verdict_description": "fully_agree",
                "verdict_significance": "fully_agree", "verdict_contribution": "partially_agree",
                "comment": "", "given_on": date(2023, 9, 1)})
            self.advance(outcome, "substantiated")
            item = evidence_services.create_item(session, ACTOR, project, "outcome", {"outcome_id": outcome.id})
            evidence_services.attach(session, ACTOR, project, item, {
                "target": f"link-{pathway[index % len(pathway)].id}", "strength": "strong"})

    def advance(self, outcome, status):
        while workflow.position(outcome.status) < workflow.position(status):
            outcome_services.change_outcome_status(self.session, ACTOR, outcome,
                                                   workflow.neighbours(outcome.status)[1], outcome.version)

    def story(self, project, number, index):
        session = self.session
        story = story_services.create_story(session, ACTOR, project, {
            "cycle_id": self.cycle.id, "domain_id": self.cycle.domains[index].id, "title": f"Story {index} of {number}",
            "what_happened": "After the club session the young person told a peer leader about the messages, and "
                             "the peer leader went with them to the commune officer, who called the helpline.",
            "why_significant": "They say they now know where to turn, and that others in the club do too.",
            "events_when": "Spring 2023", "country_code": "TH", "collector": "Volunteer",
            "collected_on": date(2023, 5, 2), "storyteller_pseudonym": f"P{number}-{index}",
            "storyteller_category": "young_person", "age_band": "18_24", "language": "en"}, {
            "storyteller_consent": True, "obtained_on": date(2023, 5, 2), "form_name": "Form", "form_version": "1",
            "scope_internal": True, "scope_donor": True})
        if index == 2:
            return
        story_services.review_safeguarding(session, ACTOR, story, {"status": "approved"}, story.version)
        texts = {proposal.language: {field.name: field.proposed for field in proposal.fields}
                 for proposal in donor_version.propose(story)}
        donor_version.approve(session, ACTOR, story, texts, story.version, remaining_checked=True)
        if index == 0:  # each project's panel selects one story (a panel selects one per domain)
            panel = panels.create_panel(session, ACTOR, self.cycle, {
                "level_id": self.cycle.levels[0].id, "name": f"Project panel {number}", "method": "consensus",
                "members": "M&E officer, fund secretariat\nChild-protection adviser", "project_id": project.id})
            panels.record_decision(session, ACTOR, panel, story.id, {
                "selected": True, "decided_on": date(2023, 11, 20),
                "reasons": "The panel chose this story because it shows a child finding help through a peer."})

    def indicator(self, project, node_id, index):
        session = self.session
        indicator = indicator_services.create_indicator(session, ACTOR, project, {
            "node_id": node_id, "title": f"Children referred to services ({index + 1})", "measure": "unit",
            "unit": "children", "baseline_year": 2020, "baseline_value": "10"})
        for year in (2022, 2023, 2024):
            period = indicator_services.create_period(session, ACTOR, project, indicator, {
                "start_date": date(year, 1, 1), "end_date": date(year, 12, 31),
                "target_value": str(20 * (year - 2020))})
            if year < 2024:
                indicator_services.save_actual(session, ACTOR, project, indicator, period,
                                               {"value": str(18 * (year - 2020)), "comment": ""}, submit=True)
                indicator_services.review_actual(session, ACTOR, project, period, approve=True)


def measure_portfolio(url, output):
    """Render the donor portfolio PDF of ``url`` in a child process; its timings and peak memory."""
    # Our own module, no shell, fixed arguments.
    completed = subprocess.run(  # noqa: S603 # nosec B603
        [sys.executable, "-m", "tracker.bench.report", url, str(output)], capture_output=True, text=True,
        check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def portfolio_figures(folder, sizes):
    app = bench_app(folder, "synthetic.sqlite")
    migrate.upgrade(database(app).engine)
    figures = []
    with app.test_request_context(), database(app).new_session() as session:
        synthetic = Synthetic(session)
        session.commit()
        for size in sizes:
            started = time.perf_counter()
            while synthetic.count < size:
                synthetic.add(synthetic.count)
                if synthetic.count % 25 == 0:
                    session.commit()
            session.commit()
            built = time.perf_counter() - started
            result = measure_portfolio(f"sqlite:///{folder / 'synthetic.sqlite'}", folder / f"portfolio-{size}.pdf")
            figures.append({"projects": size, "build_s": round(built, 1), **result,
                            "s_per_project": round(result["total_s"] / size, 4)})
    database(app).engine.dispose()
    return figures


def parts_figures(folder, projects, workers, one_process=False):
    """The synthetic portfolio of ``projects`` rendered in parts by 1, 2… worker processes
    (:mod:`tracker.bench.report_parts`)."""
    from tracker.bench import report_parts

    app = bench_app(folder, "synthetic.sqlite")
    migrate.upgrade(database(app).engine)
    started = time.perf_counter()
    with app.test_request_context(), database(app).new_session() as session:
        synthetic = Synthetic(session)
        while synthetic.count < projects:
            synthetic.add(synthetic.count)
            if synthetic.count % 25 == 0:
                session.commit()
        user = report_parts.bench_user(session, app.extensions["tracker.hasher"])
        session.commit()
        fund_id, user_id = synthetic.fund.id, user.id
    built = time.perf_counter() - started
    result = report_parts.figures(app, f"sqlite:///{folder / 'synthetic.sqlite'}", folder,
                                  fund_id, user_id, workers, one_process)
    database(app).engine.dispose()
    return {"projects": projects, "build_s": round(built, 1), **result}


def figures(projects, repeat, seed_dir, skip_demo, workers=(), one_process=False):
    """Report timings and peak memory; everything happens in a temporary folder.

    With ``workers``, the portfolio is measured as report jobs render it, in parts by that many worker
    processes, and only at ``projects``; without, as one document in one process, at half and at ``projects``.
    """
    result = {}
    with tempfile.TemporaryDirectory(prefix="bench-report-") as name:
        folder = Path(name)
        if not skip_demo:
            result["largest_demo_project"] = demo_figures(folder, seed_dir, repeat)
        if workers:
            result["portfolio_in_parts"] = parts_figures(folder, projects, workers, one_process)
            return result
        sizes = sorted({max(1, projects // 2), projects})
        result["synthetic_portfolio"] = portfolio_figures(folder, sizes)
    runs = result["synthetic_portfolio"]
    result["rss_target_mb"] = 1536
    if len(runs) == 2:
        result["time_growth"] = {"projects_ratio": round(runs[1]["projects"] / runs[0]["projects"], 2),
                                 "time_ratio": round(runs[1]["total_s"] / runs[0]["total_s"], 2)}
    return result


def child(url, output):
    """In the child process: render the donor portfolio PDF and print timings and max RSS as one JSON line."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)})
    with app.app_context(), database(app).new_session() as session:
        started = time.perf_counter()
        fund = portfolio_services.get_fund(session)
        report = portfolio_report(session, fund, Audience.DONOR, Requester.command_line())
        assembled = time.perf_counter()
        html = render.portfolio_html(report)
        rendered = time.perf_counter()
        content = render.pdf_bytes(html)
        Path(output).write_bytes(content)
        finished = time.perf_counter()
    print(json.dumps({
        "total_s": round(finished - started, 2), "assemble_s": round(assembled - started, 2),
        "html_s": round(rendered - assembled, 2), "weasyprint_s": round(finished - rendered, 2),
        "pdf_bytes": len(content), "evidence_references": len(report.references),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    child(*sys.argv[1:3])
