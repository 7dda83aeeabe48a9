"""``flask --app tracker report``: write a project or portfolio report; ``report-cleanup``: end the jobs whose
worker stopped, expire old files."""

import os
import tempfile
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from tracker.audit.services import Actor
from tracker.audit.services import record
from tracker.common import blobs
from tracker.db import database
from tracker.evidence.models import EvidenceItem
from tracker.imports.models import ImportUpload
from tracker.portfolio import services as portfolio_services
from tracker.reports import jobs
from tracker.reports import render
from tracker.reports import runner
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report
from tracker.reports.scope import Period
from tracker.reports.scope import Requester

DAY = click.DateTime(formats=["%Y-%m-%d"])


def write_file(path, content):
    """Write through a temporary file in the target's folder, renamed only when complete."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_report(session, slug, portfolio, audience, period, claims_in_progress=False):
    fund = portfolio_services.get_fund(session)
    if fund is None:
        raise click.ClickException("There is no fund in this database.")
    if portfolio:
        return portfolio_report(session, fund, audience, Requester.command_line(), period,
                                claims_in_progress=claims_in_progress), None
    project = portfolio_services.get_project(session, slug)
    if project is None or project.fund_id != fund.id:
        raise click.BadParameter(f"no project with slug {slug!r}", param_hint="SLUG")
    return project_report(session, project, audience, Requester.command_line(), period,
                          claims_in_progress=claims_in_progress), project


def render_content(report, report_format):
    if report_format == "pdf":
        return render.pdf_bytes(render.html_for(report, render.Mode.PDF))
    return render.html_for(report, render.Mode.FILE).encode("utf-8")


def make_report(session, slug, portfolio, audience, report_format, period, language="en", claims_in_progress=False):
    """Assemble, render (in ``language``) and audit a report; return ``(report, content, project)``."""
    with force_locale(language):
        report, project = build_report(session, slug, portfolio, audience, period, claims_in_progress)
        content = render_content(report, report_format)
    record(session, Actor.command_line(), "export", "report", None, project_id=project.id if project else None,
           details={"kind": report.meta.kind, "audience": audience, "format": report_format, "language": language,
                    "stories": sorted(report.story_ids), "evidence": len(report.references)})
    return report, content, project


@click.command("report")
@with_appcontext
@click.argument("slug", required=False)
@click.option("--portfolio", is_flag=True, help="The portfolio report (every project of the fund) instead of one.")
@click.option("--audience", type=click.Choice(["donor", "internal"]), required=True,
              help="donor: only what the donor rules allow, de-identified; internal: everything.")
@click.option("--format", "report_format", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@click.option("-o", "--output", "path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write; replaced only once the report is complete.")
@click.option("--from", "period_from", type=DAY, help="First day of the reporting period (YYYY-MM-DD).")
@click.option("--to", "period_to", type=DAY, help="Last day of the reporting period (YYYY-MM-DD).")
@click.option("--language", type=click.Choice(["en", "fr", "es"]), default="en", show_default=True,
              help="The language of the report's headings, labels, dates and numbers.")
@click.option("--claims-in-progress", is_flag=True,
              help="Donor reports: list the claims below step 4 of contribution analysis as work in progress "
                   "(by default they are left out and counted).")
def report_command(slug, portfolio, audience, report_format, path, period_from, period_to, language,
                   claims_in_progress):
    """Write the evidence report of project SLUG, or of the whole portfolio, as PDF or HTML."""
    if bool(slug) == portfolio:
        raise click.UsageError("Give either a project SLUG or --portfolio.")
    try:
        period = Period(period_from.date() if period_from else None, period_to.date() if period_to else None)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--from/--to") from None
    started = time.perf_counter()
    with database().new_session() as session:
        report, content, _project = make_report(session, slug, portfolio, audience, report_format, period,
                                                  language, claims_in_progress)
        write_file(path, content)
        try:
            session.commit()
        except Exception:
            path.unlink(missing_ok=True)
            raise
    withheld = report.withheld
    click.echo(f"Wrote the {audience} {report.meta.kind} report “{report.title}” ({len(content):,} bytes, "
               f"{len(report.references)} evidence references, {len(report.story_ids)} stories; withheld: "
               f"{withheld.story_count} stories, {withheld.outcome_count} outcomes, {withheld.evidence_count} "
               f"evidence items) to {path} in {time.perf_counter() - started:.1f} s.")
    click.echo(f"What this report leaves out: {left_out_summary(withheld.left_out)}.")


def left_out_summary(entries):
    """The report's "What this report leaves out" entries on one line (counts and reasons, never titles)."""
    if not entries:
        return "nothing"
    return "; ".join(
        f"{entry.kind.value.replace('_', ' ')} {entry.count}"
        + (f" ({', '.join(f'{reason.replace(chr(95), chr(32))} {count}' for reason, count in entry.reasons)})"
           if entry.reasons else "")
        for entry in entries)


@click.command("report-cleanup")
@with_appcontext
def report_cleanup_command():
    """Fail the report jobs whose worker stopped, delete report files whose download link expired, and stored files
    that neither a live report, an evidence item nor a waiting import points to."""
    app = current_app
    with database().new_session() as session:
        stopped = jobs.sweep(session, runner.stopped_after(app))
        expired = jobs.expire_all(session, app)
        session.commit()
        handed_over = runner.hand_over_waiting(app, session)
        removed = blobs.delete_unreferenced(session, stored_file_references())
        session.commit()
    click.echo(f"Failed {len(stopped)} report job(s) whose worker stopped; handed {len(handed_over)} waiting "
               f"job(s) to the queue again.")
    click.echo(f"Expired {len(expired)} report link(s); deleted {removed} file(s) no report, evidence item or "
               f"waiting import points to.")


def stored_file_references():
    """The keys of the stored files still needed: those of done reports, evidence documents and waiting imports."""
    return [sa.select(ReportJob.file_name).where(ReportJob.status == JobStatus.DONE, ReportJob.file_name != ""),
            sa.select(EvidenceItem.stored_name).where(EvidenceItem.stored_name != ""),
            sa.select(ImportUpload.content_key)]


def init_app(app):
    for command in (report_command, report_cleanup_command):
        app.cli.add_command(command)
