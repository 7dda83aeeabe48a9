"""SVG drawn by the app's own renderers: escaping the text they draw, and marking their output safe.

:mod:`tracker.toc.diagram` and :mod:`tracker.indicators.chart` pass every piece of text they draw
through :func:`text` or :func:`attr` (tests feed them hostile titles), so their output may go into a
page as markup. :func:`rendered_svg` is the one place where the app marks a string as safe; user
content never passes through it except as text already escaped here.
"""

import html
import re

from markupsafe import Markup

# Characters XML 1.0 cannot hold at all, escaped or not.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(value):
    """``value`` as text without the characters an XML document cannot contain."""
    return NOT_XML.sub("", str(value))


def text(value):
    """``value`` escaped for an element's content."""
    return html.escape(clean(value), quote=False)


def attr(value):
    """``value`` escaped and quoted as an attribute value."""
    return '"' + html.escape(clean(value), quote=True) + '"'


def rendered_svg(svg):
    """Mark an SVG string produced by one of the app's renderers as safe to insert into a page."""
    return Markup(svg)  # noqa: S704  # nosec B704 - renderer output whose text is already escaped
