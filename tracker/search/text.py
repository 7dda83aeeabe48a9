"""Clean free text before it is stored: keep every script and emoji, drop what breaks storage or highlighting.

PostgreSQL text cannot hold NUL, other C0 control characters are never
meaningful in a story, and the two private-use characters that mark search
matches (:mod:`tracker.search.highlight`) must not come from users.
Line breaks and tabs are kept.
"""

from tracker.search.highlight import strip_markers

KEEP = frozenset("\n\r\t")


def clean_text(value):
    """Return ``value`` without NUL/control characters or highlight markers, and without outer whitespace."""
    text = strip_markers(value or "")
    text = "".join(ch for ch in text if ch in KEEP or not (ord(ch) < 32 or ord(ch) == 127))
    return text.replace("\r\n", "\n").strip()


def clean_line(value):
    """Like :func:`clean_text`, for one-line fields: line breaks become spaces."""
    return " ".join(clean_text(value).split())
