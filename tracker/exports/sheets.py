"""The exportable sheets: outcomes, stories, story translations, indicators with periods.

Every sheet selects its records through the areas' own visibility rules and
never restates them: donors' sheets come from
:func:`tracker.outcomes.sharing.donor_visible_outcomes` and
:func:`tracker.msc.sharing.donor_visible_stories` in their donor versions
(:func:`~tracker.outcomes.sharing.donor_view`, :func:`~tracker.msc.sharing.deidentify`);
internal sheets come from ``outcomes_visible_to`` / ``stories_visible_to`` for
the requesting user. Indicators show what reports show
(:func:`tracker.indicators.services.reported_actual`): approved values, and
submitted ones marked provisional; drafts never leave the project team.

To add an entity (e.g. contribution claims with their tracing figures), write
its row function and call :func:`tracker.exports.tabular.register_sheet` at
the end of this module.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.auth.permissions import Role
from tracker.auth.permissions import scoped_project_ids
from tracker.auth.permissions import sees_all_projects
from tracker.common.countries import country_name
from tracker.exports.tabular import DONOR
from tracker.exports.tabular import INTERNAL
from tracker.exports.tabular import Column
from tracker.exports.tabular import register_sheet
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.indicators.services import level_order
from tracker.indicators.services import reported_actual
from tracker.msc.labels import label
from tracker.msc.languages import language_name
from tracker.msc.models import Story
from tracker.msc.sealing import is_sealed
from tracker.msc.sharing import deidentify
from tracker.msc.sharing import donor_visible_stories
from tracker.msc.sharing import donor_visible_story_ids
from tracker.msc.sharing import stories_visible_to
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import Substantiation
from tracker.outcomes.models import Verdict
from tracker.outcomes.services import outcome_standing
from tracker.outcomes.sharing import donor_view
from tracker.outcomes.sharing import donor_visible_outcomes
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.portfolio.models import Project
from tracker.toc.models import TocNode
from tracker.toc.services import level_labels

ONLY_INTERNAL = frozenset({INTERNAL})


@dataclass(frozen=True)
class ExportScope:
    """Who exports what: the fund, the audience, the requester's role and projects, and an optional project subset.

    ``project_ids`` None means every project of the fund the requester may see.
    ``granted_project_ids`` are the projects the requester holds a break-the-glass grant for.
    """

    session: object
    fund_id: int
    audience: str
    role: str
    member_project_ids: frozenset = frozenset()
    project_ids: tuple | None = None
    granted_project_ids: frozenset = frozenset()

    def scoped_project_ids(self, permission):
        """The projects outside the role's everywhere scope whose records under ``permission`` it may export."""
        return scoped_project_ids(self.role, permission, self.member_project_ids, self.granted_project_ids)

    @property
    def for_donors(self):
        return self.audience == DONOR or Role(self.role) is Role.DONOR


def in_projects(statement, column, scope):
    return statement if scope.project_ids is None else statement.where(column.in_(scope.project_ids or [-1]))


def scope_projects(scope):
    """The projects whose records the export may hold (one query)."""
    statement = select(Project).where(Project.fund_id == scope.fund_id)
    if not scope.for_donors and not sees_all_projects(scope.role):
        statement = statement.where(Project.id.in_(sorted(scope.member_project_ids) or [-1]))
    return list(scope.session.exec(in_projects(statement, Project.id, scope).order_by(Project.title, Project.id)))


def yes_no(value):
    return _("Yes") if value else _("No")


def text(value):
    return "" if value is None else str(label(value))


def country(code):
    return f"{code} {country_name(code)}" if code else ""


# Outcomes ----------------------------------------------------------------------------------


def outcome_statement(scope):
    if scope.for_donors:
        base = donor_visible_outcomes(scope.fund_id)
    else:
        base = outcomes_visible_to(scope.role, scope.scoped_project_ids("outcome.view"), scope.fund_id)
    return (in_projects(base, Outcome.project_id, scope)
            .options(selectinload(Outcome.project), selectinload(Outcome.harvest),
                     selectinload(Outcome.substantiations).selectinload(Substantiation.substantiator))
            .order_by(Outcome.project_id, Outcome.change_date.desc().nulls_last(), Outcome.id))


def verdict_counts(outcome):
    verdicts = [getattr(item, f"verdict_{aspect}") for item in outcome.substantiations
                for aspect in ("description", "significance", "contribution")]
    return len(outcome.substantiations), sum(1 for verdict in verdicts if verdict is Verdict.DISAGREE)


def outcome_rows(scope):
    for outcome in scope.session.exec(outcome_statement(scope)):
        view = donor_view(outcome) if scope.for_donors else outcome
        substantiations, disagreements = verdict_counts(outcome)
        row = {
            "project": outcome.project.title, "id": view.id, "status": text(view.status),
            "description": view.description, "social_actor": view.social_actor, "change_agent": view.change_agent,
            "change_date": view.change_date, "date_precision": text(view.date_precision),
            "country": country(view.country_code), "area": view.area, "significance": view.significance,
            "contribution": view.contribution, "change_type": text(view.change_type),
            "intention": text(view.intention), "valence": text(view.valence),
            "substantiation": text(outcome_standing(outcome)),
            "substantiations": substantiations, "disagreements": disagreements,
        }
        if not scope.for_donors:
            row.update(harvest=outcome.harvest.title, social_actor_kind=text(outcome.social_actor_kind),
                       sources=outcome.sources, created_at=outcome.created_at)
        yield row


OUTCOME_COLUMNS = (
    Column("project", _l("Project")),
    Column("id", _l("Outcome ID")),
    Column("harvest", _l("Harvest"), ONLY_INTERNAL),
    Column("status", _l("Status")),
    Column("description", _l("Outcome description")),
    Column("social_actor", _l("Social actor")),
    Column("social_actor_kind", _l("Social actor is"), ONLY_INTERNAL),
    Column("change_agent", _l("Change agent")),
    Column("change_date", _l("Date of change")),
    Column("date_precision", _l("Date precision")),
    Column("country", _l("Country")),
    Column("area", _l("Area")),
    Column("significance", _l("Significance")),
    Column("contribution", _l("Contribution of the project")),
    Column("sources", _l("Sources"), ONLY_INTERNAL),
    Column("change_type", _l("Type of change")),
    Column("intention", _l("Intended or unintended")),
    Column("valence", _l("Positive or negative")),
    Column("substantiation", _l("Substantiation (from the verdicts)")),
    Column("substantiations", _l("Substantiators who gave verdicts")),
    Column("disagreements", _l("Verdicts that disagree")),
    Column("created_at", _l("Recorded at (UTC)"), ONLY_INTERNAL),
)


# Stories -----------------------------------------------------------------------------------


def story_statement(scope):
    if scope.for_donors:
        base = donor_visible_stories(scope.fund_id)
    else:
        base = stories_visible_to(scope.role, scope.scoped_project_ids("story.view"), scope.fund_id)
    return (in_projects(base, Story.project_id, scope)
            .options(selectinload(Story.project), selectinload(Story.cycle), selectinload(Story.domain),
                     selectinload(Story.consent), selectinload(Story.translations))
            .order_by(Story.project_id, Story.collected_on.desc(), Story.id))


def consent_state(consent):
    if consent.withdrawn_on is not None:
        return _("Withdrawn on %(date)s", date=consent.withdrawn_on.isoformat())
    return _("Complete") if consent.complete else _("Needs consent")


def agreed_uses(consent):
    uses = [(consent.scope_internal, _("internal learning")), (consent.scope_donor, _("donor reporting")),
            (consent.scope_public, _("public communication"))]
    return ", ".join(str(name) for agreed, name in uses if agreed)


def donor_story_row(story):
    view = deidentify(story)
    return {
        "project": view.project_title, "id": view.id, "cycle": view.cycle_title, "domain": view.domain,
        "title": view.title, "what_happened": view.what_happened, "why_significant": view.why_significant,
        "language": language_name(view.language), "events_when": view.events_when,
        "country": country(view.country_code), "place": view.place, "pseudonym": view.pseudonym,
        "category": text(view.category), "age_band": text(view.age_band),
    }


def internal_story_row(story, shared_ids):
    """A story for its project team; a sealed story (consent withdrawn) keeps its record but not its text."""
    withdrawn = is_sealed(story)
    return {
        "project": story.project.title, "id": story.id, "cycle": story.cycle.title, "domain": story.domain.name,
        "title": "" if withdrawn else story.title,
        "what_happened": "" if withdrawn else story.what_happened,
        "why_significant": "" if withdrawn else story.why_significant,
        "language": language_name(story.language), "events_when": story.events_when,
        "country": country(story.country_code), "place": "" if withdrawn else story.place,
        "place_shareable": yes_no(story.place_shareable), "collector": story.collector,
        "collected_on": story.collected_on, "pseudonym": story.storyteller_pseudonym,
        "category": text(story.storyteller_category), "age_band": text(story.age_band),
        "consent": consent_state(story.consent), "uses": agreed_uses(story.consent),
        "safeguarding": text(story.safeguarding_status), "shared": yes_no(story.id in shared_ids),
    }


def donor_shared_ids(scope, stories):
    """Which of ``stories`` reach donors now, asked of the donor rule in one query."""
    ids = [story.id for story in stories]
    if not ids:
        return set()
    return set(scope.session.scalars(donor_visible_story_ids(scope.fund_id).where(Story.id.in_(ids))))


def scoped_stories(scope):
    return list(scope.session.exec(story_statement(scope)))


def story_rows(scope):
    stories = scoped_stories(scope)
    if scope.for_donors:
        return [donor_story_row(story) for story in stories]
    shared = donor_shared_ids(scope, stories)
    return [internal_story_row(story, shared) for story in stories]


def translation_rows(scope):
    for story in scoped_stories(scope):
        if scope.for_donors:
            translations = deidentify(story).translations
        elif is_sealed(story):
            continue
        else:
            translations = story.translations
        for item in translations:
            yield {"story_id": story.id, "project": story.project.title, "language": language_name(item.language),
                   "title": item.title, "what_happened": item.what_happened,
                   "why_significant": item.why_significant,
                   "translator_note": "" if scope.for_donors else item.translator_note}


STORY_COLUMNS = (
    Column("project", _l("Project")),
    Column("id", _l("Story ID")),
    Column("cycle", _l("MSC cycle")),
    Column("domain", _l("Domain of change")),
    Column("title", _l("Title")),
    Column("what_happened", _l("What happened")),
    Column("why_significant", _l("Why it is significant")),
    Column("language", _l("Language")),
    Column("events_when", _l("When it happened")),
    Column("country", _l("Country")),
    Column("place", _l("Place")),
    Column("place_shareable", _l("Place may be shared"), ONLY_INTERNAL),
    Column("collector", _l("Collected by"), ONLY_INTERNAL),
    Column("collected_on", _l("Collected on"), ONLY_INTERNAL),
    Column("pseudonym", _l("Storyteller (pseudonym)")),
    Column("category", _l("Storyteller category")),
    Column("age_band", _l("Age band")),
    Column("consent", _l("Consent"), ONLY_INTERNAL),
    Column("uses", _l("Uses agreed to"), ONLY_INTERNAL),
    Column("safeguarding", _l("Safeguarding review"), ONLY_INTERNAL),
    Column("shared", _l("Shared with donors"), ONLY_INTERNAL),
)
TRANSLATION_COLUMNS = (
    Column("story_id", _l("Story ID")),
    Column("project", _l("Project")),
    Column("language", _l("Language")),
    Column("title", _l("Title")),
    Column("what_happened", _l("What happened")),
    Column("why_significant", _l("Why it is significant")),
    Column("translator_note", _l("Translator's note"), ONLY_INTERNAL),
)


# Indicators --------------------------------------------------------------------------------


def indicator_statement(project_ids):
    return (
        select(Indicator).join(TocNode, TocNode.id == Indicator.node_id)
        .where(Indicator.project_id.in_(project_ids or [-1]))
        .options(selectinload(Indicator.node), selectinload(Indicator.periods).selectinload(IndicatorPeriod.actual))
        .order_by(Indicator.project_id, level_order(), Indicator.title, Indicator.id)
    )


def breakdown_text(breakdown):
    return "; ".join(f"{item['dimension']}: {item['category']} = {item['value']}" for item in breakdown or [])


def actual_status(reported):
    if reported is None:
        return _("Not reported")
    if reported.provisional:
        return _("Provisional: submitted, not yet approved")
    return _("Approved")


def period_cells(period, scope):
    if period is None:
        return {}
    reported = reported_actual(period.actual, approved_only=scope.for_donors)
    cells = {
        "period_start": period.start_date, "period_end": period.end_date, "target": period.target_value,
        "target_comment": period.target_comment, "actual": reported.value if reported else None,
        "actual_comment": reported.comment if reported else "",
        "actual_breakdown": breakdown_text(reported.breakdown) if reported else "",
        "actual_status": actual_status(reported),
    }
    if not scope.for_donors and period.actual is not None:
        cells["working_status"] = text(period.actual.status)
    return cells


def indicator_rows(scope):
    projects = {project.id: project for project in scope_projects(scope)}
    levels = level_labels(scope.session, scope.fund_id)
    for indicator in scope.session.exec(indicator_statement(sorted(projects))):
        common = {
            "project": projects[indicator.project_id].title, "id": indicator.id,
            "level": levels.get(indicator.node.level.value, indicator.node.level.value),
            "result": indicator.node.title, "indicator": indicator.title, "measure": text(indicator.measure),
            "unit": indicator.unit, "direction": _("Higher is better") if indicator.ascending else _("Lower is better"),
            "baseline_year": indicator.baseline_year, "baseline_value": indicator.baseline_value,
            "baseline_comment": indicator.baseline_comment,
        }
        for period in indicator.periods or [None]:
            yield {**common, **period_cells(period, scope)}


INDICATOR_COLUMNS = (
    Column("project", _l("Project")),
    Column("id", _l("Indicator ID")),
    Column("level", _l("Result level")),
    Column("result", _l("Result")),
    Column("indicator", _l("Indicator")),
    Column("measure", _l("Measure")),
    Column("unit", _l("Unit")),
    Column("direction", _l("Direction")),
    Column("baseline_year", _l("Baseline year")),
    Column("baseline_value", _l("Baseline value")),
    Column("baseline_comment", _l("Baseline comment")),
    Column("period_start", _l("Period start")),
    Column("period_end", _l("Period end")),
    Column("target", _l("Target")),
    Column("target_comment", _l("Target comment")),
    Column("actual", _l("Actual")),
    Column("actual_comment", _l("Actual comment")),
    Column("actual_breakdown", _l("Actual, disaggregated")),
    Column("actual_status", _l("Actual is")),
    Column("working_status", _l("Working copy"), ONLY_INTERNAL),
)


register_sheet("outcomes", _l("Outcomes"), OUTCOME_COLUMNS, outcome_rows, order=10,
               description=_l("Harvested outcomes; donors get substantiated outcomes without their sources."))
register_sheet("stories", _l("Stories"), STORY_COLUMNS, story_rows, order=20,
               description=_l("MSC stories; donors get only shareable stories, de-identified."))
register_sheet("story_translations", _l("Story translations"), TRANSLATION_COLUMNS, translation_rows, order=30,
               description=_l("Translations of the stories above."))
register_sheet("indicators", _l("Indicators"), INDICATOR_COLUMNS, indicator_rows, order=40,
               description=_l("Indicators with one row per period; approved and provisional actuals marked."))
