"""How a reader's week of distressing reading compares with their own usual weeks; plain functions, no Flask.

A week is a calendar week of UTC days, Monday first. The amount read in a week is the number of different
stories rated some or severe that the reader opened or saw in a list that week (a story read twice in a week
counts once). Their usual amount is the median of the previous ``USUAL_WEEKS`` weeks, weeks without reading
counted as 0, so a holiday lowers it and one heavy week does not raise it much.
"""

import statistics
from dataclasses import dataclass
from datetime import timedelta

from tracker.audit.rules import week_of

USUAL_WEEKS = 8
# The access overview shows the staff's aggregate only over at least this many readers, so that no one
# person's figure can be read from it.
MIN_READERS = 5
THRESHOLD_RANGE = (1, 500)


def weeks_to(today, count=USUAL_WEEKS):
    """Mondays of the week of ``today`` (first) and of the ``count`` weeks before it, latest first."""
    this_week = week_of(today)
    return [this_week - timedelta(weeks=back) for back in range(count + 1)]


def usual_amount(previous_weeks):
    """The median of the previous weeks' amounts (0 without any)."""
    return statistics.median(previous_weeks) if previous_weeks else 0


@dataclass(frozen=True)
class Comparison:
    this_week: int
    severe_this_week: int
    usual: float
    previous_weeks: tuple  # ((Monday, amount), ...), latest first
    threshold: int | None

    @property
    def above_usual(self):
        return self.this_week > self.usual

    @property
    def note_due(self):
        """The reader's own threshold is reached: the panel adds the gentle note with support contacts."""
        return self.threshold is not None and self.this_week >= self.threshold


def compare(weekly, severe_this_week, today, threshold):
    """``weekly``: {Monday: amount} (weeks without reading may be missing)."""
    mondays = weeks_to(today)
    previous = tuple((monday, weekly.get(monday, 0)) for monday in mondays[1:])
    return Comparison(this_week=weekly.get(mondays[0], 0), severe_this_week=severe_this_week,
                      usual=usual_amount([amount for _monday, amount in previous]), previous_weeks=previous,
                      threshold=threshold)


@dataclass(frozen=True)
class StaffAggregate:
    """Distressing reading across staff in a period; ``shown`` is False below ``MIN_READERS`` readers."""

    readers: int
    shown: bool
    stories_read: int = 0
    median_per_reader: float = 0


def aggregate(per_reader):
    """``per_reader``: the amount each reader read in the period (one number per reader who read any)."""
    amounts = sorted(per_reader)
    if len(amounts) < MIN_READERS:
        return StaffAggregate(readers=len(amounts), shown=False)
    # No maximum or upper quartile: over a few readers an extreme is close to one person's figure.
    return StaffAggregate(readers=len(amounts), shown=True, stories_read=sum(amounts),
                          median_per_reader=statistics.median(amounts))
