"""``flask --app tracker bench``: one JSON object of performance figures on a synthetic portfolio.

The portfolio lives in a temporary database (a SQLite file in a temporary folder, or the empty
PostgreSQL database ``--url`` names); the configured database is never touched. Every figure is
measured side by side in the same run: list pages and each role's home at 1/10 and at full size, the
project report against WeasyPrint alone, an XLSX import against openpyxl's parse, a tracing recompute,
and throughput under gunicorn of the portfolio list and each role's home against the signed-in account
page. Progress goes to stderr; stdout holds only the JSON.
"""

import secrets
import tempfile
import time
from pathlib import Path

import click

from tracker import create_app
from tracker import migrate
from tracker.bench import imports as import_bench
from tracker.bench import measure
from tracker.bench.data import Portfolio
from tracker.bench.data import Sizes
from tracker.bench.data import settle
from tracker.bench.report import FAST_HASHING
from tracker.bench.report import report_timings
from tracker.db import database
from tracker.imports.models import ImportKind

TARGETS = {"page_ratio": 1.5, "report_ratio": 1.3, "import_ratio": 3.0, "home_layout_ratio": 0.5}


def progress(message):
    click.echo(message, err=True)


def run(url, folder, scale, repeat, import_rows, throughput_requests):
    """Build, measure and return the figures as a dict."""
    secret_key = secrets.token_hex(32)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret_key, **FAST_HASHING})
    engine = database(app).engine
    migrate.upgrade(engine)
    full = Sizes.scaled(scale)
    small = full.fraction(0.1)
    result = {"scale": scale, "database": engine.dialect.name, "sizes": {"small": small.as_dict(),
                                                                         "full": full.as_dict()}}
    # Pages are requested outside any app context of ours, each in its own, as in production: a request
    # that reused an outer context would share its database session (and snapshot) with the next.
    with database(app).new_session() as session:
        started = time.perf_counter()
        with app.test_request_context():
            progress(f"Building the 1/10 portfolio {small.as_dict()} ...")
            portfolio = Portfolio(session)
            portfolio.grow(small, progress)
            settle(session)
            client = measure.logged_in_client(app, session)
            homes = measure.home_clients(app, session, portfolio.projects)
        progress("Timing the list pages and the homes at 1/10 ...")
        small_pages = measure.time_pages(app, client, repeat) | measure.time_homes(app, homes, repeat)
        with app.test_request_context():
            progress(f"Growing to the full portfolio {full.as_dict()} ...")
            portfolio.grow(full, progress)
            settle(session)
        result["build_s"] = round(time.perf_counter() - started, 1)
        progress("Timing the list pages and the homes at full size ...")
        full_pages = measure.time_pages(app, client, repeat) | measure.time_homes(app, homes, repeat)
        result["pages"] = measure.compare_pages(small_pages, full_pages)
        with app.test_request_context():
            progress("Timing the project report against WeasyPrint alone ...")
            timings = report_timings(session, portfolio.projects[0], folder, repeat=min(repeat, 3))
            result["report"] = {"full_s": timings["report_total_s"], "weasyprint_s": timings["weasyprint_alone_s"],
                                "ratio": timings["ratio"], "project": portfolio.projects[0].slug}
            progress("Timing a contribution-tracing recompute with 1,000 evidence items ...")
            result["tracing"] = measure.tracing_figures(session, 1000)
        cookies = {role: measure.cookie_of(app, home_client) for role, home_client in homes.items()}
    if throughput_requests:
        progress("Measuring throughput under gunicorn (2 workers) ...")
        result["throughput"] = measure.throughput_figures(url, secret_key, folder / "instance", cookies,
                                                          throughput_requests)
    engine.dispose()
    progress(f"Timing an import of {import_rows} XLSX rows against openpyxl's parse ...")
    imported = import_bench.benchmark(import_rows, ImportKind.STORIES)
    result["import"] = {key: imported[key] for key in ("rows", "import_s", "parse_s", "ratio")}
    result["targets"] = targets(result)
    return result


def targets(result):
    pages = result["pages"].values()
    met = {
        "page_ratio": all(page["ratio"] <= TARGETS["page_ratio"] for page in pages),
        "page_queries_equal": all(page["queries_small"] == page["queries_full"] for page in pages),
        "report_ratio": result["report"]["ratio"] <= TARGETS["report_ratio"],
        "import_ratio": result["import"]["ratio"] <= TARGETS["import_ratio"],
    }
    if "throughput" in result:
        met["home_layout_ratio"] = all(
            page["layout_ratio"] >= TARGETS["home_layout_ratio"]
            for name, page in result["throughput"]["pages"].items() if name.startswith("home_"))
    return met


def figures(scale, url, repeat, import_rows, throughput_requests):
    """Measure in a temporary folder (and, without ``url``, a temporary SQLite database there)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        folder = Path(name)
        (folder / "instance").mkdir()
        return run(url or f"sqlite:///{folder / 'bench.sqlite'}", folder, scale, repeat, import_rows,
                   throughput_requests)
