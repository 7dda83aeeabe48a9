"""IATI publication: the fund's settings, and exports built from projects and their public indicators.

What is published (and nothing else): per project with an IATI identifier, its
title, summary, grantee, countries, dates and currency; per **public** indicator,
the result it measures (ToC node title and description; activities have no IATI
result), its title, definition, unit, direction, baseline, periods with targets
and the **approved** copy of each actual, with their comments and disaggregation.
Drafts, submitted and returned values, private indicators, outcomes, stories,
evidence and anything about people never enter the file.

An export is prepared (built and validated) without side effects; it is written
and audited only when it has no problem at all.
"""

import os
import tempfile
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import changed_fields
from tracker.audit.services import record
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.db_types import utcnow
from tracker.iati import builder as builder
from tracker.iati import codes as codes
from tracker.iati.models import IatiSettings
from tracker.iati.validation import FUND_RULE
from tracker.iati.validation import SCHEMA
from tracker.iati.validation import Problem
from tracker.iati.validation import SchemaUnavailable
from tracker.iati.validation import load_schema
from tracker.iati.validation import validate
from tracker.indicators.models import IATI_MEASURE_CODES
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorMeasure
from tracker.indicators.models import IndicatorPeriod
from tracker.indicators.rules import reported_actual
from tracker.indicators.services import iati_result_type
from tracker.indicators.services import level_order
from tracker.portfolio.models import Project
from tracker.toc.models import NodeLevel
from tracker.toc.models import TocNode

SETTINGS_FIELDS = ("reporting_org_ref", "reporting_org_name", "reporting_org_type", "default_sector", "language")


# Settings ----------------------------------------------------------------------------------


def get_settings(session, fund):
    return session.exec(select(IatiSettings).where(IatiSettings.fund_id == fund.id)).first()


def clean_settings(values):
    cleaned = {name: " ".join((values.get(name) or "").split()) for name in SETTINGS_FIELDS}
    reasons = []
    if not codes.ORGANISATION_REF.match(cleaned["reporting_org_ref"]):
        reasons.append(("reporting_org_ref", N_(
            "Write the organisation identifier as the registration agency's code, a hyphen and the number it "
            "issued, in capitals and without spaces or / & | ?, e.g. XM-DAC-41122 or GB-CHC-1234567.")))
    if not cleaned["reporting_org_name"]:
        reasons.append(("reporting_org_name", N_("Give the reporting organisation's name.")))
    if cleaned["reporting_org_type"] not in codes.ORGANISATION_TYPES:
        reasons.append(("reporting_org_type", N_("Choose the type of organisation from the list.")))
    if cleaned["default_sector"] not in codes.DAC_SECTORS:
        reasons.append(("default_sector", N_("Choose a sector from the list.")))
    if not codes.is_language(cleaned["language"]):
        reasons.append(("language", N_("Choose the language the fund's texts are written in.")))
    if reasons:
        raise ValidationFailed(reasons)
    return cleaned


def save_settings(session, actor, fund, values, version=None):
    """Create or update the fund's IATI settings (administrators only; the view checks)."""
    settings = get_settings(session, fund)
    if settings is not None:
        check_version(settings, version)
    cleaned = clean_settings(values)
    action = "update" if settings is not None else "create"
    settings = settings or IatiSettings(fund_id=fund.id, **cleaned)
    fields = changed_fields(settings, cleaned) if action == "update" else sorted(cleaned)
    for name, value in cleaned.items():
        setattr(settings, name, value)
    settings.updated_at = utcnow()
    session.add(settings)
    session.flush()
    record(session, actor, action, "iati_settings", settings.id, details={"fields": fields})
    return settings


def settings_values(settings):
    return {name: getattr(settings, name) for name in SETTINGS_FIELDS}


def unprefixed_identifiers(session, fund, ref):
    """Projects whose IATI identifier does not begin with ``ref`` and a hyphen: their export would be refused."""
    projects = session.exec(select(Project).where(Project.fund_id == fund.id, Project.iati_identifier.is_not(None))
                            .order_by(Project.title)).all()
    return [project for project in projects if not project.iati_identifier.startswith(ref + "-")]


# Preparing an export ----------------------------------------------------------------------


@dataclass(frozen=True)
class Left:
    """Something left out of the file, and why (a project without identifier, an indicator on an activity)."""

    project: Project
    reason: str
    indicator: Indicator | None = None


@dataclass
class Export:
    """A built and validated export: ``xml`` is None unless there is no problem."""

    activities: list = field(default_factory=list)  # (Project, builder.Activity)
    left_out: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    xml: bytes | None = None

    @property
    def refused(self):
        return self.xml is None

    @property
    def indicator_count(self):
        return sum(len(result.indicators) for _project, activity in self.activities for result in activity.results)


def publisher_of(settings):
    return builder.Publisher(
        builder.Organisation(settings.reporting_org_name, settings.reporting_org_ref, settings.reporting_org_type),
        sector_code=settings.default_sector, language=settings.language)


def projects_statement(fund, project=None):
    statement = (select(Project).where(Project.fund_id == fund.id)
                 .options(selectinload(Project.organisation), selectinload(Project.countries))
                 .order_by(Project.title, Project.id))
    return statement.where(Project.id == project.id) if project is not None else statement


def public_indicators(session, project_ids):
    """The public indicators of these projects, with node, periods and actuals loaded in a fixed number of queries."""
    if not project_ids:
        return []
    return session.exec(
        select(Indicator).join(TocNode, TocNode.id == Indicator.node_id)
        .where(Indicator.project_id.in_(project_ids), Indicator.public.is_(True))
        .options(selectinload(Indicator.node),
                 selectinload(Indicator.periods).selectinload(IndicatorPeriod.actual))
        .order_by(Indicator.project_id, level_order(), TocNode.position, TocNode.id, Indicator.title, Indicator.id)
    ).all()


def breakdown_values(breakdown):
    return [builder.Value(Decimal(item["value"]), "", ((item["dimension"], item["category"]),))
            for item in breakdown or []]


def period_record(period):
    """The period as published: its target(s), and the approved actual(s) only; None when it has neither."""
    targets = []
    if period.target_value is not None or period.target_comment:
        targets.append(builder.Value(period.target_value, period.target_comment))
    targets += breakdown_values(period.target_breakdown)
    actuals = []
    approved = reported_actual(period.actual, approved_only=True)
    if approved is not None:
        if approved.value is not None or approved.comment:
            actuals.append(builder.Value(approved.value, approved.comment))
        actuals += breakdown_values(approved.breakdown)
    if not targets and not actuals:
        return None
    return builder.Period(period.start_date, period.end_date, tuple(targets), tuple(actuals))


def indicator_description(indicator):
    """The definition, then the unit (which IATI has no element for) unless the measure already says it."""
    parts = [indicator.definition.strip()]
    if indicator.unit and indicator.measure not in (IndicatorMeasure.PERCENTAGE, IndicatorMeasure.QUALITATIVE):
        parts.append(f"Unit: {indicator.unit}.")
    return "\n\n".join(part for part in parts if part)


def indicator_record(indicator):
    baseline = None
    if (indicator.baseline_year is not None or indicator.baseline_value is not None or indicator.baseline_date
            or indicator.baseline_comment):
        baseline = builder.Baseline(indicator.baseline_year, indicator.baseline_date, indicator.baseline_value,
                                    indicator.baseline_comment)
    periods = (period_record(period) for period in indicator.periods)
    return builder.Indicator(indicator.title, IATI_MEASURE_CODES[indicator.measure], indicator.ascending,
                             indicator_description(indicator), baseline,
                             tuple(period for period in periods if period is not None))


def results_of(project, indicators, left_out):
    """One result per ToC node (output and above) that has public indicators, in causal order."""
    results = {}
    for indicator in indicators:
        node = indicator.node
        if node.level == NodeLevel.ACTIVITY:
            left_out.append(Left(project, N_("It measures an activity; IATI results start at outputs."), indicator))
            continue
        results.setdefault(node.id, (node, []))[1].append(indicator_record(indicator))
    return tuple(builder.Result(iati_result_type(node.level), node.title, node.description, tuple(records))
                 for node, records in results.values())


def last_updated(project, indicators):
    moments = [project.updated_at, *(indicator.updated_at for indicator in indicators)]
    moments += [period.actual.approved_at for indicator in indicators for period in indicator.periods
                if period.actual is not None and period.actual.approved_at is not None]
    return max(moments)


def activity_of(project, indicators, left_out):
    organisation = project.organisation
    return builder.Activity(
        identifier=project.iati_identifier, title=project.title, description=project.summary,
        start=project.start_date, end=project.end_date, currency=project.currency,
        implementer=builder.Organisation(organisation.name, organisation.iati_ref, organisation.org_type),
        countries=tuple(project.country_codes), results=results_of(project, indicators, left_out),
        last_updated=last_updated(project, indicators))


def prepare_export(session, fund, *, project=None, schema_dir=None, now=None):
    """Build the fund's IATI file (or one project's) and validate it; return an :class:`Export`.

    Projects without an IATI identifier are left out with a reason. ``schema_dir``
    switches XSD validation on; the codelist, rule and public-data checks always run.
    """
    now = now or datetime.now(UTC)
    export = Export()
    settings = get_settings(session, fund)
    if settings is None:
        export.problems.append(Problem("/iati-activities/iati-activity/reporting-org", N_(
            "The fund has no IATI publishing settings yet: an administrator enters the reporting organisation "
            "under Fund settings."), rule=SCHEMA))
        return export
    projects = session.exec(projects_statement(fund, project)).all()
    published = [item for item in projects if item.iati_identifier]
    export.left_out += [Left(item, N_("It has no IATI identifier.")) for item in projects if not item.iati_identifier]
    indicators = {}
    for indicator in public_indicators(session, [item.id for item in published]):
        indicators.setdefault(indicator.project_id, []).append(indicator)
    export.activities = [(item, activity_of(item, indicators.get(item.id, []), export.left_out))
                         for item in published]
    if not export.activities:
        export.problems.append(Problem("/iati-activities", N_(
            "Nothing to publish: no project here has an IATI identifier."), rule=FUND_RULE))
        return export
    tree = builder.build_activities(publisher_of(settings), [activity for _item, activity in export.activities],
                                    generated_at=now)
    try:
        schema = load_schema(str(schema_dir)) if schema_dir else None
    except SchemaUnavailable as error:
        export.problems.append(Problem("/", N_("The IATI schema could not be loaded, so the file cannot be checked: "
                                               "%(error)s", error=str(error)), rule=SCHEMA))
        return export
    export.problems = validate(tree, schema, today=now.date())
    if not export.problems:
        export.xml = builder.serialise(tree)
    return export


# Writing and auditing ---------------------------------------------------------------------


def record_export(session, actor, export, project=None):
    """The audit entry of an export that leaves the system (identifiers and counts, never content)."""
    identifiers = [item.iati_identifier for item, _activity in export.activities]
    project_id = project.id if project is not None else None
    return record(session, actor, "export", "iati_activities", project_id, project_id=project_id,
                  details={"format": "IATI 2.03", "activities": identifiers, "indicators": export.indicator_count,
                           "left_out": len(export.left_out)})


def write_atomically(data, path):
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed only when complete."""
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
