"""The homes' charts as template globals, so that the screen pages and the portfolio PDF draw them alike.

``templates/home/_charts.html`` calls them; each chart there stands beside a table of the same figures.
"""

import functools

from tracker.audit.chart import render_bars
from tracker.common.countries import country_name
from tracker.common.svg import rendered_svg
from tracker.home import worldmap
from tracker.msc.labels import label
from tracker.web.requests import language

# Drawn maps kept per process: the same counts, words and language always draw the same map.
DRAWN_MAPS = 32


def bar_chart(rows, title, description, id_prefix):
    """``rows``: [(label, count)] as the table beside it shows them."""
    return rendered_svg(render_bars([(str(label), count) for label, count in rows], title=str(title),
                                    description=str(description), id_prefix=id_prefix))


def world_map(counts, title, description, id_prefix="grants-map"):
    """``counts``: [(country code, grants)]. The map's ``<title>`` and ``<desc>`` give its text alternative."""
    return rendered_svg(drawn_map(tuple(counts), str(title), str(description), id_prefix, language()))


@functools.lru_cache(maxsize=DRAWN_MAPS)
def drawn_map(counts, title, description, id_prefix, reader_language):
    names = {code: country_name(code, reader_language) for code, _count in counts}
    return worldmap.render_map(dict(counts), names, title=title, description=description, id_prefix=id_prefix)


def map_legend(counts):
    return worldmap.legend(max((count for _code, count in counts), default=0))


def labelled(rows):
    """``[(enum member, count)]`` as ``[(its display label, count)]``."""
    return [(str(label(value)), count) for value, count in rows]


def grants_per_country(groups):
    """The portfolio report's country groups as ``[(country code, projects)]``, most projects first."""
    return sorted(((group.name, len(group.projects)) for group in groups), key=lambda row: (-row[1], row[0]))
