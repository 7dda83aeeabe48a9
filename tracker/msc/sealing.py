"""Withdrawal seals the story: from the moment consent is withdrawn, everyone sees only its stub.

Sealing moves what could identify the storyteller or tell their story (title, text, pseudonym, when and
where it happened, the collector, the safeguarding note, every translation and the donor version) out of
the story's row into its :class:`~tracker.msc.models.SealedStory`, and leaves the row with empty texts.
Pages, lists, search (whose index is built from the row), the API and exports therefore have nothing left
to show: they show the stub (when consent was withdrawn, who recorded it, the project). A safeguarding
lead who needs the text for a referral reads the sealed record through a reasoned, audited, time-limited
grant; the retention purge erases it with the story.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.msc.models import SealedStory

STORY_FIELDS = ("title", "what_happened", "why_significant", "storyteller_pseudonym", "events_when", "place",
                "collector", "safeguarding_note")
TRANSLATION_FIELDS = ("language", "title", "what_happened", "why_significant", "translator_note")
DONOR_TEXT_FIELDS = ("language", "title", "what_happened", "why_significant")


def is_sealed(story):
    """Whether ``story`` shows only its stub: its storyteller withdrew consent."""
    return story.consent.withdrawn_on is not None


def seal(story, user_id):
    """Move the story's text, translations and donor version into its sealed record; the caller flushes."""
    content = {
        "story": {name: getattr(story, name) for name in STORY_FIELDS},
        "translations": [{name: getattr(item, name) for name in TRANSLATION_FIELDS} for item in story.translations],
        "donor_texts": [{name: getattr(item, name) for name in DONOR_TEXT_FIELDS} for item in story.donor_texts],
    }
    story.sealed = SealedStory(story_id=story.id, sealed_by_id=user_id, content=content)
    for name in STORY_FIELDS:
        setattr(story, name, "")
    story.translations.clear()
    story.donor_texts.clear()
    story.donor_version_approved_at = None
    story.place_shareable = False
    return story.sealed


@dataclass(frozen=True)
class StoryStub:
    """All anyone sees of a sealed story."""

    id: int
    project_slug: str
    project_title: str
    withdrawn_on: date
    recorded_by: str


def recorders(session, stories):
    """``{story id: display name of who recorded the withdrawal}`` for the sealed ones of ``stories`` (one query)."""
    sealed_ids = [story.id for story in stories if is_sealed(story)]
    if not sealed_ids:
        return {}
    rows = session.execute(sa.select(SealedStory.story_id, User.display_name)
                           .join(User, User.id == SealedStory.sealed_by_id, isouter=True)
                           .where(SealedStory.story_id.in_(sealed_ids))).all()
    return {story_id: name or "" for story_id, name in rows}


def stubs(session, stories):
    """``{story id: StoryStub}`` for the sealed ones of ``stories``: all a page, list or API may show of them."""
    names = recorders(session, stories)
    return {story.id: StoryStub(story.id, story.project.slug, story.project.title, story.consent.withdrawn_on,
                                names.get(story.id, ""))
            for story in stories if is_sealed(story)}


@dataclass(frozen=True)
class SealedText:
    """The sealed text, as a grant holder reads it."""

    title: str
    what_happened: str
    why_significant: str
    storyteller_pseudonym: str
    events_when: str
    place: str
    collector: str
    safeguarding_note: str
    translations: tuple


def sealed_text(story):
    """The text a withdrawal sealed away (None when the story was withdrawn before sealing existed and kept none)."""
    if story.sealed is None:
        return None
    content = story.sealed.content
    fields = {name: content["story"].get(name, "") for name in STORY_FIELDS}
    return SealedText(**fields, translations=tuple(content.get("translations", ())))
