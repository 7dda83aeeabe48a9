"""Draw a theory of change as one standalone SVG string (no Flask, no CSS, no script, no external resources).

Levels are columns, left to right (activities → impact). Within a column, nodes
are ordered to reduce crossings with the barycentre heuristic; a link that
spans several columns passes through placeholder slots so that it never runs
through another node's box. Only presentation attributes are used, so the same
SVG works inline under a strict Content-Security-Policy and inside WeasyPrint PDFs.

Every piece of text is escaped here; callers pass plain strings (already
translated) and may shade nodes and links, e.g. by evidence strength.
"""

import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass

from tracker.common.svg import clean
from tracker.common.svg import text
from tracker.toc.graph import RANK

BOX_WIDTH = 200
COLUMN_GAP = 76
MARGIN = 16
HEADER_HEIGHT = 48
PADDING = 8
FONT_SIZE = 13
LINE_HEIGHT = 16
TAG_HEIGHT = 14
MAX_LINES = 6
NODE_GAP = 18
PLACEHOLDER_HEIGHT = 4
LOOP_REACH = 46
SWEEPS = 6
CHARS_PER_LINE = int((BOX_WIDTH - 2 * PADDING) / (FONT_SIZE * 0.56))

INK = "#1b1f24"
LINK_INK = "#4a5361"
BRAND = "#0b4f8a"
BAND = "#f3f5f8"
INFLUENCE_FILL = "#eef4fb"
BADGE_FILL = "#8a5a00"
TAG_INK = "#6b4500"

COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

DEFAULT_TEXT = {
    "control": "Within the project's sphere of control",
    "influence": "Sphere of influence (beyond the ceiling of accountability)",
    "precondition": "Precondition",
    "assumptions": "Numbered marker: assumptions on that link, listed with the diagram",
}


@dataclass(frozen=True)
class DiagramNode:
    id: int
    level: str
    title: str
    sphere: str = "influence"
    is_precondition: bool = False


@dataclass(frozen=True)
class DiagramLink:
    id: int
    cause: int
    effect: int
    badge: str | None = None
    badge_title: str = ""


@dataclass(frozen=True)
class Style:
    """Shading for a node or link; ``label`` names it in the legend (e.g. "Strong evidence")."""

    fill: str | None = None
    stroke: str | None = None
    width: float | None = None
    label: str | None = None


@dataclass
class Slot:
    """A box in a column: a node, or a placeholder that a long link passes through."""

    key: object
    column: int
    height: float
    lines: tuple = ()
    node: DiagramNode | None = None
    y: float = 0.0

    @property
    def centre(self):
        return self.y + self.height / 2


def colour(value, default):
    return value if value and COLOUR.match(value) else default


def wrap(title, width=CHARS_PER_LINE, max_lines=MAX_LINES):
    """Wrap a label into at most ``max_lines`` lines, ending with an ellipsis when cut."""
    lines = textwrap.wrap(clean(title), width=width, break_long_words=True, break_on_hyphens=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return tuple(lines)


# Layout --------------------------------------------------------------------------------


class Layout:
    """Columns of slots with coordinates, and each forward link's chain of slots."""

    def __init__(self, nodes, links):
        levels = sorted({node.level for node in nodes}, key=lambda level: (RANK.get(level, len(RANK)), level))
        self.levels = levels
        self.columns = [[] for _ in levels]
        self.slots = {}
        self.chains = {}
        self.other_links = []
        column_of = {level: index for index, level in enumerate(levels)}
        for node in nodes:
            lines = wrap(node.title)
            height = 2 * PADDING + len(lines) * LINE_HEIGHT + (TAG_HEIGHT if node.is_precondition else 0)
            self.add(Slot(node.id, column_of[node.level], height, lines, node))
        for link in links:
            if link.cause not in self.slots or link.effect not in self.slots:
                continue
            start, end = self.slots[link.cause].column, self.slots[link.effect].column
            if end <= start:
                self.other_links.append(link)
                continue
            chain = [link.cause]
            for column in range(start + 1, end):
                chain.append(self.add(Slot(("via", link.id, column), column, PLACEHOLDER_HEIGHT)).key)
            self.chains[link.id] = [*chain, link.effect]
        self.order()
        self.place()

    def add(self, slot):
        self.slots[slot.key] = slot
        self.columns[slot.column].append(slot.key)
        return slot

    def neighbours(self):
        before, after = defaultdict(list), defaultdict(list)
        for chain in self.chains.values():
            for upper, lower in zip(chain, chain[1:], strict=False):
                after[upper].append(lower)
                before[lower].append(upper)
        return before, after

    def order(self):
        """Barycentre sweeps, keeping the ordering with the fewest crossings."""
        before, after = self.neighbours()
        best, fewest = [list(column) for column in self.columns], self.crossings(after)
        for _sweep in range(SWEEPS):
            for index in range(1, len(self.columns)):
                self.reorder(index, before)
            for index in range(len(self.columns) - 2, -1, -1):
                self.reorder(index, after)
            count = self.crossings(after)
            if count < fewest:
                best, fewest = [list(column) for column in self.columns], count
            if fewest == 0:
                break
        self.columns = best

    def reorder(self, index, related):
        position = {key: rank for column in self.columns for rank, key in enumerate(column)}

        def barycentre(key):
            others = related.get(key)
            if not others:
                return position[key]
            return sum(position[other] for other in others) / len(others)

        self.columns[index].sort(key=lambda key: (barycentre(key), position[key]))

    def crossings(self, after):
        position = {key: rank for column in self.columns for rank, key in enumerate(column)}
        total = 0
        for column in self.columns[:-1]:
            pairs = sorted((position[upper], position[lower]) for upper in column for lower in after.get(upper, ()))
            total += inversions([lower for _upper, lower in pairs])
        return total

    def place(self):
        """Stack each column, then pull slots towards their neighbours' height, keeping order and gaps."""
        before, after = self.neighbours()
        for column in self.columns:
            self.stack(column, {})
        for _sweep in range(3):
            for column in self.columns[1:]:
                self.stack(column, self.wishes(column, before))
            for column in reversed(self.columns[:-1]):
                self.stack(column, self.wishes(column, after))
        top = min((slot.y for slot in self.slots.values()), default=0)
        for slot in self.slots.values():
            slot.y += HEADER_HEIGHT + MARGIN - top

    def wishes(self, column, related):
        wished = {}
        for key in column:
            others = related.get(key)
            if others:
                centre = sum(self.slots[other].centre for other in others) / len(others)
                wished[key] = centre - self.slots[key].height / 2
        return wished

    def stack(self, column, wished):
        bottom = None
        for key in column:
            slot = self.slots[key]
            y = wished.get(key, slot.y if bottom is None else bottom)
            if bottom is not None:
                y = max(y, bottom + self.gap(slot))
            slot.y = max(y, 0) if bottom is None else y
            bottom = slot.y + slot.height

    @staticmethod
    def gap(slot):
        return NODE_GAP if slot.node is not None else NODE_GAP / 2

    def left(self, slot):
        return MARGIN + slot.column * (BOX_WIDTH + COLUMN_GAP)

    def right(self, slot):
        return self.left(slot) + BOX_WIDTH

    @property
    def width(self):
        count = max(len(self.columns), 1)
        return 2 * MARGIN + count * BOX_WIDTH + (count - 1) * COLUMN_GAP + LOOP_REACH

    @property
    def bottom(self):
        return max((slot.y + slot.height for slot in self.slots.values()), default=HEADER_HEIGHT + MARGIN)


def inversions(sequence):
    """Count pairs out of order in ``sequence`` (a Fenwick tree, O(n log n))."""
    if not sequence:
        return 0
    size = max(sequence) + 2
    tree = [0] * (size + 1)
    total = 0
    for seen, value in enumerate(sequence):
        index, smaller_or_equal = value + 1, 0
        while index > 0:
            smaller_or_equal += tree[index]
            index -= index & -index
        total += seen - smaller_or_equal
        index = value + 1
        while index <= size:
            tree[index] += 1
            index += index & -index
    return total


# Drawing -------------------------------------------------------------------------------


def ports(layout, slot_key, others, side):
    """Spread the ends of several links along one side of a box, in the order of the slots they lead to."""
    slot = layout.slots[slot_key]
    ordered = sorted(others, key=lambda item: layout.slots[item[1]].centre)
    if slot.node is None:
        return {link_id: slot.centre for link_id, _other in ordered}
    inner = slot.height * 0.6
    top = slot.y + (slot.height - inner) / 2
    step = inner / (len(ordered) + 1)
    return {link_id: top + step * (rank + 1) for rank, (link_id, _other) in enumerate(ordered)}


def link_ports(layout):
    outgoing, incoming = defaultdict(list), defaultdict(list)
    for link_id, chain in layout.chains.items():
        outgoing[chain[0]].append((link_id, chain[1]))
        incoming[chain[-1]].append((link_id, chain[-2]))
    out_y = {key: ports(layout, key, items, "right") for key, items in outgoing.items()}
    in_y = {key: ports(layout, key, items, "left") for key, items in incoming.items()}
    return out_y, in_y


def curve(x1, y1, x2, y2):
    half = (x2 - x1) / 2
    return f"C {x1 + half:.1f},{y1:.1f} {x2 - half:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def midpoint(x1, y1, x2, y2):
    """The middle of :func:`curve` (a cubic Bézier at t = 0.5)."""
    return (x1 + x2) / 2, (y1 + y2) / 2


def chain_path(layout, link_id, chain, out_y, in_y):
    start, end = layout.slots[chain[0]], layout.slots[chain[-1]]
    x, y = layout.right(start), out_y[chain[0]][link_id]
    parts = [f"M {x:.1f},{y:.1f}"]
    badge_at = None
    for key in chain[1:-1]:
        slot = layout.slots[key]
        parts.append(curve(x, y, layout.left(slot), slot.centre))
        badge_at = badge_at or midpoint(x, y, layout.left(slot), slot.centre)
        x, y = layout.right(slot), slot.centre
        parts.append(f"L {x:.1f},{y:.1f}")
    end_y = in_y[chain[-1]][link_id]
    parts.append(curve(x, y, layout.left(end), end_y))
    return " ".join(parts), badge_at or midpoint(x, y, layout.left(end), end_y)


def loop_path(layout, link):
    """A link within one column, or backwards: a curve outside the boxes' right or left side."""
    cause, effect = layout.slots[link.cause], layout.slots[link.effect]
    if cause.column == effect.column:
        x = layout.right(cause)
        x1, y1, y2 = x, cause.centre, effect.centre
        path = f"M {x1:.1f},{y1:.1f} C {x1 + LOOP_REACH:.1f},{y1:.1f} {x1 + LOOP_REACH:.1f},{y2:.1f} {x1:.1f},{y2:.1f}"
        return path, (x1 + LOOP_REACH * 0.75, (y1 + y2) / 2)
    x1, y1 = layout.left(cause), cause.centre
    x2, y2 = layout.right(effect), effect.centre
    path = (f"M {x1:.1f},{y1:.1f} C {x1 - LOOP_REACH:.1f},{y1:.1f} {x2 + LOOP_REACH:.1f},{y2:.1f} "
            f"{x2:.1f},{y2:.1f}")
    return path, ((x1 + x2) / 2, (y1 + y2) / 2)


class Canvas:
    """Collects SVG fragments and the arrowhead markers they need (one per link colour)."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.parts = []
        self.markers = {}

    def marker(self, stroke):
        if stroke not in self.markers:
            self.markers[stroke] = f"{self.prefix}-arrow-{len(self.markers)}"
        return self.markers[stroke]

    def defs(self):
        markers = "".join(
            f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" markerHeight="10" '
            f'orient="auto" markerUnits="userSpaceOnUse"><path d="M 0,0 L 10,5 L 0,10 z" fill="{stroke}"/></marker>'
            for stroke, marker_id in self.markers.items()
        )
        return f"<defs>{markers}</defs>"


def draw_columns(canvas, layout, level_labels):
    height = layout.bottom + MARGIN - HEADER_HEIGHT
    for index, level in enumerate(layout.levels):
        x = MARGIN + index * (BOX_WIDTH + COLUMN_GAP)
        canvas.parts.append(f'<rect x="{x - 8}" y="{MARGIN}" width="{BOX_WIDTH + 16}" height="{height:.1f}" '
                            f'rx="6" fill="{BAND}"/>')
        lines = wrap(level_labels.get(level, level), width=CHARS_PER_LINE - 2, max_lines=2)
        tspans = "".join(f'<tspan x="{x + BOX_WIDTH / 2}" dy="{0 if rank == 0 else LINE_HEIGHT}">{text(line)}</tspan>'
                         for rank, line in enumerate(lines))
        canvas.parts.append(f'<text x="{x + BOX_WIDTH / 2}" y="{MARGIN + 20}" text-anchor="middle" font-size="13" '
                            f'font-weight="bold" fill="{INK}">{tspans}</text>')


def draw_links(canvas, layout, links, styles):
    out_y, in_y = link_ports(layout)
    badges = []
    for link in links:
        if link.id in layout.chains:
            path, badge_at = chain_path(layout, link.id, layout.chains[link.id], out_y, in_y)
        elif link.cause in layout.slots and link.effect in layout.slots:
            path, badge_at = loop_path(layout, link)
        else:
            continue
        style = styles.get(link.id) or Style()
        stroke = colour(style.stroke, LINK_INK)
        width = style.width or 1.5
        canvas.parts.append(f'<path d="{path}" fill="none" stroke="{stroke}" stroke-width="{width}" '
                            f'marker-end="url(#{canvas.marker(stroke)})"/>')
        if link.badge:
            badges.append((link, badge_at))
    for link, (x, y) in badges:
        canvas.parts.append(
            f'<g><title>{text(link.badge_title or link.badge)}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="{BADGE_FILL}" stroke="#ffffff" stroke-width="1.5"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" font-weight="bold" '
            f'fill="#ffffff">{text(link.badge)}</text></g>'
        )


def draw_nodes(canvas, layout, level_labels, styles, words):
    for slot in layout.slots.values():
        node = slot.node
        if node is None:
            continue
        style = styles.get(node.id) or Style()
        control = node.sphere == "control"
        fill = colour(style.fill, "#ffffff" if control else INFLUENCE_FILL)
        stroke = colour(style.stroke, BRAND)
        x, y = layout.left(slot), slot.y
        description = [level_labels.get(node.level, node.level), words["control"] if control else words["influence"]]
        if node.is_precondition:
            description.append(words["precondition"])
        if style.label:
            description.append(str(style.label))
        dash = "" if control else ' stroke-dasharray="6 4"'
        parts = [f"<g><title>{text(node.title)} ({text('; '.join(description))})</title>",
                 f'<rect x="{x}" y="{y:.1f}" width="{BOX_WIDTH}" height="{slot.height:.1f}" rx="6" fill="{fill}" '
                 f'stroke="{stroke}" stroke-width="{2 if control else 1.5}"{dash}/>']
        line_y = y + PADDING + FONT_SIZE - 1
        if node.is_precondition:
            parts.append(f'<text x="{x + PADDING}" y="{line_y - 2:.1f}" font-size="10" font-weight="bold" '
                         f'letter-spacing="0.5" fill="{TAG_INK}">{text(words["precondition"].upper())}</text>')
            line_y += TAG_HEIGHT
        tspans = "".join(f'<tspan x="{x + PADDING}" dy="{0 if rank == 0 else LINE_HEIGHT}">{text(line)}</tspan>'
                         for rank, line in enumerate(slot.lines))
        parts.append(f'<text x="{x + PADDING}" y="{line_y:.1f}" font-size="{FONT_SIZE}" fill="{INK}">{tspans}</text>')
        parts.append("</g>")
        canvas.parts.append("".join(parts))


def legend_entries(words, extra):
    entries = [
        (f'<rect x="0" y="-11" width="26" height="16" rx="3" fill="#ffffff" stroke="{BRAND}" stroke-width="2"/>',
         words["control"]),
        (f'<rect x="0" y="-11" width="26" height="16" rx="3" fill="{INFLUENCE_FILL}" stroke="{BRAND}" '
         f'stroke-width="1.5" stroke-dasharray="6 4"/>', words["influence"]),
        (f'<circle cx="13" cy="-3" r="9" fill="{BADGE_FILL}"/><text x="13" y="1" text-anchor="middle" font-size="10" '
         f'font-weight="bold" fill="#ffffff">1</text>', words["assumptions"]),
    ]
    for style in extra:
        fill, stroke = colour(style.fill, "#ffffff"), colour(style.stroke, LINK_INK)
        entries.append((f'<rect x="0" y="-11" width="26" height="16" rx="3" fill="{fill}" stroke="{stroke}" '
                        f'stroke-width="{style.width or 2}"/>', style.label or ""))
    return entries


def draw_legend(canvas, entries, top, width):
    """Lay the legend out in rows that fit the drawing's width; return the height used."""
    x, y, row_height = MARGIN, top + 18, 24
    for symbol, label in entries:
        item_width = 36 + int(len(clean(label)) * 6.6) + 24
        if x > MARGIN and x + item_width > width - MARGIN:
            x, y = MARGIN, y + row_height
        canvas.parts.append(f'<g transform="translate({x},{y})">{symbol}<text x="34" y="2" font-size="12" '
                            f'fill="{INK}">{text(label)}</text></g>')
        x += item_width
    return y - top + row_height


def render_svg(nodes, links, *, level_labels, title, description, words=None, node_styles=None,
               link_styles=None, legend=(), id_prefix="toc"):
    """Return the ToC diagram as a standalone SVG document string.

    :param level_labels: ``{level: label}`` for the column headings.
    :param title: the accessible name (``<title>``); ``description`` becomes ``<desc>``.
    :param words: translations of the legend and tooltip words (see ``DEFAULT_TEXT``).
    :param node_styles: ``{node_id: Style}`` shading, e.g. by evidence strength;
        ``link_styles`` likewise for links; ``legend`` lists the styles to explain.
    :param id_prefix: keeps element ids unique when several diagrams share a page.
    """
    words = {**DEFAULT_TEXT, **(words or {})}
    prefix = re.sub(r"[^A-Za-z0-9_-]", "", id_prefix) or "toc"
    layout = Layout(list(nodes), list(links))
    canvas = Canvas(prefix)
    width = max(layout.width, 480)
    draw_columns(canvas, layout, level_labels)
    draw_links(canvas, layout, links, link_styles or {})
    draw_nodes(canvas, layout, level_labels, node_styles or {}, words)
    legend_top = layout.bottom + MARGIN
    legend_height = draw_legend(canvas, legend_entries(words, legend), legend_top, width)
    height = legend_top + legend_height + MARGIN
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="Helvetica, Arial, sans-serif">'
        f'<title id="{prefix}-title">{text(title)}</title><desc id="{prefix}-desc">{text(description)}</desc>'
        f'{canvas.defs()}<rect width="100%" height="100%" fill="#ffffff"/>'
        + "".join(canvas.parts)
        + "</svg>"
    )
