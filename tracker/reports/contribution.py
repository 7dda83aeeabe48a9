"""Contribution claims and the theory of change as report entries, every piece of evidence cited (plain data).

A claim shows its pathway link by link with the evidence on each link and on its
assumptions, the influencing factors and alternative explanations with theirs, the
contribution-tracing steps, and the confidence with its verbal band under the
weakest-link rule. The team's qualitative confidence is the one the confidence rule
allows now (:func:`tracker.contribution.rules.judge_confidence`): a stated "strong" that
no longer holds is shown lowered, with the reasons. Evidence the audience may not see is
counted per claim, never shown.

Donor reports state only claims that reached Mayne's step 4 as conclusions; the others
are left out, or listed as work in progress when the report asks for it
(:func:`split_in_progress`).
"""

from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.contribution import evidence_map
from tracker.contribution import rules
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import ContributionStory
from tracker.contribution.models import QualitativeConfidence
from tracker.contribution.outline import claim_chain
from tracker.contribution.services import claim_details
from tracker.contribution.services import confidence_judgement
from tracker.contribution.services import lowered_note
from tracker.contribution.tracing import services as tracing_services
from tracker.evidence.models import EvidenceAttachment
from tracker.evidence.models import EvidenceItem
from tracker.reports.records import shorten
from tracker.toc import presentation
from tracker.toc import services as toc_services
from tracker.toc.models import TocLink

# Where evidence is used (a pathway link, an assumption), its title is cut to this; the annex has more.
USE_TITLE = 120


@dataclass(frozen=True)
class EvidenceUse:
    """A cited piece of evidence where it is used: its reference number, strength and the team's note."""

    ref: int
    title: str
    strength: str
    note: str


@dataclass
class Cited:
    """Evidence uses shown, and how many attachments were withheld for the audience."""

    uses: list = field(default_factory=list)
    withheld: int = 0

    @property
    def refs(self):
        return [use.ref for use in self.uses]

    @property
    def strength(self):
        return evidence_map.strongest(use.strength for use in self.uses)


@dataclass
class AssumptionEntry:
    text: str
    status: str
    note: str
    evidence: Cited


@dataclass
class PathwayLink:
    number: int
    cause: str
    effect: str
    rationale: str
    evidence: Cited
    assumptions: list


@dataclass
class ExplanationEntry:
    """An alternative explanation (with its ``status``) or an influencing factor (``influence``, ``accounted_for``)."""

    kind: str
    text: str
    status: str
    note: str
    evidence: Cited
    influence: str = ""
    accounted_for: str = ""


@dataclass
class TracingStep:
    position: int
    description: str
    test_type: str
    observed: str
    sensitivity: float
    type1_error: float
    prior: float
    posterior: float
    ref: int | None
    withheld: bool
    disconfirming: bool = False


@dataclass
class TracingRevision:
    """One change to a tracing input, as the internal report lists it (``input``: what changed, in words)."""

    input: str
    field: str
    old_value: str | None
    new_value: str
    reason: str
    changed_by: str
    changed_at: object


@dataclass
class Component:
    position: int
    entity: str
    activity: str
    prior: float
    confidence: float
    band: str | None
    weakest: bool
    steps: list
    confidence_pattern: str = "0.000"
    revisions: list = field(default_factory=list)


@dataclass
class ClaimEntry:
    id: int
    title: str
    question: str
    claim_text: str
    result: str
    level: str
    step: str
    causal_package: str
    necessity: str
    sufficiency: str
    qualitative_confidence: str
    stated_confidence: str
    lowered_because: object
    low_tracing_reason: str
    confidence: float | None
    band: str | None
    pathway: list
    explanations: list
    components: list
    narrative: str
    confidence_pattern: str = "0.000"

    @property
    def anchor(self):
        return f"claim-{self.id}"

    @property
    def refs(self):
        refs = [ref for link in self.pathway for ref in link.evidence.refs]
        refs += [ref for link in self.pathway for item in link.assumptions for ref in item.evidence.refs]
        refs += [ref for item in self.explanations for ref in item.evidence.refs]
        refs += [step.ref for component in self.components for step in component.steps if step.ref]
        return refs

    @property
    def withheld(self):
        count = sum(link.evidence.withheld for link in self.pathway)
        count += sum(item.evidence.withheld for link in self.pathway for item in link.assumptions)
        count += sum(item.evidence.withheld for item in self.explanations)
        return count + sum(1 for component in self.components for step in component.steps if step.withheld)


def project_claims(session, project):
    return list(session.exec(select(ContributionClaim).where(ContributionClaim.project_id == project.id)
                             .options(*claim_details()).order_by(ContributionClaim.id)))


@dataclass(frozen=True)
class InProgressEntry:
    """A claim below Mayne's step 4 as a donor report may list it: work in progress, never a conclusion."""

    id: int
    title: str
    question: str
    step: str


def split_in_progress(claims):
    """``(conclusions, in progress)``: the claims that reached Mayne's step 4, and those still below it."""
    return ([claim for claim in claims if rules.has_story(claim.step)],
            [claim for claim in claims if not rules.has_story(claim.step)])


def in_progress_entry(claim):
    return InProgressEntry(claim.id, claim.title, claim.question, str(claim.step))


def latest_narratives(session, claim_ids):
    """``{claim_id: narrative}`` of each claim's latest contribution-story revision (one query)."""
    if not claim_ids:
        return {}
    latest = (sa.select(ContributionStory.claim_id, sa.func.max(ContributionStory.number).label("number"))
              .where(ContributionStory.claim_id.in_(claim_ids)).group_by(ContributionStory.claim_id).subquery())
    rows = session.execute(sa.select(ContributionStory.claim_id, ContributionStory.narrative)
                           .join(latest, sa.and_(latest.c.claim_id == ContributionStory.claim_id,
                                                 latest.c.number == ContributionStory.number)))
    return dict(rows.all())


def cited(uses, cite, access):
    """Cite the ``(evidence item, strength, note)`` uses whose item the audience may see; count the others.

    ``cite(item)`` returns the item's :class:`~tracker.reports.references.Reference`; its title is the one the
    annex shows (for a story, the de-identified title in donor reports), never the item's own.
    """
    result = Cited()
    for item, strength, note in uses:
        if access.allows(item.id):
            reference = cite(item)
            result.uses.append(EvidenceUse(reference.number, shorten(reference.title, USE_TITLE), str(strength), note))
        elif item.id in access.withheld:
            result.withheld += 1
    return result


def on_links(attachments):
    return [(attachment.evidence, attachment.strength, attachment.note) for attachment in attachments]


def on_explanation(explanation):
    return [(use.item, use.strength, use.note) for use in explanation.evidence]


def claim_entry(session, claim, bands, cite, access, narrative="", with_revisions=False):
    """The claim as a report shows it; ``with_revisions`` (internal reports) adds each component's input history."""
    chain = claim_chain(session, claim, bands)
    summary = chain.summary
    pathway = [PathwayLink(entry.number, entry.cause, entry.effect, entry.rationale,
                           cited(on_links(entry.evidence), cite, access),
                           [AssumptionEntry(item.text, item.status, item.note,
                                            cited(on_links(item.evidence), cite, access))
                            for item in entry.assumptions])
               for entry in chain.links]
    explanations = [ExplanationEntry(str(item.kind), item.text, str(item.status or ""), item.note,
                                     cited(on_explanation(item), cite, access), str(item.influence or ""),
                                     item.accounted_for) for item in chain.explanations]
    judgement = confidence_judgement(claim)
    items = tracing_items(session, summary)
    revisions = tracing_revisions(session, claim, summary) if with_revisions else {}
    components = [Component(
        component["position"], component["entity"], component["activity"], component["prior"],
        component["confidence"], component["band"], component["id"] == summary["weakest_component_id"],
        [tracing_step(step, items, cite, access) for step in component["steps"]], component["confidence_pattern"],
        revisions.get(component["id"], []))
        for component in summary["components"]]
    return ClaimEntry(
        id=claim.id, title=claim.title, question=claim.question, claim_text=claim.claim_text,
        result=claim.outcome_node.title if claim.outcome_node else "", level=str(claim.level), step=str(claim.step),
        causal_package=claim.causal_package, necessity=str(claim.necessity), sufficiency=str(claim.sufficiency),
        qualitative_confidence=str(judgement.shown), stated_confidence=str(judgement.stated),
        lowered_because=lowered_note(judgement), low_tracing_reason=low_tracing_reason(claim, judgement, summary),
        confidence=summary["confidence"], band=summary["band"],
        pathway=pathway, explanations=explanations, components=components, narrative=narrative,
        confidence_pattern=summary["confidence_pattern"])


def low_tracing_reason(claim, judgement, summary):
    """The team's reason for strong below 0.5 in tracing, when it is what lets strong stand (else nothing)."""
    below = rules.tracing_below_threshold(summary["confidence"])
    return claim.low_tracing_reason if below and judgement.shown is QualitativeConfidence.STRONG else ""


def tracing_items(session, summary):
    """``{id: EvidenceItem}`` of the items the claim's tracing steps rest on (one query)."""
    ids = {step["evidence_item_id"] for component in summary["components"] for step in component["steps"]
           if step["evidence_item_id"] is not None}
    if not ids:
        return {}
    return {item.id: item for item in session.exec(select(EvidenceItem).where(EvidenceItem.id.in_(sorted(ids))))}


def tracing_step(step, items, cite, access):
    item_id = step["evidence_item_id"]
    ref, withheld = None, False
    if item_id is not None:
        if access.allows(item_id) and item_id in items:
            ref = cite(items[item_id]).number
        else:
            withheld = item_id in access.withheld
    return TracingStep(step["position"], step["description"], step["test_type"], step["observed"],
                       step["sensitivity"], step["type1_error"], step["prior"], step["posterior"], ref, withheld,
                       step["disconfirming"])


def tracing_revisions(session, claim, summary):
    """``{component id: [TracingRevision]}``: every change to the claim's tracing inputs, oldest first."""
    descriptions = {step["evidence_id"]: step["description"] for component in summary["components"]
                    for step in component["steps"]}
    grouped = {}
    for revision in tracing_services.claim_revisions(session, claim.id):
        what = "prior" if revision.ct_evidence_id is None else descriptions.get(revision.ct_evidence_id, "")
        grouped.setdefault(revision.component_id, []).append(TracingRevision(
            what, revision.field, revision.old_value, revision.new_value, revision.reason, revision.changed_by,
            revision.changed_at))
    return grouped


# The theory of change ----------------------------------------------------------------------------


@dataclass
class LinkRow:
    """One ToC link with the evidence the report shows for it (the diagram's text alternative)."""

    id: int
    cause_id: int
    effect_id: int
    cause: str
    effect: str
    evidence: Cited
    claimed: bool


@dataclass
class TocSection:
    picture: presentation.Picture
    link_strengths: dict
    claimed: dict
    rows: list
    gaps: list
    untested: list

    @property
    def is_empty(self):
        return self.picture.is_empty

    @property
    def links_with_evidence(self):
        return sum(1 for row in self.rows if row.evidence.uses)

    @property
    def refs(self):
        return [ref for row in self.rows for ref in row.evidence.refs]


@dataclass(frozen=True)
class GapEntry:
    cause: str
    effect: str
    claims: tuple


def link_attachments(session, project):
    """The attachments on the project's links, with their evidence items (two queries)."""
    return list(session.exec(select(EvidenceAttachment).join(TocLink, TocLink.id == EvidenceAttachment.link_id)
                             .where(TocLink.project_id == project.id)
                             .options(selectinload(EvidenceAttachment.evidence)).order_by(EvidenceAttachment.id)))


def toc_section(session, project, claims, cite, access, labels):
    """The theory of change shaded by the evidence this report shows, its link table, and the gaps."""
    picture = presentation.picture(toc_services.snapshot(session, project), labels)
    on_link = {}
    for attachment in link_attachments(session, project):
        on_link.setdefault(attachment.link_id, []).append(attachment)
    claimed = {}
    for claim in claims:
        for claim_link in claim.pathway:
            claimed.setdefault(claim_link.link_id, []).append(claim.id)
    rows = [LinkRow(link["id"], link["cause"], link["effect"], picture.title(link["cause"]),
                    picture.title(link["effect"]), cited(on_links(on_link.get(link["id"], [])), cite, access),
                    link["id"] in claimed)
            for link in picture.links]
    strengths = {row.id: row.evidence.strength for row in rows if row.evidence.strength}
    titles = {claim.id: claim.title for claim in claims}
    gaps = [GapEntry(picture.title(gap.cause), picture.title(gap.effect),
                     tuple(titles[claim_id] for claim_id in gap.claim_ids))
            for gap in evidence_map.gaps(picture.graph, strengths, claimed)]
    untested = [(picture.title(link["cause"]), picture.title(link["effect"]), item["text"])
                for link in picture.links if link["id"] in claimed
                for item in link["assumptions"] if item["status"] == "untested"]
    return TocSection(picture, strengths, claimed, rows, gaps, untested)

