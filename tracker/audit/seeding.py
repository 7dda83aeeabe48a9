"""The demo's month of reading: what the access overview and its signals have to look at.

The demo accounts read the demo's real stories, outcomes and evidence items on weekdays of the last 30 days,
in office hours (UTC) and within their scope: the M&E officer across the portfolio, each grantee their own
project, the donor a few records. One anomaly is planted three days ago: late in the evening the M&E officer
reads far more records than usual, across every project. The signals are then evaluated over the month, so the
alerts list holds that anomaly. Entries come from the documentation addresses 192.0.2.0/24, which also mark the
month as loaded: loading twice adds nothing.
"""

import random
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa

from tracker.audit import alerts
from tracker.audit import rules
from tracker.audit.models import AuditEntry
from tracker.auth.models import Membership
from tracker.auth.models import User
from tracker.config import default
from tracker.db_types import utcnow
from tracker.evidence.models import EvidenceItem
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome

DAYS = 30
ANOMALY_DAYS_AGO = 3
ADDRESS = "192.0.2.{}"
# Reads per working day of each demo role (on top of a small daily variation).
DAILY_READS = {"me": 14, "grantee": 6, "donor": 2, "admin": 0}


def load(session, _actor, context):
    if session.scalar(sa.select(AuditEntry.id).where(AuditEntry.ip.like(ADDRESS.format("%"))).limit(1)):
        return
    records = sensitive_records(session)
    if not records:
        return
    chooser = random.Random(18)  # noqa: S311  # nosec B311 - a reproducible demo, not security
    today = utcnow().date()
    rows = []
    for user in context["users"].values():
        scope = in_scope(session, user, records)
        for offset in range(DAYS, 0, -1):
            day = today - timedelta(days=offset)
            if day.weekday() < 5 and scope:
                rows += working_day(user, day, scope, chooser)
    me = context["users"].get("me@example.org")
    if me is not None:
        rows += anomaly(me, today - timedelta(days=ANOMALY_DAYS_AGO), records)
    session.execute(sa.insert(AuditEntry.__table__), rows)
    thresholds = rules.thresholds_from({f"SIGNAL_{name.upper()}": default(f"SIGNAL_{name.upper()}")
                                        for name in rules.Thresholds.__dataclass_fields__})
    alerts.raise_alerts(session, today - timedelta(days=DAYS), today, thresholds, default("BABEL_DEFAULT_TIMEZONE"))


def sensitive_records(session):
    """[(kind, id, project id)] of every demo story, outcome and evidence item."""
    return [(kind, record_id, project_id)
            for kind, model in (("story", Story), ("outcome", Outcome), ("evidence_item", EvidenceItem))
            for record_id, project_id in session.execute(sa.select(model.id, model.project_id).order_by(model.id))]


def in_scope(session, user, records):
    if user.role.value == "grantee":
        own = set(session.scalars(sa.select(Membership.project_id).where(Membership.user_id == user.id)))
        return [record for record in records if record[2] in own]
    return records if DAILY_READS.get(user.role.value) else []


def entry(user, moment, record, number):
    kind, record_id, project_id = record
    return {"at": moment, "actor_id": user.id, "actor_email": user.email, "actor_role": user.role.value,
            "action": "read", "object_type": kind, "object_id": str(record_id), "project_id": project_id,
            "ip": ADDRESS.format(10 + number), "reason": None, "details": None}


def working_day(user, day, scope, chooser):
    count = DAILY_READS[user.role.value] + chooser.randrange(0, 4)
    start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    return [entry(user, start + timedelta(minutes=chooser.randrange(0, 9 * 60)), chooser.choice(scope), user.id)
            for _read in range(count)]


def anomaly(user: User, day, records):
    """Late one evening, 140 reads of records of every project within two hours."""
    start = datetime(day.year, day.month, day.day, 21, 30, tzinfo=UTC)
    return [entry(user, start + timedelta(seconds=50 * index), records[index % len(records)], 99)
            for index in range(140)]
