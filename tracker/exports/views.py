"""Export pages: a project's records (project tab) and the whole portfolio (M&E staff and donors)."""

from flask import Response
from flask import abort
from flask import g
from flask_login import current_user

from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.exports import services as tabular_services
from tracker.exports.forms import ExportForm
from tracker.portfolio.services import get_fund
from tracker.web.access import actor
from tracker.web.access import break_glass_grants
from tracker.web.access import requires
from tracker.web.access import sensitive_project_route
from tracker.web.pages import form_page


def export_form():
    return ExportForm().configure(tabular_services.audiences_for(current_user.role),
                                  tabular_services.sheet_choices())


def download(exported, name, audience):
    filename = f"{name}-{audience}-{utcnow():%Y%m%d-%H%M}.{exported.extension}"
    return Response(exported.content, mimetype=exported.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def export_page(template, name, fund_id, **context):
    """The export form (of ``context["project"]``, or the fund's); a valid request answers with the file.

    The export's audit entry is committed with the answer.
    """
    project = context.get("project")
    grant = g.get("break_glass_grant")

    def export(form):
        return tabular_services.export_records(
            get_session(), actor(), fund_id=fund_id, audience=form.audience.data, file_format=form.file_format.data,
            sheet_names=form.sheets.data or [], member_project_ids=current_user.project_ids, project=project,
            reason=grant.reason if grant else None,
            granted_project_ids=break_glass_grants(get_session(), "export.view").keys())

    form = export_form()
    return form_page(form, template, export, None,
                     answer=lambda exported: download(exported, name, form.audience.data),
                     sheets=tabular_services.sheet_choices(), **context)


@sensitive_project_route("export.view")
def project_export(project):
    return export_page("exports/form.html", project.slug, project.fund_id, project=project)


@requires("export.portfolio")
def portfolio_export():
    fund = get_fund(get_session()) or abort(404)
    return export_page("exports/portfolio.html", fund.slug, fund.id, fund=fund)
