"""Token commands: ``create-token``, ``list-tokens`` and ``revoke-token``. Each is one audited transaction."""

import click
from flask.cli import with_appcontext

from tracker.api import tokens
from tracker.audit.services import Actor
from tracker.auth import services as auth_services
from tracker.common.errors import ValidationFailed
from tracker.db import database
from tracker.db_types import utcnow


def find_user(session, email):
    user = auth_services.get_user_by_email(session, email)
    if user is None:
        raise click.ClickException(f"No account with the email address {email}.")
    return user


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="API token", show_default=True, help="What the token is for, e.g. 'Kobo sync'.")
@click.option("--days", type=int, help="Expire the token after this many days (default: never).")
def create_token_command(email, name, days):
    """Create an API token for the account EMAIL and print it (it is shown only this once)."""
    with database().new_session() as session:
        user = find_user(session, email)
        try:
            row, token = tokens.create_token(session, Actor.command_line(), user, name, days=days)
        except ValidationFailed as error:
            raise click.ClickException(str(error)) from None
        session.commit()
    click.echo(token)
    expiry = f", expires {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else ""
    click.echo(f"Token {row.id} “{row.name}” for {user.email} ({user.role}){expiry}. It acts with that account's "
               f"permissions. Store it now: it cannot be shown again.", err=True)


def status_of(api_token, now):
    if api_token.revoked_at is not None:
        return "revoked"
    if api_token.expires_at is not None and api_token.expires_at <= now:
        return "expired"
    return "active"


@click.command("list-tokens")
@with_appcontext
@click.argument("email", required=False)
def list_tokens_command(email):
    """List API tokens (of the account EMAIL, if given): id, status, owner, name, start of the token, last use."""
    now = utcnow()
    with database().new_session() as session:
        user = find_user(session, email) if email else None
        rows = session.execute(tokens.tokens_statement(user)).all()
        if not rows:
            click.echo("No API tokens.")
        for api_token, owner in rows:
            used = f"{api_token.last_used_at:%Y-%m-%d %H:%M} from {api_token.last_used_ip}" \
                if api_token.last_used_at else "never used"
            click.echo(f"{api_token.id:>5}  {status_of(api_token, now):<8} {owner.email:<30} {api_token.name:<24} "
                       f"{api_token.prefix}…  {used}")


@click.command("revoke-token")
@with_appcontext
@click.argument("token_ids", nargs=-1, type=int)
@click.option("--user", "email", help="Revoke every token of this account.")
def revoke_token_command(token_ids, email):
    """Revoke the tokens TOKEN_IDS (see list-tokens), or all tokens of --user EMAIL."""
    if not token_ids and not email:
        raise click.UsageError("Give token ids, or --user EMAIL.")
    actor = Actor.command_line()
    with database().new_session() as session:
        chosen = []
        for token_id in token_ids:
            api_token = tokens.get_token(session, token_id)
            if api_token is None:
                raise click.ClickException(f"No API token with id {token_id}.")
            chosen.append(api_token)
        if email:
            chosen += tokens.user_tokens(session, find_user(session, email))
        revoked = [api_token for api_token in chosen if api_token.revoked_at is None]
        for api_token in revoked:
            tokens.revoke_token(session, actor, api_token)
        session.commit()
    click.echo(f"Revoked {len(revoked)} token(s)" + (f": {', '.join(str(t.id) for t in revoked)}." if revoked
                                                      else "; they were already revoked."))


def init_app(app):
    for command in (create_token_command, list_tokens_command, revoke_token_command):
        app.cli.add_command(command)
