"""Indicators with their periods: targets, and actuals as reports show them (approved, or submitted and
marked provisional; donors get approved actuals only). Drafts and returned actuals never leave the project
team: only users who may submit actuals for the project get the working copy. The team can save or submit an
actual through the API."""

from datetime import date
from datetime import datetime
from typing import Literal

from flask_login import current_user
from pydantic import Field

from tracker.api.blueprint import api
from tracker.api.common import Page
from tracker.api.common import PageQuery
from tracker.api.common import Schema
from tracker.api.common import page_of
from tracker.api.common import text
from tracker.api.problems import ApiProblem
from tracker.common.errors import ValidationFailed
from tracker.db import get_session
from tracker.indicators import rules
from tracker.indicators import services
from tracker.indicators.models import ActualStatus
from tracker.indicators.models import IndicatorMeasure
from tracker.web.access import actor
from tracker.web.requests import is_donor

TAG = "Indicators"
DECIMAL = "A decimal number as a string (exact), or null."


class Value(Schema):
    dimension: str
    category: str
    value: str


class Dimension(Schema):
    name: str
    categories: list[str]


class Baseline(Schema):
    year: int | None
    date: date | None
    value: str | None = Field(description=DECIMAL)
    comment: str


class Target(Schema):
    value: str | None = Field(description=DECIMAL)
    comment: str
    breakdown: list[Value]


class ReportedActual(Schema):
    """The actual as reports show it."""

    status: Literal["approved", "provisional"] = Field(
        description="`approved`, or `provisional` for a submitted value not yet reviewed.")
    value: str | None = Field(description=DECIMAL)
    comment: str
    breakdown: list[Value]
    revision_pending: bool = Field(description="A revised value awaits review; this is the last approved one.")
    breakdown_partial: bool = Field(description="The breakdown covers only part of the total.")


class WorkingActual(Schema):
    """The team's working copy of an actual, with its review state (only for the project team and staff)."""

    status: ActualStatus
    value: str | None = Field(description=DECIMAL)
    comment: str
    breakdown: list[Value]
    breakdown_partial: bool
    review_note: str
    submitted_at: datetime | None
    version: int = Field(description="Send it back when saving the actual again.")


class Period(Schema):
    id: int
    start_date: date
    end_date: date
    target: Target
    actual: ReportedActual | None = Field(description="Null until an actual is submitted (for donors: until it is "
                                                      "approved).")
    percent_of_target: str | None = Field(description="The actual as a percentage of this period's target (for a "
                                                      "lower-is-better indicator, the share of the planned "
                                                      "reduction from the baseline); null without a target, with a "
                                                      "zero target or without an actual.")
    target_met: bool | None = Field(description="Whether this period's actual meets its target; null when either "
                                                "is missing.")
    working: WorkingActual | None = Field(
        description="Only for users who may submit actuals for the project; null for everyone else.")


class Indicator(Schema):
    id: int
    node_id: int = Field(description="The theory-of-change result the indicator measures.")
    title: str
    definition: str
    means_of_verification: str
    measure: IndicatorMeasure
    iati_measure: str = Field(description="IATI IndicatorMeasure code.")
    ascending: bool
    unit: str
    baseline: Baseline
    dimensions: list[Dimension]
    public: bool = Field(description="Published in the fund's IATI data.")
    periods: list[Period]


class IndicatorPage(Page[Indicator]):
    pass


class IndicatorQuery(PageQuery):
    pass


class ValueInput(Schema):
    dimension: text(60, 1)
    category: text(60, 1)
    value: text(40) | int | float | None


class ActualInput(Schema):
    value: text(40) | int | float | None = Field(default=None, description="The actual value; leave it null for a "
                                                                     "qualitative indicator.")
    comment: text(5000) = Field(default="", description="How the value was obtained; for a qualitative indicator, "
                                                        "the narrative.")
    breakdown: list[ValueInput] = Field(default_factory=list, max_length=200,
                                        description="Disaggregated values, by the indicator's dimensions. For "
                                                    "counts, each dimension's values must add up to the total "
                                                    "unless `breakdown_partial` is true.")
    breakdown_partial: bool = Field(default=False, description="The breakdown covers only part of the total.")
    submit: bool = Field(default=False, description="Submit for review (true) or keep as a draft (false).")
    version: int | None = Field(default=None, ge=1, description="The working copy's version you last read; "
                                                                "required once an actual exists.")


def number(value):
    return services.plain(value) if value is not None else None


def values(items):
    return [Value(dimension=item["dimension"], category=item["category"], value=services.plain(item["value"]))
            for item in items or []]


def working_copy(actual):
    if actual is None:
        return None
    return WorkingActual(status=actual.status, value=number(actual.value), comment=actual.comment,
                         breakdown=values(actual.breakdown), breakdown_partial=actual.breakdown_partial,
                         review_note=actual.review_note,
                         submitted_at=actual.submitted_at, version=actual.version)


def period_out(period, team, indicator=None):
    """The period as the caller may see it: donors get approved actuals only (:func:`rules.reported_actual`)."""
    indicator = indicator or period.indicator
    reported = services.reported_actual(period.actual, approved_only=is_donor())
    progress = None if indicator.is_qualitative else rules.progress(
        period.target_value, reported.value if reported else None, ascending=indicator.ascending,
        baseline=indicator.baseline_value)
    return Period(
        id=period.id, start_date=period.start_date, end_date=period.end_date,
        target=Target(value=number(period.target_value), comment=period.target_comment,
                      breakdown=values(period.target_breakdown)),
        actual=ReportedActual(status="provisional" if reported.provisional else "approved",
                              value=number(reported.value), comment=reported.comment,
                              breakdown=values(reported.breakdown), revision_pending=reported.revision_pending,
                              breakdown_partial=reported.breakdown_partial)
        if reported else None,
        percent_of_target=number(progress.percent) if progress else None,
        target_met=progress.met if progress else None,
        working=working_copy(period.actual) if team else None)


def indicator_out(indicator, team):
    return Indicator(
        id=indicator.id, node_id=indicator.node_id, title=indicator.title, definition=indicator.definition,
        means_of_verification=indicator.means_of_verification, measure=indicator.measure,
        iati_measure=indicator.iati_measure, ascending=indicator.ascending, unit=indicator.unit,
        baseline=Baseline(year=indicator.baseline_year, date=indicator.baseline_date,
                          value=number(indicator.baseline_value), comment=indicator.baseline_comment),
        dimensions=[Dimension(**item) for item in indicator.dimensions or []], public=indicator.public,
        periods=[period_out(period, team, indicator) for period in indicator.periods])


def is_team(project):
    return current_user.can("indicator.actuals.submit", project)


@api.operation("GET", "/projects/<slug>/indicators", operation_id="listIndicators", tag=TAG,
               summary="List a project's indicators with their periods", permission="indicator.view",
               scope="project", query=IndicatorQuery, response=IndicatorPage)
def list_indicators(project, query):
    """Indicators in the order of the results they measure, each with its baseline and periods."""
    team = is_team(project)
    return page_of(IndicatorPage, get_session(), services.indicators_statement(project), query,
                   lambda indicators: [indicator_out(indicator, team) for indicator in indicators])


def load_indicator(project, indicator_id):
    indicator = services.get_indicator(get_session(), project, indicator_id)
    if indicator is None:
        raise ApiProblem(404)
    return indicator


@api.operation("GET", "/projects/<slug>/indicators/<int:indicator_id>", operation_id="getIndicator", tag=TAG,
               summary="Get an indicator with its periods", permission="indicator.view", scope="project",
               response=Indicator)
def get_indicator(project, indicator_id):
    """One indicator of the project; an id of another project answers 404."""
    return indicator_out(load_indicator(project, indicator_id), is_team(project))


def breakdown_values(indicator, items):
    """``[ValueInput]`` → the form-style ``{"breakdown_<i>": raw}`` the service reads."""
    keys = {key: index for index, key in enumerate(services.breakdown_keys(indicator))}
    raw, reasons = {}, []
    for position, item in enumerate(items):
        index = keys.get((item.dimension, item.category))
        if index is None:
            reasons.append((f"breakdown.{position}", "This indicator has no such dimension and category."))
        else:
            raw[services.breakdown_field(index)] = "" if item.value is None else str(item.value)
    if reasons:
        raise ValidationFailed(reasons)
    return raw


@api.operation("PUT", "/projects/<slug>/indicators/<int:indicator_id>/periods/<int:period_id>/actual",
               operation_id="saveActual", tag=TAG, summary="Save or submit a period's actual",
               permission="indicator.actuals.submit", scope="project", body=ActualInput, response=Period,
               errors=(409,))
def save_actual(project, indicator_id, period_id, body):
    """Save the period's actual as a draft, or submit it for review by M&E staff (`submit: true`). A submitted
    actual is locked until it is approved or returned. Send the working copy's `version` when one exists."""
    session = get_session()
    indicator = load_indicator(project, indicator_id)
    period = services.get_period(session, indicator, period_id)
    if period is None:
        raise ApiProblem(404)
    raw = {"value": "" if body.value is None else str(body.value), "comment": body.comment,
           "breakdown_partial": body.breakdown_partial, **breakdown_values(indicator, body.breakdown)}
    services.save_actual(session, actor(), project, indicator, period, raw, submit=body.submit,
                         version=body.version)
    return period_out(period, team=True, indicator=indicator)
