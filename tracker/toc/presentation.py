"""Everything a page (or a PDF) shows about one theory of change, computed from a snapshot (plain data, no Flask).

The working graph and every frozen version go through the same path, so a
version looks exactly as the ToC looked when it was frozen.
"""

from dataclasses import dataclass

from tracker.toc import graph
from tracker.toc.diagram import DiagramLink
from tracker.toc.diagram import DiagramNode
from tracker.toc.diagram import render_svg


@dataclass
class Picture:
    snapshot: dict
    labels: dict
    graph: object
    nodes: dict
    levels: list
    links: list
    badges: dict
    findings: list
    pathways: graph.Pathways

    @property
    def is_empty(self):
        return not self.nodes

    def title(self, node_id):
        node = self.nodes.get(node_id)
        return node["title"] if node else f"#{node_id}"

    def path_titles(self, path):
        return [self.title(node_id) for node_id in path]


def number_badges(links):
    """Number the links that carry assumptions 1, 2, 3… in reading order."""
    badges = {}
    for link in links:
        if link.get("assumptions"):
            badges[link["id"]] = str(len(badges) + 1)
    return badges


def picture(snapshot, labels, pathway_limit=graph.DEFAULT_PATHWAY_LIMIT):
    """Analyse ``snapshot``: nodes grouped by level, numbered assumption links, warnings and pathways."""
    toc = graph.from_snapshot(snapshot)
    nodes = {node["id"]: node for node in snapshot["nodes"]}
    levels = []
    for level in graph.LEVELS:
        members = [node for node in snapshot["nodes"] if node["level"] == level]
        if members:
            levels.append((level, labels.get(level, level), members))
    badges = number_badges(snapshot["links"])
    links = [{**link, "badge": badges.get(link["id"])} for link in snapshot["links"]]
    return Picture(snapshot, labels, toc, nodes, levels, links, badges, graph.find_warnings(toc),
                   graph.pathways(toc, pathway_limit))


def badge_title(picture, link, status_labels):
    assumptions = "; ".join(f"{item['text']} ({status_labels.get(item['status'], item['status'])})"
                            for item in link["assumptions"])
    return (f"{link['badge']}. {picture.title(link['cause'])} → {picture.title(link['effect'])}: {assumptions}")


def diagram_svg(picture, *, title, description, words=None, status_labels=None, node_styles=None,
                link_styles=None, legend=(), id_prefix="toc"):
    """Render the picture's diagram; see :func:`tracker.toc.diagram.render_svg` for the shading arguments."""
    status_labels = status_labels or {}
    nodes = [DiagramNode(node["id"], node["level"], node["title"], node["sphere"], node["is_precondition"])
             for node in picture.snapshot["nodes"]]
    links = [DiagramLink(link["id"], link["cause"], link["effect"], link["badge"],
                         badge_title(picture, link, status_labels) if link["badge"] else "")
             for link in picture.links]
    return render_svg(nodes, links, level_labels=picture.labels, title=title, description=description, words=words,
                      node_styles=node_styles, link_styles=link_styles, legend=legend, id_prefix=id_prefix)
