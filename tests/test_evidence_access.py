"""Least privilege on the outcome, story, MSC and search pages: a role without the permission gets 404."""

import pytest

from tests.test_access import fill
from tracker.auth.permissions import allows
from tracker.auth.permissions import may_break_glass

AREAS = ("outcomes.", "stories.", "msc.", "search.")


@pytest.mark.parametrize("role", ["donor", "grantee"])
def test_a_role_without_the_permission_gets_404_on_every_page(app, client, factory, login, session, role):
    project = factory.project()
    login(factory.user(role, projects=[project] if role == "grantee" else []))
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(AREAS) or "GET" not in rule.methods:
            continue
        permission = app.view_functions[rule.endpoint].required_permission
        if allows(role, permission, is_member=True):
            continue
        response = client.get(fill(rule, project.slug))
        assert response.status_code == 404, (role, rule.rule)
        checked.append(rule.rule)
    assert checked


@pytest.mark.parametrize("permission, roles", [
    ("outcome.view", {"me", "donor"}),
    ("outcome.edit", {"me"}),
    ("outcome.substantiate", {"me"}),
    ("story.view", {"me", "donor"}),
    ("story.edit", {"me"}),
    ("story.safeguard", {"me"}),
    ("msc.select", {"me"}),
    ("msc.manage", {"me"}),
])
def test_who_holds_each_evidence_permission_everywhere(permission, roles):
    assert {role for role in ("admin", "me", "grantee", "donor") if allows(role, permission)} == roles


@pytest.mark.parametrize("permission", ["outcome.view", "story.view"])
def test_administrators_read_outcomes_and_stories_only_by_breaking_the_glass(permission):
    assert not allows("admin", permission, is_member=True)
    assert may_break_glass("admin", permission)


@pytest.mark.parametrize("permission", ["outcome.view", "outcome.edit", "story.view", "story.edit"])
def test_grantees_hold_project_permissions_only_on_their_projects(permission):
    assert allows("grantee", permission, is_member=True) and not allows("grantee", permission, is_member=False)
