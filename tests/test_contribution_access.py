"""Least privilege on the contribution and evidence pages: a role without the permission gets 404."""

import pytest

from tests.test_access import fill
from tracker.auth.permissions import allows

AREAS = ("contribution.", "evidence.")


@pytest.mark.parametrize("role, member", [("donor", False), ("grantee", True), ("grantee", False)])
def test_a_role_without_the_permission_gets_404_on_every_page(app, client, factory, login, session, role, member):
    project = factory.project()
    login(factory.user(role, projects=[project] if member else []))
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(AREAS) or "GET" not in rule.methods:
            continue
        permission = app.view_functions[rule.endpoint].required_permission
        if allows(role, permission, is_member=member):
            continue
        response = client.get(fill(rule, project.slug))
        assert response.status_code == 404, (role, rule.rule)
        checked.append(rule.rule)
    assert checked


@pytest.mark.parametrize("permission, everywhere, members", [
    ("contribution.view", {"admin", "me"}, {"grantee"}),
    ("contribution.edit", {"admin", "me"}, set()),
    ("contribution.coverage", {"admin", "me"}, set()),
    ("contribution.bands", {"admin", "me"}, set()),
    ("evidence.view", {"admin", "me"}, {"grantee"}),
    ("evidence.edit", {"admin", "me"}, {"grantee"}),
])
def test_who_holds_each_contribution_permission(permission, everywhere, members):
    roles = ("admin", "me", "grantee", "donor")

    assert {role for role in roles if allows(role, permission)} == everywhere
    assert {role for role in roles if allows(role, permission, is_member=True)} - everywhere == members


def test_grantees_cannot_post_to_claim_building_routes(app, client, factory, login, session, submit):
    project = factory.project()
    claim, links = factory.claim_with_chain(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()

    response = submit(f"/projects/{project.slug}/claims/{claim.id}/step",
                      {"step": "postulate_toc", "version": str(claim.version)},
                      page=f"/projects/{project.slug}/claims/{claim.id}")

    assert response.status_code == 404
    session.refresh(claim)
    assert claim.step.value == "set_out_question"
