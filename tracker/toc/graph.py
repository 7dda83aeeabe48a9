"""Theory-of-change graph logic on plain data, built on networkx (no Flask, no database).

A ToC is a directed graph: nodes carry a result ``level`` (activity → … → impact)
and links point from cause to effect. This module checks it (cycles, orphans,
unreached outcomes, activities that lead nowhere, links that skip levels),
lists the causal pathways from activities to the impact, compares two frozen
snapshots, and offers evidence-coverage hooks: functions that take per-link or
per-node data (e.g. ``{link_id: "strong"}``) and return aggregates.

networkx is imported by the functions that use it: it would add a fifth of a second to the app's start.

A *snapshot* is the plain-data form of a whole ToC, as frozen in a version::

    {"nodes": [{"id", "level", "title", "description", "sphere", "is_precondition",
                "position", "external_factors": [{"id", "text"}]}, ...],
     "links": [{"id", "cause", "effect", "rationale",
                "assumptions": [{"id", "text", "status", "note"}]}, ...]}
"""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

LEVELS = (
    "activity",
    "output",
    "short_term_outcome",
    "intermediate_outcome",
    "long_term_outcome",
    "impact",
)
RANK = {level: index for index, level in enumerate(LEVELS)}
OUTCOME_LEVELS = frozenset({"short_term_outcome", "intermediate_outcome", "long_term_outcome"})
STRENGTHS = ("none", "weak", "moderate", "strong")
DEFAULT_PATHWAY_LIMIT = 200


@dataclass(frozen=True)
class Node:
    id: int
    level: str
    title: str = ""


@dataclass(frozen=True)
class Link:
    id: int
    cause: int
    effect: int


def build(nodes, links):
    """Return a ``networkx.DiGraph`` of ``nodes`` and ``links``; each edge carries its link ``id``."""
    import networkx as nx

    graph = nx.DiGraph()
    for node in nodes:
        graph.add_node(node.id, level=node.level, title=node.title)
    for link in links:
        graph.add_edge(link.cause, link.effect, id=link.id)
    return graph


def from_snapshot(snapshot):
    """Build the graph of a frozen (or working) snapshot."""
    return build(
        [Node(node["id"], node["level"], node["title"]) for node in snapshot["nodes"]],
        [Link(link["id"], link["cause"], link["effect"]) for link in snapshot["links"]],
    )


def title(graph, node_id):
    return graph.nodes[node_id].get("title") or f"#{node_id}"


def describe_path(graph, node_ids):
    """Return the titles along ``node_ids`` joined by arrows, e.g. "Output A → Outcome B"."""
    return " → ".join(title(graph, node_id) for node_id in node_ids)


# Cycles -------------------------------------------------------------------------------


class CycleError(ValueError):
    """Adding a link would close a loop; ``cycle`` lists the node ids, first and last the same."""

    def __init__(self, graph, cycle):
        self.cycle = list(cycle)
        self.description = describe_path(graph, self.cycle)
        super().__init__(f"This link would create a cycle: {self.description}")


def cycle_through(graph, cause, effect, replacing=None):
    """Return the cycle that a link ``cause → effect`` would close, or None.

    ``replacing`` is the ``(cause, effect)`` of a link being edited, which is
    left out of the check. The cycle starts and ends at ``cause``.
    """
    import networkx as nx

    if cause == effect:
        return [cause, cause]
    view = graph
    if replacing is not None and graph.has_edge(*replacing):
        view = nx.restricted_view(graph, [], [replacing])
    if effect not in view or cause not in view:
        return None
    try:
        back = nx.shortest_path(view, effect, cause)
    except nx.NetworkXNoPath:
        return None
    return [cause, *back]


def check_link(graph, cause, effect, replacing=None):
    """Raise :class:`CycleError` if a link ``cause → effect`` would create a cycle."""
    cycle = cycle_through(graph, cause, effect, replacing)
    if cycle is not None:
        raise CycleError(graph, cycle)


# Warnings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A problem worth a warning; ``kind`` is one of the constants below."""

    kind: str
    node_ids: tuple = ()
    link_ids: tuple = ()


ORPHAN = "orphan"
UNREACHED_OUTCOME = "unreached_outcome"
NO_PATH_TO_IMPACT = "no_path_to_impact"
SKIPS_LEVELS = "skips_levels"
RUNS_BACKWARDS = "runs_backwards"
NO_ACTIVITY = "no_activity"
NO_IMPACT = "no_impact"


def nodes_at(graph, levels):
    return [node_id for node_id, level in graph.nodes(data="level") if level in levels]


def reachable_from(graph, sources):
    import networkx as nx

    reached = set()
    for source in sources:
        if source not in reached:
            reached |= nx.descendants(graph, source) | {source}
    return reached


def find_warnings(graph):
    """Return :class:`Finding` objects for everything that looks wrong, in a stable order.

    An orphan is reported only as an orphan, not also as unreached or as
    leading nowhere. With no activity (or no impact) at all, one finding says
    so instead of one per outcome (or per activity).
    """
    findings = [Finding(ORPHAN, (node_id,)) for node_id in graph.nodes if graph.degree(node_id) == 0]
    orphans = {finding.node_ids[0] for finding in findings}
    activities = nodes_at(graph, {"activity"})
    impacts = nodes_at(graph, {"impact"})
    if graph.number_of_nodes():
        findings += missing_levels(activities, impacts)
    if activities:
        reached = reachable_from(graph, activities)
        findings += [Finding(UNREACHED_OUTCOME, (node_id,)) for node_id in nodes_at(graph, OUTCOME_LEVELS)
                     if node_id not in reached and node_id not in orphans]
    if impacts:
        leads_to_impact = reachable_from(graph.reverse(copy=False), impacts)
        findings += [Finding(NO_PATH_TO_IMPACT, (node_id,)) for node_id in activities
                     if node_id not in leads_to_impact and node_id not in orphans]
    findings += level_findings(graph)
    return findings


def missing_levels(activities, impacts):
    findings = []
    if not activities:
        findings.append(Finding(NO_ACTIVITY))
    if not impacts:
        findings.append(Finding(NO_IMPACT))
    return findings


def level_gap(graph, cause, effect):
    levels = graph.nodes[cause].get("level"), graph.nodes[effect].get("level")
    if levels[0] not in RANK or levels[1] not in RANK:
        return 1
    return RANK[levels[1]] - RANK[levels[0]]


def level_findings(graph):
    """Links that jump over more than one level, or lead from a higher level to a lower one."""
    findings = []
    for cause, effect, link_id in graph.edges(data="id"):
        gap = level_gap(graph, cause, effect)
        if gap > 2:
            findings.append(Finding(SKIPS_LEVELS, (cause, effect), (link_id,)))
        elif gap < 0:
            findings.append(Finding(RUNS_BACKWARDS, (cause, effect), (link_id,)))
    return findings


# Pathways -----------------------------------------------------------------------------


@dataclass
class Pathways:
    """Causal pathways from activities to the impact; ``total`` counts them all, ``paths`` holds at most the limit."""

    paths: list = field(default_factory=list)
    total: int = 0

    @property
    def truncated(self):
        return self.total > len(self.paths)


def count_paths(graph, sources, targets):
    """Count the paths from ``sources`` to ``targets`` in a DAG without listing them."""
    import networkx as nx

    targets = set(targets)
    counts = {}
    for node_id in reversed(list(nx.topological_sort(graph))):
        counts[node_id] = (1 if node_id in targets else 0) + sum(counts[after] for after in graph.successors(node_id))
    return sum(counts[source] for source in sources)


def pathways(graph, limit=DEFAULT_PATHWAY_LIMIT):
    """List the pathways (lists of node ids) from each activity to each impact node, activity by activity."""
    import networkx as nx

    activities = nodes_at(graph, {"activity"})
    impacts = nodes_at(graph, {"impact"})
    if not activities or not impacts:
        return Pathways()
    found = []
    for activity in activities:
        for path in nx.all_simple_paths(graph, activity, impacts):
            if len(found) >= limit:
                break
            found.append(path)
        if len(found) >= limit:
            break
    is_dag = nx.is_directed_acyclic_graph(graph)
    total = count_paths(graph, activities, impacts) if is_dag and len(found) >= limit else len(found)
    return Pathways(found, total)


def links_along(graph, path):
    """Return the link ids along a path of node ids."""
    return [graph.edges[cause, effect]["id"] for cause, effect in zip(path, path[1:], strict=False)]


# Evidence-coverage hooks --------------------------------------------------------------


def strength_rank(value):
    """Order strength words ("none" < "weak" < "moderate" < "strong"); numbers order as themselves."""
    return STRENGTHS.index(value) if value in STRENGTHS else value


def weakest(values, key=strength_rank):
    values = [value for value in values if value is not None]
    return min(values, key=key) if values else None


def strongest(values, key=strength_rank):
    values = [value for value in values if value is not None]
    return max(values, key=key) if values else None


@dataclass(frozen=True)
class NodeSummary:
    """What the links into (or out of) a node carry: how many, how many have data, weakest and strongest."""

    links: int
    covered: int
    weakest: object = None
    strongest: object = None

    @property
    def uncovered(self):
        return self.links - self.covered


def summarise_links_by_node(graph, link_values, direction="incoming", key=strength_rank):
    """Aggregate per-link data onto nodes: ``{node_id: NodeSummary}`` over each node's incoming (or outgoing) links.

    ``link_values`` maps link ids to any ordered value (strength words or numbers);
    links missing from it count as uncovered.
    """
    edges = graph.in_edges if direction == "incoming" else graph.out_edges
    summaries = {}
    for node_id in graph.nodes:
        values = [link_values.get(link_id) for _cause, _effect, link_id in edges(node_id, data="id")]
        present = [value for value in values if value is not None]
        summaries[node_id] = NodeSummary(len(values), len(present), weakest(present, key), strongest(present, key))
    return summaries


def combine_nodes_onto_links(graph, node_values, combine=min, default=None):
    """Aggregate per-node data onto links: ``{link_id: combine(cause value, effect value)}``.

    With the default ``combine=min`` a link is as well covered as its less covered end.
    Nodes missing from ``node_values`` take ``default``; a link with no value at either end maps to ``default``.
    """
    combined = {}
    for cause, effect, link_id in graph.edges(data="id"):
        values = [node_values.get(node_id, default) for node_id in (cause, effect)]
        values = [value for value in values if value is not None]
        combined[link_id] = combine(values) if values else default
    return combined


def totals_by_level(graph, node_values):
    """Sum per-node numbers (e.g. outcome counts) by level: ``{level: total}`` for every level present."""
    totals = defaultdict(int)
    for node_id, level in graph.nodes(data="level"):
        totals[level] += node_values.get(node_id, 0)
    return {level: totals[level] for level in LEVELS if level in totals}


@dataclass(frozen=True)
class PathwayStrength:
    nodes: tuple
    links: tuple
    weakest: object
    uncovered_links: tuple


def pathway_strengths(graph, link_values, paths, key=strength_rank):
    """Apply the weakest-link rule along each pathway: a chain is only as strong as its weakest link.

    A pathway with any uncovered link has ``weakest`` None and lists those links.
    """
    results = []
    for path in paths:
        link_ids = links_along(graph, path)
        uncovered = tuple(link_id for link_id in link_ids if link_values.get(link_id) is None)
        value = None if uncovered else weakest([link_values[link_id] for link_id in link_ids], key)
        results.append(PathwayStrength(tuple(path), tuple(link_ids), value, uncovered))
    return results


def coverage(graph, link_values):
    """Return how much of the graph per-link data covers: counts and the uncovered links and nodes."""
    link_ids = [link_id for _cause, _effect, link_id in graph.edges(data="id")]
    uncovered = [link_id for link_id in link_ids if link_values.get(link_id) is None]
    touched = {node_id for cause, effect, link_id in graph.edges(data="id")
               if link_values.get(link_id) is not None for node_id in (cause, effect)}
    return {
        "links": len(link_ids),
        "covered_links": len(link_ids) - len(uncovered),
        "uncovered_link_ids": uncovered,
        "nodes_without_data": [node_id for node_id in graph.nodes if node_id not in touched],
    }


# Version comparison -------------------------------------------------------------------

NODE_FIELDS = ("title", "level", "description", "sphere", "is_precondition")
LINK_FIELDS = ("cause", "effect", "rationale")


@dataclass
class SnapshotDiff:
    """What changed between two snapshots. Items are the snapshot dicts; changes carry ``(old, new)`` per field."""

    added_nodes: list = field(default_factory=list)
    removed_nodes: list = field(default_factory=list)
    changed_nodes: list = field(default_factory=list)
    added_links: list = field(default_factory=list)
    removed_links: list = field(default_factory=list)
    changed_links: list = field(default_factory=list)
    added_assumptions: list = field(default_factory=list)
    removed_assumptions: list = field(default_factory=list)
    changed_assumptions: list = field(default_factory=list)
    added_factors: list = field(default_factory=list)
    removed_factors: list = field(default_factory=list)
    changed_factors: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class Change:
    """A record in both snapshots whose ``fields`` (name → (old, new)) differ; ``parent`` is its link or node."""

    old: dict
    new: dict
    fields: dict
    parent: dict | None = None


def by_id(items):
    return {item["id"]: item for item in items}


def changed_fields(old, new, names):
    return {name: (old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)}


def compare_items(old_items, new_items, names, parents=None):
    """Return ``(added, removed, changed)`` between two lists of dicts keyed by ``id``."""
    old, new = by_id(old_items), by_id(new_items)
    parents = parents or {}
    added = [item for item_id, item in new.items() if item_id not in old]
    removed = [item for item_id, item in old.items() if item_id not in new]
    changed = []
    for item_id in new.keys() & old.keys():
        fields = changed_fields(old[item_id], new[item_id], names)
        if fields:
            changed.append(Change(old[item_id], new[item_id], fields, parents.get(item_id)))
    changed.sort(key=lambda change: change.new["id"])
    return added, removed, changed


def children(items, key):
    """Flatten the assumptions (or external factors) of links (or nodes), remembering each one's parent."""
    flat, parents = [], {}
    for item in items:
        for child in item.get(key, []):
            flat.append({**child, "parent": item["id"]})
            parents[child["id"]] = item
    return flat, parents


def diff_snapshots(old, new):
    """Compare two snapshots by their stable node and link ids."""
    diff = SnapshotDiff()
    diff.added_nodes, diff.removed_nodes, diff.changed_nodes = compare_items(old["nodes"], new["nodes"], NODE_FIELDS)
    diff.added_links, diff.removed_links, diff.changed_links = compare_items(old["links"], new["links"], LINK_FIELDS)
    old_assumptions, old_owners = children(old["links"], "assumptions")
    new_assumptions, new_owners = children(new["links"], "assumptions")
    added, removed, changed = compare_items(old_assumptions, new_assumptions, ("text", "status", "note"),
                                            new_owners)
    diff.added_assumptions = [(item, new_owners[item["id"]]) for item in added]
    diff.removed_assumptions = [(item, old_owners[item["id"]]) for item in removed]
    diff.changed_assumptions = changed
    old_factors, old_nodes = children(old["nodes"], "external_factors")
    new_factors, new_nodes = children(new["nodes"], "external_factors")
    added, removed, changed = compare_items(old_factors, new_factors, ("text",), new_nodes)
    diff.added_factors = [(item, new_nodes[item["id"]]) for item in added]
    diff.removed_factors = [(item, old_nodes[item["id"]]) for item in removed]
    diff.changed_factors = changed
    return diff
