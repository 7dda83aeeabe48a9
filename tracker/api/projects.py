"""Projects: the portfolio list (each role sees its own scope) and one project."""

from datetime import date

from flask_login import current_user
from pydantic import Field

from tracker.api.blueprint import api
from tracker.api.common import Page
from tracker.api.common import PageQuery
from tracker.api.common import Schema
from tracker.api.common import page_of
from tracker.api.common import text
from tracker.api.problems import ApiProblem
from tracker.auth.permissions import sees_all_projects
from tracker.db import get_session
from tracker.indicators.services import plain
from tracker.portfolio import services

TAG = "Projects"


class Organisation(Schema):
    name: str
    short_name: str
    iati_ref: str | None


class Pillar(Schema):
    key: str
    name: str


class Project(Schema):
    slug: str
    title: str
    organisation: Organisation
    pillar: Pillar
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes.")
    start_date: date
    end_date: date
    budget: str = Field(description="Decimal amount, as a string to keep it exact.")
    currency: str = Field(description="ISO 4217 code.")
    iati_identifier: str | None
    summary: str


class ProjectPage(Page[Project]):
    pass


class ProjectQuery(PageQuery):
    country: text(2) | None = Field(default=None, description="Only projects working in this country (ISO code).")
    q: text(200) | None = Field(default=None, description="Words in the title or summary.")


def project_out(project):
    organisation = project.organisation
    return Project(
        slug=project.slug, title=project.title,
        organisation=Organisation(name=organisation.name, short_name=organisation.short_name,
                                  iati_ref=organisation.iati_ref),
        pillar=Pillar(key=project.pillar.key, name=project.pillar.name),
        countries=project.country_codes, start_date=project.start_date, end_date=project.end_date,
        budget=plain(project.budget) or "0", currency=project.currency, iati_identifier=project.iati_identifier,
        summary=project.summary)


@api.operation("GET", "/projects", operation_id="listProjects", tag=TAG, summary="List projects",
               permission="portfolio.view", query=ProjectQuery, response=ProjectPage)
def list_projects(query):
    """The fund's projects in title order: all of them for staff and donors, their own projects for grantees."""
    session = get_session()
    fund = services.get_fund(session)
    if fund is None:
        raise ApiProblem(404, "No fund has been set up yet.")
    visible = None if sees_all_projects(current_user.role) else current_user.project_ids
    statement = services.project_list_statement(fund, visible_to=visible, country=(query.country or "").upper(),
                                                text=query.q)
    return page_of(ProjectPage, session, statement, query, lambda projects: [project_out(p) for p in projects])


@api.operation("GET", "/projects/<slug>", operation_id="getProject", tag=TAG, summary="Get a project",
               permission="project.view", scope="project", response=Project)
def get_project(project):
    """One project; a project the token may not see answers 404, as if it did not exist."""
    return project_out(project)
