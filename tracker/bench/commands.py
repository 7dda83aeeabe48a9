"""The developers' benchmark commands. Each loads its module only when it runs (fast start for the rest)."""

import importlib
import json
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.imports.models import ImportKind


def load(name):
    """Import ``tracker.bench.<name>`` now; a string import keeps it out of the app's static import graph."""
    return importlib.import_module(f"tracker.bench.{name}")


@contextmanager
def quiet_app_log():
    """Keep the app's log (every app of the process shares it) out of the figures while they are measured."""
    logger = current_app.logger
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def emit(figures, indent=2):
    click.echo(json.dumps(figures, indent=indent))


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
    with quiet_app_log():
        figures = load("portfolio").figures(scale, url, repeat, import_rows,
                                            None if no_throughput else throughput_requests)
    emit(figures)


@click.command("bench-report")
@with_appcontext
@click.option("--projects", type=int, default=300, show_default=True,
              help="Projects of the synthetic portfolio (it is also measured at half that).")
@click.option("--repeat", type=int, default=3, show_default=True, help="Rounds for the demo project's timings.")
@click.option("--seed-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The demo portfolio to load (default: the bundled demo).")
@click.option("--skip-demo", is_flag=True, help="Only the synthetic portfolio.")
@click.option("--workers", callback=lambda _context, _param, value: worker_counts(value),
              help="Render the portfolio in parts, as report jobs do, with each of these numbers of worker "
                   "processes (such as 1,2), and print each process's peak memory and the wall times side by side.")
@click.option("--one-process", is_flag=True,
              help="With --workers, also build the portfolio in one process as the thread runner does (plan, every "
                   "part, numbering, stitch): the peak of a process that does every step.")
def bench_report_command(projects, repeat, seed_dir, skip_demo, workers, one_process):
    """(Developers) Print report timings and peak memory as JSON; nothing touches the configured database."""
    with quiet_app_log():
        figures = load("report").figures(projects, repeat, seed_dir, skip_demo, workers, one_process)
    emit(figures)


def worker_counts(value):
    """``"1,2"`` as ``(1, 2)``; nothing when not given."""
    if not value:
        return ()
    try:
        counts = tuple(int(number) for number in value.split(","))
    except ValueError:
        raise click.BadParameter("numbers of workers separated by commas, such as 1,2") from None
    if not counts or min(counts) < 1:
        raise click.BadParameter("each number of workers must be 1 or more")
    return counts


@click.command("bench-toc")
@click.option("--nodes", "node_count", type=click.IntRange(min=6, max=5000), default=200, show_default=True,
              help="How many nodes the synthetic ToC has.")
@click.option("--repeat", type=click.IntRange(min=1, max=100), default=5, show_default=True,
              help="How many times to render it; best, median and worst times are printed.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the synthetic graph.")
def bench_toc_command(node_count, repeat, seed):
    """(Developers) Render a synthetic ToC of --nodes nodes and print the timings as JSON."""
    emit(load("toc").benchmark(node_count, repeat, seed), indent=None)


@click.command("bench-import")
@click.option("--rows", type=click.IntRange(min=10, max=100_000), default=10_000, show_default=True,
              help="Rows in the synthetic KoboToolbox-style XLSX.")
@click.option("--kind", type=click.Choice([kind.value for kind in ImportKind]), default="stories",
              show_default=True)
@click.option("--url", help="An empty database to use (default: a throwaway SQLite file).")
@with_appcontext
def bench_import_command(rows, kind, url):
    """(Developers) Time importing a synthetic XLSX against openpyxl's read-only parse; print JSON."""
    emit(load("imports").benchmark(rows, ImportKind(kind), url), indent=None)


@click.command("bench-load")
@with_appcontext
@click.option("--requests", type=click.IntRange(min=1), default=2000, show_default=True,
              help="HTTP requests per backend, shared by the clients.")
@click.option("--clients", type=click.IntRange(min=1), default=20, show_default=True,
              help="Concurrent clients (threads), each a grantee, M&E officer or donor in turn.")
@click.option("--postgres-url", help="An EMPTY PostgreSQL database to load; default: a temporary cluster "
                                     "(initdb, pg_ctl), skipped when they are not installed.")
@click.option("--sqlite-only", is_flag=True, help="Measure SQLite alone.")
def bench_load_command(requests, clients, postgres_url, sqlite_only):
    """(Developers) Serve the demo to concurrent clients on SQLite and PostgreSQL; print the figures as JSON."""
    emit(load("load").run(requests, clients, postgres_url, sqlite_only))


@click.command("bench-audit")
@with_appcontext
@click.option("--entries", type=click.IntRange(min=100), default=1_000_000, show_default=True,
              help="Audit entries of the synthetic trail (a year of them).")
@click.option("--repeat", type=click.IntRange(min=1), default=20, show_default=True,
              help="Requests of the access overview timed.")
def bench_audit_command(entries, repeat):
    """(Developers) Time the access overview over a synthetic audit trail in a temporary SQLite database; JSON."""
    with quiet_app_log():
        emit(load("audit").benchmark(entries, repeat), indent=None)


def init_app(app):
    for command in (bench_command, bench_report_command, bench_toc_command, bench_import_command,
                    bench_load_command, bench_audit_command):
        app.cli.add_command(command)
