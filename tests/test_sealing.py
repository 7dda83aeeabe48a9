"""Withdrawal seals the story (issue 14 §3).

From the moment consent is withdrawn every role sees only the stub (date withdrawn, who recorded it, the
project): the title, text, pseudonym and translations are gone from the page, the lists, search (its index
included), the API and exports. A safeguarding lead reads the sealed text only through a reasoned, audited,
time-limited grant, and the retention purge still erases the story on schedule.
"""

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import select

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tracker import retention
from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.breakglass.models import BreakGlassGrant
from tracker.common.errors import ValidationFailed
from tracker.db_types import utcnow
from tracker.exports.services import export_records
from tracker.msc import services as story_services
from tracker.msc.models import SealedStory
from tracker.msc.models import Story
from tracker.msc.models import StoryTranslation
from tracker.msc.sharing import stories_visible_to
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.portfolio.models import Fund
from tracker.search import services as search

SECRETS = ("Quillfeather", "Marrowdale", "Thistlebrook", "Pemberwick", "Saffronfield", "Oakhollow")
REASON = "Referral to the provincial child-protection service needs the child's own account."


@pytest.fixture
def staff(factory):
    return factory.user("me", display_name="Safeguarding lead Dara")


@pytest.fixture
def project(factory, session):
    return factory.project(title="Helpline for Sealing")


@pytest.fixture
def grantee(factory, project):
    return factory.user("grantee", projects=[project])


@pytest.fixture
def story(factory, session, project, staff):
    """A shared story with a translation, every text carrying one of ``SECRETS``, whose consent ``staff`` withdrew."""
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved", title=f"The {SECRETS[0]} helpline",
                          what_happened=f"She told {SECRETS[1]} about the messages.",
                          why_significant=f"Now she knows {SECRETS[2]} will listen.",
                          storyteller_pseudonym=SECRETS[3])
    story_services.save_translation(session, TEST_ACTOR, story, {
        "language": "th", "title": f"สายด่วน {SECRETS[4]}", "what_happened": f"เธอบอก {SECRETS[5]}",
        "why_significant": "เธอรู้ว่าจะไปหาใคร"})
    actor = Actor(staff.id, staff.email, staff.role.value)
    story_services.withdraw_consent(session, actor, story, date.today(), "The family asked.", story.consent.version)
    session.commit()
    return story


def assert_sealed(text):
    assert not any(secret in text for secret in SECRETS), [secret for secret in SECRETS if secret in text]


@pytest.mark.both_backends
def test_withdrawal_moves_the_text_out_of_the_story_into_its_sealed_record(session, story):
    session.expire_all()
    row = session.get(Story, story.id)

    assert (row.title, row.what_happened, row.why_significant, row.storyteller_pseudonym) == ("", "", "", "")
    assert session.scalar(sa.select(sa.func.count()).select_from(StoryTranslation)
                          .where(StoryTranslation.story_id == story.id)) == 0
    sealed = session.get(SealedStory, story.id).content
    assert sealed["story"]["title"] == f"The {SECRETS[0]} helpline" and sealed["translations"][0]["language"] == "th"


def test_the_story_page_shows_every_role_only_the_stub(client, factory, login, story, grantee, staff, project):
    for user in (grantee, factory.user("me")):
        login(user)
        page = client.get(f"/projects/{project.slug}/stories/{story.id}").get_data(as_text=True)

        assert_sealed(page)
        assert "Withdrawn story" in page and "Safeguarding lead Dara" in page and project.title in page


@pytest.mark.parametrize("address", ["/projects/{slug}/stories", "/msc/stories"])
def test_story_lists_show_a_sealed_story_as_its_stub(client, login, story, grantee, staff, project, address):
    login(staff)
    page = client.get(address.format(slug=project.slug)).get_data(as_text=True)

    assert_sealed(page)
    assert "Withdrawn story" in page and "recorded by Safeguarding lead Dara" in page


@pytest.mark.both_backends
def test_search_and_its_index_no_longer_hold_the_sealed_text(client, login, session, story, staff, project):
    visible = {"outcome": outcomes_visible_to("me", set(), project.fund_id),
               "story": stories_visible_to("me", set(), project.fund_id)}
    for secret in SECRETS:
        assert search.search(session, visible, secret, "story", 1, 25).hits == []
    if session.get_bind().dialect.name == "sqlite":
        for table in ("story_fts", "story_translation_fts"):
            rows = session.execute(sa.text(f"SELECT rowid FROM {table} WHERE {table} MATCH :word"),  # noqa: S608
                                   {"word": SECRETS[0]}).all()
            session.execute(sa.text(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_terms "
                                    f"USING fts5vocab(main, {table}, 'row')"))
            terms = set(session.scalars(sa.text(f"SELECT term FROM temp.{table}_terms")))  # noqa: S608
            assert rows == [] and not [term for term in terms if term.startswith(("quillfeath", "marrowdal"))]
    login(staff)
    page = client.get(f"/search?q={SECRETS[1]}&kind=story").get_data(as_text=True)
    assert f"/stories/{story.id}" not in page
    assert_sealed(page.replace(SECRETS[1], ""))  # the query itself stays in the search box


def test_the_api_gives_the_stub_of_a_sealed_story(api_as, story, grantee, project):
    api = api_as(grantee)

    listed = api.get(f"/api/v1/projects/{project.slug}/stories").get_json()
    detail = api.get(f"/api/v1/stories/{story.id}").get_json()

    assert_sealed(str(listed) + str(detail))
    assert listed["items"][0]["sealed"] == {"withdrawn_on": date.today().isoformat(),
                                            "recorded_by": "Safeguarding lead Dara", "project": project.slug}
    assert detail["sealed"]["recorded_by"] == "Safeguarding lead Dara" and detail["title"] == ""
    assert detail["translations"] == [] and detail["storyteller"] is None and detail["internal"] is None


def test_the_internal_export_holds_nothing_of_a_sealed_story(session, story, project):
    exported = export_records(session, TEST_ACTOR, fund_id=project.fund_id, audience="internal", file_format="csv",
                              sheet_names=["stories", "story_translations"], project=None, member_project_ids=())

    assert_sealed(exported.content.decode("utf-8-sig", errors="replace"))


def test_a_sealed_story_can_no_longer_be_edited(session, story, project):
    values = {name: getattr(story, name) for name in (
        "cycle_id", "domain_id", "events_when", "country_code", "place", "collected_on", "storyteller_category",
        "age_band", "language")}

    with pytest.raises(ValidationFailed):
        story_services.update_story(session, TEST_ACTOR, project, story, {
            **values, "title": "Back again", "what_happened": "Text", "why_significant": "Text",
            "collector": "Volunteer", "storyteller_pseudonym": "Lan"}, story.version)


# The grant to read the sealed text ------------------------------------------------------------------------


def sealed_address(project, story):
    return f"/projects/{project.slug}/stories/{story.id}/sealed"


def ask(client, project, story, reason):
    address = sealed_address(project, story)
    token = csrf_from(client.get(address).get_data(as_text=True))
    return client.post(address, data={"csrf_token": token, "reason": reason})


def test_the_sealed_text_needs_a_reason_first(client, login, session, story, staff, project):
    login(staff)

    form = client.get(sealed_address(project, story)).get_data(as_text=True)
    refused = ask(client, project, story, "referral")

    assert_sealed(form)
    assert refused.status_code == 200 and "characters" in refused.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(BreakGlassGrant)) == 0


def test_a_safeguarding_lead_reads_the_sealed_text_under_an_audited_grant(client, login, session, story, staff,
                                                                         project):
    login(staff)

    assert ask(client, project, story, REASON).status_code == 302
    page = client.get(sealed_address(project, story)).get_data(as_text=True)

    assert all(secret in page for secret in SECRETS)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.reason == REASON).order_by(AuditEntry.id)).all()
    assert [(entry.action, entry.object_type, entry.object_id) for entry in entries] == [
        ("break_glass", "story", str(story.id)), ("read", "sealed_story", str(story.id))]
    assert all(entry.actor_id == staff.id for entry in entries)


def test_the_grant_to_a_sealed_text_expires(client, login, session, story, staff, project):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login(staff)
        ask(client, project, story, REASON)
    with time_machine.travel(start + timedelta(hours=2, minutes=59), tick=False):
        login(staff)
        assert SECRETS[0] in client.get(sealed_address(project, story)).get_data(as_text=True)
    with time_machine.travel(start + timedelta(hours=3, minutes=1), tick=False):
        login(staff)
        assert_sealed(client.get(sealed_address(project, story)).get_data(as_text=True))


def test_a_grant_to_one_sealed_story_opens_no_project(session, story, staff, project, client, login):
    from tracker.breakglass import services as break_glass

    login(staff)
    ask(client, project, story, REASON)

    assert break_glass.granted_project_ids(session, staff) == set()


def test_grantees_cannot_open_the_sealed_text(client, login, story, grantee, project):
    login(grantee)

    assert client.get(sealed_address(project, story)).status_code == 404


@pytest.mark.both_backends
def test_the_retention_purge_erases_a_sealed_story_with_its_sealed_record(session, factory, story, project):
    fund = session.get(Fund, project.fund_id)
    fund.retention_months = 12
    project.start_date, project.end_date = date(2019, 1, 1), date(2020, 1, 31)
    session.add_all([fund, project])
    session.flush()

    retention.erase(session, TEST_ACTOR, retention.plan(session))

    assert session.get(Story, story.id) is None and session.get(SealedStory, story.id) is None


def test_evidence_that_stands_for_a_sealed_story_loses_its_title_and_summary_too(
        client, factory, login, session, project, staff):
    story = factory.story(project, factory.cycle(project), title=f"The {SECRETS[0]} helpline")
    item = factory.evidence(project, "story", story_id=story.id, title="", summary=f"{SECRETS[1]} called the helpline.")
    actor = Actor(staff.id, staff.email, staff.role.value)
    story_services.withdraw_consent(session, actor, story, date.today(), "", story.consent.version)
    session.commit()
    login(staff)

    for address in (f"/projects/{project.slug}/evidence", f"/projects/{project.slug}/evidence/{item.id}"):
        assert_sealed(client.get(address).get_data(as_text=True))
    assert session.get(SealedStory, story.id).content["evidence"] == [
        {"id": item.id, "title": f"The {SECRETS[0]} helpline", "summary": f"{SECRETS[1]} called the helpline."}]


def test_the_break_glass_register_shows_a_grant_to_one_sealed_story_as_such(client, factory, login, story, staff,
                                                                            project):
    login(staff)
    ask(client, project, story, REASON)
    login(factory.user("admin"))

    register = client.get("/admin/break-glass").get_data(as_text=True)

    assert "provincial child-protection service" in register and f"Sealed text of story {story.id} only" in register
