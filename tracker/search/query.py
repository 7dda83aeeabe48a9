"""Turn what a user typed into a safe full-text query for either backend (pure functions).

Users type web-search syntax: words (all must match), "quoted phrases",
``OR`` between alternatives, ``-word`` to exclude, and ``word*`` for a prefix.
PostgreSQL's ``websearch_to_tsquery`` understands that syntax and never fails
on odd input. SQLite FTS5 has its own grammar in which stray quotes, colons
or parentheses are syntax errors, so :func:`fts5_query` rebuilds the query from
parsed terms, each one double-quoted.
"""

import re
from dataclasses import dataclass
from itertools import chain

MAX_QUERY_LENGTH = 200
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    text: str
    excluded: bool = False
    prefix: bool = False
    either: bool = False  # joined to the previous term with OR


def clean(text):
    """Trim, drop control characters and cap the length of a raw query."""
    text = "".join(ch for ch in (text or "") if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def parse(text):
    """Split ``text`` into :class:`Term` s."""
    terms, either = [], False
    for match in TOKEN.finditer(clean(text)):
        minus, phrase, word = match.groups()
        if phrase is not None:
            words = phrase.strip()
            if words:
                terms.append(Term(words, excluded=bool(minus), either=either))
                either = False
            continue
        if word == "OR" and terms:
            either = True
            continue
        excluded = word.startswith("-") and len(word) > 1
        word = word[1:] if excluded else word
        prefix = word.endswith("*") and len(word) > 1
        word = word.rstrip("*")
        if word:
            terms.append(Term(word, excluded=excluded, prefix=prefix, either=either))
            either = False
    return terms


def quote(text):
    return '"' + text.replace('"', '""') + '"'


def fts5_query(text):
    """An FTS5 MATCH expression for ``text``, or None when nothing searchable remains.

    Exclusions need something to exclude from, so a query of only ``-word`` terms is None.
    """
    terms = parse(text)
    included = [term for term in terms if not term.excluded]
    if not included:
        return None
    expression = ""
    for term in included:
        atom = quote(term.text) + ("*" if term.prefix else "")
        if not expression:
            expression = atom
        elif term.either:
            expression = f"{expression} OR {atom}"
        else:
            expression = f"({expression}) AND {atom}"
    for term in terms:
        if term.excluded:
            expression = f"({expression}) NOT {quote(term.text)}"
    return expression


def is_searchable(text):
    return fts5_query(text) is not None


# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, Chinese, Japanese): a word can sit
# anywhere inside a whitespace-delimited run, so word indexes (FTS5's unicode61, PostgreSQL's parser) cannot
# find it. Queries containing these scripts are matched as substrings instead (see tracker.search.services).
UNSEGMENTED_RANGES = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x19E0, 0x19FF), (0x3040, 0x30FF),
                      (0x3400, 0x4DBF), (0x4E00, 0x9FFF))


def is_unsegmented(char):
    return any(low <= ord(char) <= high for low, high in UNSEGMENTED_RANGES)


def needs_substring_match(text):
    """Whether a searched term contains a script that is written without spaces between words."""
    return any(is_unsegmented(char) for term in parse(text) if not term.excluded for char in term.text)


def terms_to_mark(text):
    """The words and phrases a match should highlight (the query's included terms)."""
    return [term.text for term in parse(text) if not term.excluded]


def all_terms(text):
    return list(chain(terms_to_mark(text), (term.text for term in parse(text) if term.excluded)))
