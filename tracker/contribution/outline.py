"""A claim's chain, link by link, as plain data: what the claim page, the story outline and reports show.

For each link of the pathway: its cause and effect, rationale, the evidence
attached to it (with strength and note), its assumptions with their status and
evidence; then the influencing factors and alternative explanations with their
status and evidence, and the contribution-tracing figures (:func:`claim_summary`).
A constant number of queries, whatever the length of the chain.
"""

from dataclasses import dataclass
from dataclasses import field

from sqlmodel import select

from tracker.contribution.evidence_map import strongest
from tracker.contribution.services import claim_links
from tracker.contribution.tracing.services import claim_summary
from tracker.evidence.services import attachments_on
from tracker.toc.models import TocNode


@dataclass
class AssumptionEntry:
    id: int
    text: str
    status: str
    note: str
    evidence: list = field(default_factory=list)


@dataclass
class LinkEntry:
    number: int
    id: int
    cause: str
    effect: str
    rationale: str
    evidence: list = field(default_factory=list)
    assumptions: list = field(default_factory=list)

    @property
    def strength(self):
        """The strongest evidence attached directly to the link (None: a gap)."""
        return strongest(str(attachment.strength) for attachment in self.evidence)


@dataclass
class Chain:
    links: list
    explanations: list
    summary: dict

    @property
    def gaps(self):
        return [entry for entry in self.links if entry.strength is None]


def node_titles(session, node_ids):
    if not node_ids:
        return {}
    return dict(session.exec(select(TocNode.id, TocNode.title).where(TocNode.id.in_(sorted(node_ids)))).all())


def claim_chain(session, claim, bands=None):
    """The chain of ``claim`` (loaded with :func:`tracker.contribution.services.claim_details`)."""
    links = claim_links(claim)
    titles = node_titles(session, {node for link in links for node in (link.cause_id, link.effect_id)})
    assumption_ids = [item.id for link in links for item in link.assumptions]
    attachments = attachments_on(session, [link.id for link in links], assumption_ids)
    on_link, on_assumption = {}, {}
    for attachment in attachments:
        if attachment.link_id is not None:
            on_link.setdefault(attachment.link_id, []).append(attachment)
        else:
            on_assumption.setdefault(attachment.assumption_id, []).append(attachment)
    entries = [
        LinkEntry(number, link.id, titles.get(link.cause_id, "?"), titles.get(link.effect_id, "?"), link.rationale,
                  on_link.get(link.id, []),
                  [AssumptionEntry(item.id, item.text, str(item.status), item.note, on_assumption.get(item.id, []))
                   for item in link.assumptions])
        for number, link in enumerate(links, start=1)
    ]
    return Chain(entries, list(claim.explanations), claim_summary(session, claim, bands))
