"""MSC stories in the application: consent on save, any script, markup as text, audited reads, donors."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tracker.audit.models import AuditEntry
from tracker.msc import services
from tracker.msc.models import ConsentRecord
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story

KHMER = "ក្មេងស្រីម្នាក់បានប្រាប់គ្រូរបស់នាងអំពីសារដែលធ្វើឱ្យនាងភ័យខ្លាច។"
THAI = "เด็กคนหนึ่งทักแชทสายเด็กตอนตีหนึ่ง และได้รับคำตอบภายในไม่กี่นาที"
VIETNAMESE = "Em đã kể với bạn trưởng nhóm câu lạc bộ, và bạn ấy biết phải tìm ai."
EMOJI = "She sent 🙏 and 💙 when the counsellor answered 👩🏽‍⚕️."


@pytest.fixture
def project(factory, session):
    project = factory.project("viet-nam-networks", title="Community networks in Da Nang", countries=["VN"])
    session.commit()
    return project


@pytest.fixture
def cycle(factory, session):
    cycle = factory.cycle(title="Fund-wide cycle 2023")
    session.commit()
    return cycle


def story_form(cycle, **overrides):
    return {
        "domain_id": str(cycle.domains[0].id), "title": "That cup of coffee", "language": "en",
        "what_happened": "A boy told his friend, a club peer leader, over coffee.",
        "why_significant": "He learned that speaking up is worth it.", "events_when": "2021",
        "country_code": "VN", "place": "Hòa Vang district", "collector": "Village volunteer",
        "collected_on": "2023-04-12", "storyteller_pseudonym": "Minh", "storyteller_category": "young_person",
        "age_band": "16_17",
        "guardian_consent": "y", "child_assent": "y", "obtained_on": "2023-04-12",
        "form_name": "Story consent and child assent form", "form_version": "3.0",
        "scope_internal": "y", "scope_donor": "y",
        **overrides,
    }


def stories(session):
    return session.scalar(sa.select(sa.func.count()).select_from(Story))


class TestWritingStories:
    def test_a_grantee_saves_a_story_with_its_consent_record(self, client, factory, login, session, submit, project,
                                                             cycle):
        login(factory.user("grantee", projects=[project]))

        response = submit(f"/projects/{project.slug}/stories/new", story_form(cycle))

        assert response.status_code == 302
        story = session.scalar(sa.select(Story))
        assert story.consent.complete and story.consent.guardian_consent and story.consent.child_assent
        assert story.safeguarding_status is SafeguardingStatus.PENDING
        assert story.cycle_id == cycle.id

    def test_a_story_without_consent_is_not_saved_and_keeps_the_text(self, client, factory, login, session, submit,
                                                                     project, cycle):
        login(factory.user("grantee", projects=[project]))
        data = story_form(cycle, what_happened=VIETNAMESE)
        for field in ("guardian_consent", "child_assent", "obtained_on", "form_name"):
            data.pop(field)

        response = submit(f"/projects/{project.slug}/stories/new", data)
        html = response.get_data(as_text=True)

        assert response.status_code == 200 and stories(session) == 0
        assert "record the parent&#39;s or guardian&#39;s consent" in html
        assert 'id="child_assent-error"' in html and 'id="form_name-error"' in html
        assert VIETNAMESE in html

    def test_missing_story_fields_are_field_errors(self, client, factory, login, session, submit, project, cycle):
        login(factory.user("grantee", projects=[project]))

        response = submit(f"/projects/{project.slug}/stories/new",
                          story_form(cycle, why_significant="", storyteller_pseudonym=""))
        html = response.get_data(as_text=True)

        assert response.status_code == 200 and stories(session) == 0
        assert 'id="why_significant-error"' in html and 'id="storyteller_pseudonym-error"' in html
        assert "A boy told his friend, a club peer leader, over coffee." in html

    @pytest.mark.parametrize("language, text", [("km", KHMER), ("th", THAI), ("vi", VIETNAMESE), ("en", EMOJI)])
    def test_stories_in_any_script_save_and_render(self, client, factory, login, session, submit, project, cycle,
                                                   language, text):
        login(factory.user("grantee", projects=[project]))

        response = submit(f"/projects/{project.slug}/stories/new",
                          story_form(cycle, language=language, title=text[:40], what_happened=text))
        story = session.scalar(sa.select(Story))
        html = client.get(response.headers["Location"]).get_data(as_text=True)

        assert story.what_happened == text
        assert text in html and f'lang="{language}"' in html

    def test_a_50000_character_story_saves_and_renders(self, client, factory, login, session, submit, project, cycle):
        text = ("ក្មេង 🙂 " * 7143)[:50_000]
        login(factory.user("grantee", projects=[project]))

        response = submit(f"/projects/{project.slug}/stories/new", story_form(cycle, what_happened=text))

        assert response.status_code == 302
        assert session.scalar(sa.select(Story)).what_happened == text.strip()
        assert text.strip() in client.get(response.headers["Location"]).get_data(as_text=True)

    def test_a_longer_story_is_refused_with_a_message_not_an_error_page(self, client, factory, login, session, submit,
                                                                        project, cycle):
        login(factory.user("grantee", projects=[project]))

        response = submit(f"/projects/{project.slug}/stories/new", story_form(cycle, what_happened="x" * 50_001))

        assert response.status_code == 200 and stories(session) == 0
        assert "Keep this text under 50,000 characters." in response.get_data(as_text=True)

    def test_markup_in_a_story_is_shown_as_text(self, client, factory, login, session, project, cycle):
        story = factory.story(project, cycle, title="<b>bold</b> title",
                              what_happened='<script>alert("x")</script><img src=x onerror=alert(1)>')
        login(factory.user("me"))

        html = client.get(f"/projects/{project.slug}/stories/{story.id}").get_data(as_text=True)
        listing = client.get(f"/projects/{project.slug}/stories").get_data(as_text=True)

        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in listing
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        assert "&lt;b&gt;bold&lt;/b&gt; title" in listing

    def test_null_characters_are_dropped_instead_of_breaking_the_database(self, factory, session, project, cycle):
        story = factory.story(project, cycle, what_happened="Before\x00after")

        assert story.what_happened == "Beforeafter"


class TestConsentAndSafeguarding:
    def test_an_imported_story_without_consent_details_needs_consent(self, client, factory, login, session, project,
                                                                     cycle):
        story = factory.story(project, cycle, consent={"form_name": "", "obtained_on": None}, require_consent=False)
        login(factory.user("grantee", projects=[project]))

        html = client.get(f"/projects/{project.slug}/stories/{story.id}").get_data(as_text=True)

        assert not story.consent.complete
        assert "Needs consent" in html and "Record consent" in html

    def test_recording_consent_completes_the_record(self, client, factory, login, session, submit, project, cycle):
        story = factory.story(project, cycle, consent={"form_name": ""}, require_consent=False)
        login(factory.user("grantee", projects=[project]))
        session.commit()

        response = submit(f"/projects/{project.slug}/stories/{story.id}/consent", {
            "storyteller_consent": "y", "obtained_on": "2023-05-02", "form_name": "Story consent form",
            "form_version": "2.1", "scope_internal": "y", "scope_donor": "y", "version": str(story.consent.version)})

        assert response.status_code == 302
        session.refresh(story.consent)
        assert story.consent.complete

    def test_withdrawal_removes_the_story_from_the_donor_pages_at_once(self, client, factory, login, session, submit,
                                                                       project, cycle):
        story = factory.story(project, cycle, title="WITHDRAWN-SENTINEL story", safeguarding="approved")
        grantee = factory.user("grantee", projects=[project])
        donor = factory.user("donor")
        session.commit()
        login(donor)
        assert "WITHDRAWN-SENTINEL" in client.get("/msc/stories").get_data(as_text=True)

        login(grantee)
        response = submit(f"/projects/{project.slug}/stories/{story.id}/consent/withdraw", {
            "withdrawn_on": date.today().isoformat(), "note": "In person.", "version": str(story.consent.version)})
        assert response.status_code == 302

        login(donor)
        assert "WITHDRAWN-SENTINEL" not in client.get("/msc/stories").get_data(as_text=True)
        assert client.get(f"/projects/{project.slug}/stories/{story.id}").status_code == 404

    def test_me_staff_approve_a_story_for_sharing(self, client, factory, login, session, submit, project, cycle):
        story = factory.story(project, cycle)
        login(factory.user("me"))
        session.commit()

        response = submit(f"/projects/{project.slug}/stories/{story.id}/safeguarding",
                          {"status": "approved", "note": "", "version": str(story.version)})

        assert response.status_code == 302
        session.refresh(story)
        assert story.safeguarding_status is SafeguardingStatus.APPROVED

    def test_restricting_needs_a_note(self, client, factory, login, session, submit, project, cycle):
        story = factory.story(project, cycle)
        login(factory.user("me"))
        session.commit()

        response = submit(f"/projects/{project.slug}/stories/{story.id}/safeguarding",
                          {"status": "restricted", "note": "", "version": str(story.version)})

        assert response.status_code == 200 and 'id="note-error"' in response.get_data(as_text=True)

    def test_a_stale_review_is_not_recorded_and_the_reviewer_reads_the_story_again(self, client, factory, login,
                                                                                    session, submit, project, cycle):
        story = factory.story(project, cycle)
        login(factory.user("me"))
        session.commit()

        response = submit(f"/projects/{project.slug}/stories/{story.id}/safeguarding",
                          {"status": "approved", "note": "", "version": str(story.version - 1)})

        assert response.status_code == 302 and response.location.endswith(f"/stories/{story.id}/safeguarding")
        assert "read it again before deciding" in client.get(response.location).get_data(as_text=True)
        session.refresh(story)
        assert story.safeguarding_status is SafeguardingStatus.PENDING

    def test_a_withdrawal_on_a_changed_consent_record_is_not_recorded(self, client, factory, login, session, submit,
                                                                     project, cycle):
        story = factory.story(project, cycle)
        login(factory.user("grantee", projects=[project]))
        session.commit()

        response = submit(f"/projects/{project.slug}/stories/{story.id}/consent/withdraw", {
            "withdrawn_on": date.today().isoformat(), "note": "", "version": str(story.consent.version - 1)})

        assert response.status_code == 302 and response.location.endswith(f"/stories/{story.id}")
        assert "check it and withdraw again" in client.get(response.location).get_data(as_text=True)
        session.refresh(story)
        assert story.consent.withdrawn_on is None

    def test_grantees_cannot_review_safeguarding(self, client, factory, login, session, project, cycle):
        story = factory.story(project, cycle)
        login(factory.user("grantee", projects=[project]))

        assert client.get(f"/projects/{project.slug}/stories/{story.id}/safeguarding").status_code == 404

    def test_a_translation_is_saved_with_its_language_and_translator_note(self, client, factory, login, session,
                                                                          submit, project, cycle):
        story = factory.story(project, cycle, language="vi", what_happened=VIETNAMESE)
        login(factory.user("grantee", projects=[project]))
        session.commit()

        submit(f"/projects/{project.slug}/stories/{story.id}/translations/new", {
            "language": "en", "title": "He told his friend", "what_happened": "I told the club's peer leader.",
            "why_significant": "He knew who to go to.", "translator_note": "Translated by the M&E officer."})
        html = client.get(f"/projects/{project.slug}/stories/{story.id}").get_data(as_text=True)

        assert VIETNAMESE in html and "I told the club&#39;s peer leader." in html
        assert "Translated by the M&amp;E officer." in html


def test_a_stale_story_edit_shows_both_versions_and_keeps_the_users_text(client, factory, login, session, project,
                                                                          cycle):
    story = factory.story(project, cycle, title="The original title")
    login(factory.user("grantee", projects=[project]))
    session.commit()
    page = client.get(f"/projects/{project.slug}/stories/{story.id}/edit").get_data(as_text=True)
    story.title = "A colleague's title"
    session.commit()
    form = {name: value for name, value in story_form(cycle, title="My own title").items()
            if name in ("domain_id", "title", "language", "what_happened", "why_significant", "events_when",
                        "country_code", "place", "collector", "collected_on", "storyteller_pseudonym",
                        "storyteller_category", "age_band")}

    response = client.post(f"/projects/{project.slug}/stories/{story.id}/edit",
                           data={**form, "version": "1", "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)

    assert response.status_code == 409
    assert "A colleague&#39;s title" in html and 'value="My own title"' in html
    session.refresh(story)
    assert story.title == "A colleague's title"


def test_project_cycles_are_offered_only_to_their_own_project(factory, session, project):
    fund_cycle = factory.cycle(title="Fund cycle")
    own = factory.cycle(project, title="Own cycle")
    factory.cycle(factory.project(), title="Another project's cycle")

    offered = {cycle.id for cycle in services.open_cycles_for(session, project)}

    assert offered == {fund_cycle.id, own.id}


def test_every_read_of_a_story_page_is_audited(client, factory, login, session, project, cycle):
    story = factory.story(project, cycle)
    user = factory.user("grantee", projects=[project])
    login(user)

    client.get(f"/projects/{project.slug}/stories/{story.id}")
    client.get(f"/projects/{project.slug}/stories/{story.id}")

    reads = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "read",
                                                        AuditEntry.object_type == "story")).all()
    assert [(entry.object_id, entry.actor_id) for entry in reads] == [(str(story.id), user.id)] * 2


def test_a_story_of_another_project_answers_404(client, factory, login, session, project, cycle):
    story = factory.story(factory.project(), cycle)
    login(factory.user("grantee", projects=[project]))

    assert client.get(f"/projects/{project.slug}/stories/{story.id}").status_code == 404


SENTINEL = "ZQX-SENTINEL"


@pytest.fixture
def restricted_material(factory, session, project, cycle):
    """One shared story and one story in every state that must never reach a donor, with sentinels everywhere."""
    shared = factory.story(project, cycle, title="Shared story about the club", safeguarding="approved",
                           collector=f"{SENTINEL} collector name", place=f"{SENTINEL} village")
    hidden = {
        "pending": {},
        "restricted": {"safeguarding": "restricted"},
        "no-donor-scope": {"safeguarding": "approved", "consent": {"scope_donor": False}},
        "needs-consent": {"consent": {"form_name": ""}, "require_consent": False},
    }
    stories = {}
    for state, options in hidden.items():
        stories[state] = factory.story(
            project, cycle, title=f"{SENTINEL} {state} title", what_happened=f"{SENTINEL} {state} grooming quokka text",
            why_significant=f"{SENTINEL} {state} significance", storyteller_pseudonym=f"{SENTINEL}-{state}",
            collector=f"{SENTINEL} collector", place=f"{SENTINEL} place", **options)
    withdrawn = factory.story(project, cycle, title=f"{SENTINEL} withdrawn title",
                              what_happened=f"{SENTINEL} withdrawn grooming quokka text", safeguarding="approved")
    services.withdraw_consent(session, TEST_ACTOR, withdrawn, date.today(), "", withdrawn.consent.version)
    stories["withdrawn"] = withdrawn
    session.commit()
    return shared, stories


def donor_pages(project, shared, hidden):
    yield "/"
    yield "/msc/stories"
    yield "/msc/stories?consent=needs_consent"
    yield "/msc/stories?safeguarding=restricted"
    yield f"/projects/{project.slug}/stories"
    yield f"/projects/{project.slug}/stories?safeguarding=pending"
    yield f"/projects/{project.slug}/stories/{shared.id}"
    yield f"/projects/{project.slug}/outcomes"
    for query in ("grooming", "quokka", "club", "quokka OR grooming", "withdrawn", "restricted", "pending title"):
        yield f"/search?q={query}&kind=story"
        yield f"/search?q={query}&kind=outcome"
    for story in hidden.values():
        yield f"/projects/{project.slug}/stories/{story.id}"


class TestDonors:
    def test_no_donor_page_or_search_shows_a_story_outside_the_donor_rule(self, client, factory, login, project,
                                                                          restricted_material):
        shared, hidden = restricted_material
        login(factory.user("donor"))

        for url in donor_pages(project, shared, hidden):
            html = client.get(url).get_data(as_text=True)
            assert SENTINEL not in html, url

        assert "Shared story about the club" in client.get("/msc/stories").get_data(as_text=True)

    def test_donor_search_finds_nothing_outside_the_donor_rule(self, client, factory, login, restricted_material):
        login(factory.user("donor"))

        html = client.get(f"/search?q={SENTINEL}&kind=story").get_data(as_text=True)

        assert re.findall(r'<span class="count">(\d+)</span>', html) == ["0", "0"]
        assert "Nothing found" in html

    def test_a_hidden_story_answers_like_a_story_that_does_not_exist(self, client, factory, login, session, project,
                                                                     restricted_material):
        _shared, hidden = restricted_material
        donor = factory.user("donor")
        login(donor)

        for story in hidden.values():
            refused = client.get(f"/projects/{project.slug}/stories/{story.id}")
            missing = client.get(f"/projects/{project.slug}/stories/999999")
            assert refused.status_code == missing.status_code == 404
            assert without_csrf(refused.get_data(as_text=True)) == without_csrf(missing.get_data(as_text=True))

        denied = session.scalars(sa.select(AuditEntry.object_id).where(AuditEntry.action == "denied_read",
                                                                       AuditEntry.actor_id == donor.id)).all()
        assert {str(story.id) for story in hidden.values()} <= set(denied)

    def test_a_donor_reads_a_de_identified_story(self, client, factory, login, project, restricted_material):
        shared, _hidden = restricted_material
        login(factory.user("donor"))

        html = client.get(f"/projects/{project.slug}/stories/{shared.id}").get_data(as_text=True)

        assert shared.storyteller_pseudonym in html and "Young person" in html and "18–24" in html
        assert "Village volunteer" not in html and "Consent" not in html

    def test_donors_do_not_see_consent_or_safeguarding_filters(self, client, factory, login, project,
                                                               restricted_material):
        login(factory.user("donor"))

        html = client.get("/msc/stories").get_data(as_text=True)

        assert 'name="consent"' not in html and 'name="safeguarding"' not in html


def without_csrf(html):
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


@pytest.mark.both_backends
@pytest.mark.parametrize("url", ["/projects/{slug}/stories", "/msc/stories"])
def test_story_list_query_count_does_not_grow_with_stories(client, factory, login, session, count_queries, project,
                                                           url):
    cycle = factory.cycle()
    other = factory.project(countries=["TH"])
    login(factory.user("me"))

    def queries_with(total):
        while stories(session) < total:
            count = stories(session)
            factory.story((project, other)[count % 2], cycle, cycle.domains[count % 4],
                          safeguarding=("approved", None)[count % 2],
                          language=("en", "vi", "th")[count % 3])
        session.commit()
        with count_queries() as counter:
            assert client.get(url.format(slug=project.slug)).status_code == 200
        return counter.count

    assert queries_with(4) == queries_with(30)


def test_consent_records_are_never_orphans_of_the_web_form(factory, session, project, cycle):
    factory.story(project, cycle)

    assert session.scalar(sa.select(sa.func.count()).select_from(ConsentRecord)) == stories(session) == 1
