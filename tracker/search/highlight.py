"""Highlighted snippets without trusting any text: split marked text into plain segments.

The database marks matches with two private-use characters (never HTML). The
template prints each segment with Jinja's autoescaping and wraps matching
segments in ``<mark>``, so user text is always escaped and ``|safe`` is never
needed. Services strip these two characters from stored text.
"""

START = "\ue000"
STOP = "\ue001"
MARKERS = (START, STOP)


def strip_markers(text):
    return (text or "").replace(START, "").replace(STOP, "")


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
