"""The inbox: each person's to-dos, derived from the workflow states, scoped by permission, in constant queries."""

from datetime import date

import pytest

from tests.factories import TEST_ACTOR
from tracker.audit.models import AuditAlert
from tracker.audit.services import Actor
from tracker.auth import services as auth_services
from tracker.db_types import utcnow
from tracker.inbox import rules
from tracker.inbox import services
from tracker.inbox.models import Frequency
from tracker.inbox.models import NotificationPreference
from tracker.indicators import services as indicator_services


def as_actor(user):
    return Actor(user_id=user.id, email=user.email, role=str(user.role))


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline", title="Aselo helpline platform")
    session.commit()
    return project


@pytest.fixture
def grantee(factory, session, project):
    user = factory.user("grantee", display_name="Helpline coordinator", projects=[project])
    session.commit()
    return user


@pytest.fixture
def reviewer(factory, session):
    user = factory.user("me", display_name="Fund M&E officer")
    session.commit()
    return user


def returned_actual(factory, session, project, reviewer, note="Silent contacts are included; exclude them."):
    indicator = factory.indicator(project, title="Children who reached a counsellor")
    period = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31), target="9000")
    factory.actual(indicator, period, "8420", approve=False)
    indicator_services.review_actual(session, as_actor(reviewer), project, period, approve=False, note=note)
    session.commit()
    return period


def kinds(todos):
    return {todo.kind: todo.count for todo in todos}


def actual_url(project, period):
    return f"/projects/{project.slug}/indicators/{period.indicator_id}/periods/{period.id}/actual"


def test_the_grantee_corrects_a_returned_actual_from_the_inbox_and_the_to_do_is_gone(
        client, factory, login, session, submit, project, grantee, reviewer):
    period = returned_actual(factory, session, project, reviewer)
    login(grantee)

    inbox = client.get("/inbox").get_data(as_text=True)
    assert "1 returned actual to correct" in inbox
    assert f'href="{actual_url(project, period)}"' in inbox

    submit(actual_url(project, period), {"value": "8310", "comment": "", "action": "submit"})

    inbox = client.get("/inbox").get_data(as_text=True)
    assert "returned actual" not in inbox
    assert "Nothing is waiting for you" in inbox


def test_the_navigation_shows_the_number_of_to_dos(client, factory, login, session, project, grantee, reviewer):
    returned_actual(factory, session, project, reviewer)
    login(grantee)

    page = " ".join(client.get("/account").get_data(as_text=True).split())

    assert 'Inbox <span class="count nav-count">1</span><span class="visually-hidden"> to-do</span>' in page


def test_a_grantee_sees_only_their_own_projects_to_dos(factory, session, project, grantee, reviewer):
    other = factory.project("kenya-schools", title="Schools programme")
    returned_actual(factory, session, other, reviewer)
    factory.story(other, consent={"form_version": ""}, require_consent=False)
    session.commit()

    assert services.todos_for(session, grantee) == []


def test_staff_do_not_get_the_project_teams_to_dos(factory, session, project, reviewer):
    returned_actual(factory, session, project, reviewer)

    assert "actual_returned" not in kinds(services.todos_for(session, reviewer))


def test_m_and_e_staff_get_their_queues_across_the_portfolio(factory, session, project, grantee, reviewer):
    indicator = factory.indicator(project)
    for year in (2022, 2023):
        factory.actual(indicator, factory.period(indicator, date(year, 1, 1), date(year, 12, 31)), approve=False)
    factory.story(project)
    factory.story(project, safeguarding="approved", donor_version=False)
    factory.outcome(project, status="substantiation_pending")
    session.commit()

    todos = kinds(services.todos_for(session, reviewer))

    assert todos["actuals_to_review"] == 2
    assert todos["safeguarding_review"] == 1
    assert todos["donor_version"] == 1
    assert todos["substantiation_pending"] == 1


def test_a_story_whose_consent_is_incomplete_is_the_project_teams_to_do(factory, session, project, grantee):
    factory.story(project, consent={"form_version": ""}, require_consent=False)
    session.commit()

    todo, = services.todos_for(session, grantee)

    assert (todo.kind, todo.count, todo.values) == ("consent_needed", 1,
                                                     {"slug": project.slug, "consent": "needs_consent"})


def data_protection_lead(factory, session):
    lead = factory.user("me", display_name="Data-protection lead")
    lead.is_data_protection_lead = True
    session.add(lead)
    session.commit()
    return lead


def alert(session, signal="spread"):
    session.add(AuditAlert(signal=signal, subject="someone@example.org", period_start=utcnow(),
                           period_end=utcnow(), figures="{}", entry_ids="[]"))
    session.commit()


def test_open_audit_alerts_are_the_data_protection_leads_and_administrators_to_dos(factory, session, reviewer):
    lead = data_protection_lead(factory, session)
    admin = factory.user("admin")
    alert(session)

    assert kinds(services.todos_for(session, lead)) == {"audit_alerts": 1}
    assert kinds(services.todos_for(session, admin)) == {"audit_alerts": 1}
    assert "audit_alerts" not in kinds(services.todos_for(session, reviewer))


def test_the_key_of_a_count_changes_only_when_a_new_item_joins(factory, session, project, reviewer):
    indicator = factory.indicator(project)
    factory.actual(indicator, factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31)), approve=False)
    session.commit()
    first = services.todos_for(session, reviewer)[0].key
    assert services.todos_for(session, reviewer)[0].key == first

    factory.actual(indicator, factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31)), approve=False)
    session.commit()

    assert services.todos_for(session, reviewer)[0].key != first


def fill_portfolio(factory, session, projects, grantee, reviewer):
    for number in range(projects):
        project = factory.project()
        member_of = services.viewer_of(session, grantee).member_project_ids | {project.id}
        auth_services.set_memberships(session, TEST_ACTOR, grantee, sorted(member_of))
        indicator = factory.indicator(project)
        factory.actual(indicator, factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31)), approve=False)
        factory.story(project, consent={"form_version": ""}, require_consent=False)
        factory.outcome(project, status="substantiation_pending")
        if number % 2:
            returned_actual(factory, session, project, reviewer)
        alert(session, signal=f"signal-{number}-{projects}")
    session.commit()


@pytest.mark.both_backends
def test_the_number_of_queries_per_person_does_not_grow_with_the_portfolio(
        factory, session, count_queries, project, grantee, reviewer):
    lead = data_protection_lead(factory, session)
    fill_portfolio(factory, session, 1, grantee, reviewer)
    counts = []
    for size in (1, 6):
        if size > 1:
            fill_portfolio(factory, session, size - 1, grantee, reviewer)
        session.expire_all()
        measured = []
        for user in (grantee, reviewer, lead):
            user = session.get(type(user), user.id)
            with count_queries() as counter:
                todos = services.todos_for(session, user)
            assert todos
            measured.append(counter.count)
        counts.append(measured)

    assert counts[0] == counts[1]


def test_the_account_page_saves_how_often_to_be_mailed(client, login, session, submit, grantee):
    login(grantee)
    page = client.get("/account").get_data(as_text=True)
    assert '<input checked id="pref-notifications-0" name="pref-notifications" type="radio" value="immediately">' \
        in page

    submit("/account", {"pref-language": "", "pref-notifications": "never", "pref-submit": "1"},
           prefix="pref-")

    session.expire_all()
    assert session.get(NotificationPreference, grantee.id).frequency == Frequency.NEVER
    assert grantee.id not in {user.id for user in services.users_choosing(session, Frequency.IMMEDIATELY)}


def test_without_a_choice_staff_get_a_daily_digest_grantees_an_e_mail_at_once_and_donors_none(
        factory, session, grantee, reviewer):
    donor = factory.user("donor")
    session.commit()

    chosen = {frequency: {user.id for user in services.users_choosing(session, frequency)} for frequency in Frequency}

    assert grantee.id in chosen[Frequency.IMMEDIATELY]
    assert reviewer.id in chosen[Frequency.DAILY]
    assert donor.id in chosen[Frequency.NEVER]


def test_a_to_do_key_names_its_kind_project_record_and_marker():
    todo = rules.Todo("actual_returned", 1, None, "4", {"slug": "x"}, project_slug="x", record_id=7)

    assert todo.key == "actual_returned:x:7:4"
    assert rules.unsent([todo], {todo.key}) == []


def test_the_grantee_home_lists_the_same_to_dos_as_the_inbox(client, factory, login, session, project, grantee,
                                                             reviewer):
    period = returned_actual(factory, session, project, reviewer)
    login(grantee)

    home = client.get("/").get_data(as_text=True)

    assert "My to-dos" in home and "1 returned actual to correct" in home
    assert f'href="{actual_url(project, period)}"' in home


def test_the_donor_home_has_no_to_do_list(client, factory, login, session):
    login(factory.user("donor"))

    assert "My to-dos" not in client.get("/").get_data(as_text=True)
