"""Report entries for outcomes, stories and indicators, and their evidence-annex descriptions (plain data).

The audience decides the text: donors read a story's approved de-identified version
(:func:`tracker.msc.sharing.deidentify`) and outcomes without sources or substantiators' names;
internal readers read the story itself and substantiators by name.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from tracker.indicators.rules import progress
from tracker.msc.sharing import deidentify
from tracker.outcomes.services import substantiation_summary
from tracker.privacy.pii import redacted
from tracker.reports.models import Audience

# Annex entries show at most this much of a long text; the full text is in its section.
ANNEX_TEXT = 220


def shorten(text, limit=ANNEX_TEXT):
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Outcomes -------------------------------------------------------------------------------------


@dataclass
class OutcomeEntry:
    id: int
    ref: int
    description: str
    social_actor: str
    change_agent: str
    change_date: date | None
    date_precision: object
    country_code: str | None
    area: str
    significance: str
    contribution: str
    change_type: object
    intention: object
    valence: object
    status: object
    results: tuple
    substantiation: object


def outcome_reference(outcome, audience):
    """The annex description of ``outcome``: ``(kind, title, facts, project title)``."""
    summary = substantiation_summary(outcome, for_donor=Audience(audience) is Audience.DONOR)
    facts = {"social_actor": outcome.social_actor, "change_date": outcome.change_date,
             "date_precision": outcome.date_precision, "country_code": outcome.country_code,
             "area": outcome.area, "status": outcome.status, "substantiation": summary.headline,
             "substantiators": summary.total}
    return "outcome", shorten(outcome.description), facts, outcome.project.title


def outcome_entry(outcome, ref, audience):
    return OutcomeEntry(
        id=outcome.id, ref=ref, description=outcome.description, social_actor=outcome.social_actor,
        change_agent=outcome.change_agent, change_date=outcome.change_date,
        date_precision=outcome.date_precision, country_code=outcome.country_code, area=outcome.area,
        significance=outcome.significance, contribution=outcome.contribution, change_type=outcome.change_type,
        intention=outcome.intention, valence=outcome.valence, status=outcome.status,
        results=tuple(node.title for node in outcome.toc_nodes),
        substantiation=substantiation_summary(outcome, for_donor=Audience(audience) is Audience.DONOR))


# Stories --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryText:
    language: str
    title: str
    what_happened: str
    why_significant: str


@dataclass
class StoryEntry:
    """A story as the report shows it; for donors, built only from :func:`deidentify`."""

    id: int
    ref: int | None
    project_title: str
    title: str
    text: StoryText
    translations: tuple
    pseudonym: str
    category: object
    age_band: object
    domain: str
    cycle_title: str
    country_code: str
    place: str
    events_when: str
    collected_on: date | None
    safeguarding: object
    selections: list = field(default_factory=list)
    verification: object = None   # a VerificationState for a selected story: shown beside its selections


def story_entry(story, audience, selections=(), ref=None, verification=None):
    """The report's view of ``story``: de-identified for donors, the story itself for internal readers."""
    if Audience(audience) is Audience.DONOR:
        shared = deidentify(story)
        return StoryEntry(
            id=shared.id, ref=ref, project_title=shared.project_title, title=shared.title,
            text=StoryText(shared.language, shared.title, shared.what_happened, shared.why_significant),
            translations=tuple(StoryText(item.language, item.title, item.what_happened, item.why_significant)
                               for item in shared.translations),
            pseudonym=shared.pseudonym, category=shared.category, age_band=shared.age_band,
            domain=shared.domain, cycle_title=shared.cycle_title, country_code=shared.country_code,
            place=shared.place, events_when=shared.events_when, collected_on=None, safeguarding=None,
            selections=list(selections), verification=verification if selections else None)
    return StoryEntry(
        id=story.id, ref=ref, project_title=story.project.title, title=story.title,
        text=StoryText(story.language, story.title, story.what_happened, story.why_significant),
        translations=tuple(StoryText(item.language, item.title, item.what_happened, item.why_significant)
                           for item in story.translations),
        pseudonym=story.storyteller_pseudonym, category=story.storyteller_category,
        age_band=story.age_band, domain=story.domain.name, cycle_title=story.cycle.title,
        country_code=story.country_code, place=story.place, events_when=story.events_when,
        collected_on=story.collected_on, safeguarding=story.safeguarding_status, selections=list(selections),
        verification=verification if selections else None)


def story_reference(entry):
    facts = {"pseudonym": entry.pseudonym, "category": entry.category, "age_band": entry.age_band,
             "domain": entry.domain, "country_code": entry.country_code, "events_when": entry.events_when,
             "collected_on": entry.collected_on, "selected": bool(entry.selections),
             "verification": entry.verification}
    return "story", entry.title, facts, entry.project_title


# Indicators -----------------------------------------------------------------------------------


@dataclass
class PeriodEntry:
    id: int
    start: date
    end: date
    target: object
    target_comment: str
    target_breakdown: list
    actual: object
    actual_comment: str
    actual_breakdown: list
    provisional: bool
    revision_pending: bool
    ref: int | None


@dataclass
class IndicatorEntry:
    id: int
    title: str
    result: str
    result_level: str
    definition: str
    means_of_verification: str
    measure: object
    ascending: bool
    unit: str
    baseline_year: int | None
    baseline_date: date | None
    baseline_value: object
    baseline_comment: str
    dimensions: list
    periods: list
    withheld_provisional: int = 0

    @property
    def refs(self):
        return [period.ref for period in self.periods if period.ref is not None]

    @property
    def has_breakdown(self):
        return any(period.target_breakdown or period.actual_breakdown for period in self.periods)

    @property
    def breakdown_rows(self):
        """``[(dimension, category, [(target, actual) per period])]`` in the order the values first appear."""
        keys = []
        for period in self.periods:
            for item in [*period.target_breakdown, *period.actual_breakdown]:
                key = (item.get("dimension", ""), item.get("category", ""))
                if key not in keys:
                    keys.append(key)
        return [(dimension, category, [(breakdown_value(period.target_breakdown, dimension, category),
                                        breakdown_value(period.actual_breakdown, dimension, category))
                                       for period in self.periods])
                for dimension, category in keys]

    @property
    def latest(self):
        """The latest period with a reported actual (else the latest period), for the summary."""
        reported = [period for period in self.periods if period.ref is not None]
        return (reported or self.periods or [None])[-1]

    @property
    def latest_progress(self):
        """Progress in :attr:`latest` against that same period's target (None for narratives)."""
        latest = self.latest
        if latest is None or self.measure == "qualitative":
            return None
        return progress(latest.target, latest.actual if latest.ref is not None else None, ascending=self.ascending,
                        baseline=self.baseline_value)


def breakdown_value(breakdown, dimension, category):
    return next((item.get("value") for item in breakdown
                 if item.get("dimension") == dimension and item.get("category") == category), None)


def period_reference(indicator, value, project_title=""):
    reported = value.reported
    facts = {"start": value.period.start_date, "end": value.period.end_date, "unit": indicator.unit,
             "value": reported.value, "comment": shorten(reported.comment), "provisional": reported.provisional,
             "target": value.period.target_value, "result": indicator.node.title}
    return "indicator_result", indicator.title, facts, project_title


def indicator_entry(values, cite):
    """``cite(value)`` returns the reference number of a period with a reported actual."""
    indicator = values.indicator
    periods = []
    for value in values.periods:
        reported = value.reported
        item = value.period
        periods.append(PeriodEntry(
            id=item.id, start=item.start_date, end=item.end_date, target=item.target_value,
            target_comment=item.target_comment, target_breakdown=list(item.target_breakdown or []),
            actual=reported.value if reported else None, actual_comment=reported.comment if reported else "",
            actual_breakdown=list(reported.breakdown or []) if reported else [],
            provisional=bool(reported and reported.provisional),
            revision_pending=bool(reported and reported.revision_pending),
            ref=cite(value) if reported is not None else None))
    return IndicatorEntry(
        id=indicator.id, title=indicator.title, result=indicator.node.title, result_level=str(indicator.node.level),
        definition=indicator.definition, means_of_verification=indicator.means_of_verification,
        measure=indicator.measure, ascending=indicator.ascending, unit=indicator.unit,
        baseline_year=indicator.baseline_year, baseline_date=indicator.baseline_date,
        baseline_value=indicator.baseline_value, baseline_comment=indicator.baseline_comment,
        dimensions=list(indicator.dimensions or []), periods=periods,
        withheld_provisional=values.withheld_provisional)


# Documents, links and notes -------------------------------------------------------------------


def item_reference(item, project_title="", *, donor=False):
    """The annex description of an evidence item that is not cited as the outcome, story or result it stands for.

    Donors read its title and summary through the personal-data finder: a story-derived item copies the
    story's own title and summary, and no reviewer approved this text for them.
    """
    title, summary = (redacted(item.title), redacted(item.summary)) if donor else (item.title, item.summary)
    facts = {"source": item.source, "collected_on": item.collected_on, "url": item.url,
             "file_name": item.file_name, "summary": shorten(summary)}
    return str(item.kind), title, facts, project_title
