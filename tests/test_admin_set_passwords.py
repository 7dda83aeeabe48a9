"""A new account's role is chosen, never defaulted; a password an administrator set is changed at first login."""

import json

import sqlalchemy as sa

from tests.conftest import csrf_from
from tests.factories import TEST_PASSWORD
from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.auth import services as auth_services
from tracker.auth.models import User

NEW_PASSWORD = "a kettle of quiet otters"


def password_entries(session, user):
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "user",
                                                          AuditEntry.object_id == str(user.id),
                                                          AuditEntry.action.in_(["create", "update"]))
                              .order_by(AuditEntry.id)).all()
    return [json.loads(entry.details) for entry in entries]


def change_own_password(submit, current=TEST_PASSWORD, new=NEW_PASSWORD):
    return submit("/account", {"pw-current_password": current, "pw-new_password": new, "pw-confirm": new,
                               "pw-submit": "1"}, prefix="pw-")


def test_the_new_user_form_offers_no_role_until_the_admin_chooses_one(client, factory, login, session):
    login(factory.user("admin"))

    html = client.get("/admin/users/new").get_data(as_text=True)

    role_select = html[html.index('name="role"'):html.index("</select>", html.index('name="role"'))]
    assert "Choose a role" in role_select
    assert "selected" not in role_select


def test_a_new_account_without_a_role_is_refused_and_the_form_keeps_what_was_typed(client, factory, login, session,
                                                                                    submit):
    login(factory.user("admin"))

    response = submit("/admin/users/new", {"email": "safeguarding.lead@example.org",
                                           "display_name": "Safeguarding lead, Manila", "role": "",
                                           "password": "four words make a password"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Choose the role of the new account." in html and 'id="role-error"' in html
    assert "safeguarding.lead@example.org" in html and "Safeguarding lead, Manila" in html
    assert session.scalar(sa.select(User).where(User.email == "safeguarding.lead@example.org")) is None


def test_an_account_the_admin_creates_must_change_its_password_and_the_audit_says_so(client, factory, login,
                                                                                       session, submit):
    login(factory.user("admin"))

    submit("/admin/users/new", {"email": "helpline.counsellor@example.org", "display_name": "Helpline counsellor",
                                "role": "grantee", "password": "four words make a password"})

    user = session.scalar(sa.select(User).where(User.email == "helpline.counsellor@example.org"))
    assert user.must_change_password
    assert password_entries(session, user)[0]["must_change_password"] is True


def test_a_grantee_with_an_admin_set_password_is_sent_to_change_it_from_every_page(client, factory, login, session):
    project = factory.project("thailand-helpline")
    login(factory.user("grantee", projects=[project], set_by_administrator=True))

    for path in ["/", f"/projects/{project.slug}", "/account/two-factor", "/account/api-tokens"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account", path
    page = client.get("/account")
    assert page.status_code == 200
    assert "An administrator set your password." in page.get_data(as_text=True)


def test_changing_the_admin_set_password_opens_the_app_again_and_is_audited(app, client, factory, login, session,
                                                                            submit):
    grantee = factory.user("grantee", set_by_administrator=True)
    login(grantee)

    response = change_own_password(submit)
    assert response.headers["Location"] == "/login"
    client.post("/login", data={"csrf_token": csrf_from(client.get("/login").get_data(as_text=True)),
                                "email": grantee.email, "password": NEW_PASSWORD})

    assert client.get("/").status_code == 200
    session.expire_all()
    assert not session.get(User, grantee.id).must_change_password
    assert password_entries(session, grantee)[-1] == {"fields": ["password"], "required_change": True}


def test_a_wrong_current_password_keeps_the_user_on_the_change_page(client, factory, login, session, submit):
    grantee = factory.user("grantee", set_by_administrator=True)
    login(grantee)

    response = change_own_password(submit, current="not my password at all")

    assert response.status_code == 200
    assert "This is not your current password." in response.get_data(as_text=True)
    assert client.get("/").headers["Location"] == "/account"


def test_a_password_reset_by_an_admin_must_be_changed_at_the_next_login(app, client, factory, login, session):
    officer = factory.user("me")
    login(factory.user("admin"))
    page = client.get(f"/admin/users/{officer.id}/edit").get_data(as_text=True)

    client.post(f"/admin/users/{officer.id}/password",
                data={"csrf_token": csrf_from(page), "password": "brand new long password"})

    session.expire_all()
    assert session.get(User, officer.id).must_change_password
    assert password_entries(session, officer)[-1] == {"fields": ["password"], "must_change_password": True}


def test_a_user_who_sets_their_own_password_is_not_asked_to_change_it(client, factory, login, session):
    login(factory.user("donor"))

    assert client.get("/").status_code == 200


def test_api_tokens_keep_working_while_the_password_waits_to_be_changed(api_as, factory):
    project = factory.project()
    officer = factory.user("me", set_by_administrator=True)

    response = api_as(officer).get("/api/v1/projects")

    assert response.status_code == 200
    assert [item["slug"] for item in response.get_json()["items"]] == [project.slug]


def test_logging_out_stays_possible_before_the_change(client, factory, login, session, submit):
    login(factory.user("grantee", set_by_administrator=True))

    response = submit("/logout", {}, page="/account")

    assert response.headers["Location"] == "/login"


def test_a_password_the_user_sets_lifts_the_requirement(app, factory, session):
    grantee = factory.user("grantee", set_by_administrator=True)

    auth_services.set_password(session, app.extensions["tracker.hasher"],
                               Actor(grantee.id, grantee.email, grantee.role.value), grantee, NEW_PASSWORD)

    assert not grantee.must_change_password
