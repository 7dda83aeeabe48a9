"""``flask bench-import``: import a synthetic KoboToolbox-style XLSX and compare with openpyxl's own parse.

Prints ``{rows, import_s, parse_s, ratio, …}``: ``parse_s`` is the best of three
read-only openpyxl passes over every cell of the same file (the floor for any
importer), ``import_s`` the whole import (checks, parse, dry run, bulk insert,
commit) into a throwaway SQLite database, or the empty database ``--url`` names.
"""

import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl import load_workbook
from sqlmodel import Session

from tracker import migrate
from tracker.audit.services import Actor
from tracker.db import make_engine
from tracker.imports import services
from tracker.imports.files import Limits
from tracker.imports.models import ImportKind
from tracker.msc import services as story_services
from tracker.outcomes import services as outcome_services
from tracker.portfolio import services as portfolio_services

ACTOR = Actor.command_line("bench-import")
DOMAINS = ("Safer online behaviour", "Support after harm", "Systems that respond")
STORY_HEADERS = ["start", "end", "today", "deviceid", "story/title", "story/what_happened", "story/why_significant",
                 "story/domain", "story/language", "storyteller/pseudonym", "storyteller/category", "storyteller/age",
                 "collection/collector", "consent/storyteller_consent", "consent/guardian_consent",
                 "consent/child_assent", "consent/consent_date", "consent/form_version", "consent/uses/internal",
                 "consent/uses/donor", "_id", "_uuid", "_submission_time", "_status", "__version__", "_index"]
OUTCOME_HEADERS = ["start", "end", "today", "outcome/description", "outcome/social_actor", "outcome/change_date",
                   "outcome/change_type", "outcome/significance", "outcome/contribution", "outcome/area",
                   "_id", "_uuid", "_submission_time", "_status", "__version__", "_index"]
KHMER = "បន្ទាប់ពីវគ្គក្លឹបកុមារ នាងបានប្រាប់គ្រូអំពីសារដែលនាងទទួលបាន"
CATEGORIES = ("child", "young_person", "parent_caregiver", "teacher", "community_member")
CHANGE_TYPES = ("behaviour", "relationship", "action", "policy", "practice")


def story_row(number):
    day = date(2023, 1 + number % 12, 1 + number % 28).isoformat()
    category = CATEGORIES[number % len(CATEGORIES)]
    return [f"{day}T08:00:00.000+07:00", f"{day}T08:30:00.000+07:00", day, f"collect:{number % 40}",
            f"Story {number}: a peer leader helped a friend report a stranger",
            f"After the club session number {number % 30}, she told a peer leader about the messages. " + (
                KHMER if number % 10 == 0 else "The leader showed her how to block and report the account."),
            "She says she now knows where to turn, and told her mother the same evening.",
            DOMAINS[number % 3].lower().replace(" ", "_"), "km" if number % 10 == 0 else "en", f"P-{number}",
            category, 14 if category == "child" else 30, "Village volunteer, partner NGO", "yes", "yes", "yes",
            day, "2.1", "1", "1" if number % 2 else "0", 3_000_000 + number, str(uuid.UUID(int=number + 1)),
            f"{day}T02:00:00", "submitted_via_web", "v1", number]


def outcome_row(number):
    day = date(2023, 1 + number % 12, 1 + number % 28).isoformat()
    return [f"{day}T08:00:00.000+07:00", f"{day}T08:30:00.000+07:00", day,
            f"In {day[:7]} district office {number % 50} began referring children who reported online grooming "
            f"to the helpline within one working day.", f"District social-welfare office {number % 50}", day,
            CHANGE_TYPES[number % 5], "Children wait days, not weeks, for a counsellor.",
            "The project trained the office's case workers.", f"District {number % 50}",
            3_000_000 + number, str(uuid.UUID(int=number + 1)), f"{day}T02:00:00", "submitted_via_web", "v1",
            number]


def write_workbook(path, rows, kind):
    """A workbook as Kobo writes it (with its dimension record, so readers need not scan it twice)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Synthetic form"
    stories = kind is ImportKind.STORIES
    sheet.append(STORY_HEADERS if stories else OUTCOME_HEADERS)
    make_row = story_row if stories else outcome_row
    for number in range(1, rows + 1):
        sheet.append(make_row(number))
    workbook.save(path)


def parse_seconds(path, repeat=3):
    """The best of ``repeat`` read-only openpyxl passes over every cell."""
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        workbook = load_workbook(path, read_only=True, data_only=True)
        for worksheet in workbook.worksheets:
            for _row in worksheet.iter_rows(values_only=True):
                pass
        workbook.close()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def build_project(session):
    fund = portfolio_services.create_fund(session, ACTOR, slug="bench-import", name="Benchmark fund")
    pillar = portfolio_services.save_pillar(session, ACTOR, fund, key="systems", name="Systems")
    organisation = portfolio_services.save_organisation(session, ACTOR, {"name": "Benchmark NGO"})
    project = portfolio_services.create_project(session, ACTOR, fund, {
        "slug": "bench-import", "title": "Benchmark project", "organisation_id": organisation.id,
        "pillar_id": pillar.id, "countries": ["KH"], "start_date": date(2022, 1, 1), "end_date": date(2025, 12, 31),
        "budget": 100000, "currency": "USD", "iati_identifier": None, "summary": ""})
    cycle = story_services.create_cycle(session, ACTOR, fund, {
        "title": "Benchmark cycle", "period_start": date(2023, 1, 1), "period_end": date(2023, 12, 31),
        "levels": "Project\nFund", "project_id": project.id})
    for name in DOMAINS:
        story_services.save_domain(session, ACTOR, cycle, {"name": name})
    outcome_services.save_harvest(session, ACTOR, project, {
        "title": "Benchmark harvest", "period_start": date(2023, 1, 1), "period_end": date(2023, 12, 31),
        "questions": "What changed?"})
    session.commit()
    return project


def benchmark(rows, kind, url=None):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.xlsx"
        write_workbook(path, rows, kind)
        file_mb = round(path.stat().st_size / 1024 / 1024, 2)
        parse_s = parse_seconds(path)
        engine = make_engine(url or f"sqlite:///{directory}/bench.sqlite")
        try:
            migrate.upgrade(engine)
            with Session(engine, expire_on_commit=False) as session:
                project = build_project(session)
                started = time.perf_counter()
                dataset = services.load_dataset(path, path.name, Limits(max_rows=max(rows, 20_000)))
                mapping = services.suggested_mapping(session, project, dataset, kind)
                mapping["defaults"]["form_name"] = "Story consent form"
                batch, _plan = services.run_import(session, ACTOR, project, dataset, kind, mapping,
                                                   file_name=path.name, file_sha256="0" * 64)
                session.commit()
                import_s = time.perf_counter() - started
        finally:
            engine.dispose()
    return {"rows": rows, "kind": kind.value, "created": batch.created_count, "backend": engine.dialect.name,
            "file_mb": file_mb,
            "import_s": round(import_s, 3), "parse_s": round(parse_s, 3), "ratio": round(import_s / parse_s, 2)}
