"""URL converters: a number in a URL that no record can have is a 404, before any view or query runs."""

from werkzeug.routing import IntegerConverter

from tracker.db_types import MAX_ID


def digits_up_to(number):
    r"""A regular expression matching the decimal numbers from 0 to ``number`` (leading zeros allowed).

    ``digits_up_to(259)`` → ``0*(?:\d{1,2}|[0-1]\d{2}|2[0-4]\d{1}|25[0-8]|259)``.
    """
    text = str(number)
    branches = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - position - 1
            branches.append(f"{text[:position]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    branches.append(text)
    return "0*(?:" + "|".join(branches) + ")"


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` for every rule: matches only numbers up to :data:`tracker.db_types.MAX_ID` (2**31 - 1).

    Every ``<int:...>`` in a URL (an id, or a version or revision number) is looked up in an ``sa.Integer``
    column, which PostgreSQL stores in 32 bits: the smallest integer type of any id column on any backend.
    A larger number could name no record, and the database driver would fail on it (a 500); here the URL
    does not match (a 404), in the web pages and the API alike.

    The bound is in the regular expression rather than in ``to_python``: werkzeug converts the values only
    after it has picked a rule for the method, so a failed conversion answers 405 wherever the same path
    has a rule for another method (``PUT /api/v1/projects/<slug>/outcomes/<id>`` next to its ``GET``).
    Werkzeug's own arguments still work within the bound: ``<int(min=1, max=99):n>``,
    ``<int(fixed_digits=4):n>``, ``<int(signed=True):n>``.
    """

    regex = digits_up_to(MAX_ID)


def init_app(app):
    """Install the converter; it must come before any blueprint adds a rule (a rule binds its converters then)."""
    app.url_map.converters["int"] = RecordIdConverter
