"""The indicator rules, as plain functions (no Flask, no database): stated once, used wherever actuals change or show.

* which actual a viewer may see (:func:`reported_actual`): donors only approved values, everywhere;
* four eyes (:func:`approval_problem`): the person who submitted an actual does not approve it, unless the
  fund's setting allows it;
* disaggregation (:func:`breakdown_mismatches`): the groups of a dimension add up to the total unless the
  breakdown is marked partial;
* progress (:func:`progress`): the actual as a share of the target of the *same* period, with no target,
  a zero target and "lower is better" indicators said as such rather than turned into a misleading number.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal

from tracker.common.messages import N_
from tracker.indicators.models import ActualStatus

# Which actuals a viewer sees ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    """The value a viewer is shown for a period: approved, or (team only) submitted and marked provisional."""

    value: Decimal | None
    comment: str
    breakdown: list
    provisional: bool
    revision_pending: bool = False
    breakdown_partial: bool = False


def reported_actual(actual, *, approved_only=False):
    """What a viewer may see of ``actual``: the approved copy; else, unless ``approved_only`` (donors), a
    submitted value marked provisional; else None.

    Drafts and returned values never leave the project team. Every page, chart, API answer, export,
    report and the IATI file ask this function, so donors see approved values only, everywhere.
    """
    if actual is None:
        return None
    if actual.approved_at is not None:
        return Reported(actual.approved_value, actual.approved_comment or "", actual.approved_breakdown or [],
                        provisional=False, revision_pending=actual.status != ActualStatus.APPROVED,
                        breakdown_partial=actual.approved_breakdown_partial)
    if actual.status == ActualStatus.SUBMITTED and not approved_only:
        return Reported(actual.value, actual.comment, actual.breakdown, provisional=True,
                        breakdown_partial=actual.breakdown_partial)
    return None


def previous_reported(period, periods):
    """``(period, reported)`` of the approved actual nearest before ``period`` among ``periods`` (in date
    order), or ``(None, None)``: the value a reviewer compares a new submission with."""
    earlier = [item for item in periods if item.start_date < period.start_date]
    for item in reversed(earlier):
        reported = reported_actual(item.actual, approved_only=True)
        if reported is not None:
            return item, reported
    return None, None


# Four eyes ---------------------------------------------------------------------------------------


def approval_problem(submitted_by_id, approver_id, *, self_approval_allowed):
    """Why ``approver_id`` may not approve an actual submitted by ``submitted_by_id``, or None when they may."""
    if self_approval_allowed or submitted_by_id is None or submitted_by_id != approver_id:
        return None
    return N_("You submitted this actual, so someone else must approve it (four eyes).")


# Disaggregation ----------------------------------------------------------------------------------


def breakdown_mismatches(subtotals, total, *, partial):
    """``[(dimension, subtotal)]`` for each dimension whose values do not add up to ``total``.

    ``subtotals`` maps each dimension to the sum of its groups' values. A partial breakdown may cover
    less than the total, never more; a complete one must match it exactly.
    """
    if total is None:
        return []
    return [(dimension, subtotal) for dimension, subtotal in subtotals.items()
            if subtotal > total or (not partial and subtotal != total)]


# Progress against the target ---------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Progress in one period: ``percent`` (or None, with ``note`` saying why) and whether the target is met."""

    percent: Decimal | None
    met: bool | None
    note: str = ""


NO_TARGET = N_("no target for this period")
ZERO_TARGET = N_("the target is zero")
NOT_REPORTED = N_("no actual reported yet")
NO_BASELINE = N_("lower is better; no baseline to measure the reduction from")


def progress(target, actual, *, ascending=True, baseline=None):
    """Progress of ``actual`` against ``target``, both from the same period.

    Higher is better: the actual as a percentage of the target. Lower is better: the share of the planned
    reduction from the baseline achieved so far (100 % when the actual reaches the target); without a
    baseline above the target no percentage is given, only whether the target is met.
    """
    if target is None:
        return Progress(None, None, NO_TARGET)
    if actual is None:
        return Progress(None, None, NOT_REPORTED)
    target, actual = Decimal(target), Decimal(actual)
    if ascending:
        met = actual >= target
        if target == 0:
            return Progress(None, met, ZERO_TARGET)
        return Progress(percent_of(actual, target), met)
    met = actual <= target
    if baseline is None or Decimal(baseline) <= target:
        return Progress(None, met, NO_BASELINE)
    return Progress(percent_of(Decimal(baseline) - actual, Decimal(baseline) - target), met)


def percent_of(part, whole):
    return (part * 100 / whole).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def latest_comparison(periods, shown):
    """``(period, reported)`` to compare in a summary: the latest period with an actual the viewer may see, so
    target and actual come from one period; else the latest period (target only); else ``(None, None)``.

    ``shown`` maps a period to what the viewer may see of its actual (:func:`reported_actual`).
    """
    for period in reversed(periods):
        reported = shown(period)
        if reported is not None:
            return period, reported
    return (periods[-1], None) if periods else (None, None)
