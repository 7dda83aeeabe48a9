"""Clean free text before it is stored: keep every script and emoji, drop what breaks storage or highlighting.

PostgreSQL text cannot hold NUL, other C0 control characters are never
meaningful in a story, and the two private-use characters that mark search
matches (:mod:`tracker.common.highlight`) must not come from users.
Line breaks and tabs are kept.

Every stored text is also in its :func:`stored_form`: NFC-normalised, so that
"é" typed on two keyboards is one spelling (searches, duplicates and the
personal-data finder see the same text), and without the bidirectional
embedding, override and isolate controls, which can make a name or title
display as something other than what it is (the "Trojan Source" trick). None
of the fund's languages needs them; the invisible left-to-right and
right-to-left marks are kept.
"""

import re
import unicodedata

from tracker.common.highlight import strip_markers
from tracker.common.messages import N_

# C0 controls and DEL, except line feed, carriage return and tab.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidirectional embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def stored_form(value):
    """``value`` as it is stored: NFC-normalised, without bidirectional controls."""
    return unicodedata.normalize("NFC", BIDI_CONTROLS.sub("", value))


def clean_text(value):
    """Return ``value`` without NUL/control characters or highlight markers, and without outer whitespace."""
    text = strip_markers(value or "")
    text = stored_form(CONTROL.sub("", text))
    return text.replace("\r\n", "\n").strip()


def clean_line(value):
    """Like :func:`clean_text`, for one-line fields: line breaks become spaces."""
    return " ".join(clean_text(value).split())


def normalised(name):
    """``"Date du Consentement"`` → ``"date_du_consentement"``: no accents, case or separators."""
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def normalise_email(email):
    """An email address as accounts are stored and looked up: no outer spaces, lower case."""
    return email.strip().lower()


def over_length(values, limits):
    """``(field, message)`` for each text longer than its limit: over-long text is refused, never silently cut."""
    return [(name, N_("Keep this under %(count)d characters.", count=limit))
            for name, limit in limits.items() if len(values.get(name) or "") > limit]
