"""An indicator's progress as a standalone SVG bar chart: baseline → target → actual per period (no Flask, no CSS).

Targets are outlined bars, approved actuals solid bars, provisional actuals
(submitted, not yet approved) pale dashed bars, and the baseline a dashed line.
The chart never carries information in colour alone: the legend and every
bar's ``<title>`` name what it shows, and pages put the data table next to it.
"""

import math
import textwrap
from dataclasses import dataclass

from tracker.common.svg import attr
from tracker.common.svg import text

BRAND = "#0b4f8a"
INK = "#1b1f24"
MUTED = "#4a5361"
GRID = "#dde2e8"
PROVISIONAL_FILL = "#b9d0ea"
BASELINE_INK = "#8a5a00"
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 84, 64
HEIGHT = 380
MIN_GROUP_WIDTH = 110
MIN_WIDTH = 640

DEFAULT_WORDS = {
    "target": "Target",
    "actual": "Actual (approved)",
    "provisional": "Actual (provisional: awaiting review)",
    "none": "no value",
}


@dataclass(frozen=True)
class ChartPeriod:
    label: str
    target: float | None = None
    actual: float | None = None
    provisional: bool = False


@dataclass(frozen=True)
class Baseline:
    label: str
    value: float


def number(value, percentage=False):
    """Format a value for the chart: thousands separators, at most two decimals."""
    if value is None:
        return ""
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{shown}%" if percentage else shown


def nice_ticks(low, high, count=5):
    """Round tick values covering ``low``..``high`` (e.g. 0, 250, 500 …)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    ticks, value = [], start
    while value <= stop + step / 1000:
        ticks.append(round(value, 10))
        value += step
    return ticks


class Scale:
    def __init__(self, values, percentage):
        values = [float(value) for value in values if value is not None]
        low = min([0.0, *values])
        high = max([*values, 100.0 if percentage else 1.0])
        self.ticks = nice_ticks(low, high * (1 if percentage else 1.08))
        self.low, self.high = self.ticks[0], self.ticks[-1]

    def y(self, value):
        share = (float(value) - self.low) / (self.high - self.low)
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share)


def legend(words, has_provisional, baseline, width, percentage):
    items = [
        (f'<rect x="0" y="-10" width="16" height="12" fill="#ffffff" stroke="{BRAND}" stroke-width="2"/>',
         words["target"]),
        (f'<rect x="0" y="-10" width="16" height="12" fill="{BRAND}"/>', words["actual"]),
    ]
    if has_provisional:
        items.append((f'<rect x="0" y="-10" width="16" height="12" fill="{PROVISIONAL_FILL}" stroke="{BRAND}" '
                      f'stroke-width="1.5" stroke-dasharray="4 3"/>', words["provisional"]))
    if baseline is not None:
        items.append((f'<line x1="0" y1="-4" x2="16" y2="-4" stroke="{BASELINE_INK}" stroke-width="2" '
                      f'stroke-dasharray="6 4"/>', baseline_text(baseline, percentage)))
    parts, x, y = [], LEFT, 22
    for symbol, label in items:
        item_width = 22 + int(len(label) * 6.6) + 24
        if x > LEFT and x + item_width > width - RIGHT:
            x, y = LEFT, y + 22
        parts.append(f'<g transform="translate({x},{y})">{symbol}<text x="22" y="1" font-size="12" '
                     f'fill="{INK}">{text(label)}</text></g>')
        x += item_width
    return "".join(parts)


def axis(scale, width, percentage):
    parts = []
    for tick in scale.ticks:
        y = scale.y(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="{MUTED}">{text(number(tick, percentage))}</text>')
    zero = scale.y(max(scale.low, 0))
    parts.append(f'<line x1="{LEFT}" y1="{zero:.1f}" x2="{width - RIGHT}" y2="{zero:.1f}" stroke="{INK}"/>')
    return "".join(parts)


def bar(x, width, value, scale, fill, stroke, dash=""):
    top, zero = scale.y(value), scale.y(max(scale.low, 0))
    y, height = min(top, zero), max(abs(zero - top), 1)
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{1.5 if dash else 2}"{dash}/>')


def value_label(x, value, scale, percentage, words):
    shown = number(value, percentage) if value is not None else words["none"]
    y = (scale.y(value) if value is not None else scale.y(max(scale.low, 0))) - 6
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="11" fill="{INK}">{text(shown)}</text>'


def group(index, group_width, period, scale, percentage, words):
    centre = LEFT + group_width * index + group_width / 2
    width = 30
    target_x, actual_x = centre - width - 3, centre + 3
    actual_word = words["provisional"] if period.provisional else words["actual"]
    summary = (f"{period.label}: {words['target']} {number(period.target, percentage) or words['none']}; "
               f"{actual_word} {number(period.actual, percentage) or words['none']}")
    parts = [f"<g><title>{text(summary)}</title>"]
    if period.target is not None:
        parts.append(bar(target_x, width, period.target, scale, "#ffffff", BRAND))
    if period.actual is not None:
        fill, dash = (PROVISIONAL_FILL, ' stroke-dasharray="4 3"') if period.provisional else (BRAND, "")
        parts.append(bar(actual_x, width, period.actual, scale, fill, BRAND, dash))
    parts.append(value_label(target_x + width / 2, period.target, scale, percentage, words))
    parts.append(value_label(actual_x + width / 2, period.actual, scale, percentage, words))
    for rank, line in enumerate(textwrap.wrap(period.label, 18)[:2]):
        parts.append(f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 18 + rank * 14}" text-anchor="middle" '
                     f'font-size="11" fill="{INK}">{text(line)}</text>')
    parts.append("</g>")
    return "".join(parts)


def baseline_line(baseline, scale, width, percentage):
    y = scale.y(baseline.value)
    return (f'<g><title>{text(baseline_text(baseline, percentage))}</title><line x1="{LEFT}" y1="{y:.1f}" '
            f'x2="{width - RIGHT}" y2="{y:.1f}" stroke="{BASELINE_INK}" stroke-width="2" stroke-dasharray="6 4"/></g>')


def baseline_text(baseline, percentage):
    return f"{baseline.label}: {number(baseline.value, percentage)}"


def render_progress_svg(periods, *, title, description, baseline=None, unit="", percentage=False, words=None,
                        id_prefix="chart"):
    """Return the progress chart as a standalone SVG document string."""
    words = {**DEFAULT_WORDS, **(words or {})}
    periods = list(periods)
    width = max(MIN_WIDTH, LEFT + RIGHT + MIN_GROUP_WIDTH * max(len(periods), 1))
    group_width = (width - LEFT - RIGHT) / max(len(periods), 1)
    values = [value for period in periods for value in (period.target, period.actual)]
    scale = Scale([*values, baseline.value if baseline else None], percentage)
    has_provisional = any(period.provisional and period.actual is not None for period in periods)
    prefix = "".join(character for character in id_prefix if character.isalnum() or character in "-_") or "chart"
    body = [axis(scale, width, percentage)]
    body += [group(index, group_width, period, scale, percentage, words) for index, period in enumerate(periods)]
    if baseline is not None:
        body.append(baseline_line(baseline, scale, width, percentage))
    if unit and not percentage:
        body.append(f'<text x="{LEFT - 8}" y="{TOP - 16}" text-anchor="end" font-size="11" '
                    f'fill="{MUTED}">{text(unit)}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby={attr(prefix + "-title")} '
        f'aria-describedby={attr(prefix + "-desc")} width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" font-family="Helvetica, Arial, sans-serif">'
        f'<title id={attr(prefix + "-title")}>{text(title)}</title>'
        f'<desc id={attr(prefix + "-desc")}>{text(description)}</desc>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        + legend(words, has_provisional, baseline, width, percentage)
        + "".join(body)
        + "</svg>"
    )
