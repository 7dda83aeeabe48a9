"""API permissions: the same rules and visibility functions as the web pages, and the same audit trail."""

import re

import pytest
import sqlalchemy as sa

from tests.api_support import ApiClient
from tests.api_support import assert_problem
from tracker.audit.models import AuditEntry
from tracker.msc.models import Story

RESTRICTED = "SENTINEL-RESTRICTED-Kanya-told-us-her-address"
NO_DONOR_SCOPE = "SENTINEL-NO-DONOR-SCOPE"
WITHDRAWN = "SENTINEL-WITHDRAWN"
NEEDS_CONSENT = "SENTINEL-NEEDS-CONSENT"
ORIGINAL = "SENTINEL-ORIGINAL-TEXT-named-Somchai"
DONOR_TEXT = "After a club session [name] told a peer leader about the messages."


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if getattr(app.view_functions[rule.endpoint], "api", False)]


def fill(rule, slug):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: slug if m.group(1) == "slug" else "1", rule.rule)


def reads(session, object_type, object_id=None):
    statement = sa.select(AuditEntry).where(AuditEntry.action == "read", AuditEntry.object_type == object_type)
    if object_id is not None:
        statement = statement.where(AuditEntry.object_id == str(object_id))
    return session.scalars(statement).all()


def test_every_api_route_declares_a_permission_and_is_documented(app, api_as, factory):
    documented = api_as(factory.user("me")).get("/api/v1/openapi.json").get_json()["paths"]

    for rule in api_rules(app):
        assert getattr(app.view_functions[rule.endpoint], "required_permission", None), rule.rule
        if rule.endpoint not in ("api.openapi_document", "api.docs"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            assert path in documented, rule.rule


def test_a_grantee_token_gets_404_on_every_api_route_of_another_project(app, api_as, factory):
    own, other = factory.project(), factory.project(title="Other grantee's helpline")
    api = api_as(factory.user("grantee", projects=[own]))
    checked = []
    for rule in api_rules(app):
        if "slug" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = api.client.open(fill(rule, other.slug), method=method, json={},
                                       headers=api.headers())
            assert_problem(response, 404)
            assert other.title not in response.get_data(as_text=True)
            checked.append((method, rule.rule))
    assert len(checked) >= 10


def test_a_grantee_token_lists_only_its_own_projects(api_as, factory):
    own, _other = factory.project(), factory.project()

    body = api_as(factory.user("grantee", projects=[own])).get("/api/v1/projects").get_json()

    assert [item["slug"] for item in body["items"]] == [own.slug]


def test_a_grantee_token_cannot_read_a_story_of_another_project_by_id(api_as, factory, session):
    own, other = factory.project(), factory.project()
    story = factory.story(other)
    api = api_as(factory.user("grantee", projects=[own]))

    assert_problem(api.get(f"/api/v1/stories/{story.id}"), 404)
    denied = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "denied_read")).all()
    assert [(entry.object_type, entry.object_id) for entry in denied] == [("story", str(story.id))]


def test_a_story_that_does_not_exist_answers_exactly_like_one_out_of_reach(api_as, factory):
    own, other = factory.project(), factory.project()
    story = factory.story(other)
    api = api_as(factory.user("grantee", projects=[own]))

    hidden, missing = api.get(f"/api/v1/stories/{story.id}"), api.get("/api/v1/stories/999999")

    assert hidden.status_code == missing.status_code == 404
    assert {k: v for k, v in hidden.get_json().items() if k != "instance"} == \
        {k: v for k, v in missing.get_json().items() if k != "instance"}


@pytest.fixture
def donor_world(factory):
    """One story donors may see (with a distinct donor version) and one for each reason they may not."""
    project = factory.project()
    cycle = factory.cycle(project)
    shared = factory.story(project, cycle, safeguarding="approved", donor_version=False, title=f"Title {ORIGINAL}",
                           what_happened=f"{ORIGINAL} told a peer leader about the messages.")
    factory.donor_version(shared, {"en": {"title": "A peer leader listened", "what_happened": DONOR_TEXT,
                                          "why_significant": "She says she now knows where to turn."}})
    factory.story(project, cycle, safeguarding="restricted", title=RESTRICTED, what_happened=RESTRICTED)
    factory.story(project, cycle, safeguarding="approved", consent={"scope_donor": False}, title=NO_DONOR_SCOPE)
    factory.story(project, cycle, safeguarding="pending", title=NEEDS_CONSENT, require_consent=False,
                  consent={"storyteller_consent": False, "guardian_consent": False, "child_assent": False,
                           "obtained_on": None})
    withdrawn = factory.story(project, cycle, safeguarding="approved", title=WITHDRAWN)
    from tracker.msc import services

    services.withdraw_consent(factory.session, factory_actor(), withdrawn, withdrawn.consent.obtained_on,
                              "The storyteller asked us to stop using it.", withdrawn.consent.version)
    return project, shared, withdrawn


def factory_actor():
    from tests.factories import TEST_ACTOR

    return TEST_ACTOR


def test_a_donor_token_lists_only_the_story_within_the_donor_rule(api_as, factory, donor_world):
    project, shared, _withdrawn = donor_world

    response = api_as(factory.user("donor")).get(f"/api/v1/projects/{project.slug}/stories")

    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [shared.id] and body["total"] == 1
    assert body["items"][0]["title"] == "A peer leader listened"
    assert body["items"][0]["internal"] is None
    text = response.get_data(as_text=True)
    for sentinel in (RESTRICTED, NO_DONOR_SCOPE, WITHDRAWN, NEEDS_CONSENT, ORIGINAL):
        assert sentinel not in text


def test_a_donor_token_reads_the_de_identified_donor_version_only(api_as, factory, donor_world):
    _project, shared, _withdrawn = donor_world

    response = api_as(factory.user("donor")).get(f"/api/v1/stories/{shared.id}")

    body = response.get_json()
    assert body["what_happened"] == DONOR_TEXT and body["title"] == "A peer leader listened"
    assert body["internal"] is None
    assert ORIGINAL not in response.get_data(as_text=True)
    assert "collector" not in response.get_data(as_text=True)


def test_a_donor_token_gets_404_for_every_story_outside_the_donor_rule(api_as, factory, donor_world, session):
    project, shared, withdrawn = donor_world
    api = api_as(factory.user("donor"))
    hidden = session.scalars(sa.select(Story.id).where(Story.project_id == project.id, Story.id != shared.id)).all()

    assert withdrawn.id in hidden and len(hidden) == 4
    for story_id in hidden:
        response = api.get(f"/api/v1/stories/{story_id}")
        assert_problem(response, 404)
        for sentinel in (RESTRICTED, NO_DONOR_SCOPE, WITHDRAWN, NEEDS_CONSENT):
            assert sentinel not in response.get_data(as_text=True)


def test_a_donor_token_ignores_filters_on_consent_and_safeguarding(api_as, factory, donor_world):
    project, shared, _withdrawn = donor_world

    body = api_as(factory.user("donor")).get(
        f"/api/v1/projects/{project.slug}/stories?safeguarding=restricted&consent=needs_consent").get_json()

    assert [item["id"] for item in body["items"]] == [shared.id]


def test_reading_a_story_writes_a_read_audit_entry(api_as, factory, session):
    project = factory.project()
    story = factory.story(project)

    api_as(factory.user("me")).get(f"/api/v1/stories/{story.id}")

    entries = reads(session, "story", story.id)
    assert len(entries) == 1 and entries[0].actor_role == "me" and entries[0].project_id == project.id


def test_an_admin_token_reads_stories_only_of_projects_with_a_break_glass_grant(api_as, factory, session):
    project, other = factory.project(), factory.project()
    story, elsewhere = factory.story(project), factory.story(other)
    admin = factory.user("admin")
    factory.break_glass_grant(admin, project, reason="Safeguarding lead asked me to check a reported story.")
    api = api_as(admin)

    assert api.get(f"/api/v1/projects/{project.slug}/stories").status_code == 200
    assert api.get(f"/api/v1/stories/{story.id}").status_code == 200
    assert_problem(api.get(f"/api/v1/projects/{other.slug}/stories"), 404)
    assert_problem(api.get(f"/api/v1/stories/{elsewhere.id}"), 404)
    entry = reads(session, "story", story.id)[0]
    assert entry.reason == "Safeguarding lead asked me to check a reported story."


def test_a_donor_token_sees_only_substantiated_outcomes_without_sources_or_names(api_as, factory):
    project = factory.project()
    factory.outcome(project, status="draft", description="SENTINEL-DRAFT-OUTCOME changed its referral practice.")
    substantiator = factory.substantiator(project, name="SENTINEL-SUBSTANTIATOR-NAME")
    shown = factory.outcome(project, status="substantiation_pending", sources="SENTINEL-SOURCES")
    factory.substantiation(project, shown, substantiator)
    factory.advance_outcome(shown, "substantiated")

    response = api_as(factory.user("donor")).get(f"/api/v1/projects/{project.slug}/outcomes")

    items = response.get_json()["items"]
    assert [item["id"] for item in items] == [shown.id]
    assert items[0]["sources"] is None
    assert {item["substantiator_name"] for item in items[0]["substantiations"]} == {None}
    for sentinel in ("SENTINEL-DRAFT-OUTCOME", "SENTINEL-SUBSTANTIATOR-NAME", "SENTINEL-SOURCES"):
        assert sentinel not in response.get_data(as_text=True)


def test_listing_outcomes_audits_a_read_of_each_outcome_returned(api_as, factory, session):
    project = factory.project()
    outcomes = [factory.outcome(project) for _ in range(3)]

    api_as(factory.user("me")).get(f"/api/v1/projects/{project.slug}/outcomes?per_page=2")

    assert len(reads(session, "outcome")) == 2
    assert {entry.object_id for entry in reads(session, "outcome")} < {str(item.id) for item in outcomes}


def test_a_donor_token_cannot_write(api_as, factory):
    project = factory.project()
    harvest = factory.harvest(project)

    response = api_as(factory.user("donor")).post(f"/api/v1/projects/{project.slug}/outcomes", json={
        "harvest_id": harvest.id, "description": "A change", "type_of_change": "policy"})

    assert_problem(response, 404)


def test_writes_through_a_token_are_audited_with_its_user(api_as, factory, session):
    project = factory.project()
    harvest = factory.harvest(project)
    grantee = factory.user("grantee", projects=[project])

    response = api_as(grantee).post(f"/api/v1/projects/{project.slug}/outcomes", json={
        "harvest_id": harvest.id, "description": "In May 2023 the district police began routing reports of "
                                                 "online grooming to the helpline.",
        "social_actor": "District police", "type_of_change": "practice", "intended": True, "positive": True})

    assert response.status_code == 201, response.get_data(as_text=True)
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "create",
                                                        AuditEntry.object_type == "outcome")).one()
    assert (entry.actor_id, entry.object_id) == (grantee.id, str(response.get_json()["id"]))


def test_a_login_session_cookie_is_never_enough_to_write(client, factory, login, session):
    project = factory.project()
    harvest = factory.harvest(project)
    login(factory.user("me"))

    response = client.post(f"/api/v1/projects/{project.slug}/outcomes", json={
        "harvest_id": harvest.id, "description": "A change", "type_of_change": "policy"})

    assert_problem(response, 401)


def test_the_token_pages_are_per_user(client, factory, login, session, submit):
    owner, other = factory.user("grantee"), factory.user("grantee")
    factory.api_token(owner, name="Owner's sync")
    token_id = factory.last_api_token.id
    session.commit()
    login(other)

    assert "Owner's sync" not in client.get("/account/api-tokens").get_data(as_text=True)
    assert submit(f"/account/api-tokens/{token_id}/revoke", {}, page="/account/api-tokens").status_code == 404
    session.refresh(factory.last_api_token)
    assert factory.last_api_token.revoked_at is None


def test_a_user_revokes_their_token_on_the_account_page(client, factory, login, session, submit):
    user = factory.user("donor")
    token = factory.api_token(user, name="Dashboard")
    row = factory.last_api_token
    session.commit()
    login(user)

    response = submit(f"/account/api-tokens/{row.id}/revoke", {}, page="/account/api-tokens")

    assert response.status_code == 302
    assert_problem(ApiClient(client, token).get("/api/v1/projects"), 401)


def test_a_user_creates_a_token_on_the_account_page_after_confirming_the_password(client, factory, login, session,
                                                                                   submit):
    from tests.factories import TEST_PASSWORD

    factory.project()
    user = factory.user("me")
    login(user)

    refused = submit("/account/api-tokens", {"name": "M&E dashboard", "password": "not my password at all"})
    created = submit("/account/api-tokens", {"name": "M&E dashboard", "password": TEST_PASSWORD})

    assert "This is not your current password." in refused.get_data(as_text=True)
    token = re.search(r"et_[\w-]{40,}", created.get_data(as_text=True)).group(0)
    assert ApiClient(client, token).get("/api/v1/projects").status_code == 200
