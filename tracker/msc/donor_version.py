"""The de-identified donor version of a story: proposed by the personal-data finder, approved by a reviewer.

The finder (:mod:`tracker.privacy.pii`) flags names, phone numbers, email addresses, social-media
handles, exact ages next to places or names, schools and addresses in every field donors read: the
title, what happened and why it is significant in the original and in every translation, when it
happened and the storyteller's pseudonym (said once, with the original), and the place when the
safeguarding review lets donors see it. It proposes a redacted text; a reviewer with safeguarding
rights edits the proposal and approves it; donors then read only the approved text. Approval is
refused while the finder still flags something the reviewer has not confirmed, text it could not
analyse included. Until a version is approved, and again after any change to the story's text, the
donor rule leaves the story out: it fails closed.
"""

import re
from dataclasses import dataclass

from tracker.audit.services import record
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.messages import listing
from tracker.db_types import utcnow
from tracker.msc.models import StoryDonorText
from tracker.msc.sealing import is_sealed
from tracker.privacy.names import common_names
from tracker.privacy.names import places
from tracker.privacy.pii import Kind
from tracker.privacy.pii import find_personal_data
from tracker.privacy.pii import propose_redaction

TEXT_FIELDS = ("title", "what_happened", "why_significant")
# Said once for the story, with its original language.
STORY_FIELDS = ("events_when", "pseudonym")
FIELD_NAMES = {"title": N_("Title"), "what_happened": N_("What happened"),
               "why_significant": N_("Why it is significant"), "events_when": N_("When it happened"),
               "pseudonym": N_("Storyteller's pseudonym"), "place": N_("Place")}
FINDING_NAMES = {Kind.NAME: N_("a personal name"), Kind.PHONE: N_("a phone number"), Kind.EMAIL: N_("an email address"),
                 Kind.HANDLE: N_("a social-media account"), Kind.AGE_AND_PLACE: N_("an exact age next to a place"),
                 Kind.AGE: N_("an exact age next to a name"), Kind.SCHOOL: N_("a school"),
                 Kind.ADDRESS: N_("an address"), Kind.PLACE: N_("the precise place"),
                 Kind.UNANALYSED: N_("text in a script the finder cannot read")}


@dataclass(frozen=True)
class FieldProposal:
    name: str
    original: str
    findings: tuple
    proposed: str


@dataclass(frozen=True)
class LanguageProposal:
    language: str
    is_original: bool
    fields: tuple

    @property
    def finding_count(self):
        return sum(len(field.findings) for field in self.fields)


def marked(text, findings):
    """``[(segment, finding or None)]`` covering ``text``, for showing what the finder flagged."""
    parts, position = [], 0
    for finding in sorted(findings, key=lambda item: item.start):
        if finding.start > position:
            parts.append((text[position:finding.start], None))
        parts.append((text[finding.start:finding.end], finding))
        position = finding.end
    if position < len(text):
        parts.append((text[position:], None))
    return parts


HONORIFICS = frozenset("Mr Mrs Ms Miss Dr Sr Sra Srta Dra Dña Doña Mme Mlle Ông Bà Anh Chị Cô Chú Em".split())
CAPITALISED_RUN = re.compile(r"[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)*", re.UNICODE)


def identifiers(story):
    """Names from the record itself that would identify someone if they reached a donor.

    From the collector field, a person's name and each of its words ("Ms Kosal Heng, village
    volunteer" gives "Kosal Heng", "Kosal", "Heng"), but not roles, organisations ("World
    Vision Vietnam") or places ("Da Nang"): a run of capitalised words counts as a name when
    one of them is a known personal name.
    """
    known = set()
    names, place_names = common_names(), places()
    for run in CAPITALISED_RUN.findall(story.collector or ""):
        words = [word for word in run.split() if word[:1].isupper() and word not in HONORIFICS]
        if run in place_names or " ".join(words) in place_names:
            continue
        if any(word in names for word in words):
            known.add(" ".join(words))
            known.update(word for word in words if len(word) >= 3)
    return sorted(known)


def private_places(story):
    """Unless the safeguarding review allowed donors to see the place, its most precise part
    ("Hòa Vang district" of "Hòa Vang district, Da Nang"): flagged as a place, never as a name."""
    precise_place = (story.place or "").split(",")[0].strip()
    return [precise_place] if not story.place_shareable and len(precise_place) >= 3 else []


def find(story, text, field=None):
    """The finder's findings in one field of ``story``.

    A pseudonym is an invented name by design: one word of it that merely looks like a name ("Mali")
    is expected, a full name ("Nguyễn Thị Lan") or a name from the record itself is not.
    """
    known = identifiers(story)
    findings = find_personal_data(text, known_names=known, known_places=private_places(story))
    if field == "pseudonym":
        findings = [finding for finding in findings if finding.kind != Kind.NAME
                    or len(finding.text.split()) > 1 or finding.text in known]
    return findings


def texts_of(story):
    """``(language, is_original, {field: text})`` for the original and each translation."""
    yield story.language, True, {**{name: getattr(story, name) for name in TEXT_FIELDS},
                                 "events_when": story.events_when or "", "pseudonym": story.storyteller_pseudonym}
    for translation in story.translations:
        yield translation.language, False, {name: getattr(translation, name) for name in TEXT_FIELDS}


def propose(story):
    """The findings in every text of ``story`` and a proposed redaction of each (nothing is stored)."""
    proposals = []
    for language, is_original, texts in texts_of(story):
        fields = []
        for name, text in texts.items():
            findings = tuple(find(story, text, name))
            fields.append(FieldProposal(name, text, findings, propose_redaction(text, findings)))
        proposals.append(LanguageProposal(language, is_original, tuple(fields)))
    return proposals


def remaining_findings(story, texts):
    """What the finder still flags in the texts a reviewer is about to approve, by ``(language, field)``.

    The place is checked too when donors will see it (``place_shareable``), under the original language.
    """
    checked = {language: dict(fields) for language, fields in texts.items()}
    if story.place_shareable and story.place:
        checked.setdefault(story.language, {})["place"] = story.place
    found = {(language, name): find(story, text, name) for language, fields in checked.items()
             for name, text in fields.items()}
    return {key: findings for key, findings in found.items() if findings}


def required_fields(story, is_original):
    """The fields a donor version needs in one language: "when it happened" only if the story says it."""
    if not is_original:
        return TEXT_FIELDS
    return TEXT_FIELDS + (("events_when",) if (story.events_when or "").strip() else ()) + ("pseudonym",)


def unresolved(findings_by_field):
    """One reason per field that still holds personal data: the field, what it seems to be, and the text."""
    reasons = []
    for (language, name), findings in findings_by_field.items():
        described = listing([N_("“%(text)s” (%(kind)s)", text=finding.text, kind=FINDING_NAMES[finding.kind])
                             for finding in findings], "; ")
        reasons.append(("remaining_checked", N_(
            "%(field)s (%(language)s) still holds what looks like personal data: %(findings)s. Redact it, or confirm "
            "that you checked it is safe to share.", field=FIELD_NAMES[name], language=language, findings=described)))
    return reasons


def approve(session, actor, story, texts, version, *, remaining_checked=False):
    """Store ``texts`` ({language: {field: text}}) as the donor version and approve it.

    Every language of the story needs its title, what happened and why significant; the original
    also the pseudonym and, when the story says it, when it happened. While the finder still flags
    something (text it cannot analyse included), approval is refused with the field and the finding
    named, unless the reviewer confirms they checked it (``remaining_checked``).
    """
    check_version(story, version)
    if is_sealed(story):
        raise ValidationFailed.on(None, N_("Consent for this story was withdrawn: nothing of it may reach donors."))
    originals = {language: is_original for language, is_original, _texts in texts_of(story)}
    reasons = []
    for language, is_original in originals.items():
        for name in required_fields(story, is_original):
            if not (texts.get(language, {}).get(name) or "").strip():
                reasons.append((f"{language}-{name}", N_("Give the text donors will read (use placeholders such as "
                                                      "[name] for what must not reach them).")))
    if reasons:
        raise ValidationFailed(reasons)
    cleaned = {language: {name: (texts[language].get(name) or "").strip()
                          for name in TEXT_FIELDS + (STORY_FIELDS if is_original else ())}
               for language, is_original in originals.items()}
    remaining = remaining_findings(story, cleaned)
    if remaining and not remaining_checked:
        raise ValidationFailed(unresolved(remaining))
    store(story, cleaned)
    story.donor_version_approved_at = utcnow()
    session.add(story)
    session.flush()
    record(session, actor, "approve_donor_version", "story", story.id, project_id=story.project_id,
           details={"languages": list(originals), "remaining_checked": bool(remaining_checked),
                    "unresolved_fields": sorted(f"{language}-{name}" for language, name in remaining)})
    return story


def store(story, texts):
    by_language = {item.language: item for item in story.donor_texts}
    for language, fields in texts.items():
        item = by_language.pop(language, None) or StoryDonorText(story_id=story.id, language=language)
        for name, text in fields.items():
            setattr(item, name, text)
        if item not in story.donor_texts:
            story.donor_texts.append(item)
    for stale in by_language.values():
        story.donor_texts.remove(stale)


def clear_approval(story):
    """Forget the approval (the texts stay as the next proposal's starting point). Returns whether it was set."""
    if story.donor_version_approved_at is None:
        return False
    story.donor_version_approved_at = None
    return True


def approved_texts(story):
    """``{language: {field: text}}`` of the current approved version, or {} when none is approved.

    The original language's entry also holds ``events_when`` and ``pseudonym`` as donors read them."""
    if story.donor_version_approved_at is None:
        return {}
    return {item.language: {name: getattr(item, name)
                            for name in TEXT_FIELDS + (STORY_FIELDS if item.language == story.language else ())}
            for item in story.donor_texts}
