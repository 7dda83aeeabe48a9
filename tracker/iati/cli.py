"""``flask --app tracker export iati [--project SLUG] -o FILE``: write the fund's IATI 2.03 file."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask.cli import with_appcontext

from tracker.audit.services import Actor
from tracker.db import database
from tracker.iati import services as services
from tracker.portfolio import services as portfolio_services


@click.command("iati")
@with_appcontext
@click.option("--project", "slug", help="Export only this project (its slug); by default every project of the fund.")
@click.option("-o", "--output", "path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The XML file to write; replaced only when the export is valid.")
@click.option("--schema-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the IATI 2.03 schema to validate against (default: the IATI_SCHEMA_DIR setting).")
def export_iati_command(slug, path, schema_dir):
    """Validate and write the fund's IATI 2.03 file (one activity per project with an IATI identifier)."""
    with database().new_session() as session:
        fund = portfolio_services.get_fund(session)
        if fund is None:
            raise click.ClickException("There is no fund in this database.")
        project = None
        if slug:
            project = portfolio_services.get_project(session, slug)
            if project is None or project.fund_id != fund.id:
                raise click.BadParameter(f"no project with slug {slug!r}", param_hint="--project")
        export = services.prepare_export(session, fund, project=project,
                                         schema_dir=schema_dir or current_app.config["IATI_SCHEMA_DIR"])
        for left in export.left_out:
            what = f"{left.project.slug}: indicator “{left.indicator.title}”" if left.indicator else left.project.slug
            click.echo(f"Left out {what}: {left.reason}", err=True)
        if export.refused:
            for problem in export.problems:
                click.echo(f"  {problem}", err=True)
            raise click.ClickException(f"Export refused: {len(export.problems)} problem(s) listed above. "
                                       f"Nothing was written to {path}.")
        services.record_export(session, Actor.command_line(), export, project)
        services.write_atomically(export.xml, path)
        try:
            session.commit()
        except Exception:
            path.unlink(missing_ok=True)
            raise
    activities = len(export.activities)
    click.echo(f"Wrote {activities} {'activity' if activities == 1 else 'activities'} with "
               f"{export.indicator_count} public indicator(s) to {path}.")


def init_app(app):
    """Add ``iati`` to the ``export`` command group, creating the group unless another format already did."""
    group = app.cli.commands.get("export")
    if group is None:
        group = AppGroup("export", help="Export the fund's data in standard formats.")
        app.cli.add_command(group)
    group.add_command(export_iati_command)
