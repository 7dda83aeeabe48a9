"""Reader wellbeing: each reader sees their own exposure to distressing stories, and nobody else's.

Exposure is counted from the audit trail's ``read`` entries of stories, joined to each story's
distressing-content level (set at the safeguarding review). The only view of more than one person is the
aggregate on the access overview, withheld below five readers.
"""

import json
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.db_types import utcnow
from tracker.msc.models import DistressLevel
from tracker.msc.models import Story
from tracker.portfolio.services import get_fund
from tracker.wellbeing import services
from tracker.wellbeing.models import ReaderSetting

TODAY = date(2026, 12, 9)  # a Wednesday; its week starts on Monday 7 December
SUPPORT = "Staff care line: +66 2 000 0000, any hour."


def at(day, hour=10):
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def read(user, story, moment):
    return {"at": moment, "actor_id": user.id, "actor_email": user.email, "actor_role": user.role.value,
            "action": "read", "object_type": "story", "object_id": str(story.id), "project_id": story.project_id,
            "ip": "10.0.0.1", "reason": None, "details": None}


def insert(session, rows):
    session.execute(sa.insert(AuditEntry.__table__), rows)
    session.commit()


def rated(factory, project, level):
    story = factory.story(project, safeguarding="approved", donor_version=False)
    story.distress_level = None if level is None else DistressLevel(level)
    factory.session.add(story)
    factory.session.commit()
    return story


@pytest.fixture
def stories(factory):
    """Per level, three stories of one project: severe, some, none and not yet rated (None)."""
    project = factory.project()
    return {level: [rated(factory, project, level) for _ in range(3)] for level in ("severe", "some", "none", None)}


def own_figure(page):
    """The number in the panel's "This week you have read N ..." sentence."""
    return int(re.search(r"This week you have read (\d+) stor", page).group(1))


# exposure_for -------------------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_this_week_counts_each_distressing_story_once_and_leaves_out_the_others(factory, session, stories):
    reader = factory.user("me")
    monday = date(2026, 12, 7)
    insert(session, [read(reader, stories["severe"][0], at(monday)), read(reader, stories["severe"][0], at(TODAY)),
                     read(reader, stories["some"][0], at(TODAY)), read(reader, stories["some"][1], at(TODAY, 8)),
                     read(reader, stories["none"][0], at(TODAY)), read(reader, stories[None][0], at(TODAY))])
    week = services.exposure_for(session, reader.id, TODAY).comparison
    assert (week.this_week, week.severe_this_week) == (3, 1)


@pytest.mark.both_backends
def test_previous_weeks_give_the_usual_amount_and_older_reads_are_left_out(factory, session, stories):
    reader = factory.user("me")
    distressing = stories["severe"] + stories["some"]
    rows = [read(reader, story, at(date(2026, 11, 30 - 7 * weeks_back))) for weeks_back in range(3)
            for story in distressing[:4]]
    rows.append(read(reader, distressing[5], at(date(2026, 10, 5))))  # nine weeks back: outside the eight
    insert(session, rows)
    week = services.exposure_for(session, reader.id, TODAY).comparison
    assert [amount for _monday, amount in week.previous_weeks] == [4, 4, 4, 0, 0, 0, 0, 0]
    assert week.usual == 0
    assert week.this_week == 0


def test_another_readers_reads_never_count(factory, session, stories):
    reader, colleague = factory.user("me"), factory.user("me")
    insert(session, [read(colleague, story, at(TODAY)) for story in stories["severe"]])
    assert services.exposure_for(session, reader.id, TODAY).comparison.this_week == 0


def test_the_note_is_due_at_the_readers_own_threshold(factory, session, stories):
    reader = factory.user("me")
    session.add(ReaderSetting(user_id=reader.id, note_threshold=2))
    insert(session, [read(reader, story, at(TODAY)) for story in stories["some"][:2]])
    assert services.exposure_for(session, reader.id, TODAY).comparison.note_due


# The staff aggregate ------------------------------------------------------------------------------------------


def readers_with_reads(factory, session, stories, count):
    readers = [factory.user("me") for _ in range(count)]
    insert(session, [read(reader, story, at(TODAY)) for reader in readers for story in stories["some"][:2]])
    return readers


@pytest.mark.both_backends
def test_the_aggregate_over_four_readers_is_withheld(factory, session, stories):
    readers_with_reads(factory, session, stories, 4)
    aggregate = services.staff_aggregate(session, at(TODAY, 0), at(TODAY + timedelta(days=1), 0))
    assert (aggregate.shown, aggregate.readers, aggregate.stories_read) == (False, 4, 0)


@pytest.mark.both_backends
def test_the_aggregate_over_five_readers_is_shown(factory, session, stories):
    readers_with_reads(factory, session, stories, 5)
    aggregate = services.staff_aggregate(session, at(TODAY, 0), at(TODAY + timedelta(days=1), 0))
    assert (aggregate.shown, aggregate.readers, aggregate.stories_read, aggregate.median_per_reader) == (True, 5, 10, 2)


def lead(factory, session):
    admin = factory.user("admin")
    admin.is_data_protection_lead = True
    session.add(admin)
    session.commit()
    return admin


def overview_now(client):
    today = utcnow().date()
    return client.get(f"/audit/insight?date_from={today - timedelta(days=6)}&date_to={today}").get_data(as_text=True)


def test_the_access_overview_says_not_shown_below_five_readers(client, factory, login, session, stories):
    readers = [factory.user("me") for _ in range(4)]
    insert(session, [read(reader, story, utcnow()) for reader in readers for story in stories["some"]])
    login(lead(factory, session))
    page = overview_now(client)
    assert "Not shown: fewer than 5 readers." in page
    assert "Median per reader" not in page


def test_the_access_overview_shows_the_aggregate_from_five_readers_even_filtered_on_one(client, factory, login,
                                                                                           session, stories):
    readers = [factory.user("me") for _ in range(5)]
    insert(session, [read(reader, story, utcnow()) for reader in readers for story in stories["some"]])
    login(lead(factory, session))
    today = utcnow().date()
    page = client.get(f"/audit/insight?date_from={today}&date_to={today}&person={readers[0].id}").get_data(
        as_text=True)
    section = page.split('id="distressing-reading"')[1].split("</section>")[0]
    assert "Not shown" not in section
    assert re.search(r"Readers</th><td class=\"numeric\">5<", section)


# The reader's own page ---------------------------------------------------------------------------------------


def test_the_own_page_shows_the_readers_figures_and_the_note_with_the_funds_support(client, factory, login, session,
                                                                                     stories):
    fund = get_fund(session) or factory.fund()
    fund.wellbeing_support = SUPPORT
    reader = factory.user("grantee")
    session.add_all([fund, ReaderSetting(user_id=reader.id, note_threshold=3)])
    insert(session, [read(reader, story, utcnow()) for story in stories["severe"]])
    login(reader)
    page = client.get("/account/wellbeing").get_data(as_text=True)
    assert own_figure(page) == 3
    assert SUPPORT.replace("+", "&#43;") in page or SUPPORT in page
    assert "feature of care, not surveillance" in page


def test_below_the_threshold_there_is_no_note(client, factory, login, session, stories):
    fund = factory.fund()
    fund.wellbeing_support = SUPPORT
    reader = factory.user("me")
    session.add_all([fund, ReaderSetting(user_id=reader.id, note_threshold=10)])
    insert(session, [read(reader, story, utcnow()) for story in stories["severe"]])
    login(reader)
    page = client.get("/account/wellbeing").get_data(as_text=True)
    assert own_figure(page) == 3
    assert "Staff care line" not in page


def test_the_reader_sets_their_threshold_and_the_audit_trail_keeps_no_number(client, factory, login, session,
                                                                             submit):
    reader = factory.user("donor")
    login(reader)
    response = submit("/account/wellbeing", {"note_threshold": "17"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ReaderSetting, reader.id).note_threshold == 17
    change = session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "wellbeing_setting")).one()
    assert "17" not in json.dumps([change.details, change.reason, change.object_id if change.object_id != "17" else ""])


def test_a_threshold_out_of_range_is_refused_and_kept_on_the_page(client, factory, login, session, submit):
    login(factory.user("me"))
    page = submit("/account/wellbeing", {"note_threshold": "0"}).get_data(as_text=True)
    assert 'value="0"' in page
    assert session.scalar(sa.select(sa.func.count()).select_from(ReaderSetting)) == 0


# Nobody reaches another person's figures -----------------------------------------------------------------------


ROLES = ("admin", "me", "grantee", "donor")


@pytest.mark.parametrize("role", [*ROLES, "lead"])
def test_no_one_reaches_another_persons_figures_through_ids_in_the_url(client, factory, login, session, stories,
                                                                       role):
    other = factory.user("me")
    insert(session, [read(other, story, utcnow()) for story in stories["severe"] + stories["some"]])
    viewer = lead(factory, session) if role == "lead" else factory.user(role)
    login(viewer)
    for query in (f"?user_id={other.id}", f"?user={other.id}", f"?id={other.id}", f"?person={other.id}",
                  f"?email={other.email}"):
        response = client.get(f"/account/wellbeing{query}")
        assert response.status_code == 200
        assert own_figure(response.get_data(as_text=True)) == 0
    for path in (f"/account/wellbeing/{other.id}", f"/users/{other.id}/wellbeing", f"/admin/users/{other.id}/wellbeing",
                 f"/api/v1/users/{other.id}/wellbeing", "/api/v1/account/wellbeing", "/api/v1/wellbeing"):
        assert client.get(path).status_code in (401, 404)


def test_the_api_has_no_operation_or_field_for_anyones_wellbeing(client):
    document = client.get("/api/v1/openapi.json").get_data(as_text=True).lower()
    assert not any(word in document for word in ("wellbeing", "distress", "exposure", "note_threshold"))


def test_no_route_takes_a_person_and_shows_wellbeing(app):
    wellbeing_rules = [rule for rule in app.url_map.iter_rules() if "wellbeing" in rule.rule]
    assert [rule.rule for rule in wellbeing_rules] == ["/account/wellbeing"]
    assert not wellbeing_rules[0].arguments


def test_the_admins_user_page_audit_log_and_exports_hold_no_ones_figures(client, factory, login, session, stories,
                                                                        submit):
    reader = factory.user("me")
    session.add(ReaderSetting(user_id=reader.id, note_threshold=4))
    insert(session, [read(reader, story, utcnow()) for story in stories["severe"]])
    login(lead(factory, session))
    pages = [client.get(f"/admin/users/{reader.id}/edit"), client.get(f"/admin/audit?actor={reader.email}"),
             submit("/admin/audit/export", {}, page="/admin/audit"),
             submit("/audit/insight/export", {}, page="/audit/insight")]
    for response in pages:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "distressing" not in text.lower()
        assert "note_threshold" not in text


# The safeguarding review sets the level ----------------------------------------------------------------------


def test_the_safeguarding_review_proposes_a_level_and_records_the_reviewers_choice(client, factory, login, session,
                                                                                   submit):
    project = factory.project()
    story = factory.story(project, storyteller_category="child", age_band="13_15")
    login(factory.user("me"))
    url = f"/projects/{project.slug}/stories/{story.id}/safeguarding"
    page = client.get(url).get_data(as_text=True)
    assert "Proposed from the safeguarding flags and the domain: Some distressing content" in page
    assert re.search(r'value="some"[^>]*checked|checked[^>]*value="some"', page)
    response = submit(url, {"status": "approved", "note": "", "distress_level": "severe", "version": story.version})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Story, story.id).distress_level is DistressLevel.SEVERE


def test_a_review_sent_without_a_level_records_the_proposed_one(client, factory, login, session, submit):
    project = factory.project()
    story = factory.story(project, storyteller_category="child", age_band="13_15")
    login(factory.user("me"))
    url = f"/projects/{project.slug}/stories/{story.id}/safeguarding"
    response = submit(url, {"status": "restricted", "note": "Names the school.", "version": story.version})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Story, story.id).distress_level is DistressLevel.SEVERE


def test_the_fund_settings_page_keeps_the_support_contacts(client, factory, login, session, submit):
    fund = factory.fund()
    session.commit()
    login(factory.user("admin"))
    response = submit("/fund/settings", {"name": fund.name, "slug": fund.slug, "description": "",
                                         "retention_months": "", "wellbeing_support": SUPPORT,
                                         "version": fund.version})
    assert response.status_code == 302
    session.expire_all()
    assert get_fund(session).wellbeing_support == SUPPORT


@pytest.mark.parametrize("role", ["grantee", "me", "admin"])
def test_the_home_page_shows_the_readers_own_week_and_nobody_elses(client, factory, login, session, stories, role):
    reader, other = factory.user(role), factory.user("me")
    insert(session, [read(reader, story, utcnow()) for story in stories["some"]])
    insert(session, [read(other, story, utcnow()) for story in stories["severe"] + stories["some"]])
    login(reader)

    assert own_figure(client.get("/").get_data(as_text=True)) == 3
    assert own_figure(client.get(f"/?user_id={other.id}").get_data(as_text=True)) == 3


def test_the_donor_home_has_no_wellbeing_panel(client, factory, login, session):
    login(factory.user("donor"))

    assert "Your reading this week" not in client.get("/").get_data(as_text=True)
