"""``flask --app tracker bench``: one JSON object of performance figures on a synthetic portfolio.

The portfolio lives in a temporary database (a SQLite file in a temporary folder, or the empty
PostgreSQL database ``--url`` names); the configured database is never touched. Every figure is
measured side by side in the same run: list pages at 1/10 and at full size, the project report against
WeasyPrint alone, an XLSX import against openpyxl's parse, a tracing recompute, and throughput under
gunicorn against a bare page. Progress goes to stderr; stdout holds only the JSON.
"""

import json
import secrets
import tempfile
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker import create_app
from tracker import migrate
from tracker.bench import imports as import_bench
from tracker.bench import load
from tracker.bench import measure
from tracker.bench.data import Portfolio
from tracker.bench.data import Sizes
from tracker.bench.data import settle
from tracker.bench.report import FAST_HASHING
from tracker.bench.report import report_timings
from tracker.db import database
from tracker.imports.models import ImportKind

TARGETS = {"page_ratio": 1.5, "report_ratio": 1.3, "import_ratio": 3.0, "throughput_ratio": 0.3}


def progress(message):
    click.echo(message, err=True)


def run(url, folder, scale, repeat, import_rows, throughput_requests):
    """Build, measure and return the figures as a dict."""
    secret_key = secrets.token_hex(32)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret_key, "REPORT_FOLDER": str(folder / "reports"),
                      **FAST_HASHING})
    app.logger.disabled = True
    engine = database(app).engine
    migrate.upgrade(engine)
    full = Sizes.scaled(scale)
    small = full.fraction(0.1)
    result = {"scale": scale, "database": engine.dialect.name, "sizes": {"small": small.as_dict(),
                                                                         "full": full.as_dict()}}
    with app.test_request_context(), database(app).new_session() as session:
        started = time.perf_counter()
        progress(f"Building the 1/10 portfolio {small.as_dict()} ...")
        portfolio = Portfolio(session)
        portfolio.grow(small, progress)
        settle(session)
        client = measure.logged_in_client(app, session)
        progress("Timing the list pages at 1/10 ...")
        small_pages = measure.time_pages(app, client, repeat)
        progress(f"Growing to the full portfolio {full.as_dict()} ...")
        portfolio.grow(full, progress)
        settle(session)
        result["build_s"] = round(time.perf_counter() - started, 1)
        progress("Timing the list pages at full size ...")
        full_pages = measure.time_pages(app, client, repeat)
        result["pages"] = measure.compare_pages(small_pages, full_pages)
        progress("Timing the project report against WeasyPrint alone ...")
        timings = report_timings(session, portfolio.projects[0], folder, repeat=min(repeat, 3))
        result["report"] = {"full_s": timings["report_total_s"], "weasyprint_s": timings["weasyprint_alone_s"],
                            "ratio": timings["ratio"], "project": portfolio.projects[0].slug}
        progress("Timing a contribution-tracing recompute with 1,000 evidence items ...")
        result["tracing"] = measure.tracing_figures(session, 1000)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        cookie = cookie.value if cookie else None
    if throughput_requests:
        progress("Measuring throughput under gunicorn (2 workers) ...")
        result["throughput"] = measure.throughput_figures(url, secret_key, folder / "instance", cookie,
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
        met["throughput_ratio"] = result["throughput"]["ratio"] >= TARGETS["throughput_ratio"]
    return met


@click.command("bench")
@with_appcontext
@click.option("--scale", type=click.FloatRange(min=0.001), default=1.0, show_default=True,
              help="Multiplies 300 projects, 30,000 outcomes, 15,000 stories and 3,000 claims.")
@click.option("--url", help="An EMPTY database to fill (e.g. postgresql://…); default: a temporary SQLite file.")
@click.option("--repeat", type=click.IntRange(min=1), default=20, show_default=True,
              help="Requests timed per page and size.")
@click.option("--import-rows", type=click.IntRange(min=10), default=10_000, show_default=True)
@click.option("--requests", "throughput_requests", type=click.IntRange(min=8), default=400, show_default=True,
              help="Requests per page for the gunicorn throughput figures.")
@click.option("--no-throughput", is_flag=True, help="Skip the gunicorn throughput figures.")
def bench_command(scale, url, repeat, import_rows, throughput_requests, no_throughput):
    """(Developers) Print performance figures of a synthetic portfolio as one JSON object."""
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        folder = Path(name)
        (folder / "instance").mkdir()
        result = run(url or f"sqlite:///{folder / 'bench.sqlite'}", folder, scale, repeat, import_rows,
                     None if no_throughput else throughput_requests)
    click.echo(json.dumps(result, indent=2))


def init_app(app):
    app.cli.add_command(bench_command)
    app.cli.add_command(load.bench_load_command)
