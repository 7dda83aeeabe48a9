"""Command-line interface: ``flask --app tracker <command>``. Each command is one transaction."""

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import backup
from tracker import config
from tracker import db_roles
from tracker import retention
from tracker.audit.services import Actor
from tracker.auth import services as auth_services
from tracker.auth.permissions import Role
from tracker.common.errors import ValidationFailed
from tracker.db import database
from tracker.db import make_engine
from tracker.demo_logins import DEMO_LOGINS_FILE
from tracker.demo_logins import NotADemoAccount
from tracker.demo_logins import demo_code
from tracker.demo_logins import read_demo_logins
from tracker.demo_logins import read_demo_passwords
from tracker.demo_logins import read_demo_secrets
from tracker.demo_logins import write_demo_logins
from tracker.imports import staging
from tracker.portfolio import services as portfolio_services
from tracker.seeding import DEFAULT_SEED_DIR
from tracker.seeding import seed_demo
from tracker.web import submissions


def session_scope():
    return database().new_session()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema to the latest migration (safe to repeat).

    With MIGRATION_DATABASE_URL set (PostgreSQL), it migrates as that owner role, then grants the app's role
    (DATABASE_URL's) what the app needs: read and append only on the audit trail.
    """
    from tracker import migrate  # Alembic: loaded by the commands that migrate, not at app start

    with owner_engine() as engine:
        before = migrate.current_revision(engine)
        try:
            migrate.upgrade(engine, file_folders=legacy_file_folders(current_app))
        except migrate.MigrationStopped as stopped:
            raise click.ClickException(str(stopped)) from None
        after = migrate.current_revision(engine)
        grant_app_role(engine)
    if before == after:
        click.echo(f"Database already at revision {after}.")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after}.")


def legacy_file_folders(app):
    """Where versions before 0028 kept evidence documents and report files, for the migration that moves them
    into the database (``EVIDENCE_UPLOAD_FOLDER`` and ``REPORT_FOLDER``, else under the instance folder)."""
    instance = Path(app.instance_path)
    return {"uploads": Path(app.config["EVIDENCE_UPLOAD_FOLDER"] or instance / "uploads"),
            "reports": Path(app.config["REPORT_FOLDER"] or instance / "reports")}


def grant_app_role(owner):
    """When the app connects as a role of its own, give it its privileges on what ``owner`` migrated or restored."""
    app_role = db_roles.separate_roles(current_app.config["DATABASE_URL"], current_app.config["MIGRATION_DATABASE_URL"])
    if app_role:
        db_roles.grant_app_role(owner, app_role)
        click.echo(f"Role {app_role} may read and write the records, and only read and append the audit trail.")


@contextmanager
def owner_engine():
    """The engine of the schema's owner (MIGRATION_DATABASE_URL), else the app's own."""
    owner_url = current_app.config["MIGRATION_DATABASE_URL"]
    if not owner_url:
        yield database().engine
        return
    engine = make_engine(owner_url)
    try:
        yield engine
    finally:
        engine.dispose()


def demo_logins_path():
    return Path(current_app.instance_path) / DEMO_LOGINS_FILE


@click.command("seed-demo")
@with_appcontext
@click.option("--seed-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=DEFAULT_SEED_DIR,
              show_default=True, help="Folder holding fund.toml and projects/*.toml.")
@click.option("--if-empty", is_flag=True, help="Load nothing if a fund already exists; just print the demo logins.")
def seed_demo_command(seed_dir, if_empty):
    """Load the demo portfolio (idempotent) and print one login per role."""
    path = demo_logins_path()
    with session_scope() as session:
        if if_empty and portfolio_services.get_fund(session) is not None:
            click.echo("The database already holds a fund; the demo was not loaded again.")
            print_logins(read_demo_logins(path))
            return
        logins = seed_demo(session, current_app.extensions["tracker.hasher"], read_demo_passwords(path), seed_dir,
                           known_secrets=read_demo_secrets(path))
        session.commit()
    write_demo_logins(path, logins)
    print_logins(logins)


def print_logins(logins):
    if not logins:
        click.echo("No demo logins are recorded in instance/demo-logins.txt.")
        return
    click.echo("Demo logins (also in instance/demo-logins.txt):")
    for login in logins:
        click.echo(f"  {login.role:<8} {login.email:<28} {login.password}")
        if login.totp_secret:
            click.echo(f"           two-factor code: make demo-code EMAIL={login.email}  "
                       f"(or add secret {login.totp_secret} to an authenticator app)")


def read_password(password_stdin):
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise click.UsageError("No password on standard input.")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", "display_name", help="Display name (defaults to the part of the email before @).")
@click.option("--project", "project_slugs", multiple=True, help="Slug of a project to make the user a member of.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--own-password", is_flag=True,
              help="The password is the account holder's own (the first administrator creating their account); "
                   "otherwise it must be changed at first login, like one an administrator sets on the web.")
def create_user_command(email, role, display_name, project_slugs, password_stdin, own_password):
    """Create a user account with ROLE, optionally as a member of projects."""
    password = read_password(password_stdin)
    actor = Actor.command_line()
    with session_scope() as session:
        projects = []
        for slug in project_slugs:
            project = portfolio_services.get_project(session, slug)
            if project is None:
                raise click.BadParameter(f"no project with slug {slug!r}", param_hint="--project")
            projects.append(project)
        try:
            user = auth_services.create_user(session, current_app.extensions["tracker.hasher"], actor, email=email,
                                             display_name=display_name or email.split("@")[0], role=role,
                                             password=password, set_by_administrator=not own_password)
            auth_services.set_memberships(session, actor, user, [project.id for project in projects])
        except ValidationFailed as error:
            raise click.ClickException(str(error)) from None
        session.commit()
    then = "" if own_password else " The password must be changed at first login."
    click.echo(f"Created {role} account {user.email}.{then}")


@click.command("demo-code")
@with_appcontext
@click.argument("email")
def demo_code_command(email):
    """Print the current two-factor code of a demo account listed in instance/demo-logins.txt."""
    try:
        code, seconds_left = demo_code(demo_logins_path(), email)
    except NotADemoAccount as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(code)
    click.echo(f"(valid for {seconds_left} more seconds; each code works once)", err=True)


@click.command("backup")
@with_appcontext
@click.option("-o", "--output", "path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup archive to write (mode 0600).")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def backup_command(path, force):
    """Back up the database, which holds the uploaded evidence documents, into one archive (safe while the app runs)."""
    engine = database().engine
    try:
        files = backup.backup(engine, path, overwrite=force, pg_bin_dir=current_app.config["PG_BIN_DIR"])
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    counts = backup.row_counts(engine)
    click.echo(f"Backed up {len(counts)} tables ({sum(counts.values())} rows, {files} evidence documents among "
               f"them) to {path}.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path, force):
    """Restore the database, evidence documents included, from a backup, then check every document (stop the web
    server first).

    Exits with an error, naming the evidence ids, when a document the database refers to is missing or altered.
    """
    from tracker import migrate  # Alembic: loaded by the commands that migrate, not at app start

    engine = database().engine
    uploads = legacy_file_folders(current_app)["uploads"]
    try:
        with owner_engine() as owner:
            restored = backup.restore(owner, path, force=force, pg_bin_dir=current_app.config["PG_BIN_DIR"],
                                      legacy_uploads=uploads)
            grant_app_role(owner)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    counts = backup.row_counts(engine)
    revision = migrate.current_revision(engine)
    files = "" if restored.evidence_files is None else f" with {restored.evidence_files} evidence documents"
    click.echo(f"Restored {path}: {len(counts)} tables ({sum(counts.values())} rows){files}, at revision {revision}.")
    if restored.legacy_files:
        click.echo(f"{restored.legacy_files} evidence files of this older backup were put into {uploads}.")
    if revision != migrate.heads()[0]:
        if restored.evidence_files is None:
            click.echo(f"Warning: {path} is a database-only backup (from an older version): it holds no uploaded "
                       f"evidence documents. Copy them back into {uploads} from where they were backed up.",
                       err=True)
        click.echo(f"Run `flask --app tracker init-db` to upgrade it to revision {migrate.heads()[0]}: it moves the "
                   f"evidence files of {uploads} into the database, checking each one.")
        return
    check_evidence_files(engine)


def check_evidence_files(engine):
    """Fail, naming the evidence ids (never their titles), when a document the database refers to is not as
    uploaded."""
    problems = backup.evidence_file_problems(engine)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(
            f"The database was restored, but {len(problems)} evidence documents it refers to are missing or "
            f"altered (listed above). Restore a complete backup.")
    click.echo("Every evidence document the database refers to is present and unaltered.")


@click.command("purge-expired")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List what would be erased, and erase nothing.")
def purge_expired_command(dry_run):
    """Erase stories and other identifying text of projects past their fund's retention period.

    Also forgets expired double-submission receipts and import uploads left waiting longer than
    IMPORT_UPLOAD_MINUTES (run it daily from cron).
    """
    with session_scope() as session:
        if not dry_run:
            forgotten = submissions.forget_old(session)
            uploads = staging.purge_expired(session, current_app.config["IMPORT_UPLOAD_MINUTES"] * 60)
            session.commit()
            click.echo(f"{forgotten} expired form receipts forgotten, {uploads} abandoned import uploads deleted.")
        plans = retention.plan(session)
        if not plans:
            click.echo("Nothing has passed its retention period.")
            return
        for erasure in plans:
            click.echo(f"{erasure.project.slug}: ended {erasure.project.end_date.isoformat()}, retention "
                       f"{erasure.retention_months} months (erasable from {erasure.erase_after.isoformat()}): "
                       f"{len(erasure.story_ids)} stories deleted, sources of {len(erasure.outcome_ids)} outcomes, "
                       f"names of {len(erasure.substantiator_ids)} substantiators and {len(erasure.evidence_ids)} "
                       f"evidence items' files or notes erased")
        if dry_run:
            click.echo("Dry run: nothing was erased.")
            return
        retention.erase(session, Actor.command_line("purge-expired"), plans)
        session.commit()
    click.echo("Erased; an audit entry records each erased record.")


@click.command("db-revision")
@with_appcontext
@click.argument("message")
@click.option("--rev-id", help="Revision id to use instead of the next number.")
def db_revision_command(message, rev_id):
    """(Developers) Autogenerate a migration from model changes."""
    from tracker import migrate  # Alembic: loaded by the commands that migrate, not at app start

    migrate.new_revision(database().engine, message, rev_id)


@click.command("pii-check")
def pii_check_command():
    """Read text on standard input; print the personal data the finder flags in it as JSON (kind, start, end, text).

    Staff and scripts can check a text this way before sharing it. Nothing is stored or logged."""
    from tracker.privacy.pii import find_personal_data  # noqa: PLC0415 (language libraries load on first use)

    text = sys.stdin.read()
    click.echo(json.dumps([finding.as_dict() for finding in find_personal_data(text)], ensure_ascii=False))


@click.command("pii-eval")
@click.option("--set", "set_name", type=click.Choice(["eval", "dev", "holdout"]), default="eval", show_default=True,
              help="The evaluation set, the development set the finder was tuned on, or the later held-out set.")
@click.option("--errors", is_flag=True, help="Also list every missed and wrongly flagged span.")
def pii_eval_command(set_name, errors):
    """Print the finder's precision and recall on a labelled set of synthetic sentences, per language and kind."""
    from tracker.privacy.evaluation import evaluate  # noqa: PLC0415

    click.echo(json.dumps(evaluate(set_name, with_errors=errors), ensure_ascii=False, indent=2))


@click.command("settings-doc")
def settings_doc_command():
    """Print the Markdown table of every setting, as README.md shows it under *Configuration*."""
    click.echo(config.settings_markdown(), nl=False)


def init_app(app):
    for command in (init_db_command, seed_demo_command, create_user_command, demo_code_command, backup_command,
                    restore_command, purge_expired_command, db_revision_command, settings_doc_command,
                    pii_check_command, pii_eval_command):
        app.cli.add_command(command)
