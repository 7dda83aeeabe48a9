"""The administrators' view of the audit trail (filter, page through and export it), and the access overview
and alerts of administrators and the data-protection lead."""

import csv
import io
from datetime import timedelta

import sqlalchemy as sa
from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from tracker.audit import alerts
from tracker.audit import insight
from tracker.audit import rules
from tracker.audit import services
from tracker.audit.chart import render_bars
from tracker.audit.export import csv_lines
from tracker.audit.forms import AuditFilterForm
from tracker.audit.forms import CloseAlertForm
from tracker.audit.forms import ExportForm
from tracker.audit.forms import InsightFilterForm
from tracker.audit.models import AlertStatus
from tracker.audit.models import AuditAlert
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.common.formulas import neutralise
from tracker.common.pagination import paginate
from tracker.common.svg import rendered_svg
from tracker.db import database
from tracker.db import get_session
from tracker.db import read_only
from tracker.db_types import utcnow
from tracker.portfolio.models import Project
from tracker.portfolio.services import all_projects
from tracker.web.access import actor
from tracker.web.access import requires
from tracker.web.forms import choices
from tracker.web.pages import form_page
from tracker.web.requests import filter_value
from tracker.web.requests import page_number
from tracker.wellbeing.rules import MIN_READERS

EXPORT_BATCH = 500


def filter_form(session):
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", _("Any action"))] + [(a, a) for a in services.recorded_actions(session)])
    form.object_type.choices = choices([("", _("Any record type"))] + [
        (t, t) for t in services.recorded_object_types(session)])
    form.project.choices = choices([(0, _("Any project"))] + [(p.id, p.title) for p in all_projects(session)])
    form.validate()
    return form


def filters_from(form):
    return services.AuditFilter(actor=filter_value(form.actor), action=filter_value(form.action),
                                object_type=filter_value(form.object_type), project_id=filter_value(form.project),
                                date_from=filter_value(form.date_from), date_to=filter_value(form.date_to))


def project_slugs(session, project_ids):
    ids = {project_id for project_id in project_ids if project_id is not None}
    if not ids:
        return {}
    return dict(session.execute(sa.select(Project.id, Project.slug).where(Project.id.in_(ids))).all())


@requires("audit.view")
def log():
    session = get_session()
    form = filter_form(session)
    page = paginate(session, services.audit_statement(filters_from(form)), page_number(),
                    current_app.config["AUDIT_ITEMS_PER_PAGE"])
    slugs = project_slugs(session, [entry.project_id for entry in page.items])
    return render_template("audit/log.html", form=form, page=page, slugs=slugs, export=ExportForm())


@requires("audit.view")
def export():
    """Stream the filtered log as CSV; the export is itself audited first.

    A POST, so that CSRFProtect refuses an export that another site triggers. The request's transaction
    commits the audit entry when the view returns, before the first row is streamed.
    """
    session = get_session()
    filters = filters_from(filter_form(session))
    statement = services.audit_statement(filters)
    total = session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    services.record(session, actor(), "export", "audit_log", details={"filters": filters.as_dict(), "rows": total})
    slugs = dict(session.execute(sa.select(Project.id, Project.slug)).all())
    filename = f"audit-log-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(stream_rows(database(), statement, slugs), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


def stream_rows(db, statement, slugs):
    """Yield the CSV in batches from a read-only session of its own, which outlives the request's."""
    with db.new_session() as session:
        read_only(session)
        yield from csv_lines(session.scalars(statement.execution_options(yield_per=EXPORT_BATCH)), slugs)


# The access overview and its alerts (administrators and the data-protection lead) ----------------------------


def insight_form(session):
    form = InsightFilterForm(request.args)
    form.person.choices = choices([(0, _("Anyone"))] + [(user.id, user.email) for user in people(session)])
    form.project.choices = choices([(0, _("Any project"))] + [(p.id, p.title) for p in all_projects(session)])
    form.kind.choices = choices([("", _("Any sensitive record"))] + [
        (kind, _(rules.KIND_LABELS[kind])) for kind in rules.SENSITIVE_KINDS])
    form.validate()
    return form


def people(session):
    return session.scalars(sa.select(User).order_by(User.email)).all()


def insight_filters(form):
    """The filters asked for; the period defaults to the last 30 days (an invalid period is left out)."""
    asked_from, asked_to = (None, None) if form.date_to.errors else (filter_value(form.date_from),
                                                                     filter_value(form.date_to))
    date_to = asked_to or max(utcnow().date(), asked_from or utcnow().date())
    date_from = asked_from or date_to - timedelta(days=insight.DEFAULT_DAYS - 1)
    return insight.InsightFilter(date_from=date_from, date_to=date_to, actor_id=filter_value(form.person),
                                 project_id=filter_value(form.project), kind=filter_value(form.kind))


CHART_ROWS = 20  # bars per chart; its table lists every row


def labelled_rows(result):
    """The overview's four read tables as (label, reads) rows: addresses, titles, weeks and kinds, never text."""
    kinds = {kind: _(label) for kind, label in rules.KIND_LABELS.items()}
    return {
        "person": [(label(result.people, a, _("(no account)")), n) for a, n in result.reads_by_person],
        "project": [(label(result.projects, p, _("(no project)")), n) for p, n in result.reads_by_project],
        "week": [(format_date(monday), n) for monday, n in result.reads_by_week],
        "kind": [(kinds.get(kind, kind), n) for kind, n in result.reads_by_kind],
    }


def label(names, key, missing):
    """A person's address or a project's title; an id no longer known shows as #id."""
    return missing if key is None else names.get(key, f"#{key}")


def charts(rows):
    titles = {"person": _("Sensitive reads per person"), "project": _("Sensitive reads per project"),
              "week": _("Sensitive reads per week"), "kind": _("Sensitive reads per record kind")}
    return {key: rendered_svg(render_bars(rows[key][:CHART_ROWS], title=title,
                                          description=_("The table below gives the same figures."),
                                          id_prefix=f"insight-{key}"))
            for key, title in titles.items()}


@requires("audit.insight")
def insight_overview():
    """The access overview; opening it is itself audited (with its filters, never record text)."""
    session = get_session()
    form = insight_form(session)
    filters = insight_filters(form)
    result = insight.overview(session, filters)
    services.record(session, actor(), "read", "access_overview", details={"filters": filters.as_dict()})
    open_alerts = session.scalar(sa.select(sa.func.count()).select_from(alerts.alerts_statement("open").subquery()))
    rows = labelled_rows(result)
    return render_template("audit/insight.html", form=form, filters=filters, result=result, rows=rows,
                           charts=charts(rows), export=ExportForm(), open_alerts=open_alerts,
                           min_readers=MIN_READERS)


@requires("audit.insight")
def insight_export():
    """The overview's figures as CSV, through the spreadsheet-formula neutraliser; audited like other exports."""
    session = get_session()
    filters = insight_filters(insight_form(session))
    result = insight.overview(session, filters)
    rows = list(insight.csv_rows(result, {
        "person": _("Reads per person"), "project": _("Reads per project"), "kind": _("Reads per record kind"),
        "week": _("Reads per week"), "break_glass": _("Break-the-glass grants per person"),
        "exports": _("Exports and report downloads"), "failed_account": _("Failed logins per address typed"),
        "failed_address": _("Failed logins per IP address")}))
    services.record(session, actor(), "export", "access_overview",
                    details={"filters": filters.as_dict(), "rows": len(rows)})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Section"), _("Key"), _("Name"), _("Count")])
    writer.writerows([neutralise(value) for value in row] for row in rows)
    filename = f"access-overview-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@requires("audit.insight")
def alert_list():
    session = get_session()
    status = request.args.get("status") if request.args.get("status") in set(AlertStatus) else None
    page = paginate(session, alerts.alerts_statement(status), page_number(), current_app.config["ITEMS_PER_PAGE"])
    return render_template("audit/alerts.html", page=page, status=status, statuses=AlertStatus,
                           names=rules.SIGNAL_NAMES)


def alert_or_404(alert_id):
    return get_session().get(AuditAlert, alert_id) or abort(404)


def alert_context(alert):
    session = get_session()
    ids = alerts.entry_ids(alert)
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.id.in_(ids))
                              .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())).all() if ids else []
    closed_by = session.get(User, alert.closed_by_id) if alert.closed_by_id else None
    last_day = alert.period_end.date() - timedelta(days=1)
    log_filters = {"actor": alert.subject, "date_from": alert.period_start.date().isoformat(),
                   "date_to": last_day.isoformat()}
    figures = [(_(rules.FIGURE_LABELS.get(key, key)), ", ".join(map(str, value)) if isinstance(value, list) else value)
               for key, value in sorted(alerts.figures(alert).items())]
    return {"alert": alert, "entries": entries, "figures": figures, "closed_by": closed_by,
            "name": rules.SIGNAL_NAMES[alert.signal],
            "rule": _(rules.SIGNAL_RULES[alert.signal], **vars(rules.thresholds_from(current_app.config))),
            "log_filters": log_filters, "last_day": last_day,
            "slugs": project_slugs(session, [entry.project_id for entry in entries])}


@requires("audit.insight")
def alert_detail(alert_id):
    alert = alert_or_404(alert_id)
    return render_template("audit/alert.html", form=CloseAlertForm(), **alert_context(alert))


@requires("audit.insight")
def alert_close(alert_id):
    session = get_session()
    alert = alert_or_404(alert_id)
    return form_page(CloseAlertForm(), "audit/alert.html",
                     lambda form: alerts.close_alert(session, actor(), alert, form.note.data),
                     url_for(".alert_detail", alert_id=alert.id), saved=_("Alert closed."),
                     context_for=lambda form: {"form": form, **alert_context(alert)})
