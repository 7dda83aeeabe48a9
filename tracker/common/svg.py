"""Inline SVG from the app's own renderers.

:mod:`tracker.toc.diagram` and :mod:`tracker.indicators.chart` escape every piece of text they
draw (tests feed them hostile titles), so their output may go into a page as markup. This is
the one place where the app marks a string as safe; user content never passes through it
except as text already escaped by those renderers.
"""

from markupsafe import Markup


def rendered_svg(svg):
    """Mark an SVG string produced by one of the app's renderers as safe to insert into a page."""
    return Markup(svg)  # noqa: S704  # nosec B704 - renderer output whose text is already escaped
