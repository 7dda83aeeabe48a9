"""The claims part of the API contract: create a claim, add components and evidence, read the figures."""

import pytest

from tests.api_support import assert_problem
from tracker.contribution.tracing import services as tracing_services


@pytest.fixture
def me_api(api_as, factory):
    return api_as(factory.user("me"))


@pytest.fixture
def project(factory):
    return factory.project()


def test_a_claim_needs_only_a_title_and_a_cause_effect_question(me_api, project):
    response = me_api.post(f"/api/v1/projects/{project.slug}/claims", json={
        "title": "Chat brought children to counsellors",
        "cause_effect_question": "Did the LINE channel contribute to more children reaching counsellors?"})

    body = response.get_json()
    assert response.status_code == 201, body
    assert isinstance(body["id"], int) and body["step"] == "set_out_question"
    assert body["confidence"] is None and body["components"] == [] and body["rule"] == "weakest_component"


def test_components_and_evidence_give_the_figures_the_claim_page_shows(me_api, project, factory, session):
    claim = me_api.post(f"/api/v1/projects/{project.slug}/claims", json={
        "title": "Referral", "cause_effect_question": "Did the project contribute?"}).get_json()

    component = me_api.post(f"/api/v1/claims/{claim['id']}/components",
                            json={"entity": "Counsellors", "activity": "refer children to services"})
    assert component.status_code == 201 and component.get_json()["prior"] == 0.5
    evidence = me_api.post(f"/api/v1/components/{component.get_json()['id']}/evidence", json={
        "description": "Referral register shows same-day referrals", "sensitivity": 0.3, "type1_error": 0.05,
        "observed": "found"})
    assert evidence.status_code == 201
    assert evidence.get_json()["test_type"] == "smoking_gun"
    read = me_api.get(f"/api/v1/claims/{claim['id']}").get_json()

    assert set(read) >= {"id", "confidence", "band", "components"}
    (shown,) = read["components"]
    assert set(shown) >= {"id", "entity", "activity", "prior", "confidence", "steps"}
    assert shown["steps"] == [{"evidence_id": evidence.get_json()["id"], "position": 0, "observed": "found",
                               "sensitivity": 0.3, "type1_error": 0.05, "test_type": "smoking_gun",
                               "disconfirming": False, "prior": 0.5, "posterior": pytest.approx(0.15 / 0.175)}]
    assert read["confidence"] == pytest.approx(0.857, abs=1e-3) and read["band"] == "very confident"
    session.expire_all()
    from tracker.contribution.models import ContributionClaim
    page_summary = tracing_services.claim_summary(session, session.get(ContributionClaim, claim["id"]))
    assert read["confidence"] == page_summary["confidence"] and read["band"] == page_summary["band"]


@pytest.mark.parametrize("field, value", [("sensitivity", 0), ("sensitivity", 1), ("type1_error", 1.5),
                                          ("sensitivity", "high")])
def test_probabilities_outside_0_and_1_are_problems_naming_the_field(me_api, project, factory, field, value):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    body = {"description": "x", "sensitivity": 0.7, "type1_error": 0.1, "observed": "found", field: value}

    problem = assert_problem(me_api.post(f"/api/v1/components/{component.id}/evidence", json=body), 422)

    assert [error["field"] for error in problem["errors"]] == [field]


def test_a_pathway_that_does_not_chain_is_a_problem(me_api, project, factory):
    _claim, links = factory.claim_with_chain(project)

    problem = assert_problem(me_api.post(f"/api/v1/projects/{project.slug}/claims", json={
        "title": "Broken", "cause_effect_question": "?", "pathway": [links[0].id, links[2].id]}), 422)

    assert problem["errors"][0]["field"].startswith("pathway")


def test_a_component_without_entity_or_activity_is_a_problem_naming_both(me_api, project, factory):
    claim, _links = factory.claim_with_chain(project)

    problem = assert_problem(me_api.post(f"/api/v1/claims/{claim.id}/components",
                                         json={"entity": "\f", "activity": " "}), 422)

    assert [error["field"] for error in problem["errors"]] == ["entity", "activity"]
    assert all(isinstance(error["message"], str) and error["message"] for error in problem["errors"])


def test_a_blank_title_and_unknown_links_are_problems_not_a_server_error(me_api, project):
    problem = assert_problem(me_api.post(f"/api/v1/projects/{project.slug}/claims", json={
        "title": "\f", "cause_effect_question": "?", "pathway": [7938, 2147483647]}), 422)

    fields = [error["field"] for error in problem["errors"]]
    assert "title" in fields and any(field.startswith("pathway") for field in fields)


def test_grantees_read_their_claims_but_cannot_write_and_donors_see_none(api_as, project, factory):
    claim, _links = factory.claim_with_chain(project)
    grantee = api_as(factory.user("grantee", projects=[project]))
    donor = api_as(factory.user("donor"))

    assert grantee.get(f"/api/v1/claims/{claim.id}").status_code == 200
    assert_problem(grantee.post(f"/api/v1/claims/{claim.id}/components",
                                json={"entity": "x", "activity": "y"}), 404)
    assert_problem(donor.get(f"/api/v1/claims/{claim.id}"), 404)
    assert_problem(donor.get(f"/api/v1/projects/{project.slug}/claims"), 404)


def test_another_projects_claim_answers_404(api_as, factory):
    own, other = factory.project(), factory.project()
    claim, _links = factory.claim_with_chain(other)
    grantee = api_as(factory.user("grantee", projects=[own]))

    assert_problem(grantee.get(f"/api/v1/claims/{claim.id}"), 404)


def test_the_claims_list_query_count_does_not_grow(me_api, project, factory, session, count_queries):
    def queries_with(total):
        while len(me_api.get(f"/api/v1/projects/{project.slug}/claims?per_page=50").get_json()["items"]) < total:
            claim, _links = factory.claim_with_chain(project)
            factory.ct_evidence(project, factory.component(project, claim))
            session.commit()
        with count_queries() as counter:
            assert me_api.get(f"/api/v1/projects/{project.slug}/claims?per_page=50").status_code == 200
        return counter.count

    assert queries_with(2) == queries_with(6)
