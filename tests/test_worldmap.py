"""The donors' world map: outlines simplified to what a screen or a page can show, every country still drawn."""

from lxml import etree

from tracker.home import worldmap

IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def drawn_points(path_data):
    return [tuple(int(value) for value in pair.split()) for pair in path_data.strip("MZ").split("L")]


def test_points_that_move_an_outline_by_less_than_a_unit_are_left_out():
    # A 200 × 200 square (source units, 100 × 100 drawn) whose top edge wobbles by 0.6 source units.
    wobbly_top = "M0 0" + "".join(f"L{x} {0.6 if x % 20 else 0}" for x in range(10, 200, 10)) + "L200 0L200 200L0 200Z"

    path = worldmap.path_of(worldmap.rings(wobbly_top), IDENTITY)

    assert drawn_points(path) == [(0, 0), (100, 0), (100, 100), (0, 100)]


def test_a_point_that_shapes_the_outline_is_kept():
    # A notch 10 drawn units deep in the middle of the top edge.
    notched = "M0 0L90 0L100 20L110 0L200 0L200 200L0 200Z"

    path = worldmap.path_of(worldmap.rings(notched), IDENTITY)

    assert (50, 10) in drawn_points(path)


def test_every_country_of_the_source_is_an_outline_or_the_middle_of_a_dot_but_antarctica():
    source = etree.fromstring(worldmap.world_map_source())
    countries = {element.get("class").split()[0] for element in source.iter("{http://www.w3.org/2000/svg}g")
                 if "country" in (element.get("class") or "").split()}

    paths, dots, _bounds = worldmap.geometry()

    assert {code for code, data in paths.items() if data} | set(dots) == countries - worldmap.LEFT_OUT
    assert "va" in dots and "sc" in dots


def test_a_country_too_small_to_draw_is_a_dot_named_with_its_grants_only_when_it_has_some():
    with_grants = worldmap.render_map({"SC": 2}, {"SC": "Seychelles"}, title="Grants per country", description="")
    without = worldmap.render_map({"TH": 1}, {}, title="Grants per country", description="")

    assert with_grants.count("<circle") == 1 and "<title>Seychelles: 2</title></circle>" in with_grants
    assert "<circle" not in without


def test_a_country_with_grants_but_neither_outline_nor_dot_is_left_to_the_table_without_failing_the_map():
    assert worldmap.country_shape("", None, 2, 2, "Nowhere") == ""


def test_the_drawn_map_weighs_less_than_100_kb():
    svg = worldmap.render_map({"TH": 3, "KH": 2, "VN": 1}, {"TH": "Thailand"}, title="Grants per country",
                              description="Thailand 3, Cambodia 2, Viet Nam 1")

    assert len(svg.encode()) < 100_000
    assert "<title>Thailand: 3</title>" in svg
