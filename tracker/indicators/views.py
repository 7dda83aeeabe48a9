"""Indicator pages: the list, progress (chart + table), periods, actuals and their review."""

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.common.pagination import clamp_page_number
from tracker.common.pagination import paginate
from tracker.common.svg import rendered_svg
from tracker.db import get_session
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
from tracker.toc import services as toc_services
from tracker.toc.display import svg_response
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import requires
from tracker.web.conflicts import conflict_rows
from tracker.web.conflicts import render_conflict
from tracker.web.forms import ConfirmForm
from tracker.web.forms import apply_errors


def indicator_or_404(project, indicator_id):
    return services.get_indicator(get_session(), project, indicator_id) or abort(404)


def period_or_404(indicator, period_id):
    return services.get_period(get_session(), indicator, period_id) or abort(404)


def progress_url(project, indicator):
    return url_for("indicators.progress", slug=project.slug, indicator_id=indicator.id)


def period_label(period):
    return f"{format_date(period.start_date, 'medium')} – {format_date(period.end_date, 'medium')}"


def page_number():
    return clamp_page_number(request.args.get("page"))


# List and progress ---------------------------------------------------------------------------


@project_route("indicator.view")
def index(project):
    session = get_session()
    page = paginate(session, services.indicators_statement(project), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    rows = [(indicator, services.latest_period(indicator), *services.latest_reported(indicator))
            for indicator in page.items]
    pending = services.pending_reviews(session, project) if current_user.can("indicator.actuals.review") else 0
    return render_template("indicators/index.html", project=project, page=page, rows=rows, pending=pending,
                           labels=toc_services.level_labels(session, project.fund_id),
                           measure_labels=services.MEASURE_LABELS)


def chart_words():
    return {"target": _("Target"), "actual": _("Actual (approved)"),
            "provisional": _("Actual (provisional: awaiting review)"), "none": _("no value")}


def as_float(value):
    return None if value is None else float(value)


def progress_chart(indicator, periods):
    """The chart's SVG markup.

    The renderer escapes every text node and attribute value it writes (see
    :mod:`tracker.indicators.chart`), so its output is safe to place in the page as is.
    """
    chart_periods = []
    for period in periods:
        reported = services.reported_actual(period.actual)
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
    rows = [(period, services.reported_actual(period.actual)) for period in periods]
    chart = progress_chart(indicator, periods) if periods and not indicator.is_qualitative else None
    return render_template("indicators/progress.html", project=project, indicator=indicator, rows=rows,
                           chart=chart, labels=toc_services.level_labels(session, project.fund_id),
                           measure_labels=services.MEASURE_LABELS, status_labels=services.STATUS_LABELS,
                           dimensions=services.breakdown_keys(indicator))


@project_route("indicator.view")
def chart_download(project, indicator_id):
    indicator = indicator_or_404(project, indicator_id)
    if indicator.is_qualitative:
        abort(404)
    chart = progress_chart(indicator, services.load_indicator(get_session(), indicator))
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
    form = indicator_form(project, data={"node_id": request.args.get("node", type=int), "ascending": True})
    if form.validate_on_submit():
        try:
            indicator = services.create_indicator(session, actor(), project, form.data)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Indicator added. Add its reporting periods and targets."), "success")
            return redirect(progress_url(project, indicator))
    return render_template("indicators/indicator_form.html", project=project, form=form, indicator=None)


@project_route("indicator.edit")
def indicator_edit(project, indicator_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    form = indicator_form(project, data={**indicator_values(indicator), "version": indicator.version})
    if form.validate_on_submit():
        try:
            services.update_indicator(session, actor(), project, indicator, form.data, form.version.data)
            session.commit()
        except (EditConflict, StaleDataError):
            session.rollback()
            return render_conflict("indicators/indicator_form.html", form, indicator_values(indicator, form),
                                   indicator.version, project=project, indicator=indicator)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("Indicator saved."), "success")
            return redirect(progress_url(project, indicator))
    return render_template("indicators/indicator_form.html", project=project, form=form, indicator=indicator)


@project_route("indicator.edit")
def indicator_delete(project, indicator_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    may_remove_approved = current_user.can("indicator.actuals.review", project)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_indicator(session, actor(), project, indicator, may_remove_approved=may_remove_approved)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Deleted the indicator “%(title)s”.", title=indicator.title), "success")
            return redirect(url_for(".index", slug=project.slug))
    return render_template(
        "confirm_delete.html", project=project, form=form, thing=indicator.title,
        blockers=[] if form.errors else services.deletion_blockers(indicator.periods, may_remove_approved),
        heading=_("Delete the indicator “%(title)s”?", title=indicator.title),
        consequences=[_("Its %(count)d periods, with their targets, actuals and review history, are deleted too.",
                        count=len(indicator.periods))],
        cancel=progress_url(project, indicator),
    )


# Periods -----------------------------------------------------------------------------------


def period_values(indicator, period):
    return {"start_date": period.start_date, "end_date": period.end_date,
            "target_value": services.plain(period.target_value), "target_comment": period.target_comment,
            **services.breakdown_inputs(period.target_breakdown, services.breakdown_keys(indicator))}


def render_period_form(project, indicator, form, period, status=200, **context):
    return render_template("indicators/period_form.html", project=project, indicator=indicator, form=form,
                           period=period, breakdown=breakdown_form_fields(form, indicator), **context), status


@project_route("indicator.edit")
def period_create(project, indicator_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    form = with_breakdown(PeriodForm, indicator)
    if form.validate_on_submit():
        try:
            services.create_period(session, actor(), project, indicator, form.data)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Period added."), "success")
            return redirect(progress_url(project, indicator))
    return render_period_form(project, indicator, form, None)


@project_route("indicator.edit")
def period_edit(project, indicator_id, period_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    period = period_or_404(indicator, period_id)
    form = with_breakdown(PeriodForm, indicator, data={**period_values(indicator, period), "version": period.version})
    if form.validate_on_submit():
        try:
            services.update_period(session, actor(), project, indicator, period, form.data, form.version.data)
            session.commit()
        except (EditConflict, StaleDataError):
            session.rollback()
            stored = period_values(indicator, period)
            form.version.data = period.version
            return render_period_form(project, indicator, form, period, 409,
                                      conflict=conflict_rows(form, stored))
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("Period saved."), "success")
            return redirect(progress_url(project, indicator))
    return render_period_form(project, indicator, form, period)


@project_route("indicator.edit")
def period_delete(project, indicator_id, period_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    period = period_or_404(indicator, period_id)
    may_remove_approved = current_user.can("indicator.actuals.review", project)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_period(session, actor(), project, period, may_remove_approved=may_remove_approved)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Period deleted."), "success")
            return redirect(progress_url(project, indicator))
    consequences = [_("Its target is deleted too.")]
    if period.actual is not None:
        consequences.append(_("Its actual and the actual's review history are deleted too."))
    return render_template("confirm_delete.html", project=project, form=form,
                           thing=period_label(period), consequences=consequences,
                           blockers=[] if form.errors else services.deletion_blockers([period], may_remove_approved),
                           heading=_("Delete the period %(period)s?", period=period_label(period)),
                           cancel=progress_url(project, indicator))


# Actuals and their review ----------------------------------------------------------------------


def actual_values(indicator, actual):
    if actual is None:
        return {}
    return {"value": services.plain(actual.value), "comment": actual.comment, "version": actual.version,
            **services.breakdown_inputs(actual.breakdown, services.breakdown_keys(indicator))}


def render_actual_page(project, indicator, period, form, review_form, status=200, **context):
    actual = period.actual
    names = toc_services.user_names(get_session(), [event.actor_id for event in actual.events] if actual else [])
    return render_template(
        "indicators/actual.html", project=project, indicator=indicator, period=period, actual=actual, form=form,
        review_form=review_form, breakdown=breakdown_form_fields(form, indicator), names=names,
        status_labels=services.STATUS_LABELS, action_labels=services.ACTION_LABELS,
        reported=services.reported_actual(actual), period_label=period_label(period), **context,
    ), status


@project_route("indicator.actuals.submit")
def actual(project, indicator_id, period_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    period = period_or_404(indicator, period_id)
    form = with_breakdown(ActualForm, indicator, data=actual_values(indicator, period.actual))
    if form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        try:
            services.save_actual(session, actor(), project, indicator, period, form.data, submit=submit,
                                 version=form.version.data)
            session.commit()
        except (EditConflict, StaleDataError):
            session.rollback()
            stored = actual_values(indicator, period.actual)
            stored.pop("version")
            form.version.data = period.actual.version
            return render_actual_page(project, indicator, period, form, ReviewForm(formdata=None), 409,
                                      conflict=conflict_rows(form, stored))
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("Actual submitted for review.") if submit else _("Actual saved as a draft."), "success")
            return redirect(progress_url(project, indicator))
    return render_actual_page(project, indicator, period, form, ReviewForm(formdata=None))


@project_route("indicator.actuals.review")
def review(project, indicator_id, period_id):
    session = get_session()
    indicator = indicator_or_404(project, indicator_id)
    period = period_or_404(indicator, period_id)
    review_form = ReviewForm()
    if review_form.validate_on_submit():
        approve = request.form.get("action") == "approve"
        try:
            services.review_actual(session, actor(), project, period, approve=approve, note=review_form.note.data)
        except ValidationFailed as error:
            apply_errors(review_form, error)
        else:
            session.commit()
            flash(_("Actual approved: reports now use it.") if approve else
                  _("Actual returned with your note."), "success")
            return redirect(progress_url(project, indicator))
    form = with_breakdown(ActualForm, indicator, data=actual_values(indicator, period.actual))
    return render_actual_page(project, indicator, period, form, review_form)


@requires("indicator.actuals.review")
def review_queue():
    session = get_session()
    page = paginate(session, services.review_queue_statement(), page_number(), current_app.config["ITEMS_PER_PAGE"])
    projects = services.projects_by_id(session, [item.period.indicator.project_id for item in page.items])
    names = toc_services.user_names(session, [item.updated_by_id for item in page.items])
    return render_template("indicators/review_queue.html", page=page, projects=projects, names=names,
                           period_label=period_label)


