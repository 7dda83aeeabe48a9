"""The portfolio: funds, pillars, organisations and projects."""

import re

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import changed_fields
from tracker.audit.services import record
from tracker.auth.models import Membership
from tracker.auth.models import User
from tracker.common.countries import is_country
from tracker.common.countries import is_currency
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.db_types import utcnow
from tracker.portfolio.models import Fund
from tracker.portfolio.models import Organisation
from tracker.portfolio.models import Pillar
from tracker.portfolio.models import Project
from tracker.portfolio.models import ProjectCountry

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"new"})
PROJECT_FIELDS = (
    "slug", "title", "organisation_id", "pillar_id", "start_date", "end_date",
    "budget", "currency", "iati_identifier", "summary",
)


# Funds and pillars -----------------------------------------------------------------


def get_fund(session, slug=None):
    """Return the fund with ``slug``, or the installation's first fund."""
    statement = select(Fund).order_by(Fund.id)
    if slug:
        statement = statement.where(Fund.slug == slug)
    return session.exec(statement).first()


def create_fund(session, actor, *, slug, name, description="", retention_months=None, wellbeing_support=""):
    return save_fund(session, actor, {"slug": slug, "name": name, "description": description,
                                      "retention_months": retention_months, "wellbeing_support": wellbeing_support})


def save_fund(session, actor, values, fund=None, version=None):
    """Create the fund, or update ``fund``'s name, short name, description, retention period and staff support
    contacts (checking the version edited)."""
    if fund is not None:
        check_version(fund, version)
    retention = values.get("retention_months")
    values = {name: (values.get(name) or "").strip() for name in ("slug", "name", "description", "wellbeing_support")}
    values["retention_months"] = int(retention) if retention not in (None, "") else None
    if not SLUG_PATTERN.match(values["slug"]):
        raise ValidationFailed.on("slug", N_("Use lowercase letters, digits and single hyphens."))
    if values["retention_months"] is not None and not 1 <= values["retention_months"] <= 600:
        raise ValidationFailed.on("retention_months", N_("Give a number of months between 1 and 600, or leave it "
                                                         "empty."))
    clash = get_fund(session, values["slug"])
    if clash is not None and clash is not fund:
        raise ValidationFailed.on("slug", N_("Another fund already uses this short name."))
    action = "update" if fund is not None else "create"
    fund = fund or Fund(slug=values["slug"], name=values["name"])
    fields = changed_fields(fund, values) if action == "update" else sorted(values)
    for name, value in values.items():
        setattr(fund, name, value)
    if fields:
        fund_settings_changed(session, fund)
    session.add(fund)
    session.flush()
    record(session, actor, action, "fund", fund.id, details={"fields": fields})
    return fund


def fund_settings_changed(session, fund):
    """Note that one of the fund-wide settings pages changed: the fund's version moves on, so any of them
    opened before is stale (see :class:`~tracker.portfolio.models.Fund`)."""
    fund.updated_at = utcnow()
    session.add(fund)


def list_pillars(session, fund):
    return list(session.exec(select(Pillar).where(Pillar.fund_id == fund.id).order_by(Pillar.position, Pillar.id)))


def get_pillar(session, fund, pillar_id):
    pillar = session.get(Pillar, pillar_id)
    return pillar if pillar is not None and pillar.fund_id == fund.id else None


def save_pillar(session, actor, fund, *, key, name, description="", position=0, pillar=None, version=None):
    """Create a pillar, or update ``pillar`` (checking the version edited); keys are unique within the fund."""
    if pillar is not None:
        check_version(pillar, version)
    if not SLUG_PATTERN.match(key or ""):
        raise ValidationFailed.on("key", N_("Use lowercase letters, digits and single hyphens."))
    clash = session.exec(select(Pillar).where(Pillar.fund_id == fund.id, Pillar.key == key)).first()
    if clash is not None and clash is not pillar:
        raise ValidationFailed.on("key", N_("Another pillar of this fund already uses this key."))
    action = "update" if pillar is not None else "create"
    pillar = pillar or Pillar(fund_id=fund.id)
    pillar.key, pillar.name, pillar.description, pillar.position = key, name, description, position
    session.add(pillar)
    session.flush()
    record(session, actor, action, "pillar", pillar.id)
    return pillar


# Organisations ---------------------------------------------------------------------

ORGANISATION_FIELDS = ("name", "short_name", "org_type", "iati_ref", "country_code", "website")


def list_organisations(session):
    return select(Organisation).order_by(Organisation.name)


def all_organisations(session):
    return list(session.exec(list_organisations(session)))


def get_organisation(session, organisation_id):
    return session.get(Organisation, organisation_id)


def get_organisation_by_name(session, name):
    return session.exec(select(Organisation).where(Organisation.name == name)).first()


def clean_organisation_values(values):
    cleaned = {name: (values.get(name) or "").strip() for name in ORGANISATION_FIELDS}
    for optional in ("iati_ref", "country_code", "website"):
        cleaned[optional] = cleaned[optional] or None
    cleaned["org_type"] = cleaned["org_type"] or "22"
    return cleaned


def save_organisation(session, actor, values, organisation=None, version=None):
    """Create an organisation, or update ``organisation`` (checking the version edited); names are unique."""
    if organisation is not None:
        check_version(organisation, version)
    values = clean_organisation_values(values)
    clash = get_organisation_by_name(session, values["name"])
    if clash is not None and clash is not organisation:
        raise ValidationFailed.on("name", N_("An organisation with this name already exists."))
    if values["country_code"] and not is_country(values["country_code"]):
        raise ValidationFailed.on("country_code", N_("Choose a country from the list."))
    action = "update" if organisation is not None else "create"
    organisation = organisation or Organisation(name=values["name"])
    fields = changed_fields(organisation, values) if action == "update" else sorted(values)
    for name, value in values.items():
        setattr(organisation, name, value)
    session.add(organisation)
    session.flush()
    record(session, actor, action, "organisation", organisation.id, details={"fields": fields})
    return organisation


# Projects --------------------------------------------------------------------------


def get_project(session, slug):
    return session.exec(select(Project).where(Project.slug == slug)).first()


def project_list_statement(fund, *, visible_to=None, pillar_id=None, country=None,
                           organisation_id=None, text=None):
    """Build the portfolio query: filters, eager loads and a stable order.

    ``visible_to`` limits the list to the projects in that set of ids
    (a grantee's memberships); None means every project.
    """
    statement = (
        select(Project)
        .where(Project.fund_id == fund.id)
        .options(
            selectinload(Project.organisation),
            selectinload(Project.pillar),
            selectinload(Project.countries),
        )
        .order_by(sa.func.lower(Project.title), Project.id)
    )
    if visible_to is not None:
        statement = statement.where(Project.id.in_(sorted(visible_to) or [-1]))
    if pillar_id:
        statement = statement.where(Project.pillar_id == pillar_id)
    if organisation_id:
        statement = statement.where(Project.organisation_id == organisation_id)
    if country:
        statement = statement.where(
            Project.id.in_(select(ProjectCountry.project_id).where(ProjectCountry.country_code == country))
        )
    if text:
        pattern = f"%{text.strip().lower()}%"
        statement = statement.where(
            sa.or_(sa.func.lower(Project.title).like(pattern), sa.func.lower(Project.summary).like(pattern))
        )
    return statement


def portfolio_facets(session, fund, visible_to=None):
    """Count projects per pillar and per country (for the overview and its filters)."""
    scope = [Project.fund_id == fund.id]
    if visible_to is not None:
        scope.append(Project.id.in_(sorted(visible_to) or [-1]))
    by_pillar = session.execute(
        sa.select(Pillar, sa.func.count(Project.id))
        .outerjoin(Project, sa.and_(Project.pillar_id == Pillar.id, *scope))
        .where(Pillar.fund_id == fund.id)
        .group_by(Pillar.id)
        .order_by(Pillar.position, Pillar.id)
    ).all()
    by_country = session.execute(
        sa.select(ProjectCountry.country_code, sa.func.count(ProjectCountry.project_id))
        .join(Project, Project.id == ProjectCountry.project_id)
        .where(*scope)
        .group_by(ProjectCountry.country_code)
        .order_by(sa.func.count(ProjectCountry.project_id).desc(), ProjectCountry.country_code)
    ).all()
    return {"pillars": by_pillar, "countries": by_country}


def organisations_in_portfolio(session, fund):
    return list(session.exec(
        select(Organisation)
        .where(Organisation.id.in_(select(Project.organisation_id).where(Project.fund_id == fund.id)))
        .order_by(Organisation.name)
    ))


def validate_project(session, fund, values, project=None):
    """Check what forms cannot: uniqueness, references, codes and date order."""
    reasons = []
    slug = values["slug"]
    if not SLUG_PATTERN.match(slug or ""):
        reasons.append(("slug", N_("Use lowercase letters, digits and single hyphens, e.g. thailand-helpline.")))
    elif slug in RESERVED_SLUGS:
        reasons.append(("slug", N_("This short name is reserved; choose another.")))
    else:
        clash = get_project(session, slug)
        if clash is not None and clash is not project:
            reasons.append(("slug", N_("Another project already uses this short name.")))
    if values["iati_identifier"]:
        clash = session.exec(select(Project).where(Project.iati_identifier == values["iati_identifier"])).first()
        if clash is not None and clash is not project:
            reasons.append(("iati_identifier", N_("Another project already has this IATI identifier.")))
    if session.get(Organisation, values["organisation_id"]) is None:
        reasons.append(("organisation_id", N_("Choose the grantee organisation.")))
    if get_pillar(session, fund, values["pillar_id"]) is None:
        reasons.append(("pillar_id", N_("Choose one of the fund's pillars.")))
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        reasons.append(("end_date", N_("The end date must not be before the start date.")))
    if not is_currency(values["currency"]):
        reasons.append(("currency", N_("Choose an ISO 4217 currency.")))
    unknown = [code for code in values["countries"] if not is_country(code)]
    if unknown:
        reasons.append(("countries", N_("Unknown country codes: %(codes)s.", codes=", ".join(unknown))))
    if not values["countries"]:
        reasons.append(("countries", N_("Choose at least one country.")))
    if reasons:
        raise ValidationFailed(reasons)


def clean_project_values(values):
    cleaned = {name: values.get(name) for name in PROJECT_FIELDS}
    cleaned["slug"] = (cleaned["slug"] or "").strip().lower()
    cleaned["title"] = (cleaned["title"] or "").strip()
    cleaned["iati_identifier"] = (cleaned["iati_identifier"] or "").strip() or None
    cleaned["summary"] = cleaned["summary"] or ""
    cleaned["currency"] = (cleaned["currency"] or "").upper()
    cleaned["countries"] = sorted({code.upper() for code in values.get("countries") or []})
    return cleaned


def create_project(session, actor, fund, values):
    values = clean_project_values(values)
    validate_project(session, fund, values)
    countries = values.pop("countries")
    project = Project(fund_id=fund.id, **values)
    project.countries = [ProjectCountry(country_code=code) for code in countries]
    session.add(project)
    session.flush()
    record(session, actor, "create", "project", project.id, project_id=project.id)
    return project


def update_project(session, actor, fund, project, values, version):
    check_version(project, version)
    values = clean_project_values(values)
    validate_project(session, fund, values, project)
    countries = values.pop("countries")
    fields = changed_fields(project, values)
    if countries != project.country_codes:
        fields.append("countries")
        keep = [country for country in project.countries if country.country_code in countries]
        added = [ProjectCountry(country_code=code) for code in countries if code not in project.country_codes]
        project.countries = keep + added
    for name, value in values.items():
        setattr(project, name, value)
    project.updated_at = utcnow()
    session.add(project)
    session.flush()
    record(session, actor, "update", "project", project.id, project_id=project.id, details={"fields": fields})
    return project


def project_members(session, project):
    return list(session.exec(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id)
        .order_by(User.display_name)
    ))


def all_projects(session, fund=None):
    statement = select(Project).order_by(Project.title)
    if fund is not None:
        statement = statement.where(Project.fund_id == fund.id)
    return list(session.exec(statement))
