"""The bar charts of the home pages and the access overview: labels that fit, figures that match."""

from lxml import etree

from tracker.audit.chart import LABEL_CHARACTERS
from tracker.audit.chart import render_bars

LONG_TYPE_OF_CHANGE = "Children speaking up and seeking help from trusted adults"


def labels_of(svg):
    root = etree.fromstring(svg.encode())
    return [element.text for element in root.iter("{*}text") if not element.text.isdigit()]


def test_a_long_label_is_shortened_to_what_fits_beside_its_bar():
    svg = render_bars([(LONG_TYPE_OF_CHANGE, 12)], title="Outcomes", description="Outcomes by type of change")

    [label] = labels_of(svg)

    assert len(label) <= LABEL_CHARACTERS and label.endswith("…")
    assert LONG_TYPE_OF_CHANGE.startswith(label[:-1])


def test_a_short_label_is_shown_whole():
    svg = render_bars([("Policy", 3)], title="Outcomes", description="Outcomes by type of change")

    assert labels_of(svg) == ["Policy"]
