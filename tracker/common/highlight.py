"""Highlighted snippets without trusting any text: split marked text into plain segments.

The database marks matches with two private-use characters (never HTML). The
template prints each segment with Jinja's autoescaping and wraps matching
segments in ``<mark>``, so user text is always escaped and ``|safe`` is never
needed. Services strip these two characters from stored text.
"""

import re

START = "\ue000"
STOP = "\ue001"
MARKERS = (START, STOP)


def strip_markers(text):
    return (text or "").replace(START, "").replace(STOP, "")


def pattern_for(terms):
    """A case-insensitive pattern matching any of ``terms``, longest first; None without terms."""
    terms = sorted({term for term in terms if term}, key=len, reverse=True)
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE) if terms else None


def window(text, terms, width=220):
    """``[(text, is_match)]`` for a stretch of ``text`` around the first of ``terms``, every term marked.

    Used when a query is matched as substrings (scripts without spaces between
    words), where the database has no snippet function to call.
    """
    pattern = pattern_for(terms)
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - width // 3) if first else 0
    part = text[start:start + width]
    prefix, suffix = ("…" if start else ""), ("…" if start + width < len(text) else "")
    marked = pattern.sub(lambda match: START + match.group(0) + STOP, part) if pattern else part
    return segments(prefix + marked + suffix)


def segments(marked):
    """``[(text, is_match)]`` for a snippet whose matches are wrapped in START … STOP."""
    result, buffer, matching = [], [], False
    for char in marked or "":
        if char in MARKERS:
            if buffer:
                result.append(("".join(buffer), matching))
                buffer = []
            matching = char == START
        else:
            buffer.append(char)
    if buffer:
        result.append(("".join(buffer), matching))
    return result
