from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import csrf_from
from tests.factories import TEST_PASSWORD
from tracker.audit.models import AuditEntry
from tracker.auth import services as auth_services
from tracker.auth.models import LoginSession
from tracker.auth.passwords import password_problems
from tracker.db_types import utcnow
from tracker.web.access import SignedInUser

pytestmark = pytest.mark.both_backends


def log_in_with_form(submit, email, password):
    return submit("/login", {"email": email, "password": password})


def test_passwords_are_stored_as_argon2id_hashes(factory):
    user = factory.user("me")

    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_login_with_right_password_opens_a_session(factory, session, submit, client):
    user = factory.user("donor", email="donor@example.org")
    session.commit()

    response = log_in_with_form(submit, "Donor@Example.org ", TEST_PASSWORD)

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert session.scalar(sa.select(sa.func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id)) == 1


@pytest.mark.parametrize("email", ["donor@example.org", "nobody@example.org"])
def test_failed_login_gives_one_generic_message_and_is_audited(factory, session, submit, email):
    factory.user("donor", email="donor@example.org")
    session.commit()

    response = log_in_with_form(submit, email, "wrong password, long enough")

    assert response.status_code == 200
    assert "The email address or password is not right." in response.get_data(as_text=True)
    assert 'value="' + email + '"' in response.get_data(as_text=True)
    failed = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "login_failed")).all()
    assert [entry.actor_email for entry in failed] == [email]


def test_deactivated_user_cannot_log_in(factory, session, submit):
    user = factory.user("me", email="gone@example.org")
    user.is_active = False
    session.commit()

    response = log_in_with_form(submit, "gone@example.org", TEST_PASSWORD)

    assert "The email address or password is not right." in response.get_data(as_text=True)


def test_logout_revokes_the_session_so_a_copied_cookie_is_refused(factory, session, client, login, app):
    user = factory.user("me")
    token = login(user)
    copy = app.test_client()
    with copy.session_transaction() as cookie_session:
        cookie_session["_user_id"] = token
    page = client.get("/").get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_from(page)})

    assert client.get("/").status_code == 302
    assert copy.get("/").status_code == 302


def test_password_change_ends_every_session(factory, session, client, login, submit, app):
    user = factory.user("me")
    login(user)
    other_device = app.test_client()
    login(user, other_device)

    response = submit("/account", {"pw-current_password": TEST_PASSWORD,
                                   "pw-new_password": "a new and longer passphrase",
                                   "pw-confirm": "a new and longer passphrase", "pw-submit": "1"}, prefix="pw-")

    assert response.status_code == 302
    assert other_device.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_idle_sessions_expire(factory, session, client, login, app):
    user = factory.user("me")
    token = login(user)
    login_session = session.scalar(sa.select(LoginSession).where(
        LoginSession.token_hash == auth_services.hash_token(token)))
    login_session.last_seen_at -= timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"] + 1)
    session.commit()

    assert client.get("/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_login_redirects_only_to_local_paths(factory, session, submit, target):
    factory.user("donor", email="donor@example.org")
    session.commit()

    response = submit(f"/login?next={target}", {"email": "donor@example.org", "password": TEST_PASSWORD},
                      page="/login")

    assert response.headers["Location"] == "/"


def test_login_returns_to_the_page_asked_for(factory, session, submit):
    project = factory.project()
    factory.user("donor", email="donor@example.org")
    session.commit()

    response = submit(f"/login?next=/projects/{project.slug}", {"email": "donor@example.org",
                                                                "password": TEST_PASSWORD}, page="/login")

    assert response.headers["Location"] == f"/projects/{project.slug}"


@pytest.mark.parametrize("password, ok", [
    ("short", False),
    ("x" * 11, False),
    ("twelve chars", True),
    ("ไม่มีใครเดาได้แน่นอน", True),
    ("all lower case and no digits at all", True),
    ("ALL CAPS PASSPHRASE", True),
    ("0123 4567 8901 2345", True),
    ("".join(chr(0x41 + (n * 7) % 58) for n in range(128)), True),
    ("y" * 129, False),
])
def test_password_policy_has_length_limits_and_no_composition_rules(password, ok):
    assert (password_problems(password) == []) is ok


def test_signed_in_user_checks_membership(factory):
    own = factory.project()
    other = factory.project()
    user = factory.user("grantee", projects=[own])

    signed_in = SignedInUser(user, None, "token", {own.id})

    assert signed_in.can("project.view", own)
    assert not signed_in.can("project.view", other)
    assert not signed_in.can("project.create")


def test_activity_keeps_a_session_alive_and_thirty_idle_minutes_end_it(factory, client, login):
    login(factory.user("donor"))
    start = utcnow()

    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        assert client.get("/").status_code == 302


def test_a_session_waiting_for_its_second_factor_is_not_a_login(factory, session):
    user = factory.user("me")
    token = auth_services.start_login_session(session, user, verified=False)

    assert auth_services.find_login_session(session, token, timedelta(minutes=30)) is None
    assert auth_services.find_pending_login(session, token, timedelta(minutes=10))[1] == user
