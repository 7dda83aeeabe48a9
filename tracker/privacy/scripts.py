"""Split text into runs of one writing system, so that each run goes to the finder that can read it.

Latin (English, French, Spanish, Indonesian, Malay, Filipino and Vietnamese with or without its
diacritics), Thai and Khmer are analysed. Any other script (Lao, Burmese, Chinese, Arabic...) is
text the finder cannot read: it is reported as such, so that a reviewer confirms it by eye.
"""

import unicodedata
from dataclasses import dataclass

LATIN = "latin"
THAI = "thai"
KHMER = "khmer"
# Digits, punctuation, spaces and symbols: they belong to whatever run surrounds them.
COMMON = "common"

ANALYSED = frozenset({LATIN, THAI, KHMER})


@dataclass(frozen=True)
class Run:
    script: str
    start: int
    end: int


def script_of(character):
    """The writing system of one character, ``COMMON`` for digits, punctuation and marks."""
    if character.isascii():
        return LATIN if character.isalpha() else COMMON
    category = unicodedata.category(character)
    if not category.startswith(("L", "M")):
        return COMMON
    name = unicodedata.name(character, "")
    if category.startswith("M") and name.startswith("COMBINING"):
        return COMMON
    first_word = name.split(" ", 1)[0]
    if first_word in ("LATIN", "THAI", "KHMER"):
        return first_word.lower()
    return first_word.lower() or "unknown"


def runs(text):
    """Maximal runs of one script; common characters join the run they sit in (or the one before)."""
    found = []
    script, start = None, 0
    for position, character in enumerate(text):
        current = script_of(character)
        if current == COMMON or current == script:
            continue
        if script is not None:
            end = position
            while end > start and script_of(text[end - 1]) == COMMON and text[end - 1].isspace():
                end -= 1
            found.append(Run(script, start, end))
            start = end
        elif position:
            start = 0
        script = current
    if script is not None:
        found.append(Run(script, start, len(text)))
    return found


def unanalysed_runs(text):
    """The runs written in a script the finder cannot read, trimmed of surrounding spaces and punctuation.

    A lone letter ("α low", "β = 0.8") is a symbol, not text: it is left out."""
    trimmed = []
    for run in runs(text):
        if run.script in ANALYSED:
            continue
        start, end = run.start, run.end
        while start < end and script_of(text[start]) == COMMON:
            start += 1
        while end > start and script_of(text[end - 1]) == COMMON:
            end -= 1
        if sum(script_of(character) == run.script for character in text[start:end]) > 1:
            trimmed.append(Run(run.script, start, end))
    return trimmed
