"""What a report may contain, per audience: the one place where reports meet the sharing rules.

* **Donor** reports select stories with :func:`tracker.msc.sharing.donor_visible_stories` (and show them
  through :func:`~tracker.msc.sharing.deidentify`), outcomes with
  :func:`tracker.outcomes.sharing.donor_visible_outcomes`, evidence with
  :func:`tracker.evidence.sharing.donor_visible_evidence`, and indicator values only once approved.
* **Internal** reports show what the requester may see: outcomes through
  :func:`~tracker.outcomes.sharing.outcomes_visible_to`; stories only where the requester reads the project's
  stories (administrators by breaking the glass) and only with consent to internal use, not withdrawn and not
  restricted by safeguarding, since a report is a use of the story; approved and (marked provisional) submitted
  indicator values, never drafts.

Everything left out for the audience is counted with its reason; material outside the reporting period is
not part of the report, but undated outcomes, which no period can hold, are counted
(:mod:`tracker.reports.omissions` lists both). Every loader takes several projects at once (the portfolio
report) and runs a constant number of queries.
"""

from collections import Counter
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.evidence.models import EvidenceItem
from tracker.evidence.models import EvidenceKind
from tracker.evidence.sharing import donor_visible_evidence
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.indicators.services import level_order
from tracker.indicators.services import reported_actual
from tracker.msc import rules as msc_rules
from tracker.msc import selection as msc_selection
from tracker.msc.consent import SharingFacts
from tracker.msc.consent import why_not_shared
from tracker.msc.models import Panel
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import SelectionDecision
from tracker.msc.models import SelectionLevel
from tracker.msc.models import Story
from tracker.msc.models import VerificationState
from tracker.msc.sharing import donor_visible_stories
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import Substantiation
from tracker.outcomes.sharing import donor_visible_outcomes
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.reports.models import Audience
from tracker.toc.models import TocNode

# Why an internal report leaves a story out (donor reports use tracker.msc.consent.why_not_shared).
INTERNAL_STORY_REASONS = ("outside_access", "needs_consent", "withdrawn", "no_internal_scope", "restricted")
# Why an evidence item is left out.
EVIDENCE_REASONS = ("working_material", "story_not_shareable", "outcome_not_substantiated", "outcome_not_shown",
                    "result_not_approved", "result_not_reviewed")
DONOR_MATERIAL = (EvidenceKind.OUTCOME, EvidenceKind.STORY, EvidenceKind.INDICATOR_RESULT)


def by_project(rows, key=lambda row: row.project_id):
    grouped = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def date_between(column, period):
    """SQL condition: ``column`` within ``period`` (undated rows only when the period is the whole project)."""
    if period.is_whole:
        return sa.true()
    conditions = [column.is_not(None)]
    if period.start:
        conditions.append(column >= period.start)
    if period.end:
        conditions.append(column <= period.end)
    return sa.and_(*conditions)


# Outcomes ---------------------------------------------------------------------------------------


@dataclass
class Selected:
    """Per project: the records the report shows, ``withheld`` reason → count, and how many ``undated`` records
    a report limited to a period leaves out."""

    shown: dict = field(default_factory=dict)
    withheld: dict = field(default_factory=dict)
    undated: dict = field(default_factory=dict)

    def shown_for(self, project_id):
        return self.shown.get(project_id, [])

    def withheld_for(self, project_id):
        return self.withheld.get(project_id, Counter())

    def undated_for(self, project_id):
        return self.undated.get(project_id, 0)


def outcomes(session, fund_id, project_ids, audience, requester, period):
    """Outcomes dated within ``period``; donors get substantiated ones only, the rest counted as withheld.

    Internal reports hold the outcomes the requester may read: an administrator's only under a grant.
    """
    donor = Audience(audience) is Audience.DONOR
    if donor:
        base = donor_visible_outcomes(fund_id)
    else:
        base = outcomes_visible_to(requester.role, requester.scoped_project_ids("outcome.view"), fund_id)
    in_period = sa.and_(Outcome.project_id.in_(project_ids), date_between(Outcome.change_date, period))
    shown = session.exec(base.where(in_period).options(
        selectinload(Outcome.toc_nodes),
        selectinload(Outcome.substantiations).selectinload(Substantiation.substantiator))
        .order_by(Outcome.change_date.nulls_last(), Outcome.id)).all()
    shown_ids = base.where(in_period).with_only_columns(Outcome.id)
    hidden = session.execute(sa.select(Outcome.project_id, sa.func.count()).where(in_period, Outcome.id.not_in(
        shown_ids)).group_by(Outcome.project_id)).all()
    withheld = {project_id: Counter({"not_substantiated" if donor or requester.sees_outcomes_of(project_id)
                                     else "outside_access": count}) for project_id, count in hidden}
    return Selected(by_project(shown), withheld, undated_outcomes(session, project_ids, period))


def undated_outcomes(session, project_ids, period):
    """``{project_id: count}`` of outcomes without a date of change, which a report on a period leaves out."""
    if period.is_whole:
        return {}
    return dict(session.execute(
        sa.select(Outcome.project_id, sa.func.count())
        .where(Outcome.project_id.in_(project_ids), Outcome.change_date.is_(None))
        .group_by(Outcome.project_id)).all())


# Stories ----------------------------------------------------------------------------------------


def story_options():
    return (selectinload(Story.project), selectinload(Story.cycle), selectinload(Story.domain),
            selectinload(Story.translations), selectinload(Story.donor_texts), selectinload(Story.consent))


def internal_story_reason(story, requester):
    """The first reason an internal report leaves ``story`` out, or None when it may show it."""
    consent = story.consent
    if not requester.sees_stories_of(story.project_id):
        return "outside_access"
    if not consent.complete:
        return "needs_consent"
    if consent.withdrawn_on is not None:
        return "withdrawn"
    if not consent.scope_internal:
        return "no_internal_scope"
    if story.safeguarding_status == SafeguardingStatus.RESTRICTED:
        return "restricted"
    return None


def donor_story_reason(story):
    """The first reason of :func:`tracker.msc.consent.why_not_shared` (each withheld story counted once)."""
    consent = story.consent
    reasons = why_not_shared(SharingFacts(consent.complete, consent.scope_donor, consent.withdrawn_on,
                                          story.safeguarding_status, story.donor_version_approved_at is not None))
    return reasons[0] if reasons else "no_donor_version"


def stories(session, fund_id, project_ids, audience, requester, period):
    """Stories collected within ``period`` that the report may show, and the others counted by reason.

    Donor reports take exactly the stories of :func:`donor_visible_stories`; the reasons only explain.
    """
    in_period = sa.and_(Story.project_id.in_(project_ids), date_between(Story.collected_on, period))
    everything = session.exec(select(Story).where(in_period).options(*story_options())
                              .order_by(Story.collected_on, Story.id)).all()
    if Audience(audience) is Audience.DONOR:
        allowed = set(session.scalars(donor_visible_stories(fund_id).where(in_period).with_only_columns(Story.id)))
        reason_of = donor_story_reason
    else:
        allowed = {story.id for story in everything if internal_story_reason(story, requester) is None}
        reason_of = lambda story: internal_story_reason(story, requester)  # noqa: E731
    selected = Selected()
    for story in everything:
        if story.id in allowed:
            selected.shown.setdefault(story.project_id, []).append(story)
        else:
            selected.withheld.setdefault(story.project_id, Counter())[reason_of(story)] += 1
    return selected


@dataclass(frozen=True)
class Selection:
    """A panel's decision to select a story: level, date, written reasons, the reason for a joint selection,
    and (internal only) dissent."""

    level: str
    ordinal: int
    decided_on: object
    reasons: str
    dissent: str = ""
    joint_reason: str = ""


def selections(session, story_ids, audience):
    """``{story_id: [Selection]}`` for the panels' *selected* decisions that stand on what the levels below
    pass up (:func:`tracker.msc.rules.standing_selections`), lowest level first (two queries)."""
    if not story_ids:
        return {}
    rows = session.exec(
        select(SelectionDecision, SelectionLevel)
        .join(Panel, Panel.id == SelectionDecision.panel_id)
        .join(SelectionLevel, SelectionLevel.id == Panel.level_id)
        .where(SelectionDecision.story_id.in_(sorted(story_ids)), SelectionDecision.selected.is_(True))
        .order_by(SelectionLevel.ordinal, SelectionDecision.decided_on, SelectionDecision.id)).all()
    cycles = {level.cycle_id for _decision, level in rows}
    ordinals = {}
    for cycle_id, ordinal in session.execute(sa.select(SelectionLevel.cycle_id, SelectionLevel.ordinal)
                                             .where(SelectionLevel.cycle_id.in_(sorted(cycles)))).all():
        ordinals.setdefault(cycle_id, []).append(ordinal)
    per_story = {}
    for decision, level in rows:
        per_story.setdefault(decision.story_id, []).append((decision, level))
    internal = Audience(audience) is Audience.INTERNAL
    found = {}
    for story_id, items in per_story.items():
        standing = msc_rules.standing_selections(
            [msc_rules.Pick(decision.id, level.ordinal, True) for decision, level in items],
            ordinals[items[0][1].cycle_id])
        shown = [Selection(level.name, level.ordinal, decision.decided_on, decision.reasons,
                           decision.dissent if internal else "", decision.joint_reason)
                 for decision, level in items if decision.id in standing]
        if shown:
            found[story_id] = shown
    return found


def verification_states(session, story_ids):
    """``{story_id: VerificationState}`` for ``story_ids``: each selected story's state is shown beside it."""
    if not story_ids:
        return {}
    states = msc_selection.verification_states(session, Story.id.in_(sorted(story_ids)))
    return {story_id: states.get(story_id, VerificationState.PENDING) for story_id in story_ids}


# Indicators -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodValue:
    """One indicator period as the report shows it; ``reported`` is None when it has no reportable actual."""

    period: IndicatorPeriod
    reported: object


@dataclass
class IndicatorValues:
    indicator: Indicator
    periods: list
    withheld_provisional: int = 0


def indicators(session, project_ids, audience, period):
    """``{project_id: [IndicatorValues]}``: periods overlapping ``period``; donors see approved actuals only."""
    rows = session.exec(
        select(Indicator).join(TocNode, TocNode.id == Indicator.node_id)
        .where(Indicator.project_id.in_(project_ids))
        .options(selectinload(Indicator.node), selectinload(Indicator.periods).selectinload(IndicatorPeriod.actual))
        .order_by(level_order(), Indicator.title, Indicator.id)).all()
    donor = Audience(audience) is Audience.DONOR
    found = {}
    for indicator in rows:
        values = IndicatorValues(indicator, [])
        for item in indicator.periods:
            if not period.overlaps(item.start_date, item.end_date):
                continue
            reported = reported_actual(item.actual, approved_only=donor)
            if reported is None and reported_actual(item.actual) is not None:
                values.withheld_provisional += 1
            values.periods.append(PeriodValue(item, reported))
        found.setdefault(indicator.project_id, []).append(values)
    return found


# Evidence items ---------------------------------------------------------------------------------


@dataclass
class EvidenceAccess:
    """Which of the projects' evidence items a report shows: ``shown`` ids, ``withheld`` id → reason, and
    ``outside`` ids (dated outside the period)."""

    shown: set = field(default_factory=set)
    withheld: dict = field(default_factory=dict)
    outside: set = field(default_factory=set)
    project_of: dict = field(default_factory=dict)

    def allows(self, item_id):
        return item_id in self.shown

    def withheld_for(self, project_id):
        """Reason → count of the project's withheld items."""
        return Counter(reason for item_id, reason in self.withheld.items() if self.project_of[item_id] == project_id)


def evidence_dates(session, project_ids):
    """``(item, date or None, period start, period end)`` for every evidence item of the projects (one query).

    An item is dated by the record it stands for: the outcome's change date, the story's collection date,
    the indicator period, or (documents, links and notes) the date it was collected.
    """
    return session.execute(
        sa.select(EvidenceItem, Outcome.change_date, Story.collected_on, IndicatorPeriod.start_date,
                  IndicatorPeriod.end_date)
        .outerjoin(Outcome, Outcome.id == EvidenceItem.outcome_id)
        .outerjoin(Story, Story.id == EvidenceItem.story_id)
        .outerjoin(IndicatorPeriod, IndicatorPeriod.id == EvidenceItem.period_id)
        .where(EvidenceItem.project_id.in_(project_ids))).all()


def in_period(period, row):
    item, change_date, collected_on, start, end = row
    if item.kind == EvidenceKind.INDICATOR_RESULT and start is not None:
        return period.overlaps(start, end)
    day = {EvidenceKind.OUTCOME: change_date, EvidenceKind.STORY: collected_on}.get(item.kind, item.collected_on)
    return period.contains(day)


def donor_reason(item):
    if item.kind not in DONOR_MATERIAL:
        return "working_material"
    return {EvidenceKind.STORY: "story_not_shareable", EvidenceKind.OUTCOME: "outcome_not_substantiated"}.get(
        item.kind, "result_not_approved")


def evidence(session, fund_id, project_ids, audience, period, shown_story_ids, shown_outcome_ids,
             reportable_period_ids):
    """Which evidence items the report may cite, given the stories, outcomes and indicator periods it shows.

    Donors: exactly :func:`donor_visible_evidence`. Internal: stories and outcomes only when the report shows
    them, indicator results with a reportable (approved or submitted) actual, and the team's documents, links
    and notes.
    """
    rows = evidence_dates(session, project_ids)
    access = EvidenceAccess()
    if Audience(audience) is Audience.DONOR:
        allowed = set(session.scalars(donor_visible_evidence(fund_id).where(EvidenceItem.project_id.in_(project_ids))
                                      .with_only_columns(EvidenceItem.id)))
        reason_of = donor_reason
    else:
        allowed = {row[0].id for row in rows
                   if internal_allows(row[0], shown_story_ids, shown_outcome_ids, reportable_period_ids)}
        reason_of = internal_reason
    for row in rows:
        item = row[0]
        access.project_of[item.id] = item.project_id
        if not in_period(period, row):
            access.outside.add(item.id)
        elif item.id in allowed:
            access.shown.add(item.id)
        else:
            access.withheld[item.id] = reason_of(item)
    return access


def internal_allows(item, shown_stories, shown_outcomes, reportable):
    if item.kind == EvidenceKind.STORY:
        return item.story_id in shown_stories
    if item.kind == EvidenceKind.OUTCOME:
        return item.outcome_id is not None and item.outcome_id in shown_outcomes
    if item.kind == EvidenceKind.INDICATOR_RESULT:
        return item.period_id is not None and item.period_id in reportable
    return True


def internal_reason(item):
    if item.kind == EvidenceKind.STORY:
        return "story_not_shareable"
    if item.kind == EvidenceKind.OUTCOME:
        return "outcome_not_shown"
    return "result_not_reviewed"
