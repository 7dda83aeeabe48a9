from flask import abort
from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.permissions import sees_all_projects
from tracker.common.countries import country_choices
from tracker.common.countries import currency_choices
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.iati.forms import settings_form as iati_settings_form
from tracker.portfolio import services
from tracker.portfolio.forms import FundForm
from tracker.portfolio.forms import OrganisationForm
from tracker.portfolio.forms import PillarForm
from tracker.portfolio.forms import PortfolioFilterForm
from tracker.portfolio.forms import ProjectForm
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import requires
from tracker.web.conflicts import stored_record
from tracker.web.forms import choices
from tracker.web.pages import form_page
from tracker.web.requests import filter_value
from tracker.web.requests import language
from tracker.web.requests import page_number


def current_fund():
    fund = services.get_fund(get_session())
    if fund is None:
        abort(404)
    return fund


def visible_project_ids():
    return None if sees_all_projects(current_user.role) else current_user.project_ids


def portfolio_country_choices(facets):
    """Only the countries the visible projects work in: a filter that can only ever match is short and fast."""
    present = {code for code, _count in facets["countries"]}
    return [choice for choice in country_choices(language()) if choice[0] in present]


@requires("portfolio.view")
def overview():
    session = get_session()
    fund = services.get_fund(session)
    if fund is None:
        return render_template("portfolio/no_fund.html")
    facets = services.portfolio_facets(session, fund, visible_project_ids())
    filters = PortfolioFilterForm(request.args)
    filters.pillar.choices = choices([(0, _("All pillars"))] + [
        (p.id, p.name) for p in services.list_pillars(session, fund)])
    filters.country.choices = choices([("", _("All countries")), *portfolio_country_choices(facets)])
    filters.organisation.choices = choices([(0, _("All grantees"))] + [
        (o.id, o.name) for o in services.organisations_in_portfolio(session, fund)])
    filters.validate()
    statement = services.project_list_statement(
        fund,
        visible_to=visible_project_ids(),
        pillar_id=filter_value(filters.pillar),
        country=filter_value(filters.country),
        organisation_id=filter_value(filters.organisation),
        text=filter_value(filters.q),
    )
    page = paginate(session, statement, page_number(), current_app.config["ITEMS_PER_PAGE"])
    return render_template("portfolio/overview.html", fund=fund, page=page, filters=filters, facets=facets,
                           member_of_none=visible_project_ids() is not None and not visible_project_ids())


@project_route("project.view")
def project_detail(project):
    members = services.project_members(get_session(), project) if current_user.can("project.members") else []
    return render_template("portfolio/project.html", project=project, members=members)


def project_form_choices(form, session, fund):
    form.organisation_id.choices = choices((o.id, o.name) for o in services.all_organisations(session))
    form.pillar_id.choices = choices((p.id, p.name) for p in services.list_pillars(session, fund))
    form.countries.choices = choices(country_choices(language()))
    form.currency.choices = choices(currency_choices())
    return form


def project_form_data(project):
    data = {name: getattr(project, name) for name in services.PROJECT_FIELDS}
    data["countries"] = project.country_codes
    return data


@requires("project.create")
def project_create():
    session, fund = get_session(), current_fund()

    def create(form):
        project = services.create_project(session, actor(), fund, form.data)
        flash(_("Project “%(title)s” created.", title=project.title), "success")
        return project

    return form_page(project_form_choices(ProjectForm(data={"currency": "USD"}), session, fund),
                     "portfolio/project_form.html", create,
                     lambda project: url_for(".project_detail", slug=project.slug), project=None)


@project_route("project.edit")
def project_edit(project):
    session, fund = get_session(), current_fund()
    form = project_form_choices(ProjectForm(data={**project_form_data(project), "version": project.version}),
                                session, fund)
    return form_page(form, "portfolio/project_form.html",
                     lambda form: services.update_project(session, actor(), fund, project, form.data,
                                                          form.version.data),
                     url_for(".project_detail", slug=project.slug), saved=_("Project saved."),
                     stored=lambda: (project_form_data(project), project.version), project=project)


@requires("organisation.view")
def organisations():
    session = get_session()
    page = paginate(session, services.list_organisations(session), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    return render_template("portfolio/organisations.html", page=page)


def organisation_form(**kwargs):
    form = OrganisationForm(**kwargs)
    form.country_code.choices = choices([("", _("Not set")), *country_choices(language())])
    return form


@requires("organisation.manage")
def organisation_form_view(organisation_id):
    session = get_session()
    organisation = None
    if organisation_id is not None:
        organisation = services.get_organisation(session, organisation_id) or abort(404)
    form = organisation_form(obj=organisation)
    return form_page(form, "portfolio/organisation_form.html",
                     lambda form: services.save_organisation(session, actor(), form.data, organisation,
                                                             form.version.data),
                     url_for(".organisations"), saved=_("Organisation saved."),
                     stored=stored_record(organisation, form), organisation=organisation)


@requires("fund.manage")
def fund_settings():
    session = get_session()
    fund = services.get_fund(session)
    form = FundForm(obj=fund)
    return form_page(form, "portfolio/fund_form.html",
                     lambda form: services.save_fund(session, actor(), form.data, fund, form.version.data),
                     url_for(".pillars"), saved=_("Fund settings saved."), stored=stored_record(fund, form), fund=fund,
                     iati_form=iati_settings_form(session, fund) if fund is not None else None)


@requires("fund.manage")
def pillars():
    session, fund = get_session(), current_fund()
    return render_template("portfolio/pillars.html", fund=fund, pillars=services.list_pillars(session, fund))


@requires("fund.manage")
def pillar_form_view(pillar_id):
    session, fund = get_session(), current_fund()
    pillar = None
    if pillar_id is not None:
        pillar = services.get_pillar(session, fund, pillar_id) or abort(404)
    form = PillarForm(obj=pillar)
    return form_page(form, "portfolio/pillar_form.html",
                     lambda form: services.save_pillar(session, actor(), fund, key=form.key.data, name=form.name.data,
                                                       description=form.description.data or "",
                                                       position=form.position.data or 0, pillar=pillar,
                                                       version=form.version.data),
                     url_for(".pillars"), saved=_("Pillar saved."), stored=stored_record(pillar, form), pillar=pillar)
