"""Break the glass: an admin opens a project's sensitive records only with a reason, for a limited time, audited.

The sensitive view here is the tests' own stand-in for a story page: the stories and
outcomes areas decorate their views the same way (see ``tracker.breakglass``).
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.auth.permissions import RULES
from tracker.auth.permissions import Role
from tracker.auth.permissions import rule
from tracker.breakglass import services as break_glass
from tracker.breakglass.models import BreakGlassGrant
from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.web.access import record_sensitive_read
from tracker.web.access import sensitive_project_route

PERMISSION = "tests.sensitive_record.read"
REASON = "Safeguarding lead reported that a story may identify a child; checking it."


@pytest.fixture
def app(app, monkeypatch):
    """The app plus one sensitive page: M&E staff and member grantees may read it, admins may break the glass."""
    monkeypatch.setitem(RULES, PERMISSION, rule((Role.ME,), member=(Role.GRANTEE,), break_glass=(Role.ADMIN,)))

    @sensitive_project_route(PERMISSION)
    def sensitive_record(project, record_id):
        session = get_session()
        record_sensitive_read(session, "story", record_id, project)
        session.commit()
        return f"Sensitive record {record_id} of {project.slug}"

    app.add_url_rule("/projects/<slug>/test-records/<int:record_id>", "sensitive_record", sensitive_record,
                     methods=["GET", "POST"])
    return app


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline")
    session.commit()
    return project


def url(project, record_id=7):
    return f"/projects/{project.slug}/test-records/{record_id}"


def reads(session):
    return session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id)).all()


def test_staff_in_scope_read_without_a_reason_and_the_read_is_audited(client, factory, login, project, session):
    login(factory.user("me"))

    response = client.get(url(project))

    assert response.status_code == 200
    assert [(entry.object_type, entry.object_id, entry.project_id, entry.reason) for entry in reads(session)] == [
        ("story", "7", project.id, None)]


def test_an_admin_without_a_grant_is_asked_for_a_reason(client, factory, login, project, session):
    login(factory.user("admin"))

    response = client.get(url(project))

    assert response.status_code == 302
    assert response.headers["Location"] == (f"/projects/{project.slug}/break-glass"
                                            f"?next=/projects/{project.slug}/test-records/7?")
    assert reads(session) == []


def test_an_admin_who_gives_a_reason_reads_the_record_and_each_read_carries_it(client, factory, login, project,
                                                                               session, submit):
    admin = factory.user("admin", email="admin@example.org")
    login(admin)
    session.commit()
    form = f"/projects/{project.slug}/break-glass?next={url(project)}"

    granted = submit(form, {"reason": REASON})
    response = client.get(granted.headers["Location"])

    assert granted.headers["Location"] == url(project)
    assert response.get_data(as_text=True) == f"Sensitive record 7 of {project.slug}"
    grant = session.scalars(sa.select(BreakGlassGrant)).one()
    assert [(entry.actor_email, entry.reason, entry.details) for entry in reads(session)] == [
        ("admin@example.org", REASON, f'{{"break_glass_grant": {grant.id}}}')]
    opened = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "break_glass")).one()
    assert (opened.object_type, opened.project_id, opened.reason) == ("project", project.id, REASON)


def test_a_grant_lasts_three_hours(client, factory, login, project, session):
    admin = factory.user("admin")
    login(admin)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        factory.break_glass_grant(admin, project, REASON)
        session.commit()

    with time_machine.travel(start + timedelta(hours=2, minutes=59), tick=False):
        login(admin)
        assert client.get(url(project)).status_code == 200
    with time_machine.travel(start + timedelta(hours=3, minutes=1), tick=False):
        login(admin)
        assert client.get(url(project)).status_code == 302


def test_a_grant_opens_one_project_only(client, factory, login, project, session):
    admin = factory.user("admin")
    other = factory.project("dr-board")
    factory.break_glass_grant(admin, project, REASON)
    login(admin)

    assert client.get(url(project)).status_code == 200
    assert client.get(url(other)).status_code == 302


def test_a_short_reason_is_refused_and_the_text_kept(client, factory, login, project, session, submit):
    login(factory.user("admin"))
    session.commit()

    response = submit(f"/projects/{project.slug}/break-glass", {"reason": "need it"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'id="reason-error"' in html and "Explain in 20 to 1000 characters" in html
    assert re.search(r">\s*need it</textarea>", html)
    assert session.scalars(sa.select(BreakGlassGrant)).all() == []


@pytest.mark.parametrize("role", ["grantee", "donor"])
def test_other_roles_outside_their_scope_get_404_and_no_offer(client, factory, login, project, role):
    login(factory.user(role, projects=[]))

    assert client.get(url(project)).status_code == 404
    assert client.get(f"/projects/{project.slug}/break-glass").status_code == 404


def test_a_member_grantee_reads_their_own_projects_record(client, factory, login, project):
    login(factory.user("grantee", projects=[project]))

    assert client.get(url(project)).status_code == 200


def test_without_a_grant_a_change_is_refused_not_redirected(client, factory, login, project, session):
    login(factory.user("admin"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)

    assert client.post(url(project), data={"csrf_token": token}).status_code == 404


def test_an_admin_ends_a_grant_early(client, factory, login, project, session, submit):
    admin = factory.user("admin")
    grant = factory.break_glass_grant(admin, project, REASON)
    login(admin)
    session.commit()

    response = submit(f"/admin/break-glass/{grant.id}/revoke", {}, page="/admin/break-glass")

    assert response.status_code == 302
    assert client.get(url(project)).status_code == 302
    session.expire_all()
    assert session.get(BreakGlassGrant, grant.id).revoked_by_id == admin.id


def test_the_register_lists_grants_and_filters_the_active_ones(client, factory, login, project, session):
    admin = factory.user("admin", email="admin@example.org")
    active = factory.break_glass_grant(admin, project, REASON)
    ended = factory.break_glass_grant(admin, project, "An earlier check of the same project's consent forms.")
    break_glass.revoke_grant(session, Actor(admin.id, admin.email, admin.role.value), ended)
    login(admin)

    everything = client.get("/admin/break-glass").get_data(as_text=True)
    current = client.get("/admin/break-glass?show=active").get_data(as_text=True)

    assert REASON in everything and "earlier check" in everything
    assert REASON in current and "earlier check" not in current
    assert f"/admin/break-glass/{active.id}/revoke" in current


@pytest.mark.both_backends
def test_register_query_count_does_not_grow_with_grants(client, factory, login, session, count_queries):
    admin = factory.user("admin")
    login(admin)
    projects = [factory.project() for _ in range(3)]

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(BreakGlassGrant)) < total:
            factory.break_glass_grant(factory.user("admin"), projects[total % 3], REASON)
        session.commit()
        with count_queries() as counter:
            assert client.get("/admin/break-glass").status_code == 200
        return counter.count

    assert queries_with(3) == queries_with(20)


@pytest.mark.parametrize("role", ["me", "grantee", "donor"])
def test_only_admins_see_the_register(client, factory, login, role):
    login(factory.user(role))

    assert client.get("/admin/break-glass").status_code == 404
