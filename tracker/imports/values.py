"""Read cell values as people and survey tools write them: dates, yes/no, choices, ages, countries, languages.

Each parser takes a cell value (text, number, date, bool or None, as the file
reader returns it) and returns the value, or raises :class:`BadValue` with a
message for the user. Empty cells give None. Plain functions, no Flask.
"""

import re
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import cache

import pycountry

from tracker.common.messages import N_
from tracker.imports.mapping import normalise
from tracker.msc.languages import LANGUAGES
from tracker.msc.models import AgeBand
from tracker.msc.models import StorytellerCategory
from tracker.outcomes.models import ActorKind
from tracker.outcomes.models import ChangeType
from tracker.outcomes.models import DatePrecision
from tracker.outcomes.models import Intention
from tracker.outcomes.models import Valence

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# Kobo and ODK write timestamps as 2023-05-02T10:15:32.123+07:00; ODK Central's SubmissionDate ends in Z.
ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
SLASHED_ISO = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
YEAR = re.compile(r"^(\d{4})$")
DAY_FIRST_OR_MONTH_FIRST = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")
EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers of plausible dates (1960–2100), for date cells a workbook stored as plain numbers.
EXCEL_SERIALS = range(21916, 73051)
MAX_SHOWN = 40

TRUE_WORDS = frozenset(words for words in ("yes", "y", "true", "1", "x", "oui", "vrai", "si", "verdadero", "agree",
                                           "agreed", "given", "consented", "ok"))
FALSE_WORDS = frozenset(("no", "n", "false", "0", "non", "faux", "falso", "not given", "refused", "declined"))


class BadValue(ValueError):
    """A cell that cannot be read as the field needs; the message explains it to the user."""


def shown(value):
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value):
    """Text of any cell: whole numbers without ``.0``, dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def checked_date(year, month, day, raw):
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise BadValue(N_("“%(value)s” is not a date that exists.", value=shown(raw))) from None


def parse_date_with_precision(value):
    """``(date, precision)`` from a cell: ISO dates and timestamps, ``YYYY-MM``, ``YYYY``, date cells, serials.

    A timestamp keeps the local date it was written with (``2023-05-02T23:30+07:00`` is 2 May).
    """
    if is_empty(value):
        return None, None
    if isinstance(value, datetime):
        return value.date(), DatePrecision.DAY
    if isinstance(value, date):
        return value, DatePrecision.DAY
    if isinstance(value, int | float) and not isinstance(value, bool):
        if int(value) in EXCEL_SERIALS:
            return EXCEL_EPOCH + timedelta(days=int(value)), DatePrecision.DAY
        if int(value) == value and 1900 <= value <= 2100:
            return date(int(value), 1, 1), DatePrecision.YEAR
        raise BadValue(N_("“%(value)s” is not a date; write dates as YYYY-MM-DD.", value=shown(as_text(value))))
    text = str(value).strip()
    for pattern in (ISO_DATE, ISO_DATETIME, SLASHED_ISO):
        match = pattern.match(text)
        if match:
            return checked_date(*match.group(1, 2, 3), text), DatePrecision.DAY
    match = YEAR_MONTH.match(text)
    if match:
        return checked_date(match.group(1), match.group(2), 1, text), DatePrecision.MONTH
    if YEAR.match(text):
        return checked_date(text, 1, 1, text), DatePrecision.YEAR
    if DAY_FIRST_OR_MONTH_FIRST.match(text):
        raise BadValue(N_("“%(value)s” could be read as more than one date; write dates as YYYY-MM-DD "
                          "(e.g. 2023-05-02).", value=shown(text)))
    raise BadValue(N_("“%(value)s” is not a date; write dates as YYYY-MM-DD.", value=shown(text)))


def parse_day(value):
    """A date to the day (collection and consent dates)."""
    day, precision = parse_date_with_precision(value)
    if day is not None and precision is not DatePrecision.DAY:
        raise BadValue(N_("“%(value)s” gives no day; write the full date as YYYY-MM-DD.", value=shown(as_text(value))))
    return day


def parse_bool(value):
    """Yes/no answers: yes, no, 1, 0, true, false, in English, French or Spanish; empty is None."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise BadValue(N_("“%(value)s” is not a yes or no answer.", value=shown(as_text(value))))
    text = " ".join(normalise(value).split("_"))
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise BadValue(N_("“%(value)s” is not a yes or no answer; write yes or no.", value=shown(value)))


CHOICE_SYNONYMS = {
    "change_type": (ChangeType, {
        ChangeType.BEHAVIOUR: ("behavior", "comportement", "comportamiento", "conducta"),
        ChangeType.RELATIONSHIP: ("relationships", "relation", "relations", "relacion", "relaciones"),
        ChangeType.ACTION: ("actions", "accion", "acciones"),
        ChangeType.POLICY: ("policies", "politique", "politica", "politicas", "law", "regulation"),
        ChangeType.PRACTICE: ("practices", "pratique", "pratiques", "practica", "practicas"),
    }),
    "actor_kind": (ActorKind, {
        ActorKind.ORGANISATION: ("organization", "an organisation", "an organization", "institution",
                                 "organisme", "organizacion", "institucion"),
        ActorKind.ROLE_TYPE: ("role", "role or group", "a role or group", "group", "groupe", "rol", "grupo"),
    }),
    "date_precision": (DatePrecision, {
        DatePrecision.DAY: ("exact day", "exact", "jour", "dia"),
        DatePrecision.MONTH: ("mois", "mes"),
        DatePrecision.YEAR: ("annee", "ano"),
    }),
    "intention": (Intention, {
        Intention.INTENDED: ("yes", "expected", "planned", "prevu", "intencional", "esperado", "previsto"),
        Intention.UNINTENDED: ("no", "unexpected", "unplanned", "imprevu", "non prevu", "no intencional",
                               "inesperado", "imprevisto"),
    }),
    "valence": (Valence, {
        Valence.POSITIVE: ("yes", "positif", "positivo", "good"),
        Valence.NEGATIVE: ("no", "negatif", "negativo", "bad", "harmful"),
    }),
    "storyteller_category": (StorytellerCategory, {
        StorytellerCategory.CHILD: ("enfant", "nino", "nina", "girl", "boy", "student", "pupil", "eleve",
                                    "estudiante", "minor"),
        StorytellerCategory.YOUNG_PERSON: ("youth", "young people", "adolescent", "teenager", "jeune", "joven",
                                           "adolescente"),
        StorytellerCategory.PARENT_CAREGIVER: ("parent", "caregiver", "guardian", "parent or caregiver",
                                               "mother", "father", "parent tuteur", "padre", "madre", "cuidador",
                                               "tutor"),
        StorytellerCategory.TEACHER: ("enseignant", "professeur", "maestro", "docente", "profesor"),
        StorytellerCategory.PROFESSIONAL: ("social worker", "counsellor", "counselor", "police", "professionnel",
                                           "profesional", "health worker"),
        StorytellerCategory.COMMUNITY_MEMBER: ("community", "community leader", "volunteer", "membre de la "
                                               "communaute", "miembro de la comunidad", "comunidad"),
        StorytellerCategory.OTHER: ("autre", "otro", "otra"),
    }),
}


@cache
def choice_lookup(name):
    """``{normalised word: member}`` from the values, the English labels and synonyms (en, fr, es)."""
    enum_type, synonyms = CHOICE_SYNONYMS[name]
    lookup = {}
    for member in enum_type:
        for word in (member.value, member.name, *synonyms.get(member, ())):
            if normalise(word):
                lookup.setdefault(normalise(word), member)
    return lookup


def parse_choice(value, name):
    """One of the choices of ``name`` (e.g. ``change_type``), by value, label or synonym; empty is None."""
    if is_empty(value):
        return None
    found = choice_lookup(name).get(normalise(as_text(value)))
    if found is None:
        enum_type, _synonyms = CHOICE_SYNONYMS[name]
        allowed = ", ".join(member.value for member in enum_type)
        raise BadValue(N_("“%(value)s” is not one of: %(allowed)s.", value=shown(as_text(value)), allowed=allowed))
    return found


AGE_BANDS = ((0, 9, AgeBand.UNDER_10), (10, 12, AgeBand.AGE_10_12), (13, 15, AgeBand.AGE_13_15),
             (16, 17, AgeBand.AGE_16_17), (18, 24, AgeBand.AGE_18_24), (25, 39, AgeBand.AGE_25_39),
             (40, 59, AgeBand.AGE_40_59), (60, 130, AgeBand.AGE_60_PLUS))
BAND_WORDS = {
    "under_10": AgeBand.UNDER_10, "under10": AgeBand.UNDER_10, "0_9": AgeBand.UNDER_10,
    "10_12": AgeBand.AGE_10_12, "13_15": AgeBand.AGE_13_15, "16_17": AgeBand.AGE_16_17,
    "18_24": AgeBand.AGE_18_24, "25_39": AgeBand.AGE_25_39, "40_59": AgeBand.AGE_40_59,
    "60_plus": AgeBand.AGE_60_PLUS, "60": AgeBand.AGE_60_PLUS, "60_or_over": AgeBand.AGE_60_PLUS,
    "not_recorded": AgeBand.NOT_RECORDED, "unknown": AgeBand.NOT_RECORDED, "prefer_not_to_say": AgeBand.NOT_RECORDED,
    "inconnu": AgeBand.NOT_RECORDED, "desconocido": AgeBand.NOT_RECORDED,
}


def parse_age_band(value):
    """An age band from a band (``13_15``, ``13–15``, ``60+``) or an age in years; only the band is kept."""
    if is_empty(value):
        return None
    text = as_text(value).strip()
    if re.fullmatch(r"\d{1,3}(\.0+)?", text):
        years = int(float(text))
        for low, high, band in AGE_BANDS:
            if low <= years <= high:
                return band
        raise BadValue(N_("“%(value)s” is not an age in years.", value=shown(text)))
    band = BAND_WORDS.get(normalise(text.replace("+", " plus")))
    if band is None:
        allowed = ", ".join(member.value for member in AgeBand)
        raise BadValue(N_("“%(value)s” is neither an age nor an age band (%(allowed)s).", value=shown(text),
                          allowed=allowed))
    return band


def parse_country(value):
    """An ISO 3166 country from its alpha-2 or alpha-3 code or its English name; empty is None."""
    if is_empty(value):
        return None
    text = as_text(value).strip()
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        raise BadValue(N_("“%(value)s” is not a country; use its ISO code (e.g. KH, TH, VN) or English "
                          "name.", value=shown(text))) from None


LANGUAGE_LOOKUP = {normalise(word): code for code, names in LANGUAGES.items() for word in (code, *names)
                   if normalise(word)}
LANGUAGE_LOOKUP.update({normalise(code): code for code in LANGUAGES})


def parse_language(value):
    """A story language from its code (``km``, ``km-KH``), English name or own name (ភាសាខ្មែរ)."""
    if is_empty(value):
        return None
    text = as_text(value).strip()
    code = next((code for code, names in LANGUAGES.items() if text in names), None)
    for key in (normalise(text), normalise(re.split(r"[-_]", text)[0])):
        if code is None and key:
            code = LANGUAGE_LOOKUP.get(key)
    if code is None:
        raise BadValue(N_("“%(value)s” is not a language the tracker knows; use a code such as km, th, vi or en.",
                          value=shown(text)))
    return code
