"""Indicator pages: the list, progress (chart + table), periods, actuals and their review."""

from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from tracker.common.pagination import paginate
from tracker.common.svg import rendered_svg
from tracker.db import get_session
from tracker.indicators import rules
from tracker.indicators import services
from tracker.indicators.chart import Baseline
from tracker.indicators.chart import ChartPeriod
from tracker.indicators.chart import render_progress_svg
from tracker.indicators.forms import ActualForm
from tracker.indicators.forms import IndicatorForm
from tracker.indicators.forms import PeriodForm
from tracker.indicators.forms import ReviewForm
from tracker.indicators.forms import breakdown_form_fields
from tracker.indicators.forms import with_breakdown
from tracker.indicators.models import IndicatorMeasure
from tracker.indicators.rules import approval_problem
from tracker.indicators.rules import previous_reported
from tracker.portfolio.models import Project
from tracker.toc import services as toc_services
from tracker.toc.display import svg_response
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import requires
from tracker.web.pages import delete_page
from tracker.web.pages import form_page
from tracker.web.requests import id_argument
from tracker.web.requests import is_donor
from tracker.web.requests import page_number


def indicator_or_404(project, indicator_id):
    return services.get_indicator(get_session(), project, indicator_id) or abort(404)


def period_or_404(indicator, period_id):
    return services.get_period(get_session(), indicator, period_id) or abort(404)


def progress_url(project, indicator):
    return url_for("indicators.progress", slug=project.slug, indicator_id=indicator.id)


def period_label(period):
    return f"{format_date(period.start_date, 'medium')} – {format_date(period.end_date, 'medium')}"


# List and progress ---------------------------------------------------------------------------


@project_route("indicator.view")
def index(project):
    session = get_session()
    page = paginate(session, services.indicators_statement(project), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    donor = is_donor()
    rows = []
    for indicator in page.items:
        period, reported = services.latest_reported(indicator, approved_only=donor)
        rows.append((indicator, period, reported, period_progress(indicator, period, reported)))
    pending = services.pending_reviews(session, project) if current_user.can("indicator.actuals.review") else 0
    return render_template("indicators/index.html", project=project, page=page, rows=rows, pending=pending, donor=donor,
                           labels=toc_services.level_labels(session, project.fund_id),
                           measure_labels=services.MEASURE_LABELS)


def period_progress(indicator, period, reported):
    """Progress in ``period`` against its own target (None for qualitative indicators or no period)."""
    if period is None or indicator.is_qualitative:
        return None
    return rules.progress(period.target_value, reported.value if reported else None, ascending=indicator.ascending,
                          baseline=indicator.baseline_value)


def chart_words():
    return {"target": _("Target"), "actual": _("Actual (approved)"),
            "provisional": _("Actual (provisional: awaiting review)"), "none": _("no value")}


def as_float(value):
    return None if value is None else float(value)


def progress_chart(indicator, periods, approved_only):
    """The chart's SVG markup.

    The renderer escapes every text node and attribute value it writes (see
    :mod:`tracker.indicators.chart`), so its output is safe to place in the page as is.
    """
    chart_periods = []
    for period in periods:
        reported = services.reported_actual(period.actual, approved_only=approved_only)
        chart_periods.append(ChartPeriod(period_label(period), as_float(period.target_value),
                                         as_float(reported.value) if reported else None,
                                         bool(reported and reported.provisional)))
    baseline = None
    if indicator.baseline_value is not None:
        baseline = Baseline(_("Baseline %(year)s", year=indicator.baseline_year or ""),
                            float(indicator.baseline_value))
    direction = _("higher is better") if indicator.ascending else _("lower is better")
    description = _("Baseline, targets and reported actuals for %(count)d periods (%(direction)s); the same "
                    "figures are in the table below the chart.", count=len(periods), direction=direction)
    svg = render_progress_svg(chart_periods, title=_("Progress: %(title)s", title=indicator.title),
                              description=description, baseline=baseline, unit=indicator.unit,
                              percentage=indicator.measure == IndicatorMeasure.PERCENTAGE, words=chart_words(),
                              id_prefix=f"chart-{indicator.id}")
    return rendered_svg(svg)


@project_route("indicator.view")
def progress(project, indicator_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    periods = services.load_indicator(session, indicator)
    donor = is_donor()
    rows = []
    for period in periods:
        reported = services.reported_actual(period.actual, approved_only=donor)
        rows.append((period, reported, period_progress(indicator, period, reported)))
    chart = progress_chart(indicator, periods, donor) if periods and not indicator.is_qualitative else None
    return render_template("indicators/progress.html", project=project, indicator=indicator, rows=rows,
                           chart=chart, labels=toc_services.level_labels(session, project.fund_id),
                           measure_labels=services.MEASURE_LABELS, status_labels=services.STATUS_LABELS,
                           dimensions=services.breakdown_keys(indicator))


@project_route("indicator.view")
def chart_download(project, indicator_id):
    indicator = indicator_or_404(project, indicator_id)
    if indicator.is_qualitative:
        abort(404)
    chart = progress_chart(indicator, services.load_indicator(get_session(), indicator), is_donor())
    return svg_response(chart, f"indicator-{indicator.id}-progress.svg")


# Indicators --------------------------------------------------------------------------------


def indicator_form(project, **kwargs):
    """The indicator form; only users who may publish see (and can change) the IATI publication flag."""
    session = get_session()
    labels = toc_services.level_labels(session, project.fund_id)
    form = IndicatorForm(**kwargs)
    if not current_user.can("indicator.publish", project):
        del form.public
    form.node_id.choices = [SelectChoice("", _("Choose a result"))] + [
        SelectChoice(node.id, node.title, optgroup=labels[str(node.level)])
        for node in toc_services.load_nodes(session, project)]
    return form


def indicator_values(indicator, form=None):
    """The stored values as the form shows them (only the fields ``form`` has, when given)."""
    values = {name: getattr(indicator, name) for name in services.INDICATOR_FIELDS if form is None or name in form}
    values["measure"] = indicator.measure.value
    values["baseline_value"] = services.plain(indicator.baseline_value)
    values["dimensions"] = services.format_dimensions(indicator.dimensions)
    return values


@project_route("indicator.edit")
def indicator_create(project):
    session = get_session()
    form = indicator_form(project, data={"node_id": id_argument("node"), "ascending": True})
    return form_page(form, "indicators/indicator_form.html",
                     lambda form: services.create_indicator(session, actor(), project, form.data),
                     lambda indicator: progress_url(project, indicator),
                     saved=_("Indicator added. Add its reporting periods and targets."),
                     project=project, indicator=None)


@project_route("indicator.edit")
def indicator_edit(project, indicator_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    form = indicator_form(project, data={**indicator_values(indicator), "version": indicator.version})
    return form_page(form, "indicators/indicator_form.html",
                     lambda form: services.update_indicator(session, actor(), project, indicator, form.data,
                                                            form.version.data),
                     progress_url(project, indicator), saved=_("Indicator saved."),
                     stored=lambda: (indicator_values(indicator, form), indicator.version),
                     project=project, indicator=indicator)


@project_route("indicator.edit")
def indicator_delete(project, indicator_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    may_remove_approved = current_user.can("indicator.actuals.review", project)
    return delete_page(
        lambda: services.delete_indicator(session, actor(), project, indicator,
                                          may_remove_approved=may_remove_approved),
        url_for(".index", slug=project.slug), deleted=_("Deleted the indicator “%(title)s”.", title=indicator.title),
        thing=indicator.title, heading=_("Delete the indicator “%(title)s”?", title=indicator.title),
        cancel=progress_url(project, indicator),
        consequences=[_("Its %(count)d periods, with their targets, actuals and review history, are deleted too.",
                        count=len(indicator.periods))],
        blockers=services.deletion_blockers(indicator.periods, may_remove_approved), project=project)


# Periods -----------------------------------------------------------------------------------


def period_values(indicator, period):
    return {"start_date": period.start_date, "end_date": period.end_date,
            "target_value": services.plain(period.target_value), "target_comment": period.target_comment,
            "target_breakdown_partial": period.target_breakdown_partial,
            **services.breakdown_inputs(period.target_breakdown, services.breakdown_keys(indicator))}


def period_page(project, indicator, form, period):
    """The period form's context besides the form."""
    return {"project": project, "indicator": indicator, "period": period,
            "breakdown": breakdown_form_fields(form, indicator)}


@project_route("indicator.edit")
def period_create(project, indicator_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    form = with_breakdown(PeriodForm, indicator)
    return form_page(form, "indicators/period_form.html",
                     lambda form: services.create_period(session, actor(), project, indicator, form.data),
                     progress_url(project, indicator), saved=_("Period added."),
                     **period_page(project, indicator, form, None))


@project_route("indicator.edit")
def period_edit(project, indicator_id, period_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    period = period_or_404(indicator, period_id)
    form = with_breakdown(PeriodForm, indicator, data={**period_values(indicator, period), "version": period.version})
    return form_page(form, "indicators/period_form.html",
                     lambda form: services.update_period(session, actor(), project, indicator, period, form.data,
                                                         form.version.data),
                     progress_url(project, indicator), saved=_("Period saved."),
                     stored=lambda: (period_values(indicator, period), period.version),
                     **period_page(project, indicator, form, period))


@project_route("indicator.edit")
def period_delete(project, indicator_id, period_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    period = period_or_404(indicator, period_id)
    may_remove_approved = current_user.can("indicator.actuals.review", project)
    consequences = [_("Its target is deleted too.")]
    if period.actual is not None:
        consequences.append(_("Its actual and the actual's review history are deleted too."))
    return delete_page(
        lambda: services.delete_period(session, actor(), project, period, may_remove_approved=may_remove_approved),
        progress_url(project, indicator), deleted=_("Period deleted."), thing=period_label(period),
        heading=_("Delete the period %(period)s?", period=period_label(period)),
        cancel=progress_url(project, indicator), consequences=consequences,
        blockers=services.deletion_blockers([period], may_remove_approved), project=project)


# Actuals and their review ----------------------------------------------------------------------


def actual_values(indicator, actual):
    """The stored actual as its form shows it (nothing before one is reported)."""
    if actual is None:
        return {}
    return {"value": services.plain(actual.value), "comment": actual.comment,
            "breakdown_partial": actual.breakdown_partial,
            **services.breakdown_inputs(actual.breakdown, services.breakdown_keys(indicator))}


def actual_form(indicator, period):
    actual = period.actual
    data = {**actual_values(indicator, actual), "version": actual.version} if actual else {}
    return with_breakdown(ActualForm, indicator, data=data)


def actual_page(project, indicator, period, form, review_form):
    """The actual's page besides its forms: the reported value and the review history."""
    actual = period.actual
    people = [event.actor_id for event in actual.events] + [
        actual.submitted_by_id, actual.approved_by_id, actual.approved_submitted_by_id] if actual else []
    names = toc_services.user_names(get_session(), [person for person in people if person is not None])
    return {"project": project, "indicator": indicator, "period": period, "actual": actual,
            "review_form": review_form, "breakdown": breakdown_form_fields(form, indicator), "names": names,
            "status_labels": services.STATUS_LABELS, "action_labels": services.ACTION_LABELS,
            "reported": services.reported_actual(actual), "period_label": period_label(period),
            "self_approval_refused": bool(actual and approval_problem(
                actual.submitted_by_id, current_user.id, self_approval_allowed=self_approval_allowed()))}


def self_approval_allowed():
    return current_app.config["ACTUALS_SELF_APPROVAL"]


@project_route("indicator.actuals.submit")
def actual(project, indicator_id, period_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    period = period_or_404(indicator, period_id)
    form = actual_form(indicator, period)
    submit = request.form.get("action") == "submit"
    return form_page(form, "indicators/actual.html",
                     lambda form: services.save_actual(session, actor(), project, indicator, period, form.data,
                                                       submit=submit, version=form.version.data),
                     progress_url(project, indicator),
                     saved=_("Actual submitted for review.") if submit else _("Actual saved as a draft."),
                     stored=lambda: (actual_values(indicator, period.actual), period.actual.version),
                     **actual_page(project, indicator, period, form, ReviewForm(formdata=None)))


@project_route("indicator.actuals.review")
def review(project, indicator_id, period_id):
    """The review form of the actual's page: a problem (a return without a note) shows that page again."""
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    period = period_or_404(indicator, period_id)
    action_name = request.form.get("action")
    approve = action_name in ("approve", "approve_next")
    done = _("Actual approved: reports now use it.") if approve else _("Actual returned with your note.")
    next_url = next_in_queue if action_name == "approve_next" else progress_url(project, indicator)

    def page(review_form):
        form = actual_form(indicator, period)
        return {"form": form, **actual_page(project, indicator, period, form, review_form)}

    return form_page(ReviewForm(), "indicators/actual.html",
                     lambda form: services.review_actual(session, actor(), project, period, approve=approve,
                                                         note=form.note.data,
                                                         self_approval_allowed=self_approval_allowed()),
                     next_url, saved=done, context_for=page)


def next_in_queue(reviewed):
    """The page of the next actual the reviewer may approve, or the queue (empty) when none is left."""
    session = get_session()
    following = services.next_to_review(session, current_user.id, self_approval_allowed=self_approval_allowed(),
                                        after=reviewed.id)
    if following is None:
        return url_for(".review_queue")
    indicator = following.period.indicator
    project = session.get(Project, indicator.project_id)
    return url_for(".actual", slug=project.slug, indicator_id=indicator.id, period_id=following.period_id)


@requires("indicator.actuals.review")
def review_queue():
    session = get_session()
    page = paginate(session, services.review_queue_statement(), page_number(), current_app.config["ITEMS_PER_PAGE"])
    projects = services.projects_by_id(session, [item.period.indicator.project_id for item in page.items])
    names = toc_services.user_names(session, [item.updated_by_id for item in page.items])
    own = {item.id for item in page.items if approval_problem(
        item.submitted_by_id, current_user.id, self_approval_allowed=self_approval_allowed())}
    previous = {item.id: previous_reported(item.period, item.period.indicator.periods) for item in page.items}
    return render_template("indicators/review_queue.html", page=page, projects=projects, names=names,
                           period_label=period_label, own=own, previous=previous)
