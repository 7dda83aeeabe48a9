"""Clean free text before it is stored: keep every script and emoji, drop what breaks storage or highlighting.

PostgreSQL text cannot hold NUL, other C0 control characters are never
meaningful in a story, and the two private-use characters that mark search
matches (:mod:`tracker.common.highlight`) must not come from users.
Line breaks and tabs are kept.
"""

import re
import unicodedata

from tracker.common.highlight import strip_markers

# C0 controls and DEL, except line feed, carriage return and tab.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """Return ``value`` without NUL/control characters or highlight markers, and without outer whitespace."""
    text = strip_markers(value or "")
    text = CONTROL.sub("", text)
    return text.replace("\r\n", "\n").strip()


def clean_line(value):
    """Like :func:`clean_text`, for one-line fields: line breaks become spaces."""
    return " ".join(clean_text(value).split())


def normalised(name):
    """``"Date du Consentement"`` → ``"date_du_consentement"``: no accents, case or separators."""
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")
