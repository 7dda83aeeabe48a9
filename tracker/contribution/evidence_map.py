"""The evidence map as plain data (no Flask, no database): strength per link and node, the gaps, and coverage.

A link's strength is the strongest evidence attached to it directly (evidence on
its assumptions is shown with the assumptions, not counted as evidence that the
causal step happened). A result's strength is the strongest evidence on the links
leading to it; a result that nothing leads to (an activity) takes the strongest
evidence on the links leading from it. The *gaps* are the links on a claimed
pathway that have no evidence: the M&E to-do list.

Strengths are the words "weak", "moderate" and "strong"; ``None`` means no
evidence. :mod:`tracker.toc.graph` supplies the ordering and aggregation hooks.
"""

from dataclasses import dataclass

from tracker.toc import graph
from tracker.toc.diagram import Style

STRENGTHS = ("weak", "moderate", "strong")

# Shading: light fills keep the node text readable (contrast ≥ 7:1 with the diagram ink);
# link widths differ as well as colours, so the map does not rely on colour alone.
NODE_FILLS = {"strong": "#b9e0c4", "moderate": "#fde7a9", "weak": "#f4d3ee"}
NODE_STROKES = {"strong": "#1e6b3a", "moderate": "#8a5a00", "weak": "#7a2e6e"}
LINK_STROKES = {"strong": "#1e6b3a", "moderate": "#8a5a00", "weak": "#7a2e6e"}
LINK_WIDTHS = {"strong": 5, "moderate": 3.5, "weak": 2.5}
GAP_STROKE = "#b3261e"
GAP_WIDTH = 2.5


def strongest(values):
    """The strongest of some strength words (None if there are none)."""
    return graph.strongest([value for value in values if value in STRENGTHS])


def link_strengths(rows):
    """``{link_id: strongest strength}`` from ``(link_id, strength)`` rows (one row per attachment)."""
    best = {}
    for link_id, strength in rows:
        best[link_id] = strongest([best.get(link_id), str(strength)])
    return best


def node_strengths(toc, strengths):
    """``{node_id: strength or None}``: the best evidence on a node's incoming links, else its outgoing links."""
    incoming = graph.summarise_links_by_node(toc, strengths, "incoming")
    outgoing = graph.summarise_links_by_node(toc, strengths, "outgoing")
    return {node_id: summary.strongest if summary.links else outgoing[node_id].strongest
            for node_id, summary in incoming.items()}


@dataclass(frozen=True)
class Gap:
    """A link on a claimed pathway with no evidence, and the claims whose pathway it is on."""

    link_id: int
    cause: int
    effect: int
    claim_ids: tuple


def gaps(toc, strengths, claimed):
    """The links on claimed pathways without evidence, in the order the ToC lists its links.

    :param claimed: ``{link_id: [claim ids]}`` for every link on some claim's pathway.
    """
    found = []
    for cause, effect, link_id in toc.edges(data="id"):
        if link_id in claimed and strengths.get(link_id) is None:
            found.append(Gap(link_id, cause, effect, tuple(sorted(set(claimed[link_id])))))
    return found


def shading(toc, strengths, claimed, labels):
    """Diagram styles: ``(node_styles, link_styles, legend)`` for :func:`tracker.toc.diagram.render_svg`.

    :param labels: legend words for "strong", "moderate", "weak" and "gap".
    """
    legend_links = {strength: Style(stroke=LINK_STROKES[strength], width=LINK_WIDTHS[strength],
                                    fill=NODE_FILLS[strength], label=labels[strength]) for strength in STRENGTHS}
    gap = Style(stroke=GAP_STROKE, width=GAP_WIDTH, label=labels["gap"])
    link_styles = {}
    for _cause, _effect, link_id in toc.edges(data="id"):
        strength = strengths.get(link_id)
        if strength is not None:
            link_styles[link_id] = legend_links[strength]
        elif link_id in claimed:
            link_styles[link_id] = gap
    node_styles = {node_id: Style(fill=NODE_FILLS[strength], stroke=NODE_STROKES[strength], label=labels[strength])
                   for node_id, strength in node_strengths(toc, strengths).items() if strength is not None}
    legend = (legend_links["strong"], legend_links["moderate"], legend_links["weak"], gap)
    return node_styles, link_styles, legend


# Portfolio coverage -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelCoverage:
    """Links leading to results at one ToC level, across projects, by the strongest evidence they carry."""

    level: str
    links: int
    strong: int
    moderate: int
    weak: int
    claimed: int
    gaps: int

    @property
    def covered(self):
        return self.strong + self.moderate + self.weak

    @property
    def without(self):
        return self.links - self.covered

    @property
    def share_covered(self):
        return self.covered / self.links if self.links else None


def coverage_by_level(rows):
    """One :class:`LevelCoverage` per level present, in causal order, from per-level count rows.

    Each row is ``(level, links, strong, moderate, weak, claimed, gaps)``; levels outside
    the known six are listed after them.
    """
    by_level = {str(row[0]): LevelCoverage(str(row[0]), *(int(value or 0) for value in row[1:])) for row in rows}
    order = sorted(by_level, key=lambda level: (graph.RANK.get(level, len(graph.RANK)), level))
    return [by_level[level] for level in order]


def coverage_total(levels):
    """The sum of every level's counts (for the table's total row)."""
    return LevelCoverage("total", *(sum(getattr(item, name) for item in levels)
                                    for name in ("links", "strong", "moderate", "weak", "claimed", "gaps")))
