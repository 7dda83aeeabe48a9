"""The project report as plain data (no Flask): ``project_report(session, project, audience, requester, period)``.

The sections, in reading order: key figures, the theory of change shaded by evidence, indicators,
outcomes by type of change, selected MSC stories with their panels' reasons, contribution claims,
evidence gaps, then the annexes (evidence, methods, data protection). Evidence is numbered as it is
first cited (:mod:`tracker.reports.references`); what the audience may not see is counted in
:class:`Withheld` (:mod:`tracker.reports.audience` decides).
"""

from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from tracker.contribution.tracing.bayes import scale_rows
from tracker.contribution.tracing.services import fund_bands
from tracker.db_types import utcnow
from tracker.evidence.models import EvidenceKind
from tracker.msc.models import VerificationState
from tracker.msc.rules import verification_tally
from tracker.outcomes.models import ChangeType
from tracker.outcomes.summary import Standing
from tracker.portfolio.models import Fund
from tracker.reports import audience as selection
from tracker.reports import contribution
from tracker.reports import omissions
from tracker.reports import records
from tracker.reports.models import Audience
from tracker.reports.references import References
from tracker.reports.scope import Period
from tracker.toc import services as toc_services


@dataclass(frozen=True)
class ProjectFacts:
    id: int
    slug: str
    title: str
    grantee: str
    pillar: str
    countries: tuple
    start: object
    end: object
    budget: object
    currency: str
    summary: str
    iati_identifier: str | None

    @property
    def anchor(self):
        return f"project-{self.slug}"


def project_facts(project):
    return ProjectFacts(project.id, project.slug, project.title, project.organisation.name, project.pillar.name,
                        tuple(project.country_codes), project.start_date, project.end_date, project.budget,
                        project.currency, project.summary, project.iati_identifier)


@dataclass
class Withheld:
    """What the report leaves out, counted by reason (never shown): what the audience may not see, outcomes
    without a date when the report covers a period, and selected stories whose facts are not confirmed (state →
    count). ``claims_in_progress`` counts claims below step 4 that the report leaves out, for the report option
    that leaves them out to set. :func:`tracker.reports.omissions.left_out` lists them all."""

    stories: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    evidence: Counter = field(default_factory=Counter)
    provisional: int = 0
    undated_outcomes: int = 0
    unverified_stories: Counter = field(default_factory=Counter)
    claims_in_progress: int = 0

    @property
    def story_count(self):
        return sum(self.stories.values())

    @property
    def outcome_count(self):
        return sum(self.outcomes.values())

    @property
    def evidence_count(self):
        return sum(self.evidence.values())

    @property
    def left_out(self):
        """The entries of the section "What this report leaves out"."""
        return omissions.left_out(self)

    def add(self, other):
        self.stories.update(other.stories)
        self.outcomes.update(other.outcomes)
        self.evidence.update(other.evidence)
        self.unverified_stories.update(other.unverified_stories)
        self.provisional += other.provisional
        self.undated_outcomes += other.undated_outcomes
        self.claims_in_progress += other.claims_in_progress
        return self


@dataclass
class KeyFigures:
    """The one-page summary: every figure with the references it rests on."""

    outcomes: list
    outcome_refs: list
    by_type: list
    stories: list
    story_refs: list
    other_stories: int
    indicators: list
    claims: list
    links: int
    links_with_evidence: int
    link_refs: list
    gaps: int
    withheld: Withheld

    @property
    def substantiated(self):
        """Outcomes whose verdicts substantiate them (the derived standing, whatever status was set)."""
        return [entry for entry in self.outcomes if entry.substantiation.counts_as_substantiated]

    @property
    def substantiation_notes(self):
        """``[(standing, count)]`` of every standing other than plain "substantiated", in the rule's order."""
        found = Counter(entry.substantiation.standing for entry in self.outcomes)
        return [(standing, found[standing]) for standing in Standing
                if standing is not Standing.SUBSTANTIATED and found[standing]]

    @property
    def negative_or_unintended(self):
        return [entry for entry in self.outcomes if entry.valence == "negative" or entry.intention == "unintended"]

    @property
    def story_verification(self):
        """How the selected stories' verification stands: a count beside "stories selected"."""
        return verification_tally(entry.verification for entry in self.stories)


@dataclass
class ProjectSection:
    """Everything the report says about one project (also one page of the portfolio report)."""

    project: ProjectFacts
    figures: KeyFigures
    toc: contribution.TocSection | None
    indicators: list
    outcome_groups: list
    stories: list
    claims: list | None
    withheld: Withheld
    story_ids: set
    # Donor reports: claims below Mayne's step 4, listed as work in progress when the report asks for it,
    # else only counted as left out.
    claims_in_progress: list = field(default_factory=list)
    claims_left_out: int = 0

    @property
    def outcome_ids(self):
        """The outcomes this section shows (an audit entry of a preview names them)."""
        return {entry.id for _change_type, entries in self.outcome_groups for entry in entries}


@dataclass
class ReportMeta:
    kind: str
    audience: str
    period: Period
    generated_at: datetime
    fund_name: str
    requester_name: str
    bands: tuple
    level_labels: dict
    span_start: object = None
    span_end: object = None
    claims_in_progress: bool = False

    @property
    def scale(self):
        """The verbal scale as the methods annex prints it (ranges, the exact midpoint)."""
        return scale_rows(self.bands)


@dataclass
class ProjectReport:
    meta: ReportMeta
    section: ProjectSection
    references: list

    @property
    def story_ids(self):
        return self.section.story_ids

    @property
    def outcome_ids(self):
        return self.section.outcome_ids

    @property
    def withheld(self):
        return self.section.withheld

    @property
    def title(self):
        return self.section.project.title


# Loading ----------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """The records of some projects that a report may use (each loaded once, for every project at once)."""

    outcomes: selection.Selected
    stories: selection.Selected
    selections: dict
    indicators: dict
    access: selection.EvidenceAccess
    verifications: dict = field(default_factory=dict)


def load(session, fund_id, project_ids, audience, requester, period):
    outcomes = selection.outcomes(session, fund_id, project_ids, audience, requester, period)
    stories = selection.stories(session, fund_id, project_ids, audience, requester, period)
    shown_stories = {story.id for items in stories.shown.values() for story in items}
    values = selection.indicators(session, project_ids, audience, period)
    reportable = {value.period.id for items in values.values() for entry in items for value in entry.periods
                  if value.reported is not None}
    shown_outcomes = {outcome.id for items in outcomes.shown.values() for outcome in items}
    access = selection.evidence(session, fund_id, project_ids, audience, period, shown_stories, shown_outcomes,
                                reportable)
    chosen = selection.selections(session, shown_stories, audience)
    return Loaded(outcomes, stories, chosen, values, access, selection.verification_states(session, set(chosen)))


# Building ---------------------------------------------------------------------------------------


class Citer:
    """Cites records of one project into the report's :class:`References`, describing each for the annex."""

    def __init__(self, references, audience, loaded, project):
        self.references = references
        self.audience = audience
        self.project = project
        self.outcomes = {outcome.id: outcome for outcome in loaded.outcomes.shown_for(project.id)}
        self.stories = {story.id: story for story in loaded.stories.shown_for(project.id)}
        self.selections = loaded.selections
        self.verifications = loaded.verifications
        self.periods = {value.period.id: (entry.indicator, value) for entry in loaded.indicators.get(project.id, [])
                        for value in entry.periods if value.reported is not None}
        self.story_entries = {}

    def outcome(self, outcome):
        return self.references.cite(("outcome", outcome.id),
                                    lambda: records.outcome_reference(outcome, self.audience))

    def story_entry(self, story):
        if story.id not in self.story_entries:
            self.story_entries[story.id] = records.story_entry(story, self.audience, self.selections.get(story.id, ()),
                                                               verification=self.verifications.get(story.id))
        return self.story_entries[story.id]

    def story(self, story):
        entry = self.story_entry(story)
        return self.references.cite(("story", story.id), lambda: records.story_reference(entry))

    def period(self, indicator, value):
        return self.references.cite(("period", value.period.id), lambda: records.period_reference(indicator, value,
                                                                                          self.project.title))

    def item(self, item):
        """Cite an evidence item the audience may see, as the record it stands for when the report has it."""
        if item.kind == EvidenceKind.OUTCOME and item.outcome_id in self.outcomes:
            return self.outcome(self.outcomes[item.outcome_id])
        if item.kind == EvidenceKind.STORY and item.story_id in self.stories:
            return self.story(self.stories[item.story_id])
        if item.kind == EvidenceKind.INDICATOR_RESULT and item.period_id in self.periods:
            return self.period(*self.periods[item.period_id])
        return self.references.cite(("evidence", item.id), lambda: records.item_reference(
            item, self.project.title, donor=Audience(self.audience) is Audience.DONOR))


def outcome_groups(outcomes, citer, audience):
    """Outcomes grouped by type of change (in the vocabulary's order), each cited."""
    groups = []
    for change_type in ChangeType:
        members = [outcome for outcome in outcomes if outcome.change_type == change_type]
        if members:
            groups.append((change_type, [records.outcome_entry(outcome, citer.outcome(outcome).number,
                                                                     audience) for outcome in members]))
    return groups


def withheld_for(loaded, project_id, selected_story_ids):
    states = (loaded.verifications.get(story_id, VerificationState.PENDING) for story_id in selected_story_ids)
    return Withheld(Counter(loaded.stories.withheld_for(project_id)), Counter(loaded.outcomes.withheld_for(project_id)),
                    loaded.access.withheld_for(project_id),
                    sum(entry.withheld_provisional for entry in loaded.indicators.get(project_id, [])),
                    undated_outcomes=loaded.outcomes.undated_for(project_id),
                    unverified_stories=omissions.unverified(states))


def donor_claims(claims, list_in_progress):
    """``(claims stated as conclusions, claims listed as work in progress, number left out)`` of a donor report:
    a claim below Mayne's step 4 is never a conclusion; it is listed as work in progress or left out.
    """
    conclusions, in_progress = contribution.split_in_progress(claims)
    if list_in_progress:
        return conclusions, [contribution.in_progress_entry(claim) for claim in in_progress], 0
    return conclusions, [], len(in_progress)


def project_section(session, project, loaded, references, audience, requester, bands, labels, *,
                    claims_in_progress=False):
    """Cite and build everything about ``project``, in the order the report first cites it.

    ``claims_in_progress``: a donor report lists the claims below Mayne's step 4 as work in progress (else it
    leaves them out and counts them).
    """
    citer = Citer(references, audience, loaded, project)
    groups = outcome_groups(loaded.outcomes.shown_for(project.id), citer, audience)
    shown = loaded.stories.shown_for(project.id)
    chosen = [story for story in shown if loaded.selections.get(story.id)]
    story_entries = []
    for story in chosen:
        entry = citer.story_entry(story)
        entry.ref = citer.story(story).number
        story_entries.append(entry)
    indicators = [records.indicator_entry(values, lambda value, values=values: citer.period(values.indicator,
                                                                                            value).number)
                  for values in loaded.indicators.get(project.id, [])]
    claims = None
    claim_rows, listed, left_out = [], [], 0
    if Audience(audience) is Audience.DONOR or requester.sees_contribution_of(project.id):
        claim_rows = contribution.project_claims(session, project)
        if Audience(audience) is Audience.DONOR:
            claim_rows, listed, left_out = donor_claims(claim_rows, claims_in_progress)
        narratives = contribution.latest_narratives(session, [claim.id for claim in claim_rows])
        claims = [contribution.claim_entry(session, claim, bands, citer.item, loaded.access,
                                           narratives.get(claim.id, ""),
                                           with_revisions=Audience(audience) is Audience.INTERNAL)
                  for claim in claim_rows]
    toc = contribution.toc_section(session, project, claim_rows, citer.item, loaded.access, labels)
    outcomes = [entry for _type, entries in groups for entry in entries]
    withheld = withheld_for(loaded, project.id, [story.id for story in chosen])
    withheld.claims_in_progress = left_out
    figures = KeyFigures(
        outcomes=outcomes, outcome_refs=[entry.ref for entry in outcomes],
        by_type=[(change_type, len(entries)) for change_type, entries in groups],
        stories=story_entries, story_refs=[entry.ref for entry in story_entries],
        other_stories=len(shown) - len(chosen), indicators=indicators, claims=claims or [],
        links=len(toc.rows), links_with_evidence=toc.links_with_evidence, link_refs=toc.refs, gaps=len(toc.gaps),
        withheld=withheld)
    story_ids = {key[1] for key in references.numbers if key[0] == "story" and key[1] in citer.stories}
    return ProjectSection(project_facts(project), figures, None if toc.is_empty else toc, indicators, groups,
                          story_entries, claims, withheld, story_ids | {entry.id for entry in story_entries},
                          listed, left_out)


def report_meta(session, kind, fund_id, audience, requester, period, now):
    fund = session.get(Fund, fund_id)
    return ReportMeta(kind, Audience(audience).value, period, now, fund.name, requester.name,
                      tuple(fund_bands(session, fund_id)), toc_services.level_labels(session, fund_id))


def project_report(session, project, audience, requester, period=None, *, now=None, claims_in_progress=False):
    """Assemble the report on ``project`` for ``audience`` as ``requester`` may see it, within ``period``
    (default: the whole project); ``claims_in_progress`` as for :func:`project_section`."""
    audience, period = Audience(audience), period or Period()
    meta = report_meta(session, "project", project.fund_id, audience, requester, period, now or utcnow())
    meta.span_start, meta.span_end = project.start_date, project.end_date
    meta.claims_in_progress = claims_in_progress
    loaded = load(session, project.fund_id, [project.id], audience, requester, period)
    references = References()
    section = project_section(session, project, loaded, references, audience, requester, meta.bands,
                              meta.level_labels, claims_in_progress=claims_in_progress)
    return ProjectReport(meta, section, references.entries)

