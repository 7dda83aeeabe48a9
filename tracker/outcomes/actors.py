"""Social actors are organisations or role types, never private persons: a light check for personal names.

It cannot recognise every name; it catches the common form "honorific + name"
("Mr Tran", "Bà Lan", "Khun Somchai") so that the form can ask for a role
instead. The hint on the form carries the rest.
"""

import re

HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "mme", "mlle", "sr", "sra", "srta",
    "ông", "bà", "anh", "chị", "cô", "thầy", "em",  # Vietnamese forms of address
    "khun", "nai", "nang", "nangsao",  # Thai
    "lok", "neak",  # Khmer (as romanised)
})
WORD = re.compile(r"[^\W\d_][\w'’-]*")


def looks_like_a_person(text):
    """Whether ``text`` starts with an honorific followed by a capitalised word, e.g. "Mr Tran"."""
    words = WORD.findall(text or "")
    for first, second in zip(words, words[1:], strict=False):
        if first.casefold() in HONORIFICS and second[:1].isupper():
            return True
        break
    return False
