"""Access insight: the overview of who reads sensitive records, the signals, the alerts and the lead who reads them."""

import csv
import io
import json
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tracker.audit import alerts
from tracker.audit import insight
from tracker.audit import rules
from tracker.audit.models import AlertStatus
from tracker.audit.models import AuditAlert
from tracker.audit.models import AuditEntry
from tracker.audit.services import AppendOnlyViolation
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.auth.permissions import allows
from tracker.common.errors import ValidationFailed

THRESHOLDS = rules.Thresholds()
FIRST_DAY, LAST_DAY = date(2026, 10, 1), date(2026, 10, 31)
READERS = ("ana@example.org", "binh@example.org", "chai@example.org", "dara@example.org", "eko@example.org")


def entry(user, action, kind, at, project_id=1, object_id=1, ip="10.0.0.1", reason=None):
    return {"at": at, "actor_id": user.id, "actor_email": user.email, "actor_role": user.role.value,
            "action": action, "object_type": kind, "object_id": str(object_id), "project_id": project_id, "ip": ip,
            "reason": reason, "details": None}


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def insert(session, rows):
    session.execute(sa.insert(AuditEntry.__table__), rows)
    session.commit()


def normal_month(users, admin):
    """Sixty days of ordinary work: weekday reads of two projects in office hours, a weekly export, rare grants."""
    rows = []
    day = FIRST_DAY - timedelta(days=30)
    while day <= LAST_DAY:
        if day.weekday() < 5:
            for number, user in enumerate(users):
                for index in range(12 + (day.day + number) % 6):
                    kind = rules.SENSITIVE_KINDS[index % 3]
                    rows.append(entry(user, "read", kind, at(day, 9 + index % 8, index), project_id=1 + number % 2,
                                      object_id=index))
                if day.weekday() == 0:
                    rows.append(entry(user, "export", "project", at(day, 11), project_id=1 + number % 2))
            if day.day == 15:
                rows.append(entry(admin, "break_glass", "project", at(day, 10), reason="Safeguarding check"))
        day += timedelta(days=1)
    return rows


@pytest.fixture
def staff(factory, session):
    users = [factory.user("me", email=email) for email in READERS]
    admin = factory.user("admin", email="admin-lead@example.org")
    session.commit()
    return users, admin


def raised(session):
    return sorted((alert.signal, alert.subject) for alert in session.scalars(sa.select(AuditAlert)))


# The rules, one by one -------------------------------------------------------------------------------------------


def test_a_day_far_above_the_persons_own_median_and_the_floor_is_a_spike():
    day = date(2026, 10, 20)
    history = {(7, past): 10 for past in rules.days_before(day, 30)}
    findings = rules.read_spikes({**history, (7, day): 45}, [day], THRESHOLDS, {7: "ana@example.org"})
    assert [(f.signal, f.actor_email, f.figures) for f in findings] == [
        (rules.SPIKE, "ana@example.org", {"reads": 45, "median": 10})]


def test_a_busy_day_below_the_absolute_floor_is_no_spike_even_for_a_new_reader():
    day = date(2026, 10, 20)
    assert rules.read_spikes({(7, day): 39}, [day], THRESHOLDS, {}) == []


def test_reads_of_many_projects_within_two_hours_fire_even_across_the_hour():
    day = date(2026, 10, 20)
    slots = {(7, day, 14): set(range(1, 5)), (7, day, 15): set(range(5, 9))}
    assert [f.figures for f in rules.many_projects(slots, [day], THRESHOLDS, {})] == [{"projects": 8, "hours": 2}]


def test_reads_of_many_projects_spread_over_a_day_do_not_fire():
    day = date(2026, 10, 20)
    slots = {(7, day, hour): {hour} for hour in range(8, 18)}
    assert rules.many_projects(slots, [day], THRESHOLDS, {}) == []


def test_usual_hours_are_those_read_in_on_at_least_two_baseline_days():
    baseline = set(rules.days_before(date(2026, 10, 20), 30))
    reads = {(date(2026, 10, 1), 9): 3, (date(2026, 10, 2), 9): 1, (date(2026, 10, 3), 22): 5}
    assert rules.usual_hours(reads, baseline, 2) == {9}


def test_a_person_without_a_baseline_raises_no_off_hours_signal():
    day = date(2026, 10, 20)
    assert rules.off_hours({(7, day, 3): 50}, [day], THRESHOLDS, {}) == []


def test_break_the_glass_counts_per_calendar_week():
    monday = date(2026, 10, 19)
    grants = {(3, monday): 1, (3, monday + timedelta(days=2)): 1, (3, monday + timedelta(days=6)): 1,
              (3, monday + timedelta(days=7)): 1}
    findings = rules.break_glass_repeated(grants, [monday + timedelta(days=6)], THRESHOLDS, {})
    assert [(f.first_day, f.last_day, f.figures) for f in findings] == [
        (monday, monday + timedelta(days=6), {"grants": 3})]


def test_a_read_after_months_without_activity_is_a_dormant_reader():
    day = date(2026, 10, 20)
    first = at(day, 9)
    findings = rules.dormant_readers({(7, day): first}, {(7, day): first - timedelta(days=120)}, THRESHOLDS, {})
    assert [f.figures for f in findings] == [{"inactive_days": 120}]


def test_every_signal_has_a_rule_in_plain_words_with_its_thresholds_filled_in():
    values = vars(THRESHOLDS)
    for signal, wording in rules.SIGNAL_RULES.items():
        assert "%(" not in wording % values and signal in rules.SIGNAL_NAMES


def test_list_and_search_reads_count_as_reads():
    assert rules.read_actions(["read", "read_list", "search_read", "download", "update", "login"]) == [
        "download", "read", "read_list", "search_read"]


# The signals over a synthetic trail ------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_a_normal_month_raises_no_alert(session, staff):
    users, admin = staff
    insert(session, normal_month(users, admin))

    assert alerts.raise_alerts(session, FIRST_DAY, LAST_DAY, THRESHOLDS, "UTC") == []


@pytest.mark.both_backends
def test_each_planted_pattern_raises_its_alert_and_nothing_else(factory, session, staff):
    users, admin = staff
    ana, binh, chai, dara, _eko = users
    dormant = factory.user("me", email="former@example.org")
    session.execute(sa.update(User).where(User.id == dormant.id).values(created_at=at(date(2026, 3, 1), 9)))
    session.commit()
    spike_day, spread_day, night, export_day, dormant_day = (date(2026, 10, day) for day in (6, 8, 14, 21, 27))
    planted = [
        *(entry(ana, "read", "story", at(spike_day, 10 + index % 6, index % 60), object_id=index)
          for index in range(150)),
        *(entry(binh, "read", "outcome", at(spread_day, 13, index), project_id=10 + index) for index in range(10)),
        *(entry(chai, "read", "story", at(night, 2, index)) for index in range(15)),
        *(entry(dara, "export", "project", at(export_day, 15, index)) for index in range(6)),
        *(entry(admin, "break_glass", "project", at(date(2026, 10, 19 + index), 11), reason="Checking")
          for index in range(3)),
        *(entry(dormant, "read", "story", at(dormant_day, 10, index)) for index in range(5)),
    ]
    insert(session, normal_month(users, admin) + planted)

    alerts.raise_alerts(session, FIRST_DAY, LAST_DAY, THRESHOLDS, "UTC")
    session.commit()

    assert raised(session) == sorted([
        (rules.SPIKE, ana.email), (rules.MANY_PROJECTS, binh.email), (rules.OFF_HOURS, chai.email),
        (rules.BULK_EXPORTS, dara.email), (rules.BREAK_GLASS_REPEATED, admin.email),
        (rules.DORMANT_READER, dormant.email)])


def test_an_alert_names_the_audit_entries_behind_it(session, staff):
    users, admin = staff
    insert(session, normal_month(users, admin) + [entry(users[3], "export", "project", at(date(2026, 10, 21), 15, n))
                                                   for n in range(6)])

    alert, = alerts.raise_alerts(session, FIRST_DAY, LAST_DAY, THRESHOLDS, "UTC")

    behind = session.scalars(sa.select(AuditEntry).where(AuditEntry.id.in_(alerts.entry_ids(alert)))).all()
    assert alert.entry_count == 6 and {(e.actor_email, e.action) for e in behind} == {(users[3].email, "export")}


def test_running_the_signals_again_raises_no_duplicate(session, staff):
    users, admin = staff
    insert(session, [entry(users[0], "export", "project", at(date(2026, 10, 21), 15, n)) for n in range(6)])
    alerts.raise_alerts(session, FIRST_DAY, LAST_DAY, THRESHOLDS, "UTC")
    session.commit()

    assert alerts.raise_alerts(session, date(2026, 10, 20), date(2026, 10, 22), THRESHOLDS, "UTC") == []
    assert len(raised(session)) == 1


def test_an_off_hours_alert_gives_the_usual_hours_in_the_funds_time_zone(session, staff):
    users, admin = staff
    insert(session, normal_month(users, admin)
           + [entry(users[2], "read", "story", at(date(2026, 10, 14), 2, n)) for n in range(15)])

    found, = alerts.findings(session, FIRST_DAY, LAST_DAY, THRESHOLDS, "Asia/Bangkok")

    # The reader's usual 09:00-16:59 UTC is 16:00-23:59 in Bangkok (UTC+7).
    assert (found.signal, found.figures) == (rules.OFF_HOURS, {"reads": 15, "usual_hours": list(range(16, 24))})


def test_the_audit_signals_command_raises_alerts_for_cron(app, session, staff):
    users, _admin = staff
    insert(session, [entry(users[0], "export", "project", at(date(2026, 10, 21), 15, n)) for n in range(6)])

    result = app.test_cli_runner().invoke(args=["audit-signals", "--until", "2026-10-22", "--days", "3"],
                                catch_exceptions=False)

    assert "1 new alert(s)" in result.output
    assert raised(session) == [(rules.BULK_EXPORTS, users[0].email)]


# The overview -----------------------------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_the_overview_counts_sensitive_reads_per_person_project_kind_and_week(session, staff):
    users, admin = staff
    ana, binh = users[:2]
    insert(session, [
        *(entry(ana, "read", "story", at(date(2026, 10, 5), 10, n), project_id=1) for n in range(3)),
        entry(binh, "read", "outcome", at(date(2026, 10, 13), 10), project_id=2),
        entry(binh, "download", "evidence_item", at(date(2026, 10, 13), 11), project_id=2),
        entry(binh, "read", "toc_node", at(date(2026, 10, 13), 11), project_id=2),
        entry(binh, "update", "story", at(date(2026, 10, 13), 11), project_id=2),
        entry(admin, "break_glass", "project", at(date(2026, 10, 6), 9), project_id=2, reason="Safeguarding check"),
        entry(binh, "login_failed", "user", at(date(2026, 10, 7), 9), ip="203.0.113.9"),
    ])

    result = insight.overview(session, insight.InsightFilter(date(2026, 10, 1), date(2026, 10, 31)))

    assert result.reads_total == 5
    assert result.reads_by_person == [(ana.id, 3), (binh.id, 2)]
    assert result.reads_by_project == [(1, 3), (2, 2)]
    assert dict(result.reads_by_kind) == {"story": 3, "outcome": 1, "evidence_item": 1}
    assert dict(result.reads_by_week)[date(2026, 10, 5)] == 3 and dict(result.reads_by_week)[date(2026, 10, 12)] == 2
    assert [(g.actor_email, g.reason) for g in result.break_glass] == [(admin.email, "Safeguarding check")]
    assert result.failed_logins_by_address == [("203.0.113.9", 1)]


def test_the_overview_page_costs_the_same_queries_for_a_busier_trail(client, count_queries, factory, login, session,
                                                                   staff):
    users, admin = staff
    login(admin)
    insert(session, [entry(users[0], "read", "story", datetime.now(UTC))])
    client.get("/audit/insight")
    with count_queries() as quiet:
        client.get("/audit/insight")
    insert(session, [entry(user, "read", kind, datetime.now(UTC), project_id=number)
                     for number, user in enumerate(users) for kind in rules.SENSITIVE_KINDS])

    with count_queries() as busy:
        client.get("/audit/insight")

    assert busy.count == quiet.count


def test_the_overview_filters_by_person_project_and_kind(session, staff):
    users, _admin = staff
    insert(session, [entry(users[0], "read", "story", at(date(2026, 10, 5), 10), project_id=1),
                     entry(users[0], "read", "outcome", at(date(2026, 10, 5), 10), project_id=2),
                     entry(users[1], "read", "story", at(date(2026, 10, 5), 10), project_id=1)])

    result = insight.overview(session, insight.InsightFilter(date(2026, 10, 1), date(2026, 10, 31),
                                                             actor_id=users[0].id, project_id=1, kind="story"))

    assert result.reads_total == 1 and result.reads_by_person == [(users[0].id, 1)]


def test_the_overview_page_is_audited_and_shows_ids_not_story_text(client, factory, login, session):
    admin = factory.user("admin")
    project = factory.project()
    story = factory.story(project, title="Mai's story of the grooming chat", what_happened="A private account of harm.")
    insert(session, [entry(admin, "read", "story", datetime.now(UTC), project_id=project.id, object_id=story.id)])
    login(admin)

    page = client.get("/audit/insight").get_data(as_text=True)

    assert "<svg" in page and "<table" in page and admin.email in page
    assert "grooming chat" not in page and "private account" not in page
    opened = session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "access_overview")).all()
    assert [(e.actor_email, e.action) for e in opened] == [(admin.email, "read")]


def test_the_overview_csv_neutralises_formulas_and_is_audited(client, factory, login, session, submit):
    admin = factory.user("admin")
    insert(session, [{**entry(admin, "login_failed", "user", datetime.now(UTC)), "actor_email": "=1+1"}])
    login(admin)

    response = submit("/audit/insight/export", {}, page="/audit/insight")

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["'=1+1"] == [row[1] for row in rows if row[1].endswith("=1+1")]
    exported = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export",
                                                           AuditEntry.object_type == "access_overview")).one()
    assert json.loads(exported.details)["rows"] == len(rows) - 1


# The data-protection lead and the alerts -----------------------------------------------------------------------


def test_only_administrators_and_a_staff_account_flagged_as_lead_hold_the_insight_permission():
    assert [role for role in Role if allows(role, "audit.insight")] == [Role.ADMIN]
    assert [role for role in Role if allows(role, "audit.insight", is_lead=True)] == [Role.ADMIN, Role.ME]


def test_an_me_account_without_the_lead_flag_does_not_reach_the_overview(client, factory, login):
    login(factory.user("me"))
    assert client.get("/audit/insight").status_code == 404
    assert client.get("/audit/alerts").status_code == 404


def test_an_admin_makes_an_me_officer_the_data_protection_lead_and_it_is_audited(client, factory, login, session,
                                                                               submit):
    admin, officer = factory.user("admin"), factory.user("me", email="lead@example.org")
    session.commit()
    login(admin)
    url = f"/admin/users/{officer.id}/edit"

    submit(url, {"display_name": officer.display_name, "role": "me", "is_active": "y", "language": "",
                 "is_data_protection_lead": "y", "version": officer.version})

    session.refresh(officer)
    assert officer.is_data_protection_lead
    change = session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "user",
                                                         AuditEntry.object_id == str(officer.id))
                             .order_by(AuditEntry.id.desc())).first()
    assert "is_data_protection_lead" in json.loads(change.details)["fields"]
    login(officer)
    assert client.get("/audit/insight").status_code == 200


def test_a_grantee_cannot_be_the_data_protection_lead(factory, session):
    from tests.factories import TEST_ACTOR
    from tracker.auth import services as auth_services

    grantee = factory.user("grantee")
    with pytest.raises(ValidationFailed):
        auth_services.update_user(session, TEST_ACTOR, grantee, version=grantee.version,
                                  display_name=grantee.display_name, role="grantee", is_active=True, language=None,
                                  is_data_protection_lead=True)


@pytest.fixture
def open_alert(session, staff):
    users, _admin = staff
    insert(session, [entry(users[0], "export", "project", at(date(2026, 10, 21), 15, n)) for n in range(6)])
    alert, = alerts.raise_alerts(session, FIRST_DAY, LAST_DAY, THRESHOLDS, "UTC")
    session.commit()
    return alert


def test_the_lead_opens_an_alert_sees_its_entries_and_closes_it_with_a_note(client, factory, login, session, submit,
                                                                            open_alert):
    lead = factory.user("me")
    lead.is_data_protection_lead = True
    session.commit()
    login(lead)
    listing = client.get("/audit/alerts?status=open").get_data(as_text=True)
    assert f"/audit/alerts/{open_alert.id}" in listing

    page = client.get(f"/audit/alerts/{open_alert.id}").get_data(as_text=True)
    assert all(f"#{entry_id}" in page for entry_id in alerts.entry_ids(open_alert))

    submit(f"/audit/alerts/{open_alert.id}/close", {"note": "Quarterly donor pack; confirmed with the team lead."},
           page=f"/audit/alerts/{open_alert.id}")

    session.refresh(open_alert)
    assert open_alert.status == AlertStatus.CLOSED and open_alert.closed_by_id == lead.id
    assert open_alert.closing_note.startswith("Quarterly donor pack")
    closing = session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "audit_alert")).one()
    assert (closing.action, closing.object_id, closing.actor_email) == ("close", str(open_alert.id), lead.email)


def test_an_alert_is_not_closed_without_a_note(client, factory, login, session, submit, open_alert):
    login(factory.user("admin"))

    response = submit(f"/audit/alerts/{open_alert.id}/close", {"note": "  "}, page=f"/audit/alerts/{open_alert.id}")

    session.refresh(open_alert)
    assert response.status_code == 200 and open_alert.status == AlertStatus.OPEN


def test_an_alert_can_never_be_deleted(session, open_alert):
    with pytest.raises(AppendOnlyViolation):
        session.delete(open_alert)
        session.flush()
    session.rollback()
    with pytest.raises(AppendOnlyViolation):
        session.execute(sa.delete(AuditAlert))
