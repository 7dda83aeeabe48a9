"""A reader's own exposure to distressing stories, and the staff's aggregate, counted in SQL from the audit trail.

Every figure is one aggregation over the ``read`` entries of stories joined to the story's distressing-content
level. :func:`exposure_for` answers for one reader and is called only with the signed-in user's own id.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.audit.services import record
from tracker.audit.services import start_of_day
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.db_types import utcnow
from tracker.msc.models import DistressLevel
from tracker.msc.models import Story
from tracker.portfolio.services import get_fund
from tracker.wellbeing import rules
from tracker.wellbeing.models import ReaderSetting

DISTRESSING = (DistressLevel.SOME, DistressLevel.SEVERE)


def distressing_reads(*conditions):
    """The audit trail's reads of stories rated some or severe, meeting ``conditions``."""
    return (sa.select().select_from(AuditEntry)
            .join(Story, AuditEntry.object_id == sa.cast(Story.id, sa.String))
            .where(AuditEntry.action == "read", AuditEntry.object_type == "story",
                   Story.distress_level.in_(DISTRESSING), *conditions))


def stories_between(start, end, *also):
    """How many different stories were read from ``start`` (inclusive) to ``end``: one COUNT(DISTINCT CASE)."""
    within = sa.and_(AuditEntry.at >= start, AuditEntry.at < end, *also)
    return sa.func.count(sa.distinct(sa.case((within, AuditEntry.object_id))))


@dataclass(frozen=True)
class Exposure:
    comparison: rules.Comparison
    support: str


def exposure_for(session, user_id, today):
    """``user_id``'s distressing reading this week against their own usual weeks, with the fund's contacts."""
    mondays = rules.weeks_to(today)
    starts = [start_of_day(monday) for monday in mondays]
    week = timedelta(weeks=1)
    columns = [stories_between(start, start + week).label(f"w{index}") for index, start in enumerate(starts)]
    severe = stories_between(starts[0], starts[0] + week, Story.distress_level == DistressLevel.SEVERE).label("severe")
    row = session.execute(distressing_reads(AuditEntry.actor_id == user_id, AuditEntry.at >= starts[-1],
                                            AuditEntry.at < starts[0] + week).add_columns(*columns, severe)).one()
    weekly = {monday: row[index] for index, monday in enumerate(mondays)}
    comparison = rules.compare(weekly, row.severe, today, own_threshold(session, user_id))
    fund = get_fund(session)
    return Exposure(comparison, fund.wellbeing_support if fund is not None else "")


def staff_aggregate(session, start, end):
    """Distressing stories read per reader from ``start`` to ``end``, as an aggregate over at least
    :data:`~tracker.wellbeing.rules.MIN_READERS` readers; no one reader's figure leaves this function."""
    per_reader = sa.func.count(sa.distinct(AuditEntry.object_id))
    statement = (distressing_reads(AuditEntry.at >= start, AuditEntry.at < end, AuditEntry.actor_id.is_not(None))
                 .add_columns(per_reader).group_by(AuditEntry.actor_id))
    return rules.aggregate(session.scalars(statement).all())


def own_setting(session, user_id):
    return session.get(ReaderSetting, user_id)


def own_threshold(session, user_id):
    setting = own_setting(session, user_id)
    return setting.note_threshold if setting is not None else None


def save_threshold(session, actor, threshold):
    """Keep the signed-in reader's own threshold (None: never show the note).

    The audit entry says that the setting changed, never to what: the threshold is the reader's own business.
    """
    low, high = rules.THRESHOLD_RANGE
    if threshold is not None and not low <= threshold <= high:
        raise ValidationFailed.on("note_threshold", N_("Give a number of stories between %(low)d and %(high)d, or "
                                                       "leave it empty.", low=low, high=high))
    setting = own_setting(session, actor.user_id) or ReaderSetting(user_id=actor.user_id)
    setting.note_threshold = threshold
    setting.updated_at = utcnow()
    session.add(setting)
    session.flush()
    record(session, actor, "update", "wellbeing_setting", actor.user_id)
    return setting
