"""The administrators' view of the audit trail: filter, page through and export it."""

import sqlalchemy as sa
from flask import Response
from flask import current_app
from flask import render_template
from flask import request
from flask_babel import gettext as _

from tracker.audit import services
from tracker.audit.export import csv_lines
from tracker.audit.forms import AuditFilterForm
from tracker.audit.forms import ExportForm
from tracker.common.pagination import paginate
from tracker.db import database
from tracker.db import get_session
from tracker.db import read_only
from tracker.db_types import utcnow
from tracker.portfolio.models import Project
from tracker.portfolio.services import all_projects
from tracker.web.access import actor
from tracker.web.access import requires
from tracker.web.forms import choices
from tracker.web.requests import filter_value
from tracker.web.requests import page_number

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
