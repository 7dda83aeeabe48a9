"""``flask --app tracker audit-signals``: evaluate the access signals over the trail and record new alerts.

Run it from cron, e.g. hourly (``0 * * * * flask --app tracker audit-signals``): each run looks at yesterday and
today (UTC) by default, and never raises the same alert twice, so runs can overlap in what they look at.
"""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.audit import alerts
from tracker.audit import rules
from tracker.db import database
from tracker.db_types import utcnow
from tracker.inbox import notify

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("audit-signals")
@with_appcontext
@click.option("--days", type=click.IntRange(min=1, max=366), default=2, show_default=True,
              help="How many UTC days to evaluate, ending with --until.")
@click.option("--until", type=DAY, help="The last day to evaluate (default: today, UTC).")
def audit_signals_command(days, until):
    """Raise an alert for each access signal that fires (rules and thresholds: TRACKER_SIGNAL_* settings)."""
    last_day = until.date() if until else utcnow().date()
    first_day = last_day - timedelta(days=days - 1)
    with database().new_session() as session:
        raised = alerts.raise_alerts(session, first_day, last_day, rules.thresholds_from(current_app.config),
                                     current_app.config["BABEL_DEFAULT_TIMEZONE"])
        session.commit()
        for alert in raised:
            click.echo(f"alert {alert.id}: {alert.signal} {alert.subject} {alert.period_start:%Y-%m-%d}")
    if raised:
        # Who chose "immediately" (a data-protection lead, say) hears of new alerts now; the others in their digest.
        notify.notify_immediately()
    click.echo(f"{len(raised)} new alert(s) for {first_day:%Y-%m-%d} to {last_day:%Y-%m-%d}.")


def init_app(app):
    app.cli.add_command(audit_signals_command)
