"""``flask import``: one transaction, all or nothing."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from tracker.audit.services import Actor
from tracker.common.errors import ValidationFailed
from tracker.db import database
from tracker.imports import services
from tracker.imports.files import FileRejected
from tracker.imports.files import limits_from
from tracker.imports.mapping import targets_for
from tracker.imports.models import ImportKind
from tracker.imports.sources import AUTO
from tracker.imports.sources import split_ref
from tracker.portfolio import services as portfolio_services


def chosen_mapping(session, project, dataset, kind, mapping_name):
    if not mapping_name:
        return services.suggested_mapping(session, project, dataset, kind)
    template = services.find_mapping_template(session, project, kind, mapping_name)
    if template is None:
        names = ", ".join(item.name for item in services.mapping_templates(session, project, kind)) or "none"
        raise click.BadParameter(f"project {project.slug} has no {kind.value} mapping called {mapping_name!r} "
                                 f"(saved: {names})", param_hint="--mapping")
    return services.mapping_for(template, dataset, kind)


def parse_sets(kind, pairs):
    """``--set FIELD=VALUE`` options as ``{field: value}``, for fields of ``kind`` a row can take."""
    keys = [item.key for item in targets_for(kind) if not item.repeat]
    values = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        key = key.strip()
        if not separator or key not in keys:
            raise click.BadParameter(f"{pair!r}: give FIELD=VALUE, where FIELD is one of {', '.join(keys)}",
                                     param_hint="--set")
        values[key] = value.strip()
    return values


def with_values(mapping, values):
    """The mapping with ``values`` for every row that has none in the file (``--set``)."""
    return {**mapping, "defaults": {**(mapping.get("defaults") or {}), **values}}


def id_description(source):
    if source == AUTO:
        return "automatic"
    if not source:
        return "none, rows are told apart by their content (fingerprint)"
    return split_ref(source)[1]


def echo_mapping(mapping):
    click.echo(f"Records: one per row of sheet “{mapping['record_table']}”; ids: "
               f"{id_description(mapping.get('source_column'))}")
    for key, ref in sorted((mapping.get("fields") or {}).items()):
        table, header = split_ref(ref)
        click.echo(f"  {key:<28} ← {header}" + (f"  [{table}]" if table != mapping["record_table"] else ""))
    for key, value in sorted((mapping.get("defaults") or {}).items()):
        click.echo(f"  {key:<28} = {value}  (every row without one)")


def echo_errors(plan):
    for error in plan.errors:
        click.echo(f"sheet “{error.table}”, row {error.row}, column “{error.column}”: {error.message}", err=True)


@click.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice([kind.value for kind in ImportKind]), required=True,
              help="What the file holds.")
@click.option("--mapping", "mapping_name", help="Use the project's saved column mapping of this name.")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="A value for every row without one, e.g. --set collector=\"Field team\" (repeatable).")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@with_appcontext
def import_command(slug, path, kind, mapping_name, sets, dry_run):
    """Import outcomes or MSC stories from an XLSX, CSV or ZIP of CSVs (KoboToolbox, ODK Central) into project SLUG.

    Every row is checked first; any error and nothing is written. Rows imported before are skipped. A file
    without an id column is fine: rows are then told apart by their content.
    """
    kind = ImportKind(kind)
    values = parse_sets(kind, sets)
    with database().new_session() as session:
        project = portfolio_services.get_project(session, slug)
        if project is None:
            raise click.BadParameter(f"no project with slug {slug!r}", param_hint="SLUG")
        try:
            dataset = services.load_dataset(path, path.name, limits_from(current_app.config))
            mapping = with_values(chosen_mapping(session, project, dataset, kind, mapping_name), values)
            echo_mapping(mapping)
            if dry_run:
                plan = services.dry_run(session, project, dataset, kind, mapping)
            else:
                _batch, plan = services.run_import(session, Actor.command_line(), project, dataset, kind, mapping,
                                                   file_name=path.name, file_sha256=services.file_sha256(path),
                                                   mapping_name=mapping_name or "")
                session.commit()
        except FileRejected as error:
            raise click.ClickException(str(error)) from None
        except ValidationFailed as error:
            raise click.ClickException("the column mapping cannot be used:\n" + "\n".join(
                f"  {message}" for _field, message in error.reasons)
                + "\nMap a column with --mapping, or give a value for every row with --set FIELD=VALUE.") from None
        except services.ImportRefused as refused:
            session.rollback()
            echo_errors(refused.plan)
            raise click.ClickException(f"{len(refused.plan.errors)} problems; nothing was imported.") from None
        except IntegrityError:
            session.rollback()
            raise click.ClickException("Another import of the same rows ran at the same time; nothing was "
                                       "imported. Run the command again.") from None
    report(plan, kind, dry_run)


def report(plan, kind, dry_run):
    echo_errors(plan)
    verb = "Would create" if dry_run else "Created"
    click.echo(f"{verb} {len(plan.records)} {kind.value} from {plan.total} rows; {len(plan.skipped)} already "
               f"imported (skipped)" + (f"; {plan.needs_consent} need consent" if kind is ImportKind.STORIES else "")
               + f"; {len(plan.errors)} problems in {plan.rejected} rows.")
    if plan.errors:
        raise click.ClickException(f"{len(plan.errors)} problems; nothing would be imported.")


def init_app(app):
    app.cli.add_command(import_command)
