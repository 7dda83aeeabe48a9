"""Most Significant Change stories, filtered for the audience.

Stories are selected through :func:`tracker.msc.sharing.stories_visible_to`:
donors get only the stories within THE DONOR RULE, and only through
:func:`tracker.msc.sharing.deidentify`, i.e. the approved de-identified donor
version, pseudonym, category and age band; M&E staff get the fund's stories,
grantees their projects' stories, and administrators only the stories of
projects they broke the glass for. Reading a story is audited as on the web.
"""

from datetime import date
from datetime import datetime
from typing import Literal

from flask_login import current_user
from pydantic import Field
from sqlalchemy.orm import selectinload

from tracker.api.blueprint import api
from tracker.api.common import Id
from tracker.api.common import Page
from tracker.api.common import PageQuery
from tracker.api.common import Schema
from tracker.api.common import page_of
from tracker.api.common import text
from tracker.api.problems import ApiProblem
from tracker.api.registry import project_access
from tracker.db import get_session
from tracker.msc import sealing
from tracker.msc import selection as panels
from tracker.msc import services
from tracker.msc import sharing
from tracker.msc.models import AgeBand
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story as StoryRow
from tracker.msc.models import StorytellerCategory
from tracker.msc.models import VerificationState
from tracker.outcomes.services import deny_read
from tracker.web import transaction
from tracker.web.access import actor
from tracker.web.access import record_sensitive_read
from tracker.web.access import record_shown
from tracker.web.access import sensitive_scope
from tracker.web.requests import is_donor

TAG = "Stories"


class Ref(Schema):
    id: int
    name: str


class Storyteller(Schema):
    pseudonym: str
    category: StorytellerCategory
    age_band: AgeBand


class Consent(Schema):
    complete: bool = Field(description="False: the story needs consent and reaches no donor.")
    storyteller_consent: bool
    guardian_consent: bool
    child_assent: bool
    obtained_on: date | None
    scope_internal: bool
    scope_donor: bool
    scope_public: bool
    withdrawn_on: date | None


class Internal(Schema):
    """What the project team and M&E staff see beyond the donor view (null for donors)."""

    collector: str
    collected_on: date
    consent: Consent
    safeguarding_status: SafeguardingStatus
    safeguarding_reviewed_at: datetime | None
    donor_version_approved: bool
    shared_with_donors: bool = Field(description="Whether the donor rule lets donors see the story now.")
    version: int


class InternalDetail(Internal):
    safeguarding_note: str
    toc_node_ids: list[int]


class Sealed(Schema):
    """The stub of a story whose storyteller withdrew consent: all anyone sees of it (its text is sealed)."""

    withdrawn_on: date
    recorded_by: str = Field(description="Who recorded the withdrawal (empty when not known).")
    project: str = Field(description="The project's slug.")


class StorySummary(Schema):
    id: int
    project: str = Field(description="The project's slug.")
    title: str = Field(description="For donors, the title of the approved de-identified version.")
    cycle: Ref
    domain: Ref
    language: str = Field(description="BCP 47 language of the original text.")
    country_code: str
    storyteller: Storyteller | None = Field(description="Null for a sealed story.")
    internal: Internal | None
    sealed: Sealed | None = Field(default=None, description="Set when consent was withdrawn: the story is sealed, "
                                                            "its title and text are empty and only this stub shows.")


class Translation(Schema):
    language: str
    title: str
    what_happened: str
    why_significant: str


class Selection(Schema):
    level: str
    decided_on: date
    reasons: str
    joint_reason: str = Field(description="Why the panel selected this story although it had already selected "
                                          "another in the same domain (a joint selection); empty otherwise.")


class Story(Schema):
    id: int
    project: str = Field(description="The project's slug.")
    title: str
    what_happened: str
    why_significant: str
    language: str
    translations: list[Translation]
    cycle: Ref
    domain: Ref
    country_code: str
    place: str = Field(description="For donors, empty unless the safeguarding review approved sharing the place.")
    events_when: str
    storyteller: Storyteller | None = Field(description="Null for a sealed story.")
    selections: list[Selection] = Field(description="Where selection panels chose the story, with their reasons.")
    verification: VerificationState | None = Field(
        description="For a selected story, whether its facts were checked: pending, confirmed, partly_confirmed "
                    "or not_confirmed (only confirmed counts as verified); null when no panel selected it.")
    internal: InternalDetail | None
    sealed: Sealed | None = Field(default=None, description="Set when consent was withdrawn: the story is sealed, "
                                                            "its texts are empty and only this stub shows.")


class StoryPage(Page[StorySummary]):
    pass


class StoryQuery(PageQuery):
    cycle_id: Id | None = None
    domain_id: Id | None = None
    language: text(16) | None = None
    country: text(2) | None = None
    safeguarding: SafeguardingStatus | None = Field(default=None, description="Ignored for donors.")
    consent: Literal["needs_consent", "withdrawn", "donor_scope"] | None = Field(
        default=None, description="Consent state; ignored for donors.")


def visible_stories(fund_id):
    return sharing.stories_visible_to(current_user.role, sensitive_scope(get_session(), "story.view"), fund_id)


def storyteller(story):
    return Storyteller(pseudonym=story.storyteller_pseudonym, category=story.storyteller_category,
                       age_band=story.age_band)


def consent_out(consent):
    return Consent(**{name: getattr(consent, name) for name in Consent.model_fields})


def internal_values(story, shared):
    return dict(collector=story.collector, collected_on=story.collected_on, consent=consent_out(story.consent),
                safeguarding_status=story.safeguarding_status,
                safeguarding_reviewed_at=story.safeguarding_reviewed_at,
                donor_version_approved=story.donor_version_approved_at is not None, shared_with_donors=shared,
                version=story.version)


def summary_out(story, shared, donor):
    title = sharing.deidentify(story).title if donor else story.title
    return StorySummary(id=story.id, project=story.project.slug, title=title,
                        cycle=Ref(id=story.cycle_id, name=story.cycle.title),
                        domain=Ref(id=story.domain_id, name=story.domain.name), language=story.language,
                        country_code=story.country_code, storyteller=storyteller(story),
                        internal=None if donor else Internal(**internal_values(story, story.id in shared)))


def sealed_out(stub):
    return Sealed(withdrawn_on=stub.withdrawn_on, recorded_by=stub.recorded_by, project=stub.project_slug)


def sealed_summary(story, stub):
    return StorySummary(id=story.id, project=stub.project_slug, title="",
                        cycle=Ref(id=story.cycle_id, name=story.cycle.title),
                        domain=Ref(id=story.domain_id, name=story.domain.name), language=story.language,
                        country_code=story.country_code, storyteller=None, internal=None, sealed=sealed_out(stub))


def sealed_story(story, stub):
    return Story(id=story.id, project=stub.project_slug, title="", what_happened="", why_significant="",
                 language=story.language, translations=[], cycle=Ref(id=story.cycle_id, name=story.cycle.title),
                 domain=Ref(id=story.domain_id, name=story.domain.name), country_code=story.country_code, place="",
                 events_when="", storyteller=None, selections=[], verification=None, internal=None,
                 sealed=sealed_out(stub))


def shared_among(session, fund_id, stories):
    ids = [story.id for story in stories]
    if not ids:
        return set()
    return set(session.scalars(sharing.donor_visible_story_ids(fund_id).where(StoryRow.id.in_(ids))))


@api.operation("GET", "/projects/<slug>/stories", operation_id="listStories", tag=TAG,
               summary="List a project's stories", permission="story.view", scope="project", sensitive=True,
               query=StoryQuery, response=StoryPage)
def list_stories(project, query):
    """Stories in the order they were collected, latest first, without their full text (read a story for
    that). Donors get only stories within the donor rule, titled by their de-identified version."""
    session = get_session()
    donor = is_donor()
    filters = {"cycle_id": query.cycle_id, "domain_id": query.domain_id, "language": query.language,
               "country": (query.country or "").upper() or None}
    if not donor:
        filters.update(safeguarding=query.safeguarding, consent=query.consent)
    statement = services.story_list_statement(visible_stories(project.fund_id), project, **filters)
    if donor:
        statement = statement.options(selectinload(StoryRow.donor_texts))

    def serialise(stories):
        record_shown(session, "story", "story.view", stories, "api")
        shared = set() if donor else shared_among(session, project.fund_id, stories)
        stubs = sealing.stubs(session, stories)
        return [sealed_summary(story, stubs[story.id]) if story.id in stubs else summary_out(story, shared, donor)
                for story in stories]

    return page_of(StoryPage, session, statement, query, serialise)


def refuse(session, story_id, project_id=None):
    """An audited refusal, answered exactly like a story that does not exist (the audit entry is kept)."""
    deny_read(session, actor(), "story", story_id, project_id=project_id)
    transaction.keep_on_error()
    raise ApiProblem(404)


def donor_story(story, selections, verification):
    view = sharing.deidentify(story)
    return Story(id=view.id, project=view.project_slug, title=view.title, what_happened=view.what_happened,
                 why_significant=view.why_significant, language=view.language,
                 translations=[Translation(language=item.language, title=item.title,
                                           what_happened=item.what_happened, why_significant=item.why_significant)
                               for item in view.translations],
                 cycle=Ref(id=story.cycle_id, name=view.cycle_title), domain=Ref(id=story.domain_id, name=view.domain),
                 country_code=view.country_code, place=view.place, events_when=view.events_when,
                 storyteller=Storyteller(pseudonym=view.pseudonym, category=view.category, age_band=view.age_band),
                 selections=selections, verification=verification, internal=None)


def full_story(story, selections, verification, shared):
    return Story(id=story.id, project=story.project.slug, title=story.title, what_happened=story.what_happened,
                 why_significant=story.why_significant, language=story.language,
                 translations=[Translation(language=item.language, title=item.title,
                                           what_happened=item.what_happened, why_significant=item.why_significant)
                               for item in story.translations],
                 cycle=Ref(id=story.cycle_id, name=story.cycle.title), domain=Ref(id=story.domain_id,
                                                                                  name=story.domain.name),
                 country_code=story.country_code, place=story.place, events_when=story.events_when,
                 storyteller=storyteller(story), selections=selections, verification=verification,
                 internal=InternalDetail(**internal_values(story, shared), safeguarding_note=story.safeguarding_note,
                                         toc_node_ids=[node.id for node in story.toc_nodes]))


@api.operation("GET", "/stories/<int:story_id>", operation_id="getStory", tag=TAG, summary="Read a story",
               permission="story.view", scope="object", response=Story)
def get_story(story_id):
    """A story with its full text and translations; donors get the approved de-identified version and only
    within the donor rule. Every read is recorded in the audit trail (under break-the-glass, with its reason)."""
    session = get_session()
    found = session.get(StoryRow, story_id)
    if found is None:
        refuse(session, story_id)
    try:
        project = project_access(found.project, "story.view", sensitive=True)
    except ApiProblem:
        refuse(session, story_id, found.project_id)
    story = services.get_story(session, project, story_id, base=visible_stories(project.fund_id))
    if story is None:
        refuse(session, story_id, project.id)
    record_sensitive_read(session, "story", story.id, project)
    stubs = sealing.stubs(session, [story])
    if story.id in stubs:
        return sealed_story(story, stubs[story.id])
    selections = [Selection(level=item.level, decided_on=item.decided_on, reasons=item.reasons,
                            joint_reason=item.joint_reason) for item in panels.donor_selections(session, story)]
    verification = panels.story_verification_state(session, story) if selections else None
    if is_donor():
        return donor_story(story, selections, verification)
    return full_story(story, selections, verification, sharing.is_donor_visible(session, project.fund_id, story.id))


