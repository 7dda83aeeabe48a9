import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tracker.auth import services as auth_services
from tracker.auth.models import User


def test_admin_creates_a_grantee_with_project_membership(client, factory, login, session, submit):
    project = factory.project("thailand-helpline")
    login(factory.user("admin"))
    session.commit()

    response = submit("/admin/users/new", {"email": "counsellor.lead@example.org", "display_name": "Helpline team lead",
                                           "role": "grantee", "password": "four words make a password",
                                           "projects": [str(project.id)]})

    assert response.status_code == 302
    user = session.scalar(sa.select(User).where(User.email == "counsellor.lead@example.org"))
    assert auth_services.member_project_ids(session, user.id) == {project.id}


def test_new_user_form_rejects_a_short_password_and_keeps_the_rest(client, factory, login, session, submit):
    login(factory.user("admin"))
    session.commit()

    response = submit("/admin/users/new", {"email": "new@example.org", "display_name": "Regional M&E advisor",
                                           "role": "me", "password": "short"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Regional M&amp;E advisor" in html and 'id="password-error"' in html


def test_duplicate_email_is_a_field_error(client, factory, login, session, submit):
    factory.user("donor", email="donor@example.org")
    login(factory.user("admin"))
    session.commit()

    response = submit("/admin/users/new", {"email": "DONOR@example.org", "display_name": "Someone",
                                           "role": "donor", "password": "a long enough password"})

    assert "An account with this email address already exists." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["me", "grantee", "donor"])
def test_only_admins_manage_users(client, factory, login, role):
    login(factory.user(role))

    assert client.get("/admin/users").status_code == 404


def test_deactivating_a_user_ends_their_sessions(app, client, factory, login, session, submit):
    grantee = factory.user("grantee")
    grantee_client = app.test_client()
    login(grantee, grantee_client)
    login(factory.user("admin"))
    session.commit()

    response = submit(f"/admin/users/{grantee.id}/edit", {"display_name": grantee.display_name, "role": "grantee",
                                                          "language": "", "version": "1"})

    assert response.status_code == 302
    assert grantee_client.get("/").status_code == 302


def test_user_list_filters_by_role(client, factory, login, session):
    factory.user("donor", display_name="Donor one")
    factory.user("me", display_name="M&E one")
    login(factory.user("admin", display_name="Admin one"))

    html = client.get("/admin/users?role=donor").get_data(as_text=True)

    assert re.findall(r'<th scope="row"><a href="/admin/users/\d+/edit">([^<]+)</a>', html) == ["Donor one"]


def test_admin_resets_a_password(client, factory, login, session, app):
    user = factory.user("me")
    login(factory.user("admin"))
    session.commit()
    page = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)

    response = client.post(f"/admin/users/{user.id}/password",
                           data={"csrf_token": csrf_from(page), "password": "brand new long password"})

    assert response.status_code == 302
    session.expire_all()
    assert auth_services.authenticate(session, app.extensions["tracker.hasher"], user.email, "brand new long password")
