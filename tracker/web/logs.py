"""Logs that hold no personal data: no exception messages, no query strings, no statement values.

A story's text can reach a log three ways, and each is closed here or at its source:

- **A database error's message** carries the statement's values: engines are created with
  ``hide_parameters=True`` (:func:`tracker.db.make_engine`).
- **Any exception's message** may quote a value (``KeyError('Somchai')``): the app's log handlers
  write a traceback's frames and the exception's type, never its message (:class:`WithoutValues`).
  The frames name code, not data; the request's method and URL rule say where it happened.
- **An access log line** carries the query string, and a search query can be a child's name:
  Werkzeug's request lines lose it here (:class:`WithoutQueryStrings`), and gunicorn is given a format
  without it (:mod:`tracker.serving`).
"""

import logging
import re
import traceback

WITHHELD = "(message withheld: it may contain personal data)"
# A request line's target, up to its query string: '"GET /search?q=... HTTP/1.1"'.
QUERY_STRING = re.compile(r"(\s/[^\s?]*)\?[^\s\"]*")


def traceback_without_messages(error):
    """The traceback of ``error`` and of the exceptions it was raised from, each ending in its type only."""
    parts = []
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        parts.append("".join(traceback.format_tb(error.__traceback__))
                     + f"{type(error).__module__}.{type(error).__qualname__} {WITHHELD}\n")
        error = error.__cause__ or error.__context__
    return "Traceback (most recent call last, outermost cause last):\n" + "".join(parts)


class WithoutValues(logging.Filter):
    """Replace a record's exception with its traceback frames and types, before a handler formats it."""

    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = traceback_without_messages(record.exc_info[1]).rstrip("\n")
            record.exc_info = None
        return True


class WithoutQueryStrings(logging.Filter):
    """Drop the query string from the request line of Werkzeug's access log."""

    def filter(self, record):
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = QUERY_STRING.sub(r"\1", message), None
        return True


def handlers_of(logger):
    """The handlers that write ``logger``'s records: its own and those of the ancestors it propagates to."""
    while logger is not None:
        yield from logger.handlers
        logger = logger.parent if logger.propagate else None


def add_once(filterer, kind):
    if not any(isinstance(existing, kind) for existing in filterer.filters):
        filterer.addFilter(kind())


def init_app(app):
    for handler in handlers_of(app.logger):
        add_once(handler, WithoutValues)
    add_once(logging.getLogger("werkzeug"), WithoutQueryStrings)
