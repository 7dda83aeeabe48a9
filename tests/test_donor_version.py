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
    assert set(donor_version.identifiers(story)) == {"Kosal Heng", "Kosal", "Heng"}
    assert donor_version.private_places(story) == ["Hải Châu district"]


def test_roles_organisations_and_places_in_the_collector_field_are_not_names(factory):
    story = factory.story(factory.project(), collector="Child-protection officer, World Vision Vietnam (Da Nang)",
                          place="Hòa Vang district, Da Nang")

    assert donor_version.identifiers(story) == []
    assert donor_version.private_places(story) == ["Hòa Vang district"]


def test_a_private_place_is_proposed_as_a_place_never_as_a_name(factory):
    story = factory.story(factory.project(countries=["TH"]), place="Chiang Rai", donor_version=False,
                          what_happened="She met the volunteers in Chiang Rai.")

    fields = {field.name: field for field in donor_version.propose(story)[0].fields}

    assert fields["what_happened"].proposed == "She met the volunteers in [place]."


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


def clean_texts(story, **changes):
    return {story.language: {"title": "A cousin asked for help", "what_happened": "A cousin called the hotline.",
                             "why_significant": "She knew where to turn.", "events_when": "Early 2023",
                             "pseudonym": "Lotus", **changes}}


def test_approval_with_flagged_text_left_in_needs_the_reviewers_confirmation(story, session):
    texts = clean_texts(story, what_happened=RAW)

    with pytest.raises(ValidationFailed) as error:
        donor_version.approve(session, TEST_ACTOR, story, texts, story.version)

    assert [field for field, _message in error.value.reasons] == ["remaining_checked"]
    donor_version.approve(session, TEST_ACTOR, story, texts, story.version, remaining_checked=True)
    assert story.donor_version_approved_at is not None


@pytest.mark.parametrize("field, text, named", [
    ("events_when", "On her 14th birthday, 2 March 2011; call 081-234-5678", "081-234-5678"),
    ("pseudonym", "Nguyễn Thị Lan", "Nguyễn Thị Lan"),
    ("title", "ครูสมชายช่วยมะลิ", "สมชาย"),
])
def test_approval_is_refused_naming_the_field_and_what_still_looks_personal(story, session, field, text, named):
    with pytest.raises(ValidationFailed) as error:
        donor_version.approve(session, TEST_ACTOR, story, clean_texts(story, **{field: text}), story.version)

    message = error.value.reasons[0][1]
    assert donor_version.FIELD_NAMES[field] in message and f"“{named}”" in message
    assert story.donor_version_approved_at is None


def test_text_the_finder_cannot_read_needs_the_reviewers_confirmation(story, session):
    texts = clean_texts(story, why_significant="ນາງເວົ້າວ່າ ນາງຮູ້ສຶກປອດໄພແລ້ວ")

    with pytest.raises(ValidationFailed) as error:
        donor_version.approve(session, TEST_ACTOR, story, texts, story.version)

    assert "cannot read" in error.value.reasons[0][1]
    donor_version.approve(session, TEST_ACTOR, story, texts, story.version, remaining_checked=True)
    assert story.donor_version_approved_at is not None


def test_donors_read_the_approved_when_and_pseudonym_not_the_storys_own(factory, session):
    story = factory.story(factory.project(countries=["VN"]), safeguarding="approved", donor_version=False,
                          events_when="Lan's 14th birthday party", storyteller_pseudonym="Lan Nguyen")

    proposal = {field.name: field for field in donor_version.propose(story)[0].fields}
    assert proposal["pseudonym"].proposed == "[name]"
    donor_version.approve(session, TEST_ACTOR, story, clean_texts(story), story.version)

    shown = deidentify(story)
    assert (shown.pseudonym, shown.events_when) == ("Lotus", "Early 2023")
    assert "Lan" not in repr(shown)


def test_a_shareable_place_is_checked_before_approval(factory, session):
    story = factory.story(factory.project(countries=["VN"]), safeguarding="approved", donor_version=False,
                          place="12 Tran Phu Street, Da Nang")
    story.place_shareable = True

    with pytest.raises(ValidationFailed) as error:
        donor_version.approve(session, TEST_ACTOR, story, clean_texts(story), story.version)

    assert donor_version.FIELD_NAMES["place"] in error.value.reasons[0][1]


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


def test_the_review_page_refuses_a_full_name_in_the_pseudonym_and_says_where(story, client, factory, login, session):
    login(factory.user("me"))
    session.commit()
    url = f"/projects/{story.project.slug}/stories/{story.id}/donor-version"
    page = client.get(url).get_data(as_text=True)

    assert 'name="texts-0-pseudonym"' in page and 'name="texts-0-events_when"' in page
    response = client.post(url, data={
        "csrf_token": csrf_from(page), "version": str(story.version), "texts-0-language": story.language,
        "texts-0-title": "A cousin asked for help", "texts-0-what_happened": "A cousin called the hotline.",
        "texts-0-why_significant": "She knew where to turn.", "texts-0-events_when": "Spring 2023",
        "texts-0-pseudonym": "Nguyễn Thị Lan"})

    answer = response.get_data(as_text=True)
    assert response.status_code == 200 and story.donor_version_approved_at is None
    assert "Storyteller&#39;s pseudonym (en)" in answer and "“Nguyễn Thị Lan” (a personal name)" in answer
