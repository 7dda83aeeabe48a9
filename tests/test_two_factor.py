"""TOTP two-factor authentication: forced for admins and M&E staff, optional for others, never replayable."""

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tests.factories import TEST_PASSWORD
from tests.test_access import fill
from tests.test_access import web_routes
from tracker.audit.models import AuditEntry
from tracker.auth import two_factor
from tracker.auth.models import LoginSession
from tracker.auth.models import RecoveryCode
from tracker.auth.models import TotpCredential
from tracker.db_types import utcnow

CODE_ERROR = "This code is not right, or it was already used."


def log_in(submit, email, password=TEST_PASSWORD):
    return submit("/login", {"email": email, "password": password})


def code_for(secret, at=None):
    return pyotp.TOTP(secret).at(at or utcnow())


def secret_on_page(html):
    return re.search(r'<p class="secret"><code>([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")


@pytest.fixture
def frozen():
    """A clock at the start of a 30-second step, so that codes stay valid while the test runs."""
    now = utcnow().replace(microsecond=0)
    start = now - timedelta(seconds=now.second % 30)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize("role", ["admin", "me"])
def test_admins_and_me_staff_must_set_up_two_factor_at_their_first_login(client, factory, session, submit, role):
    factory.user(role, email="staff@example.org")
    session.commit()

    response = log_in(submit, "staff@example.org")
    page = client.get("/login/enrol").get_data(as_text=True)

    assert response.headers["Location"] == "/login/enrol"
    assert "otpauth://totp/Evidence%20Tracker:staff%40example.org?secret=" in page
    assert '<img src="data:image/svg+xml;' in page and 'alt="QR code holding your two-factor secret"' in page
    assert len(secret_on_page(page)) == 32
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role", ["grantee", "donor"])
def test_grantees_and_donors_log_in_with_a_password_alone_by_default(factory, session, submit, client, role):
    factory.user(role, email="person@example.org")
    session.commit()

    assert log_in(submit, "person@example.org").headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_login_waiting_for_its_second_factor_opens_no_page(app, client, factory, session, submit):
    project = factory.project()
    factory.two_factor(factory.user("me", email="me@example.org"))
    session.commit()
    log_in(submit, "me@example.org")

    for rule in web_routes(app):
        if "GET" not in rule.methods or rule.endpoint in {"auth.login", "health.health", "auth.verify"}:
            continue
        response = client.get(fill(rule, project.slug))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login"), rule.rule
    assert client.get("/login/verify").status_code == 200


def test_confirming_enrolment_logs_in_and_shows_ten_recovery_codes_once(client, factory, session, submit, frozen):
    user = factory.user("admin", email="admin@example.org")
    session.commit()
    log_in(submit, "admin@example.org")
    secret = secret_on_page(client.get("/login/enrol").get_data(as_text=True))

    response = submit("/login/enrol", {"code": code_for(secret)})
    html = response.get_data(as_text=True)

    codes = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", html)
    assert response.status_code == 200 and len(codes) == 10
    assert client.get("/").status_code == 200
    assert two_factor.is_enrolled(session, user)
    stored = session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert sorted(stored) == sorted(two_factor.hash_recovery_code(code) for code in codes)


def test_a_wrong_enrolment_code_is_a_field_error(client, factory, session, submit):
    factory.user("me", email="me@example.org")
    session.commit()
    log_in(submit, "me@example.org")

    response = submit("/login/enrol", {"code": "000000"})

    assert response.status_code == 200
    assert 'id="code-error"' in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_an_enrolled_user_logs_in_with_password_then_code(client, factory, session, submit, frozen):
    secret = factory.two_factor(factory.user("me", email="me@example.org"))
    session.commit()

    first = log_in(submit, "me@example.org")
    second = submit("/login/verify", {"code": code_for(secret)})

    assert first.headers["Location"] == "/login/verify"
    assert second.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    logins = session.scalars(sa.select(AuditEntry.details).where(AuditEntry.action == "login")).all()
    assert logins == ['{"second_factor": "totp"}']


def test_optional_two_factor_is_asked_of_a_grantee_who_turned_it_on(client, factory, session, submit):
    factory.two_factor(factory.user("grantee", email="grantee@example.org"))
    session.commit()

    assert log_in(submit, "grantee@example.org").headers["Location"] == "/login/verify"


def test_a_code_cannot_be_used_twice(app, client, factory, session, submit, frozen):
    secret = factory.two_factor(factory.user("me", email="me@example.org"))
    session.commit()
    code = code_for(secret)
    log_in(submit, "me@example.org")
    submit("/login/verify", {"code": code})
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    other.post("/login", data={"csrf_token": csrf_from(page), "email": "me@example.org", "password": TEST_PASSWORD})
    page = other.get("/login/verify").get_data(as_text=True)

    replay = other.post("/login/verify", data={"csrf_token": csrf_from(page), "code": code})

    assert replay.status_code == 200 and CODE_ERROR in replay.get_data(as_text=True)
    assert other.get("/").status_code == 302


@pytest.mark.both_backends
def test_the_replay_check_is_one_conditional_update(factory, session, frozen):
    user = factory.user("me")
    secret = factory.two_factor(user)
    code = code_for(secret)

    assert two_factor.check_second_factor(session, user, code) == "totp"
    assert two_factor.check_second_factor(session, user, code) is None
    assert session.get(TotpCredential, user.id).last_step == pyotp.TOTP(secret).timecode(utcnow())


def test_codes_of_the_neighbouring_time_steps_are_accepted_but_no_older_ones():
    secret = pyotp.random_base32()
    now = utcnow()
    step = pyotp.TOTP(secret).timecode(now)

    accepted = [two_factor.matching_step(secret, code_for(secret, now + timedelta(seconds=30 * offset)), now)
                for offset in (-1, 0, 1)]

    assert accepted == [step - 1, step, step + 1]
    assert two_factor.matching_step(secret, code_for(secret, now - timedelta(seconds=90)), now) is None
    assert two_factor.matching_step(secret, "12 34 5x", now) is None


def test_a_later_code_is_refused_after_a_newer_one_was_used(factory, session, frozen):
    user = factory.user("me")
    secret = factory.two_factor(user)
    newer = code_for(secret, utcnow() + timedelta(seconds=30))
    older = code_for(secret)

    assert two_factor.check_second_factor(session, user, newer) == "totp"
    assert two_factor.check_second_factor(session, user, older) is None


def test_a_recovery_code_logs_in_once(client, factory, session, submit, app):
    user = factory.user("me", email="me@example.org")
    factory.two_factor(user)
    codes = two_factor.new_recovery_codes(session, TEST_ACTOR, user)
    session.commit()
    log_in(submit, "me@example.org")

    response = submit("/login/verify", {"code": codes[3].upper()})

    assert response.headers["Location"] == "/"
    assert "9 are left" in client.get("/").get_data(as_text=True)
    assert two_factor.check_second_factor(session, user, codes[3]) is None
    assert two_factor.remaining_recovery_codes(session, user) == 9


def test_wrong_second_factors_are_audited_as_failed_logins(client, factory, session, submit):
    factory.two_factor(factory.user("me", email="me@example.org"))
    session.commit()
    log_in(submit, "me@example.org")

    submit("/login/verify", {"code": "123456"})

    details = session.scalars(sa.select(AuditEntry.details).where(AuditEntry.action == "login_failed")).all()
    assert details == ['{"factor": "second_factor"}']


def test_five_wrong_codes_throttle_the_second_step(client, factory, session, submit):
    factory.two_factor(factory.user("me", email="me@example.org"))
    session.commit()
    log_in(submit, "me@example.org")
    for _ in range(5):
        submit("/login/verify", {"code": "123456"})

    response = submit("/login/verify", {"code": "654321"})

    assert response.status_code == 429
    assert "Too many failed attempts." in response.get_data(as_text=True)


def test_a_pending_login_expires_after_ten_minutes(client, factory, session, submit):
    factory.two_factor(factory.user("me", email="me@example.org"))
    session.commit()
    log_in(submit, "me@example.org")

    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        response = client.get("/login/verify")

    assert response.headers["Location"] == "/login"


def test_completing_the_second_factor_issues_a_new_session_token(client, factory, session, submit, frozen):
    user = factory.user("me", email="me@example.org")
    secret = factory.two_factor(user)
    session.commit()
    log_in(submit, "me@example.org")
    with client.session_transaction() as cookie:
        pending_token = cookie["pending_login"]

    submit("/login/verify", {"code": code_for(secret)})

    with client.session_transaction() as cookie:
        assert "pending_login" not in cookie
        assert cookie["_user_id"] != pending_token
    hashes = session.scalars(sa.select(LoginSession.token_hash).where(LoginSession.user_id == user.id)).all()
    assert len(hashes) == 1


def test_a_grantee_turns_on_two_factor_from_the_account_page(client, factory, login, session, submit, frozen):
    user = factory.user("grantee")
    login(user)
    secret = secret_on_page(client.get("/account/two-factor").get_data(as_text=True))

    response = submit("/account/two-factor", {"code": code_for(secret)})

    assert len(re.findall(r"<li><code>[a-z0-9-]{19}</code></li>", response.get_data(as_text=True))) == 10
    assert two_factor.is_enrolled(session, user)


def test_a_grantee_turns_it_off_with_their_password(client, factory, login, session, submit):
    user = factory.user("grantee")
    factory.two_factor(user)
    login(user)

    response = submit("/account/two-factor/off", {"password": TEST_PASSWORD}, page="/account/two-factor")

    assert response.headers["Location"] == "/account"
    assert not two_factor.is_enrolled(session, user)


def test_me_staff_cannot_turn_it_off(client, factory, login, session, submit):
    user = factory.user("me")
    factory.two_factor(user)
    login(user)

    submit("/account/two-factor/off", {"password": TEST_PASSWORD}, page="/account/two-factor")

    assert two_factor.is_enrolled(session, user)


def test_new_recovery_codes_need_the_password(client, factory, login, session, submit):
    user = factory.user("me")
    factory.two_factor(user)
    old = two_factor.new_recovery_codes(session, TEST_ACTOR, user)
    login(user)

    refused = submit("/account/two-factor/recovery-codes", {"password": "not my password"},
                     page="/account/two-factor")
    accepted = submit("/account/two-factor/recovery-codes", {"password": TEST_PASSWORD},
                      page="/account/two-factor")

    assert "This is not your current password." in refused.get_data(as_text=True)
    new = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", accepted.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert two_factor.check_second_factor(session, user, old[0]) is None


def test_an_admin_resets_a_users_two_factor_and_ends_their_sessions(app, client, factory, login, session, submit):
    user = factory.user("me")
    factory.two_factor(user)
    their_browser = app.test_client()
    login(user, their_browser)
    login(factory.user("admin"))
    session.commit()

    response = submit(f"/admin/users/{user.id}/two-factor/reset", {}, page=f"/admin/users/{user.id}/edit")

    assert response.status_code == 302
    assert not two_factor.is_enrolled(session, user)
    assert their_browser.get("/").status_code == 302


def test_a_role_change_ends_the_users_sessions(app, client, factory, login, session, submit):
    user = factory.user("grantee")
    their_browser = app.test_client()
    login(user, their_browser)
    login(factory.user("admin"))
    session.commit()

    submit(f"/admin/users/{user.id}/edit", {"display_name": user.display_name, "role": "me", "language": "",
                                            "is_active": "y", "version": str(user.version)})

    assert their_browser.get("/").status_code == 302
