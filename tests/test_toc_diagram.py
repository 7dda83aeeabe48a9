"""The SVG diagram on its own: structure, accessibility, safety, layout and PDF rendering."""

import io
import re
import xml.etree.ElementTree as ET

import pytest

from tracker.bench.toc import benchmark
from tracker.bench.toc import synthetic_toc
from tracker.toc import diagram
from tracker.toc.diagram import DiagramLink
from tracker.toc.diagram import DiagramNode
from tracker.toc.diagram import Style
from tracker.toc.diagram import render_svg

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {"activity": "Activity", "output": "Output", "short_term_outcome": "Short-term outcome",
          "intermediate_outcome": "Intermediate outcome", "long_term_outcome": "Long-term outcome", "impact": "Impact"}
NODES = [
    DiagramNode(1, "activity", "Train counsellors on online-abuse contacts", "control"),
    DiagramNode(2, "output", "Counsellors answer children on chat within five minutes", "control", True),
    DiagramNode(3, "short_term_outcome", "Children disclose online abuse"),
    DiagramNode(4, "impact", "Children are safer online"),
]
LINKS = [
    DiagramLink(10, 1, 2),
    DiagramLink(11, 2, 3, badge="1", badge_title="1. Children trust chat (Untested)"),
    DiagramLink(12, 3, 4),
]


def draw(nodes=NODES, links=LINKS, **options):
    return render_svg(nodes, links, level_labels=LABELS, title="Theory of change: helpline",
                      description="Four results in four levels.", **options)


def parse(svg):
    return ET.fromstring(svg)  # noqa: S314 - the renderer's own output


def texts(root):
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_the_diagram_is_a_standalone_svg_document():
    root = parse(draw())

    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox").startswith("0 0 ")


def test_the_diagram_is_an_accessible_image_with_title_and_description():
    root = parse(draw())

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "toc-title toc-desc"
    assert root.find(f"{SVG}title").text == "Theory of change: helpline"
    assert root.find(f"{SVG}desc").text == "Four results in four levels."


def test_every_node_title_is_in_the_diagram():
    root = parse(draw())
    titles = [element.text for element in root.iter(f"{SVG}title")]

    assert all(any(title.startswith(node.title) for title in titles) for node in NODES)


def test_long_labels_are_wrapped_onto_several_lines():
    root = parse(draw())
    label = next(text for text in root.iter(f"{SVG}text") if "".join(text.itertext()).startswith("Counsellors"))

    assert len(label.findall(f"{SVG}tspan")) >= 2


def test_very_long_labels_are_cut_with_an_ellipsis_but_kept_whole_in_the_tooltip():
    title = "Counsellors " + "answer children promptly and kindly " * 12
    root = parse(draw([DiagramNode(1, "activity", title)], []))

    assert max(len(text.findall(f"{SVG}tspan")) for text in root.iter(f"{SVG}text")) == diagram.MAX_LINES
    assert any(text.endswith("…") for text in texts(root))
    assert any(element.text.startswith(title.strip()) for element in root.iter(f"{SVG}title"))


def test_columns_are_headed_by_the_levels_present_in_order():
    headings = [text for text in texts(parse(draw())) if text in LABELS.values()]

    assert headings == ["Activity", "Output", "Short-term outcome", "Impact"]


def test_fund_labels_replace_the_default_level_names():
    svg = render_svg(NODES, LINKS, level_labels={**LABELS, "short_term_outcome": "Immediate outcome"}, title="t",
                     description="d")

    assert "Immediate outcome" in texts(parse(svg))


def test_links_carry_arrowheads():
    root = parse(draw())
    paths = [path for path in root.iter(f"{SVG}path") if path.get("marker-end")]

    assert len(paths) == len(LINKS)
    assert all(path.get("marker-end") == "url(#toc-arrow-0)" for path in paths)
    assert root.find(f".//{SVG}marker").get("id") == "toc-arrow-0"


def test_links_with_assumptions_carry_a_numbered_marker_with_its_assumptions_as_tooltip():
    root = parse(draw())
    badges = [group for group in root.iter(f"{SVG}g") if group.find(f"{SVG}circle") is not None
              and group.find(f"{SVG}title") is not None]

    assert len(badges) == 1
    assert badges[0].find(f"{SVG}title").text == "1. Children trust chat (Untested)"
    assert badges[0].find(f"{SVG}text").text == "1"


def test_the_sphere_of_influence_is_drawn_dashed_and_the_legend_explains_it():
    root = parse(draw())
    rects = {rect.get("stroke-dasharray") for rect in root.iter(f"{SVG}rect") if rect.get("stroke") == "#0b4f8a"}

    assert rects == {None, "6 4"}
    assert diagram.DEFAULT_TEXT["influence"] in texts(root)


def test_preconditions_are_labelled_in_words():
    assert "PRECONDITION" in texts(parse(draw()))


def test_only_presentation_attributes_are_used():
    svg = draw()

    assert "<script" not in svg and "style=" not in svg and "class=" not in svg
    assert "href" not in svg and "@import" not in svg and "url(http" not in svg


def test_text_is_escaped():
    hostile = DiagramNode(1, "activity", '<script>alert("x")</script> & "quotes" \x00')
    svg = render_svg([hostile], [], level_labels={"activity": "<b>Act</b>"}, title="<title>", description="a & b")

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg
    assert "\x00" not in svg
    parse(svg)


def test_shading_colours_nodes_and_links_and_is_explained_in_the_legend():
    strong = Style(fill="#e3f4e8", stroke="#1e6b3a", width=3, label="Strong evidence")
    root = parse(draw(node_styles={3: strong}, link_styles={12: strong}, legend=(strong,)))

    assert any(rect.get("fill") == "#e3f4e8" and rect.get("stroke") == "#1e6b3a" for rect in root.iter(f"{SVG}rect"))
    shaded = [path for path in root.iter(f"{SVG}path") if path.get("stroke") == "#1e6b3a"]
    assert len(shaded) == 1 and shaded[0].get("marker-end") == "url(#toc-arrow-1)"
    assert "Strong evidence" in texts(root)


def test_shading_colours_that_are_not_plain_hex_codes_are_ignored():
    sneaky = Style(fill='red" onload="alert(1)', stroke="url(http://example.org/x)")

    svg = draw(node_styles={1: sneaky})

    assert "onload" not in svg and "example.org" not in svg


def test_id_prefixes_keep_several_diagrams_on_one_page_apart():
    root = parse(draw(id_prefix="v2"))

    assert root.get("aria-labelledby") == "v2-title v2-desc"
    assert root.find(f".//{SVG}marker").get("id") == "v2-arrow-0"


def test_an_empty_theory_of_change_still_renders():
    root = parse(render_svg([], [], level_labels=LABELS, title="Empty", description="No results yet."))

    assert root.find(f"{SVG}title").text == "Empty"


def test_links_within_a_level_and_backwards_links_are_drawn():
    nodes = [DiagramNode(1, "output", "A"), DiagramNode(2, "output", "B"), DiagramNode(3, "activity", "C")]
    root = parse(render_svg(nodes, [DiagramLink(10, 1, 2), DiagramLink(11, 2, 3)], level_labels=LABELS, title="t",
                            description="d"))

    assert len([path for path in root.iter(f"{SVG}path") if path.get("marker-end")]) == 2


def test_nodes_are_reordered_to_remove_crossings():
    nodes = [DiagramNode(1, "activity", "A1"), DiagramNode(2, "activity", "A2"),
             DiagramNode(3, "output", "O1"), DiagramNode(4, "output", "O2")]
    crossing = [DiagramLink(10, 1, 4), DiagramLink(11, 2, 3)]

    layout = diagram.Layout(nodes, crossing)

    assert layout.crossings(layout.neighbours()[1]) == 0


def test_a_link_spanning_several_levels_passes_through_placeholders_not_boxes():
    nodes = [DiagramNode(1, "activity", "A"), DiagramNode(2, "output", "O"),
             DiagramNode(3, "short_term_outcome", "S"), DiagramNode(4, "impact", "I")]

    layout = diagram.Layout(nodes, [DiagramLink(10, 1, 2), DiagramLink(11, 2, 3), DiagramLink(12, 1, 4)])

    assert layout.chains[12] == [1, ("via", 12, 1), ("via", 12, 2), 4]
    for column in layout.columns:
        slots = sorted((layout.slots[key] for key in column), key=lambda slot: slot.y)
        assert all(upper.y + upper.height <= lower.y for upper, lower in zip(slots, slots[1:], strict=False))


def test_crossings_are_counted_as_inversions():
    assert diagram.inversions([0, 1, 2]) == 0
    assert diagram.inversions([2, 1, 0]) == 3
    assert diagram.inversions([1, 0, 1, 0]) == 3


def test_a_200_node_synthetic_theory_of_change_renders_with_every_title():
    nodes, links = synthetic_toc(200)

    root = parse(render_svg(nodes, links, level_labels=LABELS, title="t", description="d"))

    titles = [element.text for element in root.iter(f"{SVG}title")]
    assert len(nodes) == 200
    assert all(any(title.startswith(node.title) for title in titles) for node in nodes)


def test_the_benchmark_reports_its_figures():
    figures = benchmark(node_count=30, repeat=2)

    assert figures["nodes"] == 30 and figures["repeat"] == 2 and figures["links"] > 30
    assert 0 < figures["render_ms_best"] <= figures["render_ms_worst"]
    assert figures["svg_bytes"] > 0


def test_the_same_svg_renders_inside_a_weasyprint_pdf():
    weasyprint = pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    html = f"<html><body><h1>Report</h1>{draw()}</body></html>"

    pdf = weasyprint.HTML(string=html).write_pdf()

    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Children are safer online" in re.sub(r"\s+", " ", text)


def test_the_bench_command_prints_its_timings_as_json(app):
    import json

    result = app.test_cli_runner().invoke(args=["bench-toc", "--nodes", "40", "--repeat", "2"])

    figures = json.loads(result.output)
    assert result.exit_code == 0 and figures["nodes"] == 40 and figures["repeat"] == 2
    assert {"render_ms_best", "render_ms_median", "render_ms_worst", "analysis_ms_median"} <= set(figures)
