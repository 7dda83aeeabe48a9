"""``flask export xlsx|csv``: the XLSX/CSV export from the command line (one transaction, audited).

The ``export`` group is shared with other export formats (e.g. ``export iati``):
whichever area registers first creates it, the others add their commands to it.
"""

import os
from pathlib import Path

import click
from flask.cli import AppGroup
from flask.cli import with_appcontext

from tracker.audit.services import Actor
from tracker.common.errors import ValidationFailed
from tracker.common.files import open_private
from tracker.db import database
from tracker.exports import services as tabular_services
from tracker.exports.tabular import AUDIENCES
from tracker.exports.tabular import REGISTRY
from tracker.portfolio import services as portfolio_services


def export_group(app):
    """The app's ``export`` command group, created on first use."""
    group = app.cli.commands.get("export")
    if group is None:
        group = AppGroup("export", help="Export the portfolio's data to a file (XLSX, CSV and other formats).")
        app.cli.add_command(group)
    return group


def write_private(path, content, force):
    """Write ``content`` to ``path`` with mode 0600 (exports hold sensitive records); never replace unless forced."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        handle = open_private(path, flags)
    except FileExistsError:
        raise click.ClickException(f"{path} exists; pass --force to replace it.") from None
    with handle:
        handle.write(content)


def run(file_format, slug, audience, sheets, output, force):
    sheets = list(sheets) or [spec.name for spec in REGISTRY.ordered()]
    if file_format == "csv" and len(sheets) > 1 and output.suffix.lower() != ".zip":
        raise click.UsageError("Several sheets export as a ZIP of CSV files: name the output .zip, or choose one "
                               "--sheet.")
    with database().new_session() as session:
        fund = portfolio_services.get_fund(session)
        if fund is None:
            raise click.ClickException("The database holds no fund yet.")
        project = None
        if slug:
            project = portfolio_services.get_project(session, slug)
            if project is None:
                raise click.BadParameter(f"no project with slug {slug!r}", param_hint="--project")
        try:
            exported = tabular_services.export_records(
                session, Actor.command_line(), fund_id=fund.id, audience=audience, file_format=file_format,
                sheet_names=sheets, project=project)
        except ValidationFailed as error:
            raise click.ClickException(str(error)) from None
        write_private(output, exported.content, force)
        session.commit()
    click.echo(f"Exported {', '.join(sheets)} ({audience}) to {output}.")


def make_command(file_format):
    @click.command(file_format, help=f"Export outcomes, stories and indicators as {file_format.upper()}: the donor "
                                     f"version (consented, de-identified) or the internal one.")
    @click.option("--project", "slug", help="Export this project only (default: the whole portfolio).")
    @click.option("--audience", type=click.Choice(AUDIENCES), required=True,
                  help="donor: only what donors may see, de-identified; internal: everything.")
    @click.option("--sheet", "sheets", multiple=True, type=click.Choice([spec.name for spec in REGISTRY.ordered()]),
                  help="Export only these kinds of record (repeatable; default: all).")
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="The file to write (mode 0600).")
    @click.option("--force", is_flag=True, help="Replace the file if it exists.")
    @with_appcontext
    def command(slug, audience, sheets, output, force):
        run(file_format, slug, audience, sheets, output, force)

    return command


def init_app(app):
    group = export_group(app)
    for file_format in ("xlsx", "csv"):
        group.add_command(make_command(file_format))
