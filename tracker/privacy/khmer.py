"""Personal names in Khmer script, found by segmenting the text into words with khmer-nltk.

Khmer, like Thai, leaves no space between words. khmer-nltk's segmenter is a CRF model shipped inside
the package (nothing is downloaded at run time); it is imported on first use only, since it brings
scikit-learn along. A word is taken for a name when it follows a title or kinship term (លោក, អ្នកស្រី,
ប្អូន, គ្រូ) or ឈ្មោះ "named", or when it is a listed Khmer name; the segmenter sometimes cuts a
compound name (ស្រី|ពៅ), so two adjacent pieces that together make a listed name count as one.
"""

import functools
import logging
import re

from tracker.privacy.names import KHMER

KHMER_LETTER = re.compile(r"[\u1780-\u17B3]")
KHMER_RANGE = r"\u1780-\u17FF\u19E0-\u19FF"
KHMER_TEXT = re.compile(rf"[{KHMER_RANGE}](?:[{KHMER_RANGE}\s\d.]*[{KHMER_RANGE}\d])?")

TITLES = frozenset("""
លោក លោកស្រី អ្នកស្រី កញ្ញា ក្មួយ ប្អូន ប្អូនស្រី ប្អូនប្រុស បង បងស្រី បងប្រុស គ្រូ លោកគ្រូ អ្នកគ្រូ
ឈ្មោះ ឈ្មោះថា កុមារ កុមារី ក្មេងស្រី ក្មេងប្រុស មីង ពូ យាយ តា
""".split())
# Pronouns, demonstratives and particles that follow a title without being a name ("ប្អូនស្រីនេះ", this girl).
NOT_NAMES = frozenset("នេះ នោះ ខ្ញុំ គាត់ នាង គេ យើង របស់ បាន និង ដែល ជា មាន ម្នាក់ ទាំង ដដែល ទៀត".split())
MORE_NAMES = """
សុខ សុខា សុភា សោភា ដារា វណ្ណា ចិន្តា បុប្ផា ស្រីមុំ ស្រីពៅ ស្រីនិច ស្រីលក្ខណ៍ ស្រីនាង ធីតា វិបុល វិសាល
ចាន់ ជា ហេង គីម កែវ សំណាង វាសនា សុផល រតនា ចាន់ថា ពិសី ពិសិដ្ឋ នារី ម៉ាលីស រស្មី សុវណ្ណ សុធា បូរ៉ា
ចន្ថា វិចិត្រ រដ្ឋា សុជាតិ មករា ម៉ៅ មាស ប្រាក់ ស៊ុន សេង យឹម អ៊ុក ពេជ្រ ឡុង ទូច ណារិន សុភ័ក្រ្ត វុទ្ធី
សីហា ធារ៉ា លីដា ស្រីល័ក្ខ ច័ន្ទ ម៉ានិត ពន្លក សុគន្ធា ចរិយា ស្រីណុច ស្រីរ័ត្ន បញ្ញា សម្បត្តិ
"""


@functools.cache
def khmer_names():
    return frozenset(word for word in (KHMER + MORE_NAMES).split() if not word.isascii())


def tokens(text):
    """``(start, end, word)`` of each word, spaces left out."""
    from khmernltk import word_tokenize  # noqa: PLC0415 (brings scikit-learn: loaded on first use)

    # khmer-nltk announces its model on its own handler at INFO: keep standard output for the findings.
    logging.getLogger("khmer-nltk").setLevel(logging.WARNING)

    found, position = [], 0
    for word in word_tokenize(text):
        start = text.find(word, position)
        position = start + len(word)
        if word.strip():
            found.append((start, position, word))
    return found


def find(text):
    """``("name", start, end)`` of each personal name in the Khmer parts of ``text``."""
    found = []
    for chunk in KHMER_TEXT.finditer(text):
        found += [("name", chunk.start() + start, chunk.start() + end) for start, end in names_in(chunk.group())]
    return found


def names_in(text):
    names = khmer_names()
    words = joined(tokens(text), names)
    spans, index = [], 0
    while index < len(words):
        start, end, word = words[index]
        after_title = index > 0 and words[index - 1][2] in TITLES
        if word in TITLES or word in NOT_NAMES or not KHMER_LETTER.match(word) or not (word in names or after_title):
            index += 1
            continue
        index += 1
        while index < len(words) and words[index][2] in names:
            end = words[index][1]
            index += 1
        spans.append((start, end))
    return spans


def joined(words, names):
    """Join two adjacent pieces that together make a listed name or a title (ស្រី + ពៅ = ស្រីពៅ)."""
    result, index = [], 0
    while index < len(words):
        start, end, word = words[index]
        if index + 1 < len(words) and words[index + 1][0] == end:
            both = word + words[index + 1][2]
            if both in names or both in TITLES:
                result.append((start, words[index + 1][1], both))
                index += 2
                continue
        result.append((start, end, word))
        index += 1
    return result
