"""Indicators, their periods and the review of actuals.

An actual moves draft → submitted → approved, or submitted → returned (with a
review note) → draft again. Approving copies the working value into the
approved copy, which is what reports use; any later revision leaves that copy
alone until it is approved in turn. Every step is kept as an :class:`ActualEvent`.
"""

import re
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import changed_fields
from tracker.audit.services import record
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.messages import N_plural
from tracker.common.messages import counted
from tracker.common.messages import lazy
from tracker.db_types import utcnow
from tracker.indicators.models import ActualAction
from tracker.indicators.models import ActualEvent
from tracker.indicators.models import ActualStatus
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorMeasure
from tracker.indicators.models import IndicatorPeriod
from tracker.indicators.models import PeriodActual
from tracker.indicators.rules import approval_problem
from tracker.indicators.rules import breakdown_mismatches
from tracker.indicators.rules import latest_comparison
from tracker.indicators.rules import reported_actual
from tracker.portfolio.models import Project
from tracker.toc.models import NodeLevel
from tracker.toc.models import TocNode

MEASURE_LABELS = {
    IndicatorMeasure.UNIT: lazy(N_("Unit: a count or amount")),
    IndicatorMeasure.PERCENTAGE: lazy(N_("Percentage")),
    IndicatorMeasure.NOMINAL: lazy(N_("Nominal: a category code")),
    IndicatorMeasure.ORDINAL: lazy(N_("Ordinal: a rank on a scale")),
    IndicatorMeasure.QUALITATIVE: lazy(N_("Qualitative: a narrative")),
}
STATUS_LABELS = {
    ActualStatus.DRAFT: lazy(N_("Draft")),
    ActualStatus.SUBMITTED: lazy(N_("Submitted for review")),
    ActualStatus.APPROVED: lazy(N_("Approved")),
    ActualStatus.RETURNED: lazy(N_("Returned for changes")),
}
ACTION_LABELS = {
    ActualAction.SAVED: lazy(N_("Saved as draft")),
    ActualAction.SUBMITTED: lazy(N_("Submitted for review")),
    ActualAction.APPROVED: lazy(N_("Approved")),
    ActualAction.RETURNED: lazy(N_("Returned for changes")),
}
INDICATOR_FIELDS = ("node_id", "title", "definition", "means_of_verification", "measure", "ascending", "unit",
                    "baseline_year", "baseline_date", "baseline_value", "baseline_comment", "dimensions", "public")
MAX_DIMENSION_TEXT = 60
DIMENSION_LINE = re.compile(r"^\s*([^:]+?)\s*:\s*(.+?)\s*$")
MAX_VALUE = Decimal("1e13")


# Reading -----------------------------------------------------------------------------------


def count_by_node(session, node_ids):
    """Indicators per ToC node (registered in :mod:`tracker.toc.attachments`)."""
    ids = list(node_ids)
    if not ids:
        return {}
    rows = session.exec(select(Indicator.node_id, sa.func.count()).where(Indicator.node_id.in_(ids))
                        .group_by(Indicator.node_id))
    return dict(rows.all())


def get_indicator(session, project, indicator_id):
    indicator = session.get(Indicator, indicator_id)
    return indicator if indicator is not None and indicator.project_id == project.id else None


def get_period(session, indicator, period_id):
    period = session.get(IndicatorPeriod, period_id)
    return period if period is not None and period.indicator_id == indicator.id else None


def level_order():
    """Sort by result level in causal order (activity first), not alphabetically."""
    return sa.case({level.value: rank for rank, level in enumerate(NodeLevel)}, value=TocNode.level, else_=99)


def indicators_statement(project):
    """The project's indicators with node, periods and actuals loaded up front (constant query count)."""
    return (
        select(Indicator).join(TocNode, TocNode.id == Indicator.node_id)
        .where(Indicator.project_id == project.id)
        .options(selectinload(Indicator.node),
                 selectinload(Indicator.periods).selectinload(IndicatorPeriod.actual))
        .order_by(level_order(), Indicator.title, Indicator.id)
    )


def indicators_for_node(session, node):
    return list(session.exec(select(Indicator).where(Indicator.node_id == node.id).order_by(Indicator.title)))


def load_indicator(session, indicator):
    """The indicator's periods with their actuals and histories."""
    return list(session.exec(
        select(IndicatorPeriod).where(IndicatorPeriod.indicator_id == indicator.id)
        .options(selectinload(IndicatorPeriod.actual).selectinload(PeriodActual.events))
        .order_by(IndicatorPeriod.start_date)
    ))


# IATI ResultType by the level of the node an indicator measures: 1 output, 2 outcome, 3 impact, 9 other.
IATI_RESULT_TYPES = {
    NodeLevel.OUTPUT: "1",
    NodeLevel.SHORT_TERM_OUTCOME: "2",
    NodeLevel.INTERMEDIATE_OUTCOME: "2",
    NodeLevel.LONG_TERM_OUTCOME: "2",
    NodeLevel.IMPACT: "3",
}


def iati_result_type(level):
    return IATI_RESULT_TYPES.get(level, "9")


def project_results(session, project, approved_only=False):
    """Every indicator of ``project`` with ``(period, Reported or None)`` per period, as reports and exports need.

    Only approved values are final; submitted ones come marked provisional (never with ``approved_only``)
    and drafts not at all.
    """
    indicators = session.exec(indicators_statement(project)).all()
    return [(indicator, [(period, reported_actual(period.actual, approved_only=approved_only))
                         for period in indicator.periods])
            for indicator in indicators]


def latest_period(indicator):
    periods = indicator.periods
    return periods[-1] if periods else None


def latest_reported(indicator, approved_only=False):
    """The latest period with an actual the viewer may see, with it (else the latest period and None)."""
    return latest_comparison(indicator.periods,
                             lambda period: reported_actual(period.actual, approved_only=approved_only))


def review_queue_statement():
    """Actuals awaiting review across the portfolio, oldest submission first, with each indicator's periods and
    their actuals (the target and the previous value beside each item, in a constant number of queries)."""
    indicator = selectinload(PeriodActual.period).selectinload(IndicatorPeriod.indicator)
    return (
        select(PeriodActual).where(PeriodActual.status == ActualStatus.SUBMITTED)
        .options(indicator.selectinload(Indicator.node),
                 indicator.selectinload(Indicator.periods).selectinload(IndicatorPeriod.actual))
        .order_by(PeriodActual.submitted_at, PeriodActual.id)
    )


def next_to_review(session, reviewer_id, *, self_approval_allowed, after=None):
    """The oldest submitted actual, other than ``after``, that ``reviewer_id`` may approve (four eyes); or None.

    "Approve and go to the next" lands here, so the queue never leads a reviewer to their own submission.
    """
    queue = session.execute(
        sa.select(PeriodActual.id, PeriodActual.submitted_by_id)
        .where(PeriodActual.status == ActualStatus.SUBMITTED, PeriodActual.id != (after or -1))
        .order_by(PeriodActual.submitted_at, PeriodActual.id))
    found = next((actual_id for actual_id, submitter in queue
                  if approval_problem(submitter, reviewer_id, self_approval_allowed=self_approval_allowed) is None),
                 None)
    return session.get(PeriodActual, found) if found is not None else None


def projects_by_id(session, ids):
    ids = sorted(set(ids))
    return {project.id: project for project in session.exec(select(Project).where(Project.id.in_(ids or [-1])))}


def pending_reviews(session, project):
    return session.exec(
        select(sa.func.count()).select_from(PeriodActual)
        .join(IndicatorPeriod, IndicatorPeriod.id == PeriodActual.period_id)
        .join(Indicator, Indicator.id == IndicatorPeriod.indicator_id)
        .where(Indicator.project_id == project.id, PeriodActual.status == ActualStatus.SUBMITTED)
    ).one()


# Values and dimensions --------------------------------------------------------------------


def parse_number(raw):
    """Read a decimal typed by a person ("1,250", " 42.5 "); None when empty; raise ValueError when not a number."""
    text = (raw or "").strip().replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        raise ValueError(text)
    return value


def check_value(raw, field, measure, reasons, label=None):
    """Parse one value for ``measure``; append a field message to ``reasons`` when it is not acceptable."""
    if measure == IndicatorMeasure.QUALITATIVE:
        if (raw or "").strip():
            reasons.append((field, N_("This indicator is qualitative: it holds a narrative, not a number. "
                                      "Leave the value empty and describe it in the comment.")))
        return None
    try:
        value = parse_number(raw)
    except ValueError:
        reasons.append((field, N_("Enter a number, e.g. 1250 or 42.5%(suffix)s.",
                                  suffix=N_(" (%(label)s)", label=label) if label else "")))
        return None
    if value is not None and measure == IndicatorMeasure.PERCENTAGE and not 0 <= value <= 100:
        reasons.append((field, N_("A percentage lies between 0 and 100.")))
    return value


def parse_dimensions(text):
    """Read "sex: female, male" lines into ``[{"name": "sex", "categories": ["female", "male"]}]``."""
    dimensions, reasons, names = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = DIMENSION_LINE.match(line)
        categories = [part.strip() for part in match.group(2).split(",") if part.strip()] if match else []
        if not match or not categories:
            reasons.append(N_("Line %(number)d: write the dimension, a colon, then its values separated by commas, "
                              "e.g. “sex: female, male”.", number=number))
            continue
        name = " ".join(match.group(1).split())
        if name.lower() in names or len({c.lower() for c in categories}) != len(categories):
            reasons.append(N_("Line %(number)d: each dimension and each of its values may appear only once.",
                              number=number))
            continue
        if max(len(text) for text in [name, *categories]) > MAX_DIMENSION_TEXT:
            reasons.append(N_("Line %(number)d: keep each dimension and value under %(count)d characters.",
                              number=number, count=MAX_DIMENSION_TEXT))
            continue
        names.add(name.lower())
        dimensions.append({"name": name, "categories": categories})
    if reasons:
        raise ValidationFailed([("dimensions", reason) for reason in reasons])
    return dimensions


def format_dimensions(dimensions):
    return "\n".join(f"{item['name']}: {', '.join(item['categories'])}" for item in dimensions or [])


def breakdown_keys(indicator):
    """The ``(dimension, category)`` pairs an indicator is disaggregated by, in order."""
    return [(item["name"], category) for item in indicator.dimensions or [] for category in item["categories"]]


def breakdown_field(index):
    return f"breakdown_{index}"


def breakdown_inputs(stored, keys):
    """Pre-fill breakdown fields from a stored breakdown: ``{field name: value string}``."""
    values = {(item["dimension"], item["category"]): item["value"] for item in stored or []}
    return {breakdown_field(index): values.get(key, "") for index, key in enumerate(keys)}


def clean_breakdown(indicator, raw_values, total, reasons, partial=False):
    """Validate the breakdown fields (``{field name: raw}``) and return the stored list.

    Counts (unit measure) must add up to ``total`` per dimension unless the breakdown is ``partial``
    (:func:`tracker.indicators.rules.breakdown_mismatches`).
    """
    breakdown, sums, first_field = [], {}, {}
    for index, (dimension, category) in enumerate(breakdown_keys(indicator)):
        field = breakdown_field(index)
        value = check_value(raw_values.get(field), field, indicator.measure, reasons, f"{dimension}: {category}")
        first_field.setdefault(dimension, field)
        if value is not None:
            breakdown.append({"dimension": dimension, "category": category, "value": str(value)})
            sums[dimension] = sums.get(dimension, Decimal(0)) + value
    if indicator.measure == IndicatorMeasure.UNIT:
        for dimension, subtotal in breakdown_mismatches(sums, total, partial=partial):
            reasons.append((first_field[dimension], mismatch_message(dimension, subtotal, total, partial)))
    return breakdown


def mismatch_message(dimension, subtotal, total, partial):
    if subtotal > total:
        return N_("The values for %(dimension)s add up to %(sum)s, more than the total of %(total)s.",
                  dimension=dimension, sum=plain(subtotal), total=plain(total))
    return N_("The values for %(dimension)s add up to %(sum)s, not the total of %(total)s: complete them, or mark "
              "the breakdown as partial if some were not recorded.", dimension=dimension, sum=plain(subtotal),
              total=plain(total))


def is_ticked(value):
    return value not in (False, None, "", "0", "false", "False")


def plain(value):
    """A decimal without trailing zeros, e.g. 120 rather than 120.0000."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


# Indicators ------------------------------------------------------------------------------


def clean_indicator_values(session, project, values, indicator=None):
    """Validate an indicator's fields; return the values to store."""
    reasons = []
    cleaned = {
        "title": " ".join((values.get("title") or "").split()),
        "definition": (values.get("definition") or "").strip(),
        "means_of_verification": (values.get("means_of_verification") or "").strip(),
        "unit": (values.get("unit") or "").strip(),
        "baseline_comment": (values.get("baseline_comment") or "").strip(),
        "baseline_year": values.get("baseline_year"),
        "baseline_date": values.get("baseline_date") or None,
        "ascending": values.get("ascending") not in (False, "0", "false", "False"),
        "public": is_public(values, indicator),
    }
    node = session.get(TocNode, values.get("node_id") or 0)
    if node is None or node.project_id != project.id:
        reasons.append(("node_id", N_("Choose the result in this project's theory of change that it measures.")))
    cleaned["node_id"] = node.id if node is not None else None
    if not cleaned["title"]:
        reasons.append(("title", N_("Give the indicator a title.")))
    try:
        cleaned["measure"] = IndicatorMeasure(values.get("measure"))
    except ValueError:
        reasons.append(("measure", N_("Choose how the indicator is measured.")))
        cleaned["measure"] = None
    cleaned["baseline_value"] = check_value(values.get("baseline_value"), "baseline_value", cleaned["measure"],
                                            reasons)
    if isinstance(cleaned["baseline_date"], date):
        if not cleaned["baseline_year"]:
            cleaned["baseline_year"] = cleaned["baseline_date"].year
        elif cleaned["baseline_date"].year != cleaned["baseline_year"]:
            reasons.append(("baseline_date", N_("The baseline date is not in the baseline year %(year)s.",
                                                year=cleaned["baseline_year"])))
    if cleaned["baseline_value"] is not None and not cleaned["baseline_year"]:
        reasons.append(("baseline_year", N_("Give the year the baseline value was measured.")))
    try:
        cleaned["dimensions"] = parse_dimensions(values.get("dimensions"))
    except ValidationFailed as error:
        reasons += error.reasons
        cleaned["dimensions"] = []
    if cleaned["measure"] == IndicatorMeasure.QUALITATIVE and cleaned["dimensions"]:
        reasons.append(("dimensions", N_("Qualitative indicators are not disaggregated into numbers; describe "
                                         "differences between groups in the narrative.")))
    if indicator is not None and cleaned["measure"] == IndicatorMeasure.QUALITATIVE and has_numbers(indicator):
        reasons.append(("measure", N_("Periods of this indicator hold numbers; clear them before making it "
                                      "qualitative.")))
    if reasons:
        raise ValidationFailed(reasons)
    return cleaned


def is_public(values, indicator):
    """The submitted public flag; an indicator keeps its own when ``values`` has none (the user may not publish)."""
    if "public" not in values:
        return indicator.public if indicator is not None else False
    return values["public"] not in (False, None, "", "0", "false", "False")


def has_numbers(indicator):
    for period in indicator.periods:
        actual = period.actual
        if period.target_value is not None or (actual is not None and (actual.value is not None
                                                                       or actual.approved_value is not None)):
            return True
    return False


def create_indicator(session, actor, project, values):
    indicator = Indicator(project_id=project.id, **clean_indicator_values(session, project, values))
    session.add(indicator)
    session.flush()
    record(session, actor, "create", "indicator", indicator.id, project_id=project.id)
    return indicator


def update_indicator(session, actor, project, indicator, values, version):
    check_version(indicator, version)
    values = clean_indicator_values(session, project, values, indicator)
    fields = changed_fields(indicator, values)
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.updated_at = utcnow()
    session.add(indicator)
    session.flush()
    record(session, actor, "update", "indicator", indicator.id, project_id=project.id, details={"fields": fields})
    return indicator


def deletion_blockers(periods, may_remove_approved):
    """Approved results leave the record only by M&E staff's hand (``may_remove_approved``)."""
    approved = [period for period in periods if period.actual is not None and period.actual.has_approved_copy]
    if approved and not may_remove_approved:
        return [counted(N_plural(
            "%(num)d period holds an approved actual; only M&E staff can delete approved results.",
            "%(num)d periods hold approved actuals; only M&E staff can delete approved results."), len(approved))]
    return []


def delete_indicator(session, actor, project, indicator, *, may_remove_approved):
    reasons = deletion_blockers(indicator.periods, may_remove_approved)
    if reasons:
        raise ValidationFailed([(None, reason) for reason in reasons])
    indicator_id = indicator.id
    periods = len(indicator.periods)
    session.delete(indicator)
    session.flush()
    record(session, actor, "delete", "indicator", indicator_id, project_id=project.id, details={"periods": periods})


# Periods ---------------------------------------------------------------------------------


def clean_period_values(session, indicator, values, period=None):
    reasons = []
    start, end = values.get("start_date"), values.get("end_date")
    if not isinstance(start, date):
        reasons.append(("start_date", N_("Enter the date the period starts.")))
    if not isinstance(end, date):
        reasons.append(("end_date", N_("Enter the date the period ends.")))
    if isinstance(start, date) and isinstance(end, date):
        if end <= start:
            reasons.append(("end_date", N_("The period must end after it starts: the end date is on or before "
                                           "the start date.")))
        else:
            for other in indicator.periods:
                if other is not period and other.start_date <= end and start <= other.end_date:
                    reasons.append(("start_date", N_("This period overlaps the period from %(start)s to %(end)s.",
                                                     start=other.start_date.isoformat(),
                                                     end=other.end_date.isoformat())))
                    break
    target = check_value(values.get("target_value"), "target_value", indicator.measure, reasons)
    partial = is_ticked(values.get("target_breakdown_partial"))
    breakdown = clean_breakdown(indicator, values, target, reasons, partial)
    comment = (values.get("target_comment") or "").strip()
    if reasons:
        raise ValidationFailed(reasons)
    return {"start_date": start, "end_date": end, "target_value": target, "target_comment": comment,
            "target_breakdown": breakdown, "target_breakdown_partial": partial and bool(breakdown)}


def create_period(session, actor, project, indicator, values):
    period = IndicatorPeriod(**clean_period_values(session, indicator, values))
    indicator.periods.append(period)
    session.add(period)
    session.flush()
    record(session, actor, "create", "indicator_period", period.id, project_id=project.id)
    return period


def update_period(session, actor, project, indicator, period, values, version):
    check_version(period, version)
    values = clean_period_values(session, indicator, values, period)
    fields = changed_fields(period, values)
    for name, value in values.items():
        setattr(period, name, value)
    session.add(period)
    session.flush()
    record(session, actor, "update", "indicator_period", period.id, project_id=project.id,
           details={"fields": fields})
    return period


def delete_period(session, actor, project, period, *, may_remove_approved):
    reasons = deletion_blockers([period], may_remove_approved)
    if reasons:
        raise ValidationFailed([(None, reason) for reason in reasons])
    period_id = period.id
    session.delete(period)
    session.flush()
    record(session, actor, "delete", "indicator_period", period_id, project_id=project.id)


# Actuals ---------------------------------------------------------------------------------


def add_event(actual, actor, action, note=""):
    actual.events.append(ActualEvent(action=action, actor_id=actor.user_id, actor_name=actor.email, note=note,
                                     value=actual.value, comment=actual.comment, breakdown=list(actual.breakdown)))


def save_actual(session, actor, project, indicator, period, values, *, submit, version=None):
    """Save the period's actual as a draft, or submit it for review (``submit=True``).

    A submitted actual is locked until it is approved or returned.
    """
    actual = period.actual
    if actual is not None:
        check_version(actual, version)
        if actual.status == ActualStatus.SUBMITTED:
            raise ValidationFailed.on(None, N_("This actual is awaiting review; it can be changed once it has been "
                                               "approved or returned."))
    reasons = []
    value = check_value(values.get("value"), "value", indicator.measure, reasons)
    comment = (values.get("comment") or "").strip()
    partial = is_ticked(values.get("breakdown_partial"))
    breakdown = clean_breakdown(indicator, values, value, reasons, partial)
    if submit and not reasons:
        if indicator.is_qualitative and not comment:
            reasons.append(("comment", N_("Describe what was achieved before submitting.")))
        elif not indicator.is_qualitative and value is None:
            reasons.append(("value", N_("Enter the actual value before submitting.")))
    if reasons:
        raise ValidationFailed(reasons)
    if actual is None:
        actual = PeriodActual(period_id=period.id, status=ActualStatus.DRAFT)
        period.actual = actual
    actual.value, actual.comment, actual.breakdown = value, comment, breakdown
    actual.breakdown_partial = partial and bool(breakdown)
    actual.status = ActualStatus.SUBMITTED if submit else ActualStatus.DRAFT
    actual.updated_at, actual.updated_by_id = utcnow(), actor.user_id
    if submit:
        actual.submitted_at, actual.submitted_by_id = actual.updated_at, actor.user_id
    add_event(actual, actor, ActualAction.SUBMITTED if submit else ActualAction.SAVED)
    session.add(actual)
    session.flush()
    record(session, actor, "submit" if submit else "update", "period_actual", actual.id, project_id=project.id)
    return actual


def review_actual(session, actor, project, period, *, approve, note="", self_approval_allowed=False):
    """Approve the submitted actual (it becomes the reported value) or return it with a note saying what to change.

    Four eyes: whoever submitted the actual cannot approve it, unless the fund allows it
    (``self_approval_allowed``, the ``ACTUALS_SELF_APPROVAL`` setting). Returning it is always allowed.
    """
    actual = period.actual
    if actual is None or actual.status != ActualStatus.SUBMITTED:
        raise ValidationFailed.on(None, N_("Only a submitted actual can be reviewed; this one is not awaiting review."))
    refusal = approval_problem(actual.submitted_by_id, actor.user_id, self_approval_allowed=self_approval_allowed)
    if approve and refusal:
        raise ValidationFailed.on(None, refusal)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed.on("note", N_("Say what needs to change before returning the actual."))
    now = utcnow()
    actual.review_note = note
    if approve:
        actual.status = ActualStatus.APPROVED
        actual.approved_value, actual.approved_comment = actual.value, actual.comment
        actual.approved_breakdown = list(actual.breakdown)
        actual.approved_breakdown_partial = actual.breakdown_partial
        actual.approved_at, actual.approved_by_id = now, actor.user_id
        actual.approved_submitted_by_id = actual.submitted_by_id
    else:
        actual.status = ActualStatus.RETURNED
    add_event(actual, actor, ActualAction.APPROVED if approve else ActualAction.RETURNED, note)
    session.add(actual)
    session.flush()
    record(session, actor, "approve" if approve else "return", "period_actual", actual.id, project_id=project.id)
    return actual
