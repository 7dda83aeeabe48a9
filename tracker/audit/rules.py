"""What counts as a read of a sensitive record, and the signals that something in the trail looks wrong.

Pure functions over figures the queries of :mod:`tracker.audit.insight` aggregate; no database, no Flask.
Every signal is one function with its rule in plain words (``SIGNAL_RULES``, shown on the alerts page with
the thresholds filled in) and its thresholds in the settings table (``TRACKER_SIGNAL_*``).

Days are UTC days; "usual hours" are hours of the day in the fund's time zone (``TRACKER_BABEL_DEFAULT_TIMEZONE``),
because accounts carry no time zone of their own.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from tracker.common.messages import N_

# The records whose reads the overview counts: MSC stories, harvested outcomes and evidence items (which hold
# what was drawn from stories and interviews). A download of an evidence file is a read of it.
SENSITIVE_KINDS = ("story", "outcome", "evidence_item")
KIND_LABELS = {"story": N_("Stories"), "outcome": N_("Outcomes"), "evidence_item": N_("Evidence items")}
# Exports of data and downloads of finished reports.
EXPORT_ACTIONS = ("export",)
REPORT_DOWNLOAD = ("download", "report_job")
FAILED_LOGIN_ACTIONS = ("login_failed", "login_throttled")
BREAK_GLASS_ACTION = "break_glass"


def is_read_action(action):
    """Whether an audit action is a read: ``read`` itself, and any ``read_…``/``…_read`` action (a list or
    search read recorded per record), and downloads (of evidence files)."""
    return action in ("read", "download") or action.startswith("read_") or action.endswith("_read")


def read_actions(recorded):
    """The actions among ``recorded`` that count as reads."""
    return sorted(action for action in recorded if is_read_action(action))


@dataclass(frozen=True)
class Thresholds:
    """The signals' thresholds (settings ``TRACKER_SIGNAL_*``)."""

    spike_factor: int = 3
    spike_floor: int = 40
    projects_window_hours: int = 2
    projects_in_window: int = 8
    off_hours_floor: int = 10
    off_hours_usual_days: int = 2
    exports_per_day: int = 5
    break_glass_per_week: int = 3
    dormant_days: int = 90


BASELINE_DAYS = 30


def thresholds_from(config):
    """The thresholds in a settings mapping (``SIGNAL_<NAME>`` for each field)."""
    return Thresholds(**{name: config[f"SIGNAL_{name.upper()}"] for name in Thresholds.__dataclass_fields__})

SPIKE, MANY_PROJECTS, OFF_HOURS, BULK_EXPORTS, BREAK_GLASS_REPEATED, DORMANT_READER = (
    "read_spike", "many_projects", "off_hours", "bulk_exports", "break_glass_repeated", "dormant_reader")

SIGNAL_NAMES = {
    SPIKE: N_("Unusually many reads in a day"),
    MANY_PROJECTS: N_("Reads across many projects in a short time"),
    OFF_HOURS: N_("Reads outside the person's usual hours"),
    BULK_EXPORTS: N_("Bulk exports"),
    BREAK_GLASS_REPEATED: N_("Break-the-glass used repeatedly"),
    DORMANT_READER: N_("Reads by a long-inactive account"),
}

SIGNAL_RULES = {
    SPIKE: N_("A person read more sensitive records in one day (UTC) than %(spike_factor)s times their own median "
              "daily reads over the previous 30 days, and at least %(spike_floor)s records."),
    MANY_PROJECTS: N_("A person read sensitive records of at least %(projects_in_window)s different projects "
                      "within %(projects_window_hours)s hours."),
    OFF_HOURS: N_("A person read at least %(off_hours_floor)s sensitive records in one day at hours (in the "
                  "fund's time zone; accounts have none of their own) in which they had read on fewer than "
                  "%(off_hours_usual_days)s of the previous 30 days."),
    BULK_EXPORTS: N_("A person made at least %(exports_per_day)s exports or report downloads in one day (UTC)."),
    BREAK_GLASS_REPEATED: N_("A person opened at least %(break_glass_per_week)s break-the-glass grants in one "
                             "calendar week (Monday to Sunday)."),
    DORMANT_READER: N_("An account read sensitive records after at least %(dormant_days)s days without any "
                       "activity in the audit trail (or since it was created)."),
}


# What each figure an alert keeps means, as its page shows it.
FIGURE_LABELS = {
    "reads": N_("Reads"),
    "median": N_("Median daily reads over the previous 30 days"),
    "projects": N_("Projects read"),
    "hours": N_("Within hours"),
    "usual_hours": N_("Usual hours (fund's time zone)"),
    "exports": N_("Exports and report downloads"),
    "grants": N_("Break-the-glass grants"),
    "inactive_days": N_("Days without activity before"),
}


@dataclass(frozen=True)
class Finding:
    """A signal that fired for one person over one period (both UTC days, inclusive), with its figures."""

    signal: str
    actor_id: int | None
    actor_email: str
    first_day: date
    last_day: date
    figures: dict = field(default_factory=dict)


def days_before(day, count):
    return [day - timedelta(days=offset) for offset in range(count, 0, -1)]


def read_spikes(daily_reads, days, thresholds, emails):
    """Days on which a person's reads exceed k × their own 30-day median (days without reads count as 0)
    and the absolute floor.

    ``daily_reads``: {(actor_id, day): reads}; ``days``: the days to evaluate.
    """
    actors = {actor_id for actor_id, _day in daily_reads}
    findings = []
    for actor_id in sorted(actors, key=str):
        for day in days:
            reads = daily_reads.get((actor_id, day), 0)
            if reads < thresholds.spike_floor:
                continue
            median = statistics.median(daily_reads.get((actor_id, past), 0) for past in days_before(day, BASELINE_DAYS))
            if reads > thresholds.spike_factor * median:
                findings.append(Finding(SPIKE, actor_id, emails.get(actor_id, ""), day, day,
                                        {"reads": reads, "median": median}))
    return findings


def many_projects(hourly_projects, days, thresholds, emails):
    """Days on which a person read records of many projects within a few hours (a sliding window of hours).

    ``hourly_projects``: {(actor_id, day, hour_utc): set of project ids}.
    """
    by_actor = defaultdict(dict)
    for (actor_id, day, hour), projects in hourly_projects.items():
        by_actor[actor_id][(day, hour)] = projects
    window = max(thresholds.projects_window_hours, 1)
    findings = []
    for actor_id, slots in sorted(by_actor.items(), key=lambda item: str(item[0])):
        for day in days:
            most = max((len(set().union(*(slots.get(slot_after(day, hour, step), set()) for step in range(window))))
                        for hour in range(24)), default=0)
            if most >= thresholds.projects_in_window:
                findings.append(Finding(MANY_PROJECTS, actor_id, emails.get(actor_id, ""), day, day,
                                        {"projects": most, "hours": window}))
    return findings


def slot_after(day, hour, step):
    later = hour + step
    return day + timedelta(days=later // 24), later % 24


def off_hours(local_hours, days, thresholds, emails):
    """Days on which a person made many reads at hours in which they seldom read over the previous 30 days.

    ``local_hours``: {(actor_id, day, local_hour): reads}; the day is the UTC day of the reads. A person without
    a usual hour in the baseline (a new reader) raises nothing here.
    """
    by_actor = defaultdict(lambda: defaultdict(int))
    for (actor_id, day, hour), reads in local_hours.items():
        by_actor[actor_id][(day, hour)] += reads
    findings = []
    for actor_id, reads_at in sorted(by_actor.items(), key=lambda item: str(item[0])):
        for day in days:
            baseline = set(days_before(day, BASELINE_DAYS))
            usual = usual_hours(reads_at, baseline, thresholds.off_hours_usual_days)
            if not usual:
                continue
            outside = sum(reads for (read_day, hour), reads in reads_at.items()
                          if read_day == day and hour not in usual)
            if outside >= thresholds.off_hours_floor:
                findings.append(Finding(OFF_HOURS, actor_id, emails.get(actor_id, ""), day, day,
                                        {"reads": outside, "usual_hours": sorted(usual)}))
    return findings


def usual_hours(reads_at, baseline_days, usual_days):
    """The hours of the day in which the person read on at least ``usual_days`` of ``baseline_days``."""
    days_per_hour = defaultdict(set)
    for (day, hour), reads in reads_at.items():
        if day in baseline_days and reads:
            days_per_hour[hour].add(day)
    return {hour for hour, seen in days_per_hour.items() if len(seen) >= usual_days}


def bulk_exports(daily_exports, days, thresholds, emails):
    """Days on which a person made many exports and report downloads. ``daily_exports``: {(actor_id, day): n}."""
    return [Finding(BULK_EXPORTS, actor_id, emails.get(actor_id, ""), day, day, {"exports": count})
            for (actor_id, day), count in sorted(daily_exports.items(), key=lambda item: (str(item[0][0]), item[0][1]))
            if day in days and count >= thresholds.exports_per_day]


def week_of(day):
    return day - timedelta(days=day.weekday())


def break_glass_repeated(daily_grants, days, thresholds, emails):
    """Calendar weeks in which one person opened many break-the-glass grants. ``daily_grants``: {(actor_id, day): n}."""
    weeks = {week_of(day) for day in days}
    per_week = defaultdict(int)
    for (actor_id, day), count in daily_grants.items():
        per_week[(actor_id, week_of(day))] += count
    return [Finding(BREAK_GLASS_REPEATED, actor_id, emails.get(actor_id, ""), week, week + timedelta(days=6),
                    {"grants": count})
            for (actor_id, week), count in sorted(per_week.items(), key=lambda item: (str(item[0][0]), item[0][1]))
            if week in weeks and count >= thresholds.break_glass_per_week]


def dormant_readers(first_reads, last_active_before, thresholds, emails):
    """Reads by an account that had been inactive for months.

    ``first_reads``: {(actor_id, day): first read's time that day}; ``last_active_before``: {(actor_id, day):
    the time of the account's last audit entry before that day, or its creation if it has none}.
    """
    findings = []
    for (actor_id, day), first_read in sorted(first_reads.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        last = last_active_before.get((actor_id, day))
        if last is not None and first_read - last >= timedelta(days=thresholds.dormant_days):
            findings.append(Finding(DORMANT_READER, actor_id, emails.get(actor_id, ""), day, day,
                                    {"inactive_days": (first_read - last).days}))
    return findings
