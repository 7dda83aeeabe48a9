"""IATI pages: the publication overview, the downloads (portfolio and project) and the fund's IATI settings."""

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm.exc import StaleDataError

from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.iati import codes as codes
from tracker.iati import services as services
from tracker.iati.forms import IatiSettingsForm
from tracker.portfolio import services as portfolio_services
from tracker.portfolio.forms import FundForm
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import requires
from tracker.web.conflicts import conflict_rows
from tracker.web.forms import apply_errors


def current_fund():
    return portfolio_services.get_fund(get_session()) or abort(404)


def render_overview(fund, export, status=200):
    return render_template("iati/overview.html", fund=fund, export=export, sectors=codes.DAC_SECTORS,
                           settings=services.get_settings(get_session(), fund)), status


def prepare(fund, project=None):
    return services.prepare_export(get_session(), fund, project=project,
                                   schema_dir=current_app.config["IATI_SCHEMA_DIR"])


def xml_download(export, project=None):
    """Audit the export, commit, and send the file."""
    session = get_session()
    services.record_export(session, actor(), export, project)
    session.commit()
    name = f"iati-{project.slug if project is not None else 'portfolio'}-{utcnow():%Y%m%d}.xml"
    return Response(export.xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# Publication -----------------------------------------------------------------------------


@requires("iati.export")
def overview():
    """What the fund's IATI file holds, what is left out and why, and any problem that blocks it."""
    fund = current_fund()
    return render_overview(fund, prepare(fund))


@requires("iati.export")
def portfolio_download():
    fund = current_fund()
    export = prepare(fund)
    if export.refused:
        return render_overview(fund, export, 422)
    return xml_download(export)


@project_route("iati.export")
def project_download(project):
    export = prepare(current_fund(), project)
    if export.refused:
        return render_template("iati/refused.html", project=project, export=export), 422
    return xml_download(export, project)


# Settings ----------------------------------------------------------------------------------


def settings_form(fund, formdata=None):
    """The IATI part of the fund settings page, filled from the stored settings or sensible defaults."""
    settings = services.get_settings(get_session(), fund)
    if settings is not None:
        data = {**services.settings_values(settings), "version": settings.version}
    else:
        data = {"reporting_org_name": fund.name, "reporting_org_type": "60"}
    return IatiSettingsForm(prefix="iati", data=data, formdata=formdata)


def render_fund_settings(fund, iati_form, status=200, **context):
    form = FundForm(obj=fund, formdata=None)
    return render_template("portfolio/fund_form.html", form=form, fund=fund, iati_form=iati_form,
                           **context), status


@requires("fund.manage")
def settings_save():
    session, fund = get_session(), current_fund()
    form = IatiSettingsForm(prefix="iati")
    if not form.validate_on_submit():
        return render_fund_settings(fund, form)
    try:
        settings = services.save_settings(session, actor(), fund, form.data, form.version.data)
        session.commit()
    except (EditConflict, StaleDataError):
        session.rollback()
        current = services.get_settings(session, fund)
        rows = conflict_rows(form, services.settings_values(current))
        form.version.data = current.version
        return render_fund_settings(fund, form, 409, iati_conflict=rows)
    except ValidationFailed as error:
        apply_errors(form, error)
        return render_fund_settings(fund, form)
    flash(_("IATI publishing settings saved."), "success")
    unprefixed = services.unprefixed_identifiers(session, fund, settings.reporting_org_ref)
    if unprefixed:
        flash(ngettext("%(num)d project's IATI identifier does not begin with %(ref)s- (%(titles)s); its export "
                       "is refused until it does.",
                       "%(num)d projects' IATI identifiers do not begin with %(ref)s- (%(titles)s); their export "
                       "is refused until they do.", len(unprefixed), ref=settings.reporting_org_ref,
                       titles=", ".join(project.title for project in unprefixed)), "error")
    return redirect(url_for("portfolio.fund_settings"))


