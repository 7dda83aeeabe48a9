"""The evidence map on plain data: strengths per link and node, gaps, shading and coverage per level."""

from tracker.contribution import evidence_map
from tracker.toc import graph
from tracker.toc.diagram import DiagramLink
from tracker.toc.diagram import DiagramNode
from tracker.toc.diagram import render_svg

NODES = [graph.Node(1, "activity", "Train counsellors"), graph.Node(2, "output", "Counsellors trained"),
         graph.Node(3, "short_term_outcome", "Children reach counsellors"), graph.Node(4, "impact", "Children safer"),
         graph.Node(5, "activity", "Open LINE channel")]
LINKS = [graph.Link(10, 1, 2), graph.Link(11, 2, 3), graph.Link(12, 3, 4), graph.Link(13, 5, 3)]
TOC = graph.build(NODES, LINKS)
LABELS = {"strong": "Strong", "moderate": "Moderate", "weak": "Weak", "gap": "Gap"}


def test_a_link_takes_its_strongest_attached_evidence():
    rows = [(10, "weak"), (10, "strong"), (10, "moderate"), (11, "weak")]

    assert evidence_map.link_strengths(rows) == {10: "strong", 11: "weak"}


def test_a_result_takes_the_best_evidence_on_the_links_leading_to_it():
    strengths = {11: "weak", 13: "moderate"}

    assert evidence_map.node_strengths(TOC, strengths)[3] == "moderate"


def test_an_activity_takes_the_best_evidence_on_the_links_leading_from_it():
    strengths = evidence_map.node_strengths(TOC, {10: "strong"})

    assert strengths[1] == "strong" and strengths[5] is None


def test_gaps_are_the_claimed_links_without_evidence_with_their_claims():
    gaps = evidence_map.gaps(TOC, {10: "strong"}, {10: [1], 11: [1, 2], 12: [2, 2]})

    assert gaps == [evidence_map.Gap(11, 2, 3, (1, 2)), evidence_map.Gap(12, 3, 4, (2,))]


def test_unclaimed_links_without_evidence_are_not_gaps():
    assert evidence_map.gaps(TOC, {}, {}) == []


def test_shading_colours_evidenced_links_and_marks_claimed_gaps():
    nodes, links, legend = evidence_map.shading(TOC, {10: "strong"}, {11: [1]}, LABELS)

    assert links[10].stroke == evidence_map.LINK_STROKES["strong"]
    assert links[11].stroke == evidence_map.GAP_STROKE
    assert 12 not in links
    assert nodes[2].fill == evidence_map.NODE_FILLS["strong"] and 3 not in nodes
    assert [style.label for style in legend] == ["Strong", "Moderate", "Weak", "Gap"]


def test_strengths_differ_by_width_as_well_as_colour():
    widths = [evidence_map.LINK_WIDTHS[strength] for strength in ("weak", "moderate", "strong")]

    assert widths == sorted(set(widths))


def test_the_shaded_diagram_names_each_strength_in_its_legend_and_tooltips():
    nodes, links, legend = evidence_map.shading(TOC, {10: "strong", 11: "weak"}, {12: [1]}, LABELS)
    svg = render_svg([DiagramNode(node.id, node.level, node.title) for node in NODES],
                     [DiagramLink(link.id, link.cause, link.effect) for link in LINKS],
                     level_labels={}, title="Evidence map", description="", node_styles=nodes, link_styles=links,
                     legend=legend)

    assert "Counsellors trained (output; Sphere of influence (beyond the ceiling of accountability); Strong)" in svg
    assert all(f">{label}</text>" in svg for label in LABELS.values())


def test_coverage_by_level_orders_levels_causally_and_counts_links_without_evidence():
    rows = [("impact", 4, 0, 1, 0, 2, 1), ("output", 10, 3, 2, 1, 5, 2), ("custom", 1, 0, 0, 0, 0, 0)]

    levels = evidence_map.coverage_by_level(rows)

    assert [item.level for item in levels] == ["output", "impact", "custom"]
    assert levels[0].covered == 6 and levels[0].without == 4 and levels[0].share_covered == 0.6
    assert evidence_map.coverage_total(levels).links == 15


def test_a_level_without_links_has_no_share():
    assert evidence_map.LevelCoverage("impact", 0, 0, 0, 0, 0, 0).share_covered is None
