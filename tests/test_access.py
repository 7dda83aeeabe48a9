"""Deny by default: every route declares a permission; other projects answer 404."""

import re

import pytest

from tests.conftest import csrf_from
from tracker.auth.permissions import RULES
from tracker.auth.permissions import Role
from tracker.auth.permissions import allows
from tracker.web.access import PENDING_LOGIN
from tracker.web.access import PUBLIC
from tracker.web.access import PUBLIC_ENDPOINTS

# The API's description (OpenAPI document and docs page) holds no data and describes open-source software.
PUBLIC_ALLOWLIST = {"auth.login", "health.health", "static", "api.openapi_document", "api.docs"}
SECOND_FACTOR_STEPS = {"auth.verify", "auth.enrol"}


def routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def web_routes(app):
    """The routes that authenticate by login cookie; the API's (bearer tokens) are tested in test_api_access.py."""
    return [rule for rule in routes(app) if not rule.endpoint.startswith("api.")]


def test_every_route_declares_a_permission(app):
    undeclared = [rule.rule for rule in routes(app)
                  if getattr(app.view_functions[rule.endpoint], "required_permission", None) is None]

    assert undeclared == []


def test_only_the_allowlist_is_public(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules()
              if getattr(app.view_functions[rule.endpoint], "required_permission", None) == PUBLIC}

    assert public | {"static"} == PUBLIC_ALLOWLIST


def test_every_declared_permission_exists(app):
    declared = {app.view_functions[rule.endpoint].required_permission for rule in routes(app)}

    assert declared - {PUBLIC, PENDING_LOGIN} <= set(RULES)


def test_only_the_second_factor_steps_accept_a_login_that_waits_for_its_second_factor(app):
    pending = {rule.endpoint for rule in routes(app)
               if app.view_functions[rule.endpoint].required_permission == PENDING_LOGIN}

    assert pending == SECOND_FACTOR_STEPS


def test_an_undeclared_route_is_refused_at_runtime(app, client):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")

    assert client.get("/forgotten").status_code == 404


def fill(rule, slug, other="1"):
    """A concrete URL for ``rule``: the given project slug, ``other`` for every other argument."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: slug if m.group(1) == "slug" else other, rule.rule)


def test_anonymous_visitors_are_sent_to_login_from_every_protected_page(app, client, factory, session):
    project = factory.project()
    session.commit()
    for rule in web_routes(app):
        if rule.endpoint in PUBLIC_ALLOWLIST or "GET" not in rule.methods:
            continue
        response = client.get(fill(rule, project.slug))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login"), rule.rule


def test_grantee_gets_404_on_every_route_of_another_project(app, client, factory, session, login):
    own, other = factory.project(), factory.project()
    grantee = factory.user("grantee", projects=[own])
    login(grantee)
    token = csrf_from(client.get("/").get_data(as_text=True))
    checked = []
    for rule in web_routes(app):
        if "slug" not in rule.arguments:
            continue
        url = fill(rule, other.slug)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method != "GET" else None)
            assert response.status_code == 404, (method, rule.rule)
            assert other.title not in response.get_data(as_text=True)
            checked.append((method, rule.rule))
    assert checked, "no project-scoped routes were found"


def test_grantee_sees_their_own_project(client, factory, login):
    own = factory.project()
    login(factory.user("grantee", projects=[own]))

    assert client.get(f"/projects/{own.slug}").status_code == 200


@pytest.mark.parametrize("role, permission, is_member, expected", [
    (Role.GRANTEE, "project.view", True, True),
    (Role.GRANTEE, "project.view", False, False),
    (Role.DONOR, "project.view", False, True),
    (Role.DONOR, "project.edit", False, False),
    (Role.ME, "project.edit", False, True),
    (Role.ME, "users.manage", False, False),
    (Role.ADMIN, "users.manage", False, True),
])
def test_permission_rules(role, permission, is_member, expected):
    assert allows(role, permission, is_member=is_member) is expected


def test_unknown_permissions_are_a_programming_error():
    with pytest.raises(KeyError):
        allows(Role.ADMIN, "project.teleport")


def test_every_response_carries_security_headers(client):
    headers = client.get("/login").headers

    assert "object-src 'none'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "base-uri 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_cookies_are_httponly_lax_and_secure_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]

    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_cookies_are_not_marked_secure_over_plain_http_on_localhost(client):
    assert "Secure" not in client.get("/login").headers["Set-Cookie"]
