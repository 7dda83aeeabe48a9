"""Donors read only a reviewer-approved, de-identified version of a story; without one it is not shared."""

import pytest

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tracker import migrate
from tracker.common.errors import ValidationFailed
from tracker.db import make_engine
from tracker.msc import donor_version
from tracker.msc import services
from tracker.msc.sharing import deidentify
from tracker.msc.sharing import is_donor_visible

RAW = "Her cousin Nguyễn Văn Bình called 090-123-4567 from Le Loi Secondary School."


@pytest.fixture
def story(factory, session):
    return factory.story(factory.project(countries=["VN"]), safeguarding="approved", donor_version=False,
                         what_happened=RAW, collector="Ms Kosal Heng, village volunteer")


def test_a_story_approved_by_safeguarding_but_without_a_donor_version_is_not_shared(story, session):
    assert not is_donor_visible(session, story.project.fund_id, story.id)


def test_the_proposal_flags_names_phones_schools_and_the_collector(story):
    proposal = donor_version.propose(story)[0]
    fields = {field.name: field for field in proposal.fields}

    assert fields["what_happened"].proposed == "Her cousin [name] called [phone number] from [school]."
    assert proposal.is_original and proposal.finding_count >= 3
    assert set(donor_version.identifiers(story)) == {"Kosal Heng", "Kosal", "Heng", "Hải Châu district"}


def test_roles_and_organisations_in_the_collector_field_are_not_names(factory):
    story = factory.story(factory.project(), collector="Child-protection officer, World Vision Vietnam (Da Nang)",
                          place="Hòa Vang district, Da Nang")

    assert donor_version.identifiers(story) == ["Hòa Vang district"]


def test_donors_read_the_approved_text_never_the_story_itself(story, factory, session):
    factory.donor_version(story)

    shown = deidentify(story)

    assert is_donor_visible(session, story.project.fund_id, story.id)
    assert shown.what_happened == "Her cousin [name] called [phone number] from [school]."
    assert "090-123-4567" not in repr(shown) and "Bình" not in repr(shown)


def test_approval_refuses_empty_texts(story):
    texts = {story.language: {"title": "", "what_happened": "x", "why_significant": "y"}}

    with pytest.raises(ValidationFailed) as error:
        donor_version.approve(None, TEST_ACTOR, story, texts, story.version)

    assert error.value.reasons[0][0] == f"{story.language}-title"


def test_approval_with_flagged_text_left_in_needs_the_reviewers_confirmation(story, session):
    texts = {story.language: {"title": story.title, "what_happened": RAW, "why_significant": story.why_significant}}

    with pytest.raises(ValidationFailed) as error:
        donor_version.approve(session, TEST_ACTOR, story, texts, story.version)

    assert error.value.reasons[0][0] == "remaining_checked"
    donor_version.approve(session, TEST_ACTOR, story, texts, story.version, remaining_checked=True)
    assert story.donor_version_approved_at is not None


def test_editing_the_story_clears_the_donor_version_approval(story, factory, session):
    factory.donor_version(story)
    values = {name: getattr(story, name) for name in (
        "domain_id", "title", "why_significant", "events_when", "country_code", "place", "collector",
        "collected_on", "storyteller_pseudonym", "language")}

    services.update_story(session, TEST_ACTOR, story.project, story, {
        **values, "cycle_id": None, "what_happened": "A new paragraph.",
        "storyteller_category": story.storyteller_category.value, "age_band": story.age_band.value}, story.version)

    assert story.donor_version_approved_at is None
    assert not is_donor_visible(session, story.project.fund_id, story.id)


def test_the_review_page_shows_the_findings_and_approves_the_edited_text(story, client, factory, login, session):
    login(factory.user("me"))
    session.commit()
    url = f"/projects/{story.project.slug}/stories/{story.id}/donor-version"
    page = client.get(url).get_data(as_text=True)

    assert "<mark" in page and "[phone number]" in page
    response = client.post(url, data={
        "csrf_token": csrf_from(page), "version": str(story.version), "texts-0-language": story.language,
        "texts-0-title": "A cousin asked for help", "texts-0-what_happened": "A cousin called the hotline.",
        "texts-0-why_significant": "She knew where to turn."})

    assert response.status_code == 302
    session.expire_all()
    assert deidentify(story).what_happened == "A cousin called the hotline."


def test_a_stale_review_is_shown_again_with_the_reviewers_text_and_the_current_version(
        story, client, factory, login, session):
    login(factory.user("me"))
    session.commit()
    url = f"/projects/{story.project.slug}/stories/{story.id}/donor-version"
    page = client.get(url).get_data(as_text=True)

    response = client.post(url, data={
        "csrf_token": csrf_from(page), "version": str(story.version - 1), "texts-0-language": story.language,
        "texts-0-title": "A cousin asked for help", "texts-0-what_happened": "A cousin called the hotline.",
        "texts-0-why_significant": "She knew where to turn."})

    shown = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The story changed while you reviewed it" in shown and "A cousin called the hotline." in shown
    assert f'name="version" type="hidden" value="{story.version}"' in shown
    session.expire_all()
    assert not is_donor_visible(session, story.project.fund_id, story.id)


def test_a_review_missing_a_language_keeps_the_text_typed_and_asks_for_the_rest(
        story, client, factory, login, session):
    services.save_translation(session, TEST_ACTOR, story, {
        "language": "en" if story.language != "en" else "vi", "title": "A cousin",
        "what_happened": "Her cousin Binh called.", "why_significant": "She knew where to turn."})
    login(factory.user("me"))
    session.commit()
    url = f"/projects/{story.project.slug}/stories/{story.id}/donor-version"
    page = client.get(url).get_data(as_text=True)

    response = client.post(url, data={
        "csrf_token": csrf_from(page), "version": str(story.version), "texts-0-language": story.language,
        "texts-0-title": "A cousin asked for help", "texts-0-what_happened": "A cousin called the hotline.",
        "texts-0-why_significant": "She knew where to turn."})

    shown = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "languages changed since the page was opened" in shown and "A cousin called the hotline." in shown
    assert 'name="texts-1-language"' in shown
    session.expire_all()
    assert not is_donor_visible(session, story.project.fund_id, story.id)


def test_grantees_cannot_approve_donor_versions(story, client, factory, login):
    login(factory.user("grantee", projects=[story.project]))

    assert client.get(f"/projects/{story.project.slug}/stories/{story.id}/donor-version").status_code == 404


def test_donor_search_never_matches_or_shows_redacted_text(story, client, factory, login, session):
    factory.donor_version(story)
    login(factory.user("donor"))
    session.commit()

    found = client.get("/search?kind=story&q=cousin").get_data(as_text=True)
    redacted = client.get("/search?kind=story&q=Loi").get_data(as_text=True)

    assert "[school]" in found and "Le Loi" not in found
    assert story.title not in redacted or "Nothing found" in redacted


def test_undoing_the_migration_keeps_the_sqlite_search_triggers(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/down.sqlite")
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0005")
    with engine.connect() as connection:
        triggers = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")}
    engine.dispose()

    assert {"story_fts_after_insert", "story_fts_after_delete", "story_fts_after_update"} <= triggers
