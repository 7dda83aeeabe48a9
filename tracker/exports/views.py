"""Export pages: a project's records (project tab) and the whole portfolio (M&E staff and donors)."""

from flask import Response
from flask import abort
from flask import g
from flask import render_template
from flask_login import current_user

from tracker.common.errors import ValidationFailed
from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.exports import services as tabular_services
from tracker.exports.forms import ExportForm
from tracker.portfolio.services import get_fund
from tracker.web.access import actor
from tracker.web.access import requires
from tracker.web.access import sensitive_project_route
from tracker.web.forms import apply_errors


def export_form():
    return ExportForm().configure(tabular_services.audiences_for(current_user.role),
                                  tabular_services.sheet_choices())


def download(exported, name, audience):
    filename = f"{name}-{audience}-{utcnow():%Y%m%d-%H%M}.{exported.extension}"
    return Response(exported.content, mimetype=exported.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def run_export(form, *, fund_id, project=None):
    """Build the file and commit its audit entry; None (with errors on the form) when the request is invalid."""
    session = get_session()
    grant = g.get("break_glass_grant")
    try:
        exported = tabular_services.export_records(
            session, actor(), fund_id=fund_id, audience=form.audience.data, file_format=form.file_format.data,
            sheet_names=form.sheets.data or [], member_project_ids=current_user.project_ids, project=project,
            reason=grant.reason if grant else None)
    except ValidationFailed as error:
        apply_errors(form, error)
        return None
    session.commit()
    return exported


@sensitive_project_route("export.view")
def project_export(project):
    form = export_form()
    if form.validate_on_submit():
        exported = run_export(form, fund_id=project.fund_id, project=project)
        if exported is not None:
            return download(exported, project.slug, form.audience.data)
    return render_template("exports/form.html", form=form, project=project,
                           sheets=tabular_services.sheet_choices())


@requires("export.portfolio")
def portfolio_export():
    fund = get_fund(get_session()) or abort(404)
    form = export_form()
    if form.validate_on_submit():
        exported = run_export(form, fund_id=fund.id)
        if exported is not None:
            return download(exported, fund.slug, form.audience.data)
    return render_template("exports/portfolio.html", form=form, fund=fund,
                           sheets=tabular_services.sheet_choices())
