"""Flag likely personal data in story and outcome text, and propose a redacted donor version.

This is an aid for a human reviewer, never a guarantee: it flags personal names (from the
record's own fields, name lists and the words around them: titles, "named", a Vietnamese family
name), phone numbers in the formats of the fund's countries, email addresses, social-media
handles, exact ages next to places or names, school names and street addresses, and proposes a
placeholder for each. It reads Latin-script languages (English, French, Spanish, Indonesian,
Malay, Filipino, Vietnamese with or without diacritics), Thai and Khmer; text in any other script
is flagged as unanalysed, so that a reviewer confirms it (it fails closed). A reviewer edits and
approves the donor version; until then nothing is shared (the donor rule fails closed).
"""

import enum
import itertools
import re
from dataclasses import dataclass

from tracker.privacy import scripts
from tracker.privacy.names import AMBIGUOUS
from tracker.privacy.names import EVERYDAY_WORDS
from tracker.privacy.names import MONTHS
from tracker.privacy.names import VIETNAMESE_FAMILY_NAMES
from tracker.privacy.names import common_names
from tracker.privacy.names import frequent_names
from tracker.privacy.names import places


class Kind(enum.StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    HANDLE = "handle"
    AGE_AND_PLACE = "age_and_place"
    AGE = "age"
    SCHOOL = "school"
    ADDRESS = "address"
    PLACE = "place"
    UNANALYSED = "unanalysed"


PLACEHOLDERS = {
    Kind.NAME: "[name]",
    Kind.PHONE: "[phone number]",
    Kind.EMAIL: "[email]",
    Kind.HANDLE: "[social media account]",
    Kind.AGE_AND_PLACE: "[age and place]",
    Kind.AGE: "[age]",
    Kind.SCHOOL: "[school]",
    Kind.ADDRESS: "[address]",
    Kind.PLACE: "[place]",
    Kind.UNANALYSED: "[text not checked]",
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

    def as_dict(self):
        return {"kind": str(self.kind), "start": self.start, "end": self.end, "text": self.text}


# Every capital letter of the Latin script, Vietnamese ones included (Ạ, Ầ, Ử...).
UPPER = "[" + "".join(chr(code) for code in [*range(0x41, 0x250), *range(0x1E00, 0x1F00)]
                      if chr(code).isupper() and scripts.script_of(chr(code)) == scripts.LATIN) + "]"
WORD = UPPER + r"[\wÀ-ỹ'’-]*"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Eight or more digits (Thai and Khmer digits too), optionally led by + and split by spaces, dots,
# dashes or brackets: +66 81 234 5678, 012 345 678, 0912.345.678, (02) 1234 5678, 06 12 34 56 78.
PHONE = re.compile(r"(?<![\w+(])(?:\+|\()?\d(?:[\s.\-()]?\s?\d){7,14}(?!\w)")
HANDLE = re.compile(
    r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])"
    r"|\b(?:https?://)?(?:www\.|m\.)?(?:facebook\.com|fb\.com|instagram\.com|tiktok\.com|twitter\.com|x\.com|"
    r"t\.me|line\.me|zalo\.me|youtube\.com|wa\.me)/[\w@.~/?=-]+"
    r"|\b(?:Line|LINE|line|ไลน์|Zalo|zalo|Telegram|WhatsApp|Facebook|facebook|FB|IG|Instagram|TikTok|tiktok)"
    r"(?:\s*ID)?\s*[:：]\s*[\w.@~-]{3,}",
    re.UNICODE,
)
AGE = (r"(?:\b\d{1,2}[\s-]*(?:years?[\s-]*old|yrs?[\s-]*old|y/o|year-old)\b|\baged\s+\d{1,2}\b"
       r"|\d{1,2}\s*(?:tuổi|tuoi|ขวบ|ปี|ឆ្នាំ|años|ans|tahun|taong gulang|anyos)"
       r"|(?i:\bedad\s+de\s+|\bâgée?\s+de\s+|\bumur\s+|\bberumur\s+|\busia\s+|\bedad\s+|อายุ\s*|អាយុ\s*)\d{1,2})")
# "in Tagalog" is a language, not a place.
LANGUAGES = (r"(?!(?:English|French|Spanish|Tagalog|Filipino|Thai|Khmer|Vietnamese|Indonesian|Malay|Bahasa|Lao|Burmese)"
             r"\b)")
PLACE = (r"(?:\b(?:from|in|at|of|near|ở|tại|từ|o|tai|tu|en|de|à|du|près de|desde|cerca de|dari|di|sa|taga|mula sa)"
         r"\s+" + LANGUAGES + WORD + r"(?:\s+" + WORD + r")*"
         r"|(?:ที่|จาก|ใน|แถว)\s*[^\s.,។]+|(?:នៅ|ពី|រស់នៅ)\s*[^\s.,។]+)")
AGE_AND_PLACE = re.compile(r"(?:" + AGE + r")[^.!?\n]{0,40}?" + PLACE + r"|" + PLACE + r"[^.!?\n]{0,40}?(?:" + AGE
                           + r")", re.UNICODE)
AGE_ALONE = re.compile(AGE, re.UNICODE)
SCHOOL = re.compile(
    r"(?:(?:" + WORD + r"\s+){1,4}(?:Primary|Secondary|High|Middle|Junior|Senior)?\s*(?:School|Academy|College)\b"
    r"|\b(?:Trường|trường|Truong|truong)\s+(?:THCS|THPT|Tiểu học|Trung học|Tieu hoc)?\s*(?:" + WORD + r"\s*){1,4}"
    r"|\b(?:SD|SMP|SMA|SMK|SK|SMK|MI|MTs|MA)\s+(?:Negeri\s+|N\s+)?\d+(?:\s+" + WORD + r")?"
    r"|\b(?:Sekolah|Paaralang|Paaralan)\s+(?:" + WORD + r"\s*){1,4}"
    r"|\b(?:Escuela|Colegio|Liceo|École|Ecole|Collège|College|Lycée|Lycee)\s+(?:[\w'’-]+\s+){0,2}(?:" + WORD
    + r"\s*){1,4}"
    r"|សាលា(?:រៀន)?\S*)",
    re.UNICODE,
)
ADDRESS = re.compile(
    r"(?:\b\d{1,5}[A-Za-z]?,?\s+(?:" + WORD + r"\s+){1,3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|"
    r"Boulevard|Blvd\.?|Alley|Soi)\b"
    r"|\b(?:số|Số|so|So)\s+\d+[\w/]*\s+(?:đường|Đường|phố|Phố|ngõ|Ngõ|hẻm|Hẻm|duong|Duong|pho|Pho|ngo|hem)\s+"
    r"(?:" + WORD + r"\s*){1,3}"
    r"|\b(?:Jalan|Jl\.|Jln\.?|Lorong|Gang|Gg\.)\s+(?:(?!No\b)" + WORD + r"\s*){1,3}(?:No\.?\s*)?\d*"
    r"|\b\d{1,5}\s+(?:rue|avenue|boulevard|chemin|impasse)\s+(?:[\w'’-]+\s+){0,3}" + WORD
    + r"|\b(?:Calle|Avenida|Av\.)\s+(?:" + WORD + r"\s*){1,3}\s*(?:#|No\.?|N°)?\s*\d+"
    r"|\b\d{1,5}\s+(?:" + WORD + r"\s+){1,3}(?:St\.|Street|Kalye)\b"
    r"|ถนน\S+|ซอย\S+|บ้านเลขที่\s*\S+|ផ្លូវលេខ\s*\d+|ផ្ទះលេខ\s*\d+)",
    re.UNICODE,
)
TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
FOLLOWING_CAPITALISED = re.compile(r"(?: " + WORD + r"){1,3}", re.UNICODE)
CAPITALISED_RUN = re.compile(WORD + r"(?: " + WORD + r"){0,4}", re.UNICODE)
# Eight digits that are really a date or a span of years, not a phone number.
DATE_LIKE = re.compile(r"(?:19|20)\d\d\s*[-–/.]\s*(?:\d{1,2}\s*[-–/.]\s*\d{1,4}|(?:19|20)\d\d)")
# Words before a capitalised word that make it a person's name: titles, kinship terms used as titles,
# "named", and the personal articles of Filipino ("si Maria").
NAME_CUES = frozenset("""
co mr mr. mrs mrs. ms ms. miss dr dr. mme mme. mlle mlle. m. monsieur madame mademoiselle sr sr. sra sra. srta srta.
don doña dona señor señora senor senora ibu bu bapak pak adik dik kak kakak encik cik puan tuan aling mang ate
kuya lola lolo tita tito ông bà anh chị cô chú em bé cháu ong ba chi chu be chau kru khun nong phi teacher
named called nommé nommée appelé appelée llamado llamada bernama namanya si ni kay tên ten là
""".split())
# Particles inside family names: "Le Floch", "de la Cruz", "van Dijk", "dos Santos".
PARTICLES = frozenset("Le La De Du Des Da Dos Das Del Van Von Der Den Ter Bin Binti Bte Ben Ibn Al El Y".split())
TIME_CUES = frozenset("in since until till from to by before after during early late mid end en dans depuis jusqu'en "
                      "desde hasta en pada sejak sampai hingga noong mula hanggang tháng".split())
PLACE_CUES = frozenset("from in near ở tại từ dari di sa taga en à près desde cerca to into".split())
# Prepositions after which two capitalised words are most often a person, even when no list knows them:
# "chatting with Tamsin Oduya", "contacté par Gaëtan Le Floch", "habló con Anselmo Quiñónez".
WITH_A_PERSON = frozenset("with avec con dengan bersama kepada oleh par por by".split())
# Prepositions that lead to a person only after a verb of speech, contact or giving ("wrote to Yanis Haddad",
# "le escribía a Florinda Zubizarreta"); otherwise they lead to a place ("drove to Mae Sai").
TO_A_PERSON = frozenset("to à a".split())
SPEECH_AND_CONTACT_VERBS = frozenset("""
wrote write writes writing written sent send sends sending talked talk talks talking spoke speak speaks speaking
said say says told tell tells passed pass passes gave give gives given introduced introduce reported report
replied reply forwarded forward messaged message messages messaging chatted chat chatting confided confide
explained explain complained complain lied lie showed show shown turned referred refer handed hand sold
écrivait écrit écrire écrivais écrivaient envoyé envoyait envoie envoyer parlé parlait parle parler dit disait
transmis transmet transmettre présenté présentée confié confiée confiait répondu répondait raconté racontait
expliqué expliquait signalé adressé adressée montré montrait donné donnait vendu
escribía escribió escribe escribir escribían envió enviaba envía enviar mandó mandaba manda habló hablaba
habla hablar dijo decía dice contó contaba cuenta presentó presentaba respondió explicó confió entregó
mostró mostraba dio daba vendió denunció reportó
""".split())
# Words of organisations, services and platforms: "spoke with Kindred Tech" is not a person.
ORGANISATION_WORDS = frozenset("""
Tech Technology Technologies Foundation Fondation Fundación Trust Safety Ministry Ministère Ministerio Council
Centre Center Centro Group Groupe Grupo Network Association Asociación Bank Banque Banco Company Inc Ltd Co.
Save Nacional Nationale National Services Service Servicio Line Hub Lab Labs Media Messenger Meta Google
Facebook TikTok Instagram WhatsApp Telegram Zalo YouTube Snapchat Discord Roblox Minecraft Microsoft Team
Programme Program Programa University Université Universidad Hospital Hôpital Clinic Clinique Clínica Court
Office Department Unit Agency Union Club Church Mission International Global Partners Alliance Coalition
Institute Institut Instituto Committee Commission Board Cross Plan Vision World Policía Police Gendarmerie
Fiscalía Tribunal Cour Care Aid Action Rights Online Safe Protection Ayuda Alerta Aide Línea Linea Ligne
Forum Secretariat Partnership Initiative
""".split())

SCANNED_PATTERNS = ((Kind.EMAIL, EMAIL), (Kind.HANDLE, HANDLE), (Kind.PHONE, PHONE), (Kind.ADDRESS, ADDRESS),
                    (Kind.SCHOOL, SCHOOL), (Kind.AGE_AND_PLACE, AGE_AND_PLACE))


def find_personal_data(text, known_names=(), names=None, known_places=()):
    """Return the likely personal data in ``text``, in reading order, without overlaps.

    ``known_names`` are names from the record's own fields (e.g. a storyteller's real name
    recorded by mistake, or a collector's name); ``known_places`` the places that must not reach
    a donor (flagged as places, not names); ``names`` defaults to the bundled lists. Parts written
    in a script the finder cannot read come back as :attr:`Kind.UNANALYSED`.
    """
    findings = []
    for kind, pattern in SCANNED_PATTERNS:
        findings += [Finding(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text)
                     if not (kind == Kind.PHONE and DATE_LIKE.fullmatch(m.group().strip()))]
    findings += find_known(text, known_places, Kind.PLACE)
    findings += find_names(text, known_names, common_names() if names is None else names)
    findings += find_native_script_names(text)
    findings += ages_next_to_names(text, findings)
    findings += [Finding(Kind.UNANALYSED, run.start, run.end, text[run.start:run.end])
                 for run in scripts.unanalysed_runs(text)]
    return without_overlaps(findings)


def find_known(text, known, kind):
    """Whole-word matches of the record's own names or places, in any case."""
    findings = []
    for item in sorted({value.strip() for value in known if value and value.strip()}, key=len, reverse=True):
        for match in re.finditer(r"(?<!\w)" + re.escape(item) + r"(?!\w)", text, re.IGNORECASE):
            findings.append(Finding(kind, match.start(), match.end(), match.group()))
    return findings


def find_native_script_names(text):
    """Names (and Thai schools) in Thai and Khmer script, or the text itself when its segmenter is missing."""
    from tracker.privacy import khmer  # noqa: PLC0415 (each brings a language library: only for text in its script)
    from tracker.privacy import thai

    findings = []
    for module, chunks in ((thai, thai.THAI_TEXT), (khmer, khmer.KHMER_TEXT)):
        if not chunks.search(text):
            continue
        try:
            spans = module.find(text)
        except ImportError:
            findings += [Finding(Kind.UNANALYSED, m.start(), m.end(), m.group()) for m in chunks.finditer(text)]
            continue
        findings += [Finding(Kind(kind), start, end, text[start:end]) for kind, start, end in spans]
    return findings


def ages_next_to_names(text, findings):
    """An exact age in the same sentence as a name, within a few words ("Lan, aged 14")."""
    names = [finding for finding in findings if finding.kind == Kind.NAME]
    return [Finding(Kind.AGE, match.start(), match.end(), match.group()) for match in AGE_ALONE.finditer(text)
            if any(near_each_other(match, name) and not sentence_break(text, match, name) for name in names)]


def near_each_other(match, name):
    return match.start() - name.end <= 30 and name.start - match.end() <= 30


def sentence_break(text, match, name):
    between = text[min(match.end(), name.end):max(match.start(), name.start)]
    return any(mark in between for mark in ".!?\n។")


def find_names(text, known_names, names):
    """Personal names in the Latin-script parts of ``text``.

    The record's own names match in any case. A run of capitalised words is a name when one of
    its words is a listed name, when a title, kinship term or "named" comes before it, or when it
    starts with a Vietnamese family name ("Nguyen Thi Lan"). A place ("Chiang Rai", "Hoa Vang")
    or a run that follows "from"/"in" without any listed name is not a name. A listed name that
    is also an everyday word ("Ly", "Mai") is not flagged alone at the start of a sentence, where
    the capital says nothing.
    """
    findings = find_known(text, known_names, Kind.NAME)
    place_names = places()
    for run in CAPITALISED_RUN.finditer(text):
        words = [(m.start() + run.start(), m.end() + run.start(), m.group()) for m in re.finditer(r"\S+", run.group())]
        for is_name_like, group in itertools.groupby(words, key=is_word):
            if is_name_like:
                findings += names_in_run(text, list(group), names, place_names)
    return findings


def names_in_run(text, words, names, place_names):
    """The name in ``words``, a run of capitalised words (``(start, end, word)``), if there is one."""
    cue = previous_word(text, words[0][0])
    sentence_start = starts_sentence(text, words[0][0])
    while len(words) > 1 and sentence_start and not (words[0][2] in names or words[0][2] in VIETNAMESE_FAMILY_NAMES):
        cue, sentence_start = words[0][2].lower(), False  # "Call Maria": the capital of "Call" says nothing
        words = words[1:]
    while words and (words[0][2].lower() in NAME_CUES
                     or words[0][2] in EVERYDAY_WORDS and (sentence_start or len(words) > 1)):
        cue, sentence_start = words[0][2].lower(), False
        words = words[1:]
    words = without_dates(text, without_places(words, place_names))
    if not words:
        return []
    listed = [word for word in words if word[2] in names]
    cued = cue in NAME_CUES
    vietnamese = len(words) >= 2 and words[0][2] in VIETNAMESE_FAMILY_NAMES
    contacted = after_contact(text, words[0][0]) and looks_like_a_full_name(words)
    if not (listed or cued or vietnamese or contacted) or not cued and any(
            word.rstrip(".") in ORGANISATION_WORDS for _, _, word in words):
        return []
    if not (cued or contacted) and cue in PLACE_CUES and not vietnamese and len(listed) < len(words):
        return []
    if len(words) == 1 and not cued and sentence_start and (words[0][2] in AMBIGUOUS
                                                             or in_long_tail(words[0][2])):
        return []
    start, end = words[0][0], words[-1][1]
    return [Finding(Kind.NAME, start, end, text[start:end])]


def in_long_tail(word):
    """A name only the longer tail of the shipped list holds: too unsure to flag alone at a sentence start."""
    return word in common_names() and word not in frequent_names()


def after_contact(text, position):
    """Whether the words before ``position`` lead to a person: "with", "avec", "con"..., or "to", "à", "a"
    after a verb of speech or contact in the same sentence ("la conseillère a transmis le dossier à")."""
    preposition = previous_word(text, position)
    if preposition in WITH_A_PERSON:
        return True
    if preposition not in TO_A_PERSON:
        return False
    sentence = re.split(r"[.!?\n;:]", text[:position])[-1]
    before = [word.lower() for word in TOKEN.findall(sentence)][-7:-1]
    return any(word in SPEECH_AND_CONTACT_VERBS for word in before)


def looks_like_a_full_name(words):
    """Two or three capitalised words, none of them an everyday word, a month, an organisation's word or
    an acronym ("Anaïs Benhamou", not "Kindred Tech" or "UNICEF Office"); a particle may join them
    ("Gaëtan Le Floch")."""
    core = [word for index, (_, _, word) in enumerate(words) if not (0 < index < len(words) - 1 and word in PARTICLES)]
    return 2 <= len(core) <= 3 and not any(
        word in EVERYDAY_WORDS or word in MONTHS or word.rstrip(".") in ORGANISATION_WORDS or word.isupper()
        or len(word) < 2 for word in core)


def is_word(word):
    """Names hold no digits: "SENTINEL9" or a code is not part of one."""
    return not any(character.isdigit() for character in word[2])


def without_places(words, place_names):
    """The words of a capitalised run up to the first that starts a place ("Lan Chiang Rai" -> "Lan")."""
    for index in range(len(words)):
        for length in range(len(words) - index, 0, -1):
            phrase = re.sub(r"['’]s$", "", " ".join(word[2] for word in words[index:index + length]))
            if phrase in place_names:
                return words[:index]
    return words


def without_dates(text, words):
    """The words of a capitalised run up to a month used as a date: next to a number ("June 2021"), in a range
    ("May–June"), or after "in", "since", "until"... ("it restarted in June")."""
    for index, (start, end, word) in enumerate(words):
        if word.rstrip(".") in MONTHS and (re.match(r"[\s.,]*\d|\s?[–—/-]", text[end:end + 3])
                                          or re.search(r"(?:\d|[–—/-])[\s.,]*$", text[max(0, start - 3):start])
                                          or index == 0 and previous_word(text, start) in TIME_CUES):
            return words[:index]
    return words


def previous_word(text, position):
    """The word just before ``position``, lower-cased, ignoring a comma or quote in between."""
    match = re.search(r"([\w.’'-]+)[\s\"“‘(«]*$", text[:position])
    return match.group(1).lower() if match else ""


def starts_sentence(text, position):
    """Whether only punctuation, quotes or spaces separate ``position`` from a sentence start."""
    before = text[:position].rstrip(" \t\"'“‘(«")
    return not before or before[-1] in ".!?\n:;…"


def without_overlaps(findings):
    """One finding for each stretch of overlapping findings, of the kind that covers most of it.

    The redaction then covers all of it ("15 tahun, tinggal di Jl. Melati No. 5" is one stretch);
    adjacent name tokens are joined.
    """
    kept = []
    for finding in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and finding.start < kept[-1].end:
            previous = kept[-1]
            if finding.end > previous.end:
                kind = previous.kind if previous.end - previous.start >= finding.end - finding.start else finding.kind
                kept[-1] = Finding(kind, previous.start, finding.end, previous.text + finding.text[
                    previous.end - finding.start:])
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


def redacted(text, known_names=()):
    """``text`` with everything the finder flags replaced by placeholders: for text shown without a review step."""
    return propose_redaction(text, find_personal_data(text, known_names=known_names)) if text else text
