"""THE DONOR RULE, built once. Every donor-facing list, count, search, export, report and page uses it.

A story reaches a donor only when **all** of these hold:

1. its consent record is complete (who consented, when, on which form; for a
   child the guardian's consent *and* the child's assent);
2. the storyteller granted the *donor reporting* scope;
3. consent has not been withdrawn (any withdrawal date removes it at once);
4. the safeguarding review *approved it for sharing* (pending and restricted
   stories never reach a donor);
5. a reviewer approved its de-identified *donor version*, and the story's text
   has not changed since (:mod:`tracker.msc.donor_version`; fails closed);
6. its project belongs to the fund the donor is looking at.

:func:`donor_visible_stories` returns that rule as a SQLAlchemy ``SELECT`` of
``Story`` rows, so callers can add filters, order, paginate, count, search or
export from it without restating the rule::

    statement = donor_visible_stories(fund.id).where(Story.domain_id == domain_id)
    page = paginate(session, statement.order_by(Story.id), number, per_page)
    total = session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
    ids = donor_visible_stories(fund.id).with_only_columns(Story.id)   # for IN (...) filters

A donor never sees the ``Story`` model itself: pages, exports and reports
render :func:`deidentify`: the approved donor version of the text, a pseudonym,
the relationship category and the age band; no collector, and no place finer
than the country unless the safeguarding review approved the place).

Code for donor-facing features must not select stories any other way, and
:func:`stories_visible_to` routes the donor role here for pages that serve
several roles.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import select

from tracker.auth.permissions import RULES
from tracker.auth.permissions import Role
from tracker.msc.donor_version import approved_texts
from tracker.msc.models import ConsentRecord
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.portfolio.models import Project


def donor_rule():
    """The rule as a SQL condition over ``Story`` joined to its ``ConsentRecord`` (used only here)."""
    return sa.and_(
        ConsentRecord.complete.is_(True),
        ConsentRecord.scope_donor.is_(True),
        ConsentRecord.withdrawn_on.is_(None),
        Story.safeguarding_status == SafeguardingStatus.APPROVED,
        Story.donor_version_approved_at.is_not(None),
    )


def donor_visible_stories(fund_id):
    """``SELECT story`` limited to the stories of fund ``fund_id`` that donors may see (see the module doc)."""
    return (
        select(Story)
        .join(ConsentRecord, ConsentRecord.id == Story.consent_id)
        .join(Project, Project.id == Story.project_id)
        .where(Project.fund_id == fund_id, donor_rule())
    )


def donor_visible_story_ids(fund_id):
    """The same rule as a one-column ``SELECT story.id``, for ``IN (...)`` filters."""
    return donor_visible_stories(fund_id).with_only_columns(Story.id)


def is_donor_visible(session, fund_id, story_id):
    """Whether donors may see story ``story_id`` now (asks the same SELECT)."""
    return session.scalar(donor_visible_story_ids(fund_id).where(Story.id == story_id)) is not None


def stories_visible_to(role, project_ids, fund_id):
    """``SELECT story`` for what a user of ``role`` may see.

    Donors get the donor rule; roles that read stories everywhere (M&E staff) get
    the fund's stories; everyone else only the stories of ``project_ids``: a
    grantee's memberships, or the projects an administrator broke the glass for.
    """
    if Role(role) is Role.DONOR:
        return donor_visible_stories(fund_id)
    statement = select(Story).join(Project, Project.id == Story.project_id).where(Project.fund_id == fund_id)
    if Role(role) in RULES["story.view"].everywhere:
        return statement
    return statement.where(Story.project_id.in_(sorted(project_ids) or [-1]))


def selection_eligible_stories():
    """``SELECT story`` for stories a selection panel may consider.

    The storyteller agreed to internal learning, has not withdrawn, and
    safeguarding has not restricted the story (restricted stories stay with the
    project team and are not put before panels). Donor scope is not needed.
    """
    return (
        select(Story)
        .join(ConsentRecord, ConsentRecord.id == Story.consent_id)
        .where(
            ConsentRecord.complete.is_(True),
            ConsentRecord.scope_internal.is_(True),
            ConsentRecord.withdrawn_on.is_(None),
            Story.safeguarding_status != SafeguardingStatus.RESTRICTED,
        )
    )


def is_selection_eligible(session, story_id):
    """Whether the story may go before selection panels, and so serve as the team's evidence."""
    found = session.execute(selection_eligible_stories().with_only_columns(Story.id).where(Story.id == story_id))
    return found.first() is not None


@dataclass(frozen=True)
class DonorTranslation:
    language: str
    title: str
    what_happened: str
    why_significant: str


@dataclass(frozen=True)
class DonorStory:
    """A story as donors see it: its text, and who told it only as pseudonym, category and age band."""

    id: int
    project_slug: str
    project_title: str
    cycle_title: str
    domain: str
    title: str
    what_happened: str
    why_significant: str
    language: str
    translations: tuple
    pseudonym: str
    category: object
    age_band: object
    country_code: str
    place: str
    events_when: str


def deidentify(story):
    """Return the donor view of ``story`` (which the caller got from :func:`donor_visible_stories`).

    The texts are the approved donor version, never the story's own text. Leaves
    out the collector, collection date, consent details, safeguarding notes and
    ToC links, and the place unless safeguarding approved it. Without an approved
    donor version there is nothing to show: it raises ``ValueError``.
    """
    texts = approved_texts(story)
    if story.language not in texts:
        raise ValueError(f"story {story.id} has no approved donor version")
    original = texts[story.language]
    return DonorStory(
        id=story.id,
        project_slug=story.project.slug,
        project_title=story.project.title,
        cycle_title=story.cycle.title,
        domain=story.domain.name,
        title=original["title"],
        what_happened=original["what_happened"],
        why_significant=original["why_significant"],
        language=story.language,
        translations=tuple(DonorTranslation(language, fields["title"], fields["what_happened"],
                                            fields["why_significant"])
                           for language, fields in sorted(texts.items()) if language != story.language),
        pseudonym=original["pseudonym"],
        category=story.storyteller_category,
        age_band=story.age_band,
        country_code=story.country_code,
        place=story.place if story.place_shareable else "",
        events_when=original["events_when"],
    )
