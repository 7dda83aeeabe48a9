"""File sizes as people read them: "52 B", "1.5 kB", "340 kB", "10 MB" (1 kB = 1,024 bytes, as the limits are set).

The one formatter of sizes: pages show it through the ``filesize`` filter (the number in the reader's locale),
messages through :func:`size_text`. A size under 1 kB is given in bytes, never rounded down to "0 kB".
"""

UNITS = (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("kB", 1024))


def size_parts(size):
    """``(number, unit)``: one decimal below 10 of a unit (1.5 kB), whole numbers above (340 kB), bytes as they are."""
    size = max(int(size or 0), 0)
    for unit, factor in UNITS:
        if size >= factor:
            value = size / factor
            return (round(value, 1) if value < 10 else round(value)), unit
    return size, "B"


def plain_number(value):
    return f"{value:g}"


def size_text(size, format_number=plain_number):
    """E.g. "52 B" or "1.5 kB"; ``format_number`` writes the number (e.g. in the reader's locale)."""
    value, unit = size_parts(size)
    return f"{format_number(value)} {unit}"
