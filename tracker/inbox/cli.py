"""``flask --app tracker send-digests``: the daily e-mail of each person's to-dos, for a scheduler.

Run it once a day or more often (cron, a systemd timer): each digest reader gets at most one digest per
UTC day, however often it runs. It also retries the "immediately" e-mails that failed since, and mails
the changes made outside web requests (``audit-signals``' alerts, imports).
"""

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.inbox import mail
from tracker.inbox import notify


@click.command("send-digests")
@with_appcontext
def send_digests_command():
    """E-mail each daily-digest reader their current to-dos (once a day) and any to-do not yet notified."""
    if not mail.enabled(current_app.config):
        click.echo("MAIL_HOST is not set: no e-mail sent.")
        return
    digests = notify.send_digests()
    immediate = notify.notify_immediately()
    click.echo(f"{digests} digest(s) and {immediate} notification(s) sent.")
