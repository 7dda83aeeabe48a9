"""The de-identified donor version of a story: proposed by the personal-data finder, approved by a reviewer.

The finder (:mod:`tracker.privacy.pii`) flags names, phone numbers, email addresses, exact ages
next to places, schools and addresses in the story's text and in every translation, and proposes
a redacted text. A reviewer with safeguarding rights edits the proposal and approves it; donors
then read only the approved text. Until a version is approved, and again after any change to the
story's text, the donor rule leaves the story out: it fails closed.
"""

import re
from dataclasses import dataclass

from tracker.audit.services import record
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.db_types import utcnow
from tracker.msc.models import StoryDonorText
from tracker.msc.sealing import is_sealed
from tracker.privacy.names import common_names
from tracker.privacy.pii import find_personal_data
from tracker.privacy.pii import propose_redaction

TEXT_FIELDS = ("title", "what_happened", "why_significant")


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
    volunteer" gives "Kosal Heng", "Kosal", "Heng"), but not roles or organisations ("World
    Vision Vietnam"): a run of capitalised words counts as a name when one of them is a
    known personal name. And, unless the safeguarding review allowed donors to see the
    place, its most precise part ("Hòa Vang district" of "Hòa Vang district, Da Nang").
    """
    known = set()
    names = common_names()
    for run in CAPITALISED_RUN.findall(story.collector or ""):
        words = [word for word in run.split() if word[:1].isupper() and word not in HONORIFICS]
        if any(word in names for word in words):
            known.add(" ".join(words))
            known.update(word for word in words if len(word) >= 3)
    precise_place = (story.place or "").split(",")[0].strip()
    if not story.place_shareable and len(precise_place) >= 3:
        known.add(precise_place)
    return sorted(known)


def texts_of(story):
    """``(language, is_original, {field: text})`` for the original and each translation."""
    yield story.language, True, {name: getattr(story, name) for name in TEXT_FIELDS}
    for translation in story.translations:
        yield translation.language, False, {name: getattr(translation, name) for name in TEXT_FIELDS}


def propose(story):
    """The findings in every text of ``story`` and a proposed redaction of each (nothing is stored)."""
    known = identifiers(story)
    proposals = []
    for language, is_original, texts in texts_of(story):
        fields = []
        for name, text in texts.items():
            findings = tuple(find_personal_data(text, known_names=known))
            fields.append(FieldProposal(name, text, findings, propose_redaction(text, findings)))
        proposals.append(LanguageProposal(language, is_original, tuple(fields)))
    return proposals


def remaining_findings(story, texts):
    """What the finder still flags in the texts a reviewer is about to approve."""
    known = identifiers(story)
    return {(language, name): find_personal_data(text, known_names=known)
            for language, fields in texts.items() for name, text in fields.items()
            if find_personal_data(text, known_names=known)}


def approve(session, actor, story, texts, version, *, remaining_checked=False):
    """Store ``texts`` ({language: {field: text}}) as the donor version and approve it.

    Every language of the story needs all three texts. If the finder still flags
    something, the reviewer must confirm they checked it (``remaining_checked``).
    """
    check_version(story, version)
    if is_sealed(story):
        raise ValidationFailed.on(None, N_("Consent for this story was withdrawn: nothing of it may reach donors."))
    languages = [language for language, _original, _texts in texts_of(story)]
    reasons = []
    for language in languages:
        for name in TEXT_FIELDS:
            if not (texts.get(language, {}).get(name) or "").strip():
                reasons.append((f"{language}-{name}", N_("Give the text donors will read (use placeholders such as "
                                                      "[name] for what must not reach them).")))
    if reasons:
        raise ValidationFailed(reasons)
    cleaned = {language: {name: texts[language][name].strip() for name in TEXT_FIELDS} for language in languages}
    if remaining_findings(story, cleaned) and not remaining_checked:
        raise ValidationFailed.on("remaining_checked", N_("Some text still looks like personal data (highlighted). "
                                                       "Redact it, or confirm that you checked it is safe to share."))
    store(story, cleaned)
    story.donor_version_approved_at = utcnow()
    session.add(story)
    session.flush()
    record(session, actor, "approve_donor_version", "story", story.id, project_id=story.project_id,
           details={"languages": languages, "remaining_checked": bool(remaining_checked)})
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
    """``{language: {field: text}}`` of the current approved version, or {} when none is approved."""
    if story.donor_version_approved_at is None:
        return {}
    return {item.language: {name: getattr(item, name) for name in TEXT_FIELDS} for item in story.donor_texts}
