"""Personal names in Thai script, found by segmenting the text into words with PyThaiNLP.

Thai is written without spaces between words, so a name can only be told from the words around it
once the text is segmented. PyThaiNLP ships its dictionary and its lists of Thai given and family
names inside the package: nothing is downloaded at run time. It is imported on first use only.

A word is taken for a name when:
- it follows a title or a kinship term used as one (ครู "teacher", น้อง, นาย, ด.ญ.) or ชื่อ "named";
- it is in PyThaiNLP's name lists and is not also an everyday word (สมชาย, but not ส่ง "send");
- it is one of the short list of given names that are also words but that stories use as names (มะลิ).
A family name right after a given name joins it. Provinces (เชียงราย) are never names.

A school is โรงเรียน followed by its name, up to the first everyday word (กับ, ทุก...): the
segmenter is what tells "โรงเรียนบ้านหนองบัว" from "โรงเรียนกับแม่".
"""

import functools
import re

from tracker.privacy.names import THAI

THAI_TEXT = re.compile(r"[\u0E00-\u0E7F](?:[\u0E00-\u0E7F\s\d.]*[\u0E00-\u0E7F\d])?")

TITLES = frozenset("""
ครู นาย นาง นางสาว น.ส. เด็กชาย เด็กหญิง ด.ช. ด.ญ. คุณ น้อง พี่ ป้า ลุง น้า ยาย หมอ อาจารย์ ผู้ใหญ่ กำนัน
""".split())
NAMED = frozenset({"ชื่อ", "ชื่อว่า", "นามว่า"})
# A listed given name that is also a word (อนุชา "younger brother") is a name when an age follows it or
# when "and"/"with" joins it to another name.
AGE_WORD = "อายุ"
JOINING = frozenset({"และ", "กับ"})
# Given names that are also everyday words (มะลิ "jasmine", พลอย "gem") but that stories use as names.
NAMES_THAT_ARE_WORDS = frozenset(word for word in THAI.split() if not word.isascii()) | {
    "มะลิ", "ดาว", "แก้ว", "ประเสริฐ", "สมบูรณ์", "บุญมี", "ทองดี"}
SCHOOL = "โรงเรียน"


@functools.cache
def vocabulary():
    """``(given names, family names, everyday words, places, tokenizer dictionary)``, loaded once."""
    from pythainlp.corpus import provinces  # noqa: PLC0415 (PyThaiNLP loads its corpora on first use)
    from pythainlp.corpus import thai_family_names
    from pythainlp.corpus import thai_female_names
    from pythainlp.corpus import thai_male_names
    from pythainlp.corpus import thai_words
    from pythainlp.util import dict_trie

    given = frozenset(thai_male_names() | thai_female_names() | NAMES_THAT_ARE_WORDS)
    family = frozenset(thai_family_names())
    words = frozenset(thai_words())
    places = frozenset(provinces()) | {"กรุงเทพ", "กรุงเทพฯ", "แม่สาย", "แม่สอด", "หาดใหญ่", "พัทยา"}
    return given, family, words, places, dict_trie(words | given | family | places | TITLES | NAMED)


@functools.cache
def stopwords():
    from pythainlp.corpus import thai_stopwords  # noqa: PLC0415

    return frozenset(thai_stopwords()) | {"ทุกวัน", "เมื่อ", "แล้ว", "และ", "กับ", "ที่", "ซึ่ง", "เพราะ"}


def tokens(text):
    """``(start, end, word)`` of each word, spaces left out."""
    from pythainlp.tokenize import word_tokenize  # noqa: PLC0415

    found, position = [], 0
    for word in word_tokenize(text, custom_dict=vocabulary()[4], engine="newmm", keep_whitespace=True):
        start = text.find(word, position)
        position = start + len(word)
        if word.strip():
            found.append((start, position, word))
    return found


def find(text):
    """``(kind, start, end)`` of each personal name ("name") and school ("school") in the Thai parts of ``text``."""
    found = []
    for chunk in THAI_TEXT.finditer(text):
        words_found = tokens(chunk.group())
        found += [("name", chunk.start() + start, chunk.start() + end) for start, end in names_in(words_found)]
        found += [("school", chunk.start() + start, chunk.start() + end) for start, end in schools_in(words_found)]
    return found


def schools_in(words_found):
    spans, ignored = [], stopwords()
    for index, (start, end, word) in enumerate(words_found):
        if word != SCHOOL:
            continue
        following = index + 1
        while (following < len(words_found) and words_found[following][2] not in ignored
               and words_found[following][0] == words_found[following - 1][1]):
            end = words_found[following][1]
            following += 1
        if following > index + 1:
            spans.append((start, end))
    return spans


def names_in(words_found):
    given, family, words, places, _dictionary = vocabulary()
    spans, index = [], 0
    while index < len(words_found):
        start, end, word = words_found[index]
        if not is_name(words_found, index, given, family, words, places, spans):
            index += 1
            continue
        index += 1
        # An unknown name is cut into syllables, and a family name follows: take them along.
        while index < len(words_found) and joins_name(words_found[index][2], family, words, places):
            end = words_found[index][1]
            index += 1
        spans.append((start, end))
    return spans


def is_name(words_found, index, given, family, words, places, spans):
    word = words_found[index][2]
    if word in places or word.isdigit():
        return False
    before = words_found[index - 1] if index > 0 else None
    after = words_found[index + 1][2] if index + 1 < len(words_found) else ""
    if before and before[2] in TITLES | NAMED:
        return word in given or word in family or word not in words
    if word not in given:
        return False
    joined_to_name = before and before[2] in JOINING and spans and spans[-1][1] == before[0]
    return word not in words or word in NAMES_THAT_ARE_WORDS or after == AGE_WORD or bool(joined_to_name) or (
        after in JOINING and index + 2 < len(words_found) and words_found[index + 2][2] in given)


def joins_name(word, family, words, places):
    return word not in places and not word.isdigit() and (word in family and word not in words or word not in words)
