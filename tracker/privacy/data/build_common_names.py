"""Rebuild ``common_names.txt``: the most frequent given and family names per country, from names-dataset.

Run by hand, offline, when the list should change; never at run time (the dataset needs ~1.9 GB of memory
and ~20 s to load, the shipped list a few milliseconds)::

    pip install --target /tmp/names-dataset --no-deps names-dataset==3.3.1
    cd tracker/privacy/data
    PYTHONPATH=/tmp/names-dataset:../../.. python build_common_names.py > common_names.txt

Which countries: those the fund works in (Cambodia, Indonesia, Malaysia, the Philippines),
and those whose names turn up in stories written in its other languages (English, French, Spanish) and in the
families of diaspora children: France, Belgium, Switzerland and the Maghreb for French; Spain and Latin America
for Spanish; Portugal and Brazil (Portuguese surnames are common in Latin America and Timor-Leste); the United
Kingdom, the United States, India and Nigeria for English. For each, the ``FIRST`` most frequent
given names of each gender and the ``LAST`` most frequent family names.

What is kept: single words in Latin script of three letters or more, with a vowel, not written in capitals
only (the dataset comes from social-media profiles: "Cg", "Jc" are initials, not names), and not a place of
the fund's countries, nor a day, month, language or country name in the fund's languages (from Babel's CLDR
data). Each country has two lines: ``[FR]`` its ``FREQUENT`` most frequent names of each kind, ``[FR+]`` the
rest. Every name is also kept without its accents ("Ibáñez" -> "Ibanez"): that is how names
are often typed. Everyday words that are also names are taken out at load time by ``names.EVERYDAY_WORDS``.
"""

import unicodedata

from names_dataset import NameDataset

# Thailand and Viet Nam are left out: the dataset holds no Latin-script names for them (Thai and Vietnamese names
# come from names.py and PyThaiNLP); nor does it hold Senegal, Côte d'Ivoire, Venezuela or Australia.
COUNTRIES = """
KH ID MY PH
FR BE CH DZ MA TN
ES MX CO PE AR CL EC GT BO PT BR
GB US IN NG
""".split()
FIRST = 700
LAST = 700
# The most frequent names, as sure as the shorter list shipped before: only these are flagged alone at the start
# of a sentence, where the capital says nothing (the long tail of a social-media list holds words such as "Over").
FREQUENT = 200
# Languages whose calendar, language and country words are taken out ("Monday", "Tagalog", "Francia").
LOCALES = "en fr es id ms fil vi km th pt".split()

HEADER = """\
# Common given and family names by country, single words, from the names-dataset package (v3.3.1,
# Apache-2.0): its {first} most frequent given names of each gender and {last} most frequent family names per
# country, in Latin script, of three letters or more, with and without accents; [XX] holds each country's
# {frequent} most frequent of each kind, [XX+] the rest. Built offline by
# build_common_names.py (see its docstring for the countries and filters); the dataset itself needs ~1.9 GB
# of memory. Thai and Khmer names in their own scripts come from names.py, khmer.py and PyThaiNLP.
"""


def without_accents(name):
    decomposed = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def looks_like_a_name(name):
    letters = name.replace("-", "").replace("'", "")
    return (len(letters) >= 3 and letters.isalpha() and name[0].isupper() and not name.isupper()
            and all("LATIN" in unicodedata.name(ch, "") for ch in letters)
            and any(ch in "aeiouyàáâãäåèéêëìíîïòóôõöùúûüýÿ" for ch in letters.lower()))


def calendar_and_language_words():
    """Day, month, language and country names in the fund's languages, capitalised as in a sentence."""
    from babel import Locale  # noqa: PLC0415

    words = set()
    for code in LOCALES:
        locale = Locale.parse(code)
        for table in (locale.days["format"]["wide"], locale.months["format"]["wide"], locale.languages,
                      locale.territories):
            words.update(word[:1].upper() + word[1:] for value in table.values() for word in value.split())
    return words | {without_accents(word) for word in words}


def names_of(dataset, country, rank_from, rank_to):
    """The names ranked ``rank_from`` to ``rank_to`` (excluded) among the given names of each gender and the
    family names of ``country``."""
    first = dataset.get_top_names(n=FIRST, use_first_names=True, country_alpha2=country).get(country, {})
    last = dataset.get_top_names(n=LAST, use_first_names=False, country_alpha2=country).get(country, [])
    found = set()
    for name in [*first.get("M", [])[rank_from:rank_to], *first.get("F", [])[rank_from:rank_to],
                 *last[rank_from:rank_to]]:
        name = unicodedata.normalize("NFC", name.strip())
        if " " not in name and looks_like_a_name(name):
            found.update({name, without_accents(name)})
    return found


def main():
    from tracker.privacy.names import places_words  # noqa: PLC0415 (PYTHONPATH holds the repository root)

    dataset = NameDataset()
    not_names = places_words() | calendar_and_language_words()
    print(HEADER.format(first=FIRST, last=LAST, frequent=FREQUENT), end="")
    for country in COUNTRIES:
        frequent = names_of(dataset, country, 0, FREQUENT) - not_names
        print(f"[{country}]")
        print(" ".join(sorted(frequent)))
        print(f"[{country}+]")
        print(" ".join(sorted(names_of(dataset, country, FREQUENT, None) - not_names - frequent)))


if __name__ == "__main__":
    main()
