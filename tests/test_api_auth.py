"""API authentication: bearer tokens only, stored hashed, revocable, acting exactly as their user."""

import pytest
import sqlalchemy as sa

from tests.api_support import ApiClient
from tests.api_support import assert_problem
from tracker.api import tokens
from tracker.api.models import ApiToken
from tracker.audit.models import AuditEntry
from tracker.auth import services as auth_services
from tracker.auth.models import AttemptCount
from tracker.db_types import utcnow


def test_a_request_without_a_token_answers_401_problem_with_a_bearer_challenge(client, factory, session):
    factory.project()
    session.commit()

    response = client.get("/api/v1/projects")

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_answers_401_and_is_audited(client, factory, session):
    factory.project()
    session.commit()

    response = ApiClient(client, "et_" + "x" * 43).get("/api/v1/projects")

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    failures = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == tokens.FAILED)).all()
    assert len(failures) == 1 and failures[0].ip == "127.0.0.1"


def test_a_valid_token_reads_the_projects(api_as, factory):
    project = factory.project()

    response = api_as(factory.user("me")).get("/api/v1/projects")

    assert response.status_code == 200
    assert [item["slug"] for item in response.get_json()["items"]] == [project.slug]


def test_tokens_are_stored_only_as_their_sha256_hash(factory, session):
    token = factory.api_token(factory.user("donor"))

    row = session.scalars(sa.select(ApiToken)).one()
    assert token not in (row.token_hash, row.prefix, row.name)
    assert row.token_hash == tokens.hash_token(token) and len(row.token_hash) == 64
    assert token.startswith(row.prefix)


def test_a_revoked_token_answers_401(client, factory, session):
    user = factory.user("me")
    token = factory.api_token(user)
    tokens.revoke_token(session, auth_actor(user), factory.last_api_token)
    session.commit()

    assert_problem(ApiClient(client, token).get("/api/v1/projects"), 401)


def test_an_expired_token_answers_401(client, factory, session):
    token = factory.api_token(factory.user("me"), days=1)
    factory.last_api_token.expires_at = utcnow()
    session.commit()

    assert_problem(ApiClient(client, token).get("/api/v1/projects"), 401)


def test_a_deactivated_users_token_is_refused(client, factory, session):
    user = factory.user("me")
    token = factory.api_token(user)
    auth_services.update_user(session, auth_actor(user), user, version=user.version, display_name="Gone",
                              role="me", is_active=False, language=None)
    session.commit()

    assert_problem(ApiClient(client, token).get("/api/v1/projects"), 401)


def test_a_role_change_applies_to_the_token_at_once(client, factory, session):
    own, other = factory.project(), factory.project()
    user = factory.user("me", projects=[own])
    api = ApiClient(client, factory.api_token(user))
    session.commit()
    assert api.get(f"/api/v1/projects/{other.slug}").status_code == 200

    auth_services.update_user(session, auth_actor(user), user, version=user.version, display_name=user.display_name,
                              role="grantee", is_active=True, language=None)
    session.commit()

    assert_problem(api.get(f"/api/v1/projects/{other.slug}"), 404)
    assert api.get(f"/api/v1/projects/{own.slug}").status_code == 200


def test_the_login_cookie_does_not_authenticate_the_api(client, factory, login):
    factory.project()
    login(factory.user("me"))

    assert client.get("/").status_code == 200
    assert_problem(client.get("/api/v1/projects"), 401)


def test_api_responses_set_no_cookie(api_as, factory):
    factory.project()

    response = api_as(factory.user("me")).get("/api/v1/projects")

    assert "Set-Cookie" not in response.headers


def test_a_token_records_its_last_use(api_as, factory, session):
    api = api_as(factory.user("donor"))

    api.get("/api/v1/projects")

    row = session.scalars(sa.select(ApiToken)).one()
    session.refresh(row)
    assert row.last_used_at is not None and row.last_used_ip == "127.0.0.1"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token et_abc", ""])
def test_other_authorization_schemes_are_refused(client, factory, session, header):
    factory.project()
    session.commit()

    response = client.get("/api/v1/projects", headers={"Authorization": header} if header else {})

    assert_problem(response, 401)


OFFICE = {"REMOTE_ADDR": "198.51.100.20"}


def guess(number):
    return f"et_wrong-token-guess-{number:04d}-0123456789abcdef"


def test_ten_bad_tokens_from_one_address_do_not_lock_out_a_valid_token_from_it(client, factory, session):
    """An office behind one address: a broken script's failures must not stop the other clients there."""
    factory.project()
    good = factory.api_token(factory.user("me"))
    session.commit()
    for number in range(10):
        assert_problem(ApiClient(client, guess(number)).get("/api/v1/projects", environ_base=OFFICE), 401)

    assert ApiClient(client, good).get("/api/v1/projects", environ_base=OFFICE).status_code == 200
    refused = ApiClient(client, guess(10)).get("/api/v1/projects", environ_base=OFFICE)
    assert_problem(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60


def test_repeated_bad_uses_of_one_wrong_token_are_throttled(app, client, factory, session):
    app.config["API_AUTH_FAILURES_PER_TOKEN"] = 3
    factory.project()
    session.commit()
    wrong = ApiClient(client, guess(1))
    for _attempt in range(3):
        assert_problem(wrong.get("/api/v1/projects"), 401)

    refused = wrong.get("/api/v1/projects")

    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
    assert len(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == tokens.FAILED)).all()) == 3
    assert_problem(ApiClient(client, guess(2)).get("/api/v1/projects"), 401)


def test_a_revoked_token_counts_against_itself_not_against_its_address(client, factory, session):
    user = factory.user("me")
    revoked = factory.api_token(user)
    tokens.revoke_token(session, auth_actor(user), factory.last_api_token)
    session.commit()
    for _attempt in range(10):
        assert_problem(ApiClient(client, revoked).get("/api/v1/projects", environ_base=OFFICE), 401)
    assert_problem(ApiClient(client, revoked).get("/api/v1/projects", environ_base=OFFICE), 429)

    for number in range(10):
        assert_problem(ApiClient(client, guess(number)).get("/api/v1/projects", environ_base=OFFICE), 401)


def test_the_throttle_never_stores_a_token(client, factory, session):
    ApiClient(client, guess(1)).get("/api/v1/projects")

    subjects = session.scalars(sa.select(AttemptCount.subject).where(AttemptCount.scope == "api_token")).all()
    assert subjects == [tokens.hash_token(guess(1))]


def auth_actor(user):
    from tracker.audit.services import Actor

    return Actor(user.id, user.email, user.role.value)
