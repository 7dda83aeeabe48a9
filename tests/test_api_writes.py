"""Writing through the API: validation as problem details with field errors, edit conflicts, actuals."""

import pytest

from tests.api_support import assert_problem


@pytest.fixture
def team(api_as, factory):
    project = factory.project()
    harvest = factory.harvest(project)
    return project, harvest, api_as(factory.user("grantee", projects=[project]))


def outcome_body(harvest, **overrides):
    return {"harvest_id": harvest.id, "social_actor": "Provincial child-protection office",
            "description": "In June 2023 the provincial child-protection office opened a case for every report "
                           "the helpline referred.", "type_of_change": "practice", **overrides}


def test_creating_an_outcome_answers_201_with_the_draft(team):
    project, harvest, api = team

    response = api.post(f"/api/v1/projects/{project.slug}/outcomes", json=outcome_body(harvest, intended=False))

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "draft" and body["intended"] is False and body["harvest_id"] == harvest.id
    assert api.get(f"/api/v1/projects/{project.slug}/outcomes/{body['id']}").get_json()["description"] == \
        body["description"]


def test_a_missing_required_field_answers_422_naming_it(team):
    project, harvest, api = team

    body = assert_problem(api.post(f"/api/v1/projects/{project.slug}/outcomes",
                                   json={"harvest_id": harvest.id, "type_of_change": "practice"}), 422)

    assert [error["field"] for error in body["errors"]] == ["description"]


def test_a_domain_rule_answers_422_with_the_services_message(team):
    project, harvest, api = team

    body = assert_problem(api.post(f"/api/v1/projects/{project.slug}/outcomes",
                                   json=outcome_body(harvest, change_date="2999-01-01")), 422)

    assert body["errors"] == [{"field": "change_date", "message": "An outcome is a change that has happened: "
                                                                  "the date cannot be in the future."}]


def test_a_harvest_of_another_project_is_refused(team, factory):
    project, _harvest, api = team
    foreign = factory.harvest(factory.project())

    body = assert_problem(api.post(f"/api/v1/projects/{project.slug}/outcomes", json=outcome_body(foreign)), 422)

    assert [error["field"] for error in body["errors"]] == ["harvest_id"]


@pytest.mark.parametrize("field, value", [("type_of_change", "rumour"), ("intended", "maybe"),
                                          ("description", ""), ("unexpected", "x"), ("toc_node_ids", [0])])
def test_invalid_values_answer_422(team, field, value):
    project, harvest, api = team

    body = assert_problem(api.post(f"/api/v1/projects/{project.slug}/outcomes",
                                   json=outcome_body(harvest, **{field: value})), 422)

    assert body["errors"][0]["field"].startswith(field)


def test_a_body_that_is_not_json_answers_415(team):
    project, _harvest, api = team

    response = api.client.post(f"/api/v1/projects/{project.slug}/outcomes", data="description=x",
                               headers={**api.headers(), "Content-Type": "application/x-www-form-urlencoded"})

    assert_problem(response, 415)


def test_malformed_json_answers_400(team):
    project, _harvest, api = team

    response = api.client.post(f"/api/v1/projects/{project.slug}/outcomes", data="{\"description\": ",
                               headers={**api.headers(), "Content-Type": "application/json"})

    assert_problem(response, 400)


def test_a_json_array_instead_of_an_object_answers_422(team):
    project, _harvest, api = team

    assert_problem(api.post(f"/api/v1/projects/{project.slug}/outcomes", json=[1, 2]), 422)


def test_updating_with_the_current_version_saves(team, factory):
    project, harvest, api = team
    outcome = factory.outcome(project, harvest)

    response = api.put(f"/api/v1/projects/{project.slug}/outcomes/{outcome.id}",
                       json=outcome_body(harvest, area="Chiang Rai", version=outcome.version))

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["area"] == "Chiang Rai"
    assert response.get_json()["version"] == outcome.version + 1


def test_updating_a_stale_version_answers_409_and_saves_nothing(team, factory, session):
    project, harvest, api = team
    outcome = factory.outcome(project, harvest)
    stale = outcome.version
    api.put(f"/api/v1/projects/{project.slug}/outcomes/{outcome.id}",
            json=outcome_body(harvest, area="Chiang Rai", version=stale))

    assert_problem(api.put(f"/api/v1/projects/{project.slug}/outcomes/{outcome.id}",
                           json=outcome_body(harvest, area="Lampang", version=stale)), 409)
    session.refresh(outcome)
    assert outcome.area == "Chiang Rai"


def test_submitting_an_actual_puts_it_in_review_and_locks_it(api_as, factory):
    project = factory.project()
    indicator = factory.indicator(project, dimensions="sex: female, male")
    period = factory.period(indicator)
    api = api_as(factory.user("grantee", projects=[project]))
    path = f"/api/v1/projects/{project.slug}/indicators/{indicator.id}/periods/{period.id}/actual"

    submitted = api.put(path, json={"value": 120, "comment": "Helpline log, January–December", "submit": True,
                                    "breakdown": [{"dimension": "sex", "category": "female", "value": "70"},
                                                  {"dimension": "sex", "category": "male", "value": 50}]})
    again = api.put(path, json={"value": "130", "submit": False, "version": submitted.get_json()["working"]["version"]})

    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    body = submitted.get_json()
    assert body["working"]["status"] == "submitted" and body["actual"]["status"] == "provisional"
    assert body["actual"]["breakdown"] == [{"dimension": "sex", "category": "female", "value": "70"},
                                           {"dimension": "sex", "category": "male", "value": "50"}]
    assert assert_problem(again, 422)["errors"][0]["field"] is None


def test_saving_an_existing_actual_without_its_version_answers_409(api_as, factory):
    project = factory.project()
    indicator = factory.indicator(project)
    period = factory.period(indicator)
    factory.actual(indicator, period, approve=False)
    api = api_as(factory.user("me"))

    assert_problem(api.put(f"/api/v1/projects/{project.slug}/indicators/{indicator.id}/periods/{period.id}/actual",
                           json={"value": "10"}), 409)


def test_an_unknown_breakdown_category_is_refused_by_position(api_as, factory):
    project = factory.project()
    indicator = factory.indicator(project, dimensions="sex: female, male")
    period = factory.period(indicator)
    api = api_as(factory.user("me"))

    body = assert_problem(api.put(
        f"/api/v1/projects/{project.slug}/indicators/{indicator.id}/periods/{period.id}/actual",
        json={"value": "10", "breakdown": [{"dimension": "age", "category": "13-15", "value": "4"}]}), 422)

    assert body["errors"][0]["field"] == "breakdown.0"


def test_a_period_of_another_indicator_answers_404(api_as, factory):
    project = factory.project()
    indicator, other = factory.indicator(project), factory.indicator(project)
    foreign_period = factory.period(other)
    api = api_as(factory.user("me"))

    assert_problem(api.put(
        f"/api/v1/projects/{project.slug}/indicators/{indicator.id}/periods/{foreign_period.id}/actual",
        json={"value": "10"}), 404)


def test_harvests_are_listed_for_the_team_but_not_for_donors(team, api_as, factory):
    project, harvest, api = team

    assert [item["id"] for item in api.get(f"/api/v1/projects/{project.slug}/harvests").get_json()["items"]] == [
        harvest.id]
    assert_problem(api_as(factory.user("donor")).get(f"/api/v1/projects/{project.slug}/harvests"), 404)
