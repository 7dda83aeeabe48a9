"""The donor rule, built once: tested against every combination of consent, withdrawal and safeguarding."""

import itertools
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tracker.msc import services
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.msc.sharing import deidentify
from tracker.msc.sharing import donor_visible_stories
from tracker.msc.sharing import is_donor_visible
from tracker.msc.sharing import selection_eligible_stories
from tracker.msc.sharing import stories_visible_to

SCOPES = list(itertools.product([False, True], repeat=3))  # (internal, donor, public)
STATES = list(SafeguardingStatus)


@pytest.fixture
def cycle(factory, session):
    return factory.cycle()


def story_in_state(factory, session, project, cycle, *, complete=True, scopes=(True, True, False), withdrawn=False,
                   safeguarding=SafeguardingStatus.APPROVED, donor_version=True):
    """A story whose consent record, review and donor version are set exactly as given (even combinations
    forms refuse)."""
    story = factory.story(project, cycle, require_consent=False)
    if donor_version:
        factory.donor_version(story)
    consent = story.consent
    consent.complete = complete
    consent.scope_internal, consent.scope_donor, consent.scope_public = scopes
    consent.withdrawn_on = date(2024, 1, 15) if withdrawn else None
    story.safeguarding_status = safeguarding
    session.add_all([consent, story])
    session.flush()
    return story


@pytest.mark.parametrize("complete", [True, False], ids=["consent-complete", "needs-consent"])
@pytest.mark.parametrize("scopes", SCOPES, ids=lambda s: "scopes-" + "".join("IDP"[i] if on else "-"
                                                                             for i, on in enumerate(s)))
@pytest.mark.parametrize("withdrawn", [False, True], ids=["not-withdrawn", "withdrawn"])
@pytest.mark.parametrize("safeguarding", STATES, ids=[state.value for state in STATES])
@pytest.mark.parametrize("donor_version", [True, False], ids=["donor-version-approved", "no-donor-version"])
def test_the_donor_rule_for_every_combination(factory, session, cycle, complete, scopes, withdrawn, safeguarding,
                                              donor_version):
    project = factory.project()
    story = story_in_state(factory, session, project, cycle, complete=complete, scopes=scopes, withdrawn=withdrawn,
                           safeguarding=safeguarding, donor_version=donor_version)
    expected = (complete and scopes[1] and not withdrawn and safeguarding is SafeguardingStatus.APPROVED
                and donor_version)

    visible = session.scalars(donor_visible_stories(project.fund_id).where(Story.id == story.id)).all()

    assert (visible == [story]) is expected
    assert is_donor_visible(session, project.fund_id, story.id) is expected


@pytest.mark.both_backends
def test_the_donor_rule_returns_exactly_the_shareable_stories_on_both_backends(factory, session, cycle):
    project = factory.project()
    expected = set()
    for complete, scopes, withdrawn, safeguarding, donor_version in itertools.product(
            [True, False], SCOPES, [False, True], STATES, [True, False]):
        story = story_in_state(factory, session, project, cycle, complete=complete, scopes=scopes,
                               withdrawn=withdrawn, safeguarding=safeguarding, donor_version=donor_version)
        if complete and scopes[1] and not withdrawn and safeguarding is SafeguardingStatus.APPROVED and donor_version:
            expected.add(story.id)

    statement = donor_visible_stories(project.fund_id)
    found = set(session.scalars(statement.with_only_columns(Story.id)))
    counted = session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))

    assert found == expected and counted == len(expected) == 4  # the four scope sets that include donor


def test_the_donor_rule_is_limited_to_the_fund(factory, session, cycle):
    story = story_in_state(factory, session, factory.project(), cycle)

    assert session.scalars(donor_visible_stories(story.project.fund_id + 1000)).all() == []


def test_withdrawing_consent_takes_a_story_out_of_the_donor_rule_at_once(factory, session, cycle):
    project = factory.project()
    story = factory.story(project, cycle, safeguarding="approved")
    assert is_donor_visible(session, project.fund_id, story.id)

    services.withdraw_consent(session, TEST_ACTOR, story, date.today(), "Asked in person.", story.consent.version)

    assert not is_donor_visible(session, project.fund_id, story.id)


def test_editing_an_approved_story_sends_it_back_to_safeguarding(factory, session, cycle):
    project = factory.project()
    story = factory.story(project, cycle, safeguarding="approved")
    values = {name: getattr(story, name) for name in (
        "domain_id", "title", "why_significant", "events_when", "country_code", "place", "collector",
        "collected_on", "storyteller_pseudonym", "language")}

    services.update_story(session, TEST_ACTOR, project, story, {
        **values, "cycle_id": None, "what_happened": "A new paragraph naming the school.",
        "storyteller_category": story.storyteller_category.value, "age_band": story.age_band.value},
        story.version)

    assert story.safeguarding_status is SafeguardingStatus.PENDING
    assert not is_donor_visible(session, project.fund_id, story.id)


def test_adding_a_translation_sends_an_approved_story_back_to_safeguarding(factory, session, cycle):
    project = factory.project()
    story = factory.story(project, cycle, safeguarding="approved")

    services.save_translation(session, TEST_ACTOR, story, {
        "language": "vi", "title": "Bạn ấy đã lên tiếng", "what_happened": "Sau buổi sinh hoạt, bạn ấy đã kể.",
        "why_significant": "Bạn ấy biết tìm ai."})

    assert story.safeguarding_status is SafeguardingStatus.PENDING


def test_approval_requires_complete_consent(factory, session, cycle):
    from tracker.common.errors import ValidationFailed

    story = factory.story(factory.project(), cycle, consent={"form_name": ""}, require_consent=False)

    with pytest.raises(ValidationFailed):
        services.review_safeguarding(session, TEST_ACTOR, story, {"status": "approved"}, story.version)


def test_the_donor_view_is_de_identified(factory, session, cycle):
    story = factory.story(factory.project(countries=["VN"]), cycle, safeguarding="approved",
                          collector="COLLECTOR-SENTINEL, village volunteer", place="PLACE-SENTINEL commune")

    shown = deidentify(story)

    assert "SENTINEL" not in repr(shown)
    assert (shown.pseudonym, shown.country_code) == (story.storyteller_pseudonym, "VN")
    assert not hasattr(shown, "collector") and shown.place == ""


def test_the_donor_view_shows_the_place_when_safeguarding_allowed_it(factory, session, cycle):
    story = factory.story(factory.project(), cycle, place="Hải Châu district")
    services.review_safeguarding(session, TEST_ACTOR, story, {"status": "approved", "place_shareable": True},
                                 story.version)
    factory.donor_version(story)

    assert deidentify(story).place == "Hải Châu district"


def test_grantees_see_their_own_projects_stories_and_staff_see_all(factory, session, cycle):
    own, other = factory.project(), factory.project()
    mine, theirs = factory.story(own, cycle), factory.story(other, cycle)

    grantee = {story.id for story in session.scalars(stories_visible_to("grantee", {own.id}, own.fund_id))}
    staff = {story.id for story in session.scalars(stories_visible_to("me", set(), own.fund_id))}

    assert grantee == {mine.id} and staff == {mine.id, theirs.id}


def test_donors_are_routed_to_the_donor_rule(factory, session, cycle):
    project = factory.project()
    shared = factory.story(project, cycle, safeguarding="approved")
    factory.story(project, cycle)

    assert session.scalars(stories_visible_to("donor", set(), project.fund_id)).all() == [shared]


def test_restricted_and_withdrawn_stories_are_not_put_before_panels(factory, session, cycle):
    project = factory.project()
    eligible = factory.story(project, cycle)
    factory.story(project, cycle, safeguarding="restricted")
    factory.story(project, cycle, consent={"scope_internal": False})
    story_in_state(factory, session, project, cycle, withdrawn=True)

    assert session.scalars(selection_eligible_stories()).all() == [eligible]


def test_recording_a_storyteller_as_a_child_needs_the_childs_consent_first(factory, session, cycle):
    from tracker.common.errors import ValidationFailed

    project = factory.project()
    story = factory.story(project, cycle, consent={"guardian_consent": False, "child_assent": False})
    values = {name: getattr(story, name) for name in (
        "domain_id", "title", "what_happened", "why_significant", "events_when", "country_code", "place",
        "collector", "collected_on", "storyteller_pseudonym", "language")}

    with pytest.raises(ValidationFailed) as raised:
        services.update_story(session, TEST_ACTOR, project, story, {
            **values, "cycle_id": None, "storyteller_category": "child", "age_band": "13_15"}, story.version)

    assert raised.value.reasons[0][0] == "age_band"
