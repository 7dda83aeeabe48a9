"""A synthetic theory of change of any size, and a timing of its analysis and diagram (``flask bench-toc``)."""

import random
import statistics
import time

from tracker.toc import graph
from tracker.toc.diagram import DiagramLink
from tracker.toc.diagram import DiagramNode
from tracker.toc.diagram import render_svg

LEVEL_SHARES = (
    ("activity", 0.30),
    ("output", 0.25),
    ("short_term_outcome", 0.17),
    ("intermediate_outcome", 0.13),
    ("long_term_outcome", 0.10),
)
SUBJECTS = ("Counsellors", "Caseworkers", "Police investigators", "Teachers", "Parents and caregivers",
            "Child-club peer leaders", "Hotline analysts", "Platform trust and safety teams", "Village volunteers",
            "Prosecutors", "Social workers", "Adolescents aged 13-17")
CHANGES = ("use the referral protocol for online abuse", "recognise grooming language in chats",
           "answer children on text channels within five minutes", "refer reports of abuse material to the hotline",
           "discuss online risks at home without blame", "record cases in the national case-management system",
           "remove reported material within 24 hours", "apply the child-safeguarding standard operating procedures",
           "ask for help when a contact turns sexual", "prioritise live-streaming cases for investigation")
PLACES = ("in Da Nang", "in three pilot provinces", "nationally", "across the ASEAN region", "in partner schools",
          "in the capital", "in rural districts", "on the helpline")


def level_counts(node_count):
    counts = [max(1, round(node_count * share)) for _level, share in LEVEL_SHARES]
    counts.append(max(1, node_count - sum(counts)))
    return dict(zip([level for level, _share in LEVEL_SHARES] + ["impact"], counts, strict=True))


def synthetic_toc(node_count=200, seed=7):
    """Return ``(nodes, links)`` of a plausible layered ToC of ``node_count`` nodes; a seed always gives one graph."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - synthetic benchmark data, not security
    nodes, by_level = [], {}
    for level, count in level_counts(node_count).items():
        for _ in range(count):
            title = f"{rng.choice(SUBJECTS)} {rng.choice(CHANGES)} {rng.choice(PLACES)}"
            node = DiagramNode(len(nodes) + 1, level, title, rng.choice(("control", "influence")), rng.random() < 0.1)
            nodes.append(node)
            by_level.setdefault(level, []).append(node)
    pairs = set()
    levels = list(by_level)
    for rank, level in enumerate(levels[1:], start=1):
        for node in by_level[level]:
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                below = levels[rank - 1] if rank < 2 or rng.random() < 0.85 else levels[rank - 2]
                pairs.add((rng.choice(by_level[below]).id, node.id))
    causes = {cause for cause, _effect in pairs}
    for rank, level in enumerate(levels[:-1]):
        for node in by_level[level]:
            if node.id not in causes:
                pairs.add((node.id, rng.choice(by_level[levels[rank + 1]]).id))
    links = [DiagramLink(index + 1, cause, effect, str(index + 1) if rng.random() < 0.2 else None)
             for index, (cause, effect) in enumerate(sorted(pairs))]
    return nodes, links


def analyse(nodes, links):
    toc = graph.build([graph.Node(n.id, n.level, n.title) for n in nodes],
                      [graph.Link(link.id, link.cause, link.effect) for link in links])
    return graph.find_warnings(toc), graph.pathways(toc)


def draw(nodes, links):
    labels = {level: level.replace("_", " ").capitalize() for level in graph.LEVELS}
    return render_svg(nodes, links, level_labels=labels, title="Synthetic theory of change",
                      description=f"{len(nodes)} nodes and {len(links)} links.")


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def benchmark(node_count=200, repeat=5, seed=7):
    """Time the analysis (warnings, pathways) and the SVG rendering of a synthetic ToC; return the figures."""
    nodes, links = synthetic_toc(node_count, seed)
    render_times, analysis_times, svg = [], [], ""
    for _ in range(repeat):
        elapsed, _result = timed(analyse, nodes, links)
        analysis_times.append(elapsed)
        elapsed, svg = timed(draw, nodes, links)
        render_times.append(elapsed)
    return {
        "nodes": len(nodes),
        "links": len(links),
        "repeat": repeat,
        "render_ms_best": round(min(render_times), 1),
        "render_ms_median": round(statistics.median(render_times), 1),
        "render_ms_worst": round(max(render_times), 1),
        "analysis_ms_median": round(statistics.median(analysis_times), 1),
        "svg_bytes": len(svg.encode("utf-8")),
        "under_one_second": max(render_times) < 1000,
    }
