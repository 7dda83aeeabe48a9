"""Flag likely personal data in story and outcome text, and propose a redacted donor version.

This is an aid for a human reviewer, never a guarantee: it flags personal names (from the
record's own fields and a list of common names), phone numbers, email addresses, exact ages
next to places, school names and street addresses, and proposes a placeholder for each.
A reviewer edits and approves the donor version; until then nothing is shared (the donor rule
fails closed).
"""

import enum
import re
from dataclasses import dataclass

from tracker.privacy.names import AMBIGUOUS
from tracker.privacy.names import common_names


class Kind(enum.StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    AGE_AND_PLACE = "age_and_place"
    SCHOOL = "school"
    ADDRESS = "address"


PLACEHOLDERS = {
    Kind.NAME: "[name]",
    Kind.PHONE: "[phone number]",
    Kind.EMAIL: "[email]",
    Kind.AGE_AND_PLACE: "[age and place]",
    Kind.SCHOOL: "[school]",
    Kind.ADDRESS: "[address]",
}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    end: int
    text: str

    @property
    def placeholder(self):
        return PLACEHOLDERS[self.kind]


UPPER = r"[A-ZÀ-ÖØ-ÞĐƠƯẠ-Ỹ]"
WORD = UPPER + r"[\wÀ-ỹ'’-]*"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Eight or more digits, optionally led by + and split by spaces, dots, dashes or brackets.
PHONE = re.compile(r"(?<![\w+(])(?:\+|\()?\d(?:[\s.\-()]*\d){7,14}(?!\w)")
AGE = (r"(?:\b\d{1,2}[\s-]*(?:years?[\s-]*old|yrs?[\s-]*old|y/o|year-old)\b|\baged\s+\d{1,2}\b|"
       r"\b\d{1,2}\s*(?:tuổi|ขวบ|ปี|ឆ្នាំ|años)|\b(?:edad\s+de\s+)\d{1,2})")
PLACE = (r"(?:\b(?:from|in|at|of|near|ở|tại|từ|en|de)\s+" + WORD + r"(?:\s+" + WORD + r")*"
         r"|(?:ที่|จาก|ใน)\s*\S+|(?:នៅ|ពី)\s*\S+)")
AGE_AND_PLACE = re.compile(r"(?:" + AGE + r")[^.!?\n]{0,40}?" + PLACE + r"|" + PLACE + r"[^.!?\n]{0,40}?(?:" + AGE
                           + r")", re.UNICODE)
SCHOOL = re.compile(
    r"(?:(?:" + WORD + r"\s+){1,4}(?:Primary|Secondary|High|Middle|Junior|Senior)?\s*(?:School|Academy|College)\b"
    r"|\b(?:Trường|trường)\s+(?:THCS|THPT|Tiểu học|Trung học)?\s*(?:" + WORD + r"\s*){1,4}"
    r"|โรงเรียน\S+|សាលា(?:រៀន)?\S*|\b(?:Escuela|Colegio|Liceo)\s+(?:" + WORD + r"\s*){1,4})",
    re.UNICODE,
)
ADDRESS = re.compile(
    r"(?:\b\d{1,5}[A-Za-z]?,?\s+(?:" + WORD + r"\s+){1,3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|"
    r"Boulevard|Blvd\.?|Alley|Soi)\b"
    r"|\b(?:số|Số)\s+\d+[\w/]*\s+(?:đường|Đường|phố|Phố|ngõ|Ngõ|hẻm|Hẻm)\s+(?:" + WORD + r"\s*){1,3}"
    r"|\b(?:Calle|Avenida|Av\.)\s+(?:" + WORD + r"\s*){1,3}\s*(?:#|No\.?|N°)?\s*\d+"
    r"|ถนน\S+|ซอย\S+|ផ្លូវលេខ\s*\d+|ផ្ទះលេខ\s*\d+)",
    re.UNICODE,
)
TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
FOLLOWING_CAPITALISED = re.compile(r"(?: " + WORD + r"){1,3}", re.UNICODE)
# Eight digits that are really a date or a span of years, not a phone number.
DATE_LIKE = re.compile(r"(?:19|20)\d\d\s*[-–/.]\s*(?:\d{1,2}\s*[-–/.]\s*\d{1,4}|(?:19|20)\d\d)")


def find_personal_data(text, known_names=(), names=None):
    """Return the likely personal data in ``text``, in reading order, without overlaps.

    ``known_names`` are names from the record's own fields (e.g. a storyteller's real name
    recorded by mistake, or a collector's name); ``names`` defaults to the bundled list.
    """
    findings = []
    for kind, pattern in ((Kind.EMAIL, EMAIL), (Kind.PHONE, PHONE), (Kind.ADDRESS, ADDRESS),
                          (Kind.SCHOOL, SCHOOL), (Kind.AGE_AND_PLACE, AGE_AND_PLACE)):
        findings += [Finding(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text)
                     if not (kind == Kind.PHONE and DATE_LIKE.fullmatch(m.group().strip()))]
    findings += find_names(text, known_names, common_names() if names is None else names)
    return without_overlaps(findings)


def find_names(text, known_names, names):
    """Whole-word matches of known names (any case) and of listed names written with a capital.

    A listed name absorbs up to three capitalised words that follow it ("Nguyễn Văn Bình",
    "Somchai Jaidee"), since the rest of a full name is rarely in any list. A listed name
    that is also an everyday word ("Ly", "Mai") is not flagged alone at the start of a
    sentence, where the capital says nothing.
    """
    findings = []
    for known in sorted({name.strip() for name in known_names if name and name.strip()}, key=len, reverse=True):
        for match in re.finditer(r"(?<!\w)" + re.escape(known) + r"(?!\w)", text, re.IGNORECASE):
            findings.append(Finding(Kind.NAME, match.start(), match.end(), match.group()))
    for match in TOKEN.finditer(text):
        token = match.group()
        script_has_case = token[0].lower() != token[0].upper()
        if token in names and (token[0].isupper() or not script_has_case):
            end = match.end()
            following = FOLLOWING_CAPITALISED.match(text, end) if script_has_case else None
            if token in AMBIGUOUS and following is None and starts_sentence(text, match.start()):
                continue
            end = following.end() if following else end
            findings.append(Finding(Kind.NAME, match.start(), end, text[match.start():end]))
    return findings


def starts_sentence(text, position):
    """Whether only punctuation, quotes or spaces separate ``position`` from a sentence start."""
    before = text[:position].rstrip(" \t\"'“‘(«")
    return not before or before[-1] in ".!?\n:;…"


def without_overlaps(findings):
    """Keep the earliest, then longest, of overlapping findings; join adjacent name tokens."""
    kept = []
    for finding in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return merge_adjacent_names(kept)


def merge_adjacent_names(findings):
    """"Nguyễn Văn An" is one name, not three."""
    merged = []
    for finding in findings:
        previous = merged[-1] if merged else None
        if (previous is not None and previous.kind == finding.kind == Kind.NAME
                and 0 <= finding.start - previous.end <= 1):
            merged[-1] = Finding(Kind.NAME, previous.start, finding.end, previous.text + " " + finding.text)
        else:
            merged.append(finding)
    return merged


def propose_redaction(text, findings):
    """Return ``text`` with every finding replaced by its placeholder."""
    parts, position = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        parts.append(text[position:finding.start])
        parts.append(finding.placeholder)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)
