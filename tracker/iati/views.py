"""IATI pages: the publication overview, the downloads (portfolio and project) and the fund's IATI settings."""

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

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
from tracker.web.pages import form_page


def current_fund():
    return portfolio_services.get_fund(get_session()) or abort(404)


def render_overview(fund, export, status=200):
    return render_template("iati/overview.html", fund=fund, export=export, sectors=codes.DAC_SECTORS,
                           settings=services.get_settings(get_session(), fund)), status


def prepare(fund, project=None):
    return services.prepare_export(get_session(), fund, project=project,
                                   schema_dir=current_app.config["IATI_SCHEMA_DIR"])


def xml_download(export, project=None):
    """Audit the export and send the file (the audit entry is committed with the answer)."""
    services.record_export(get_session(), actor(), export, project)
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


def stored_settings(fund):
    """The settings as stored now and their version, to compare with a stale form."""
    settings = services.get_settings(get_session(), fund)
    return services.settings_values(settings), settings.version


@requires("fund.manage")
def settings_save():
    """The IATI form of the fund settings page; errors and conflicts show the whole page again."""
    session, fund = get_session(), current_fund()

    def save(form):
        settings = services.save_settings(session, actor(), fund, form.data, form.version.data)
        flash(_("IATI publishing settings saved."), "success")
        warn_about_unprefixed(session, fund, settings.reporting_org_ref)

    return form_page(IatiSettingsForm(prefix="iati"), "iati/fund_settings.html", save,
                     url_for("portfolio.fund_settings"), stored=lambda: stored_settings(fund),
                     fund_form=FundForm(obj=fund, formdata=None), fund=fund)


def warn_about_unprefixed(session, fund, ref):
    """Say which projects' exports the new reporting organisation identifier would refuse."""
    unprefixed = services.unprefixed_identifiers(session, fund, ref)
    if unprefixed:
        flash(ngettext("%(num)d project's IATI identifier does not begin with %(ref)s- (%(titles)s); its export "
                       "is refused until it does.",
                       "%(num)d projects' IATI identifiers do not begin with %(ref)s- (%(titles)s); their export "
                       "is refused until they do.", len(unprefixed), ref=ref,
                       titles=", ".join(project.title for project in unprefixed)), "error")
