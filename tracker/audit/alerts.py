"""Alerts: the signals of :mod:`tracker.audit.rules` evaluated over the trail, recorded for the data-protection lead.

An alert is raised once per signal, person and period (a unique constraint, and a check before inserting), links
to the audit entries behind it, and is closed with a note, never deleted. Flask-free: the ``audit-signals``
command and the alert pages call it.
"""

import json
from collections import defaultdict
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tracker.audit import insight
from tracker.audit import rules
from tracker.audit.models import AlertStatus
from tracker.audit.models import AuditAlert
from tracker.audit.models import AuditEntry
from tracker.audit.services import record
from tracker.audit.services import start_of_day
from tracker.auth.models import User
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.db_types import utcnow

SAMPLE = 50  # entry ids kept on an alert (the latest); entry_count says how many there were


def day_range(first_day, last_day):
    return [first_day + timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]


def grouped_by_day(session, conditions, start, end, *extra):
    """{(actor_id, day, *extra): count} of the entries meeting ``conditions`` in [start, end)."""
    day = insight.utc_day(session)
    statement = (sa.select(AuditEntry.actor_id, day, *extra, sa.func.count())
                 .where(*conditions, AuditEntry.at >= start, AuditEntry.at < end)
                 .group_by(AuditEntry.actor_id, day, *extra))
    return {(row[0], insight.as_day(row[1]), *row[2:-1]): row[-1] for row in session.execute(statement)}


def read_conditions(actions):
    return [AuditEntry.action.in_(actions), AuditEntry.object_type.in_(rules.SENSITIVE_KINDS)]


def export_conditions():
    download, report = rules.REPORT_DOWNLOAD
    return [sa.or_(AuditEntry.action.in_(rules.EXPORT_ACTIONS),
                   sa.and_(AuditEntry.action == download, AuditEntry.object_type == report))]


def signal_conditions(signal, actions):
    if signal == rules.BULK_EXPORTS:
        return export_conditions()
    if signal == rules.BREAK_GLASS_REPEATED:
        return [AuditEntry.action == rules.BREAK_GLASS_ACTION]
    return read_conditions(actions)


def local_hours(hourly, zone):
    """{(actor, utc day, local hour): reads} from {(actor, utc day, utc hour): reads}."""
    result = defaultdict(int)
    for (actor_id, day, hour), reads in hourly.items():
        moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC).astimezone(zone)
        result[(actor_id, day, moment.hour)] += reads
    return result


def last_active_before(session, first_reads, emails, created):
    """{(actor, day): the account's last audit entry before that day, else its creation time}."""
    found = {}
    for actor_id, day in first_reads:
        email = emails.get(actor_id)
        if email is None:
            continue
        # The account's own acts (not failed logins typed with its address), found along (actor_email, at).
        last = session.scalar(sa.select(sa.func.max(AuditEntry.at)).where(
            AuditEntry.actor_email == email, AuditEntry.actor_id == actor_id, AuditEntry.at < start_of_day(day)))
        found[(actor_id, day)] = last if last is not None else created.get(actor_id)
    return found


def findings(session, first_day, last_day, thresholds, zone_name):
    """Every signal's findings for the UTC days ``first_day``..``last_day``."""
    days = day_range(first_day, last_day)
    start, end = start_of_day(first_day), start_of_day(last_day + timedelta(days=1))
    baseline_start = start_of_day(first_day - timedelta(days=rules.BASELINE_DAYS))
    reads = read_conditions(insight.read_actions(session))
    hour = insight.utc_hour(session)
    daily_reads = grouped_by_day(session, reads, baseline_start, end)
    hourly = grouped_by_day(session, reads, baseline_start, end, hour)
    hourly_projects = defaultdict(set)
    for (actor_id, day, hour_of_day, project_id) in grouped_by_day(session, reads, start, end, hour,
                                                                  AuditEntry.project_id):
        if project_id is not None:
            hourly_projects[(actor_id, day, hour_of_day)].add(project_id)
    first_reads = {(row[0], insight.as_day(row[1])): row[2] for row in session.execute(
        sa.select(AuditEntry.actor_id, insight.utc_day(session), sa.func.min(AuditEntry.at))
        .where(*reads, AuditEntry.at >= start, AuditEntry.at < end, AuditEntry.actor_id.is_not(None))
        .group_by(AuditEntry.actor_id, insight.utc_day(session)))}
    accounts = session.execute(sa.select(User.id, User.email, User.created_at)).all()
    emails = {row.id: row.email for row in accounts}
    created = {row.id: row.created_at for row in accounts}
    grants = grouped_by_day(session, [AuditEntry.action == rules.BREAK_GLASS_ACTION],
                            start_of_day(rules.week_of(first_day)), end)
    return [
        *rules.read_spikes(daily_reads, days, thresholds, emails),
        *rules.many_projects(hourly_projects, days, thresholds, emails),
        *rules.off_hours(local_hours(hourly, ZoneInfo(zone_name)), days, thresholds, emails),
        *rules.bulk_exports(grouped_by_day(session, export_conditions(), start, end), days, thresholds, emails),
        *rules.break_glass_repeated(grants, days, thresholds, emails),
        *rules.dormant_readers(first_reads, last_active_before(session, first_reads, emails, created),
                               thresholds, emails),
    ]


def subject_of(finding):
    return finding.actor_email or f"#{finding.actor_id}"


def raise_alerts(session, first_day, last_day, thresholds, zone_name):
    """Record an alert for each new finding over the days; return the alerts raised now (not those already open)."""
    actions = insight.read_actions(session)
    raised = []
    for finding in findings(session, first_day, last_day, thresholds, zone_name):
        period_start = start_of_day(finding.first_day)
        exists = session.scalar(sa.select(AuditAlert.id).where(
            AuditAlert.signal == finding.signal, AuditAlert.subject == subject_of(finding),
            AuditAlert.period_start == period_start))
        if exists is None:
            raised.append(new_alert(session, finding, actions))
    session.flush()
    return raised


def new_alert(session, finding, actions):
    start, end = start_of_day(finding.first_day), start_of_day(finding.last_day + timedelta(days=1))
    where = [*signal_conditions(finding.signal, actions), AuditEntry.at >= start, AuditEntry.at < end,
             AuditEntry.actor_id == finding.actor_id]
    count = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(*where))
    # The latest entries of the period: a pattern that ends a day (late reads, a burst) is in them.
    ids = list(session.scalars(sa.select(AuditEntry.id).where(*where)
                               .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(SAMPLE)))
    alert = AuditAlert(signal=finding.signal, subject=subject_of(finding), subject_id=finding.actor_id,
                       period_start=start, period_end=end, figures=json.dumps(finding.figures, sort_keys=True),
                       entry_ids=json.dumps(ids), entry_count=count)
    session.add(alert)
    return alert


def alerts_statement(status=None):
    statement = sa.select(AuditAlert).order_by(AuditAlert.raised_at.desc(), AuditAlert.id.desc())
    if status:
        statement = statement.where(AuditAlert.status == status)
    return statement


def close_alert(session, actor, alert, note):
    """Close an alert with the lead's note; the closing is audited. An alert is never deleted or reopened."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed.on("note", N_("Say what you found or did: the note is kept with the alert."))
    if alert.status == AlertStatus.CLOSED:
        raise ValidationFailed.on("note", N_("This alert is already closed."))
    alert.status, alert.closed_at, alert.closed_by_id, alert.closing_note = (
        AlertStatus.CLOSED, utcnow(), actor.user_id, note)
    session.add(alert)
    session.flush()
    record(session, actor, "close", "audit_alert", alert.id, details={"signal": alert.signal})
    return alert


def entry_ids(alert):
    return json.loads(alert.entry_ids)


def figures(alert):
    return json.loads(alert.figures)
