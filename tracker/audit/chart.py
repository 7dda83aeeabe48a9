"""Horizontal bar charts of the access overview, as SVG; the page gives the same figures in a table next to each.

Every piece of text goes through :mod:`tracker.common.svg` (labels are account addresses and project titles).
"""

from tracker.common.svg import attr
from tracker.common.svg import text

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 240
BAR_WIDTH = 360
VALUE_WIDTH = 70
# What fits in LABEL_WIDTH at 12 px, wide letters included; the table beside the chart has the whole label.
LABEL_CHARACTERS = 31
TOP = 8
FILL = "#2f5d8a"
INK = "#1d1d1b"


def render_bars(rows, *, title, description, id_prefix="chart"):
    """``rows``: [(label, value)]; return a standalone SVG string, one labelled bar per row."""
    rows = list(rows)
    largest = max((value for _label, value in rows), default=0) or 1
    height = TOP * 2 + max(len(rows), 1) * (BAR_HEIGHT + GAP)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    prefix = "".join(character for character in id_prefix if character.isalnum() or character in "-_") or "chart"
    body = []
    for index, (label, value) in enumerate(rows):
        y = TOP + index * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / largest, 1)
        middle = y + BAR_HEIGHT / 2 + 4
        shown = label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1].rstrip() + "…"
        body.append(f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" font-size="12" '
                    f'fill="{INK}">{text(shown)}</text>'
                    f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="{FILL}"/>'
                    f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" font-size="12" fill="{INK}">{value}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby={attr(prefix + "-title")} '
        f'aria-describedby={attr(prefix + "-desc")} width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">'
        f'<title id={attr(prefix + "-title")}>{text(title)}</title>'
        f'<desc id={attr(prefix + "-desc")}>{text(description)}</desc>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )
