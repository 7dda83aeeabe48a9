"""The access overview: the audit trail aggregated in SQL (GROUP BY), never loaded entry by entry.

Every query is a range of a few actions over time, which the covering index ``ix_audit_entry_insight``
(action, at, object_type, actor_id, project_id) answers without reading the table. It shows record ids and
kinds, never record text. Flask-free: the views and the ``audit-signals`` command call it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa

from tracker.audit import rules
from tracker.audit.models import AuditEntry
from tracker.audit.services import start_of_day
from tracker.auth.models import User
from tracker.portfolio.models import Project
from tracker.wellbeing.rules import StaffAggregate
from tracker.wellbeing.services import staff_aggregate

DEFAULT_DAYS = 30
LISTED = 50  # break-the-glass grants and login addresses listed on the page


@dataclass(frozen=True)
class InsightFilter:
    """The overview's filters: a period of UTC days (both inclusive), a person, a project, a record kind."""

    date_from: date
    date_to: date
    actor_id: int | None = None
    project_id: int | None = None
    kind: str | None = None

    @classmethod
    def last_days(cls, today, days=DEFAULT_DAYS, **filters):
        return cls(date_from=today - timedelta(days=days - 1), date_to=today, **filters)

    @property
    def start(self):
        return start_of_day(self.date_from)

    @property
    def end(self):
        return start_of_day(self.date_to + timedelta(days=1))

    def as_dict(self):
        return {name: value.isoformat() if isinstance(value, date) else value
                for name, value in vars(self).items() if value not in (None, "")}


# Literal constants, so that the same expression in SELECT and GROUP BY is the same SQL text on PostgreSQL.
UTC_ZONE = sa.literal_column("'UTC'")


def utc_day(session):
    """The SQL expression of an entry's UTC day as 'YYYY-MM-DD' text (SQLite stores UTC text, PostgreSQL a zone)."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone(UTC_ZONE, AuditEntry.at), sa.literal_column("'YYYY-MM-DD'"))
    return sa.func.substr(AuditEntry.at, 1, 10)


def utc_hour(session):
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.extract("hour", sa.func.timezone(UTC_ZONE, AuditEntry.at)), sa.Integer)
    return sa.cast(sa.func.substr(AuditEntry.at, 12, 2), sa.Integer)


def recorded_actions(session):
    """Every action recorded so far, by hopping from one action to the next along its index (a "skip scan": a
    few dozen index lookups, where ``SELECT DISTINCT`` would read the index's million entries)."""
    hop = sa.text(
        "WITH RECURSIVE hop(action) AS ("
        " SELECT MIN(action) FROM audit_entry"
        " UNION ALL"
        " SELECT (SELECT MIN(action) FROM audit_entry WHERE action > hop.action) FROM hop"
        " WHERE hop.action IS NOT NULL)"
        " SELECT action FROM hop WHERE action IS NOT NULL")
    return list(session.scalars(hop))


def read_actions(session):
    """The actions recorded so far that count as reads (a list or search read added later counts too)."""
    return rules.read_actions(recorded_actions(session))


def in_period(statement, start, end):
    return statement.where(AuditEntry.at >= start, AuditEntry.at < end)


def reads_where(filters, actions):
    """The conditions of a sensitive read within the filters."""
    kinds = [filters.kind] if filters.kind in rules.SENSITIVE_KINDS else list(rules.SENSITIVE_KINDS)
    conditions = [AuditEntry.action.in_(actions), AuditEntry.at >= filters.start, AuditEntry.at < filters.end,
                  AuditEntry.object_type.in_(kinds)]
    if filters.actor_id:
        conditions.append(AuditEntry.actor_id == filters.actor_id)
    if filters.project_id:
        conditions.append(AuditEntry.project_id == filters.project_id)
    return conditions


def counted(session, column, conditions):
    """[(value, count)] of ``column`` over the entries meeting ``conditions``, most first."""
    count = sa.func.count().label("n")
    rows = session.execute(sa.select(column, count).where(*conditions).group_by(column).order_by(count.desc(), column))
    return [(value, number) for value, number in rows]


@dataclass
class Overview:
    reads_total: int
    reads_by_person: list
    reads_by_project: list
    reads_by_kind: list
    reads_by_week: list
    break_glass: list
    break_glass_by_person: list
    exports: list
    failed_logins_by_account: list
    failed_logins_by_address: list
    people: dict
    projects: dict
    # Distressing reading across staff, over the period only (never one person, project or kind; see
    # tracker.wellbeing): shown only over at least MIN_READERS readers.
    distressing_reading: StaffAggregate


def overview(session, filters):
    """All the overview's figures for ``filters``."""
    actions = read_actions(session)
    where = reads_where(filters, actions)
    by_person = counted(session, AuditEntry.actor_id, where)
    by_project = counted(session, AuditEntry.project_id, where)
    by_kind = counted(session, AuditEntry.object_type, where)
    by_day = dict(counted(session, utc_day(session), where))
    grants = break_glass_grants(session, filters)
    grant_people = counted(session, AuditEntry.actor_id, break_glass_where(filters))
    exports = exports_by_person(session, filters)
    failed_accounts, failed_addresses = failed_logins(session, filters)
    people = names(session, User, User.email, {row[0] for row in by_person + grant_people + exports}
                   | {grant.actor_id for grant in grants})
    projects = names(session, Project, Project.title, {row[0] for row in by_project} | {g.project_id for g in grants})
    return Overview(reads_total=sum(number for _value, number in by_kind), reads_by_person=by_person,
                    reads_by_project=by_project, reads_by_kind=by_kind, reads_by_week=weekly(by_day, filters),
                    break_glass=grants, break_glass_by_person=grant_people, exports=exports,
                    failed_logins_by_account=failed_accounts, failed_logins_by_address=failed_addresses,
                    people=people, projects=projects,
                    distressing_reading=staff_aggregate(session, filters.start, filters.end))


def weekly(by_day, filters):
    """[(Monday, reads)] for every week of the period, weeks without reads included."""
    weeks = defaultdict(int)
    day = filters.date_from
    while day <= filters.date_to:
        weeks[rules.week_of(day)] += by_day.get(day.isoformat(), 0)
        day += timedelta(days=1)
    return sorted(weeks.items())


def names(session, model, column, ids):
    ids = {value for value in ids if value is not None}
    if not ids:
        return {}
    return dict(session.execute(sa.select(model.id, column).where(model.id.in_(ids))).all())


def break_glass_where(filters):
    conditions = [AuditEntry.action == rules.BREAK_GLASS_ACTION, AuditEntry.at >= filters.start,
                  AuditEntry.at < filters.end]
    if filters.actor_id:
        conditions.append(AuditEntry.actor_id == filters.actor_id)
    if filters.project_id:
        conditions.append(AuditEntry.project_id == filters.project_id)
    return conditions


def break_glass_grants(session, filters):
    """The latest grants of the period with their reasons (the reason an administrator typed, not record text)."""
    statement = (sa.select(AuditEntry.id, AuditEntry.at, AuditEntry.actor_id, AuditEntry.actor_email,
                           AuditEntry.project_id, AuditEntry.reason)
                 .where(*break_glass_where(filters)).order_by(AuditEntry.at.desc()).limit(LISTED))
    return list(session.execute(statement))


def exports_by_person(session, filters):
    """[(actor_id, record kind, count)] of exports and report downloads in the period."""
    download, report = rules.REPORT_DOWNLOAD
    conditions = [sa.or_(AuditEntry.action.in_(rules.EXPORT_ACTIONS),
                         sa.and_(AuditEntry.action == download, AuditEntry.object_type == report)),
                  AuditEntry.at >= filters.start, AuditEntry.at < filters.end]
    if filters.actor_id:
        conditions.append(AuditEntry.actor_id == filters.actor_id)
    if filters.project_id:
        conditions.append(AuditEntry.project_id == filters.project_id)
    count = sa.func.count().label("n")
    statement = (sa.select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.object_type, count).where(*conditions)
                 .group_by(AuditEntry.actor_id, AuditEntry.action, AuditEntry.object_type)
                 .order_by(count.desc(), AuditEntry.actor_id))
    return [tuple(row) for row in session.execute(statement)]


def failed_logins(session, filters):
    """Failed and throttled logins of the period, by the address typed and by client IP (most first)."""
    conditions = [AuditEntry.action.in_(rules.FAILED_LOGIN_ACTIONS), AuditEntry.at >= filters.start,
                  AuditEntry.at < filters.end]
    # lower(): addresses are case-insensitive, and it keeps SQLite on the time range of the covering index
    # rather than a skip scan of the whole (actor_email, at) index.
    return (counted(session, sa.func.lower(AuditEntry.actor_email), conditions)[:LISTED],
            counted(session, AuditEntry.ip, conditions)[:LISTED])


def csv_rows(result, labels):
    """The overview as (section, key, label, count) rows for its CSV export; ``labels`` names the sections."""
    people, projects = result.people, result.projects
    yield from ((labels["person"], actor_id, people.get(actor_id, ""), n) for actor_id, n in result.reads_by_person)
    yield from ((labels["project"], pid, projects.get(pid, ""), n) for pid, n in result.reads_by_project)
    yield from ((labels["kind"], kind, "", n) for kind, n in result.reads_by_kind)
    yield from ((labels["week"], monday.isoformat(), "", n) for monday, n in result.reads_by_week)
    yield from ((labels["break_glass"], actor_id, people.get(actor_id, ""), n)
                for actor_id, n in result.break_glass_by_person)
    yield from ((labels["exports"], f"{action}:{kind}", people.get(actor_id, ""), n)
                for actor_id, action, kind, n in result.exports)
    yield from ((labels["failed_account"], email, "", n) for email, n in result.failed_logins_by_account)
    yield from ((labels["failed_address"], ip, "", n) for ip, n in result.failed_logins_by_address)


def as_day(text):
    return datetime.strptime(text, "%Y-%m-%d").date()
