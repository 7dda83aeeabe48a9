"""Print timings for search, the donor rule and meta-monitoring on a synthetic fund (a command, not a test).

    python -m tracker.bench.search [--stories N] [--outcomes N] [--url DATABASE_URL]

Without ``--url`` it builds a throwaway SQLite file; with a PostgreSQL URL it
uses that (empty) database. Records are created through the services, so the
FTS5 triggers and the audit trail do their normal work.
"""

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from tracker import migrate
from tracker.audit.services import Actor
from tracker.common.pagination import paginate
from tracker.db import make_engine
from tracker.msc import selection as panels
from tracker.msc import services as story_services
from tracker.msc.sharing import donor_visible_stories
from tracker.msc.sharing import stories_visible_to
from tracker.outcomes import services as outcome_services
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.portfolio import services as portfolio_services
from tracker.search import services as search

ACTOR = Actor.command_line("benchmark")
WORDS = ("peer leader", "village volunteer", "counsellor", "grooming", "sextortion", "police", "helpline",
         "teacher", "club", "referral", "report", "consent", "school", "parent", "platform", "evidence")
THAI = "เด็กคนหนึ่งทักแชทหาสายเด็กตอนดึกและได้รับคำตอบภายในไม่กี่นาที"


def sentence(number):
    words = [WORDS[(number * 7 + step) % len(WORDS)] for step in range(6)]
    return f"Story {number}: the {words[0]} talked with a {words[1]} about {words[2]}, then {words[3]} and " \
           f"{words[4]} helped; the {words[5]} followed up."


def build(session, stories, outcomes):
    fund = portfolio_services.create_fund(session, ACTOR, slug="bench", name="Benchmark fund")
    pillar = portfolio_services.save_pillar(session, ACTOR, fund, key="systems", name="Systems")
    organisation = portfolio_services.save_organisation(session, ACTOR, {"name": "Benchmark NGO"})
    projects = [portfolio_services.create_project(session, ACTOR, fund, {
        "slug": f"project-{number}", "title": f"Project {number}", "organisation_id": organisation.id,
        "pillar_id": pillar.id, "countries": ["TH"], "start_date": date(2021, 1, 1), "end_date": date(2024, 12, 31),
        "budget": 100000, "currency": "USD", "iati_identifier": None, "summary": ""}) for number in range(10)]
    cycle = story_services.create_cycle(session, ACTOR, fund, {
        "title": "Benchmark cycle", "period_start": date(2023, 1, 1), "period_end": date(2023, 12, 31),
        "levels": "Country\nFund"})
    for name in ("Speaking up", "Families", "Services", "Systems"):
        story_services.save_domain(session, ACTOR, cycle, {"name": name})
    session.refresh(cycle)
    harvests = [outcome_services.save_harvest(session, ACTOR, project, {
        "title": "Harvest", "period_start": date(2021, 1, 1), "period_end": date(2024, 12, 31),
        "questions": "What changed?"}) for project in projects]
    for number in range(stories):
        project = projects[number % len(projects)]
        story = story_services.create_story(session, ACTOR, project, {
            "cycle_id": cycle.id, "domain_id": cycle.domains[number % 5].id, "title": f"Story {number}",
            "what_happened": sentence(number) + (" " + THAI if number % 10 == 0 else ""),
            "why_significant": sentence(number + 1), "country_code": "TH", "collector": "Volunteer",
            "collected_on": date(2023, 5, 1), "storyteller_pseudonym": f"P{number}",
            "storyteller_category": "young_person", "age_band": "18_24", "language": "en"}, {
            "storyteller_consent": True, "obtained_on": date(2023, 5, 1), "form_name": "Form", "form_version": "1",
            "scope_internal": True, "scope_donor": number % 3 != 0})
        if number % 2 == 0:
            story_services.review_safeguarding(session, ACTOR, story, {"status": "approved"}, story.version)
    for number in range(outcomes):
        project = projects[number % len(projects)]
        outcome_services.create_outcome(session, ACTOR, project, {
            "harvest_id": harvests[number % len(projects)].id, "description": sentence(number),
            "social_actor": "Commune officers", "change_type": "practice", "significance": sentence(number + 2),
            "contribution": sentence(number + 3)})
    session.commit()
    return fund, cycle


def settle(engine):
    """Bring statistics and indexes to their steady state, as autovacuum would after a bulk load.

    On PostgreSQL, VACUUM also merges the GIN indexes' pending lists, which
    otherwise slow every search until autovacuum runs.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")


def timed(function, repeat=15):
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations), max(durations)


def report(label, figures):
    median, worst = figures
    print(f"  {label:<52} median {median:7.1f} ms   max {worst:7.1f} ms")


def run(url, stories, outcomes):
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        start = time.perf_counter()
        fund, cycle = build(session, stories, outcomes)
        settle(engine)
        print(f"{engine.dialect.name}: built {stories} stories and {outcomes} outcomes through the services in "
              f"{time.perf_counter() - start:.1f} s")
        donor = {"outcome": outcomes_visible_to("donor", set(), fund.id),
                 "story": stories_visible_to("donor", set(), fund.id)}
        staff = {"outcome": outcomes_visible_to("me", set(), fund.id),
                 "story": stories_visible_to("me", set(), fund.id)}
        donor_count = sa.select(sa.func.count()).select_from(donor_visible_stories(fund.id).subquery())
        print(f"  donor-visible stories: {session.scalar(donor_count)}")
        report("donor rule: count", timed(lambda: session.scalar(donor_count)))
        report("donor rule: first page of 25", timed(lambda: paginate(
            session, donor_visible_stories(fund.id).order_by(sa.text("story.id")), 1, 25)))
        for label, visible, text, kind in (
                ("search 'grooming' in stories (staff)", staff, "grooming", "story"),
                ("search '\"peer leader\" -police' in stories (donor)", donor, '"peer leader" -police', "story"),
                ("search 'referral OR sextortion' in outcomes (staff)", staff, "referral OR sextortion", "outcome"),
                ("search Thai substring in stories (staff)", staff, "สายเด็ก", "story")):
            results = search.search(session, visible, text, kind, 1, 25)
            report(f"{label}: {results.page.total} hits", timed(lambda v=visible, t=text, k=kind: search.search(
                session, v, t, k, 1, 25)))
        report("meta-monitoring of the cycle", timed(lambda: panels.meta_monitoring(session, cycle), repeat=5))
    engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--outcomes", type=int, default=5000)
    parser.add_argument("--url", help="an empty database to fill (default: a temporary SQLite file)")
    arguments = parser.parse_args()
    if arguments.url:
        run(arguments.url, arguments.stories, arguments.outcomes)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'bench.sqlite'}", arguments.stories, arguments.outcomes)


if __name__ == "__main__":
    main()
