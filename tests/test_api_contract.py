"""The API contract integrators depend on: exact names, shapes and types of the fixed resources."""

import pytest

from tests.api_support import assert_problem

VERDICTS = {"fully_agree", "partially_agree", "disagree"}


@pytest.fixture
def project(factory):
    return factory.project(title="Thailand helpline platform")


def test_projects_list_is_a_page_of_projects_with_slug_and_title(api_as, factory, project):
    body = api_as(factory.user("me")).get("/api/v1/projects").get_json()

    assert set(body) == {"items", "page", "per_page", "total", "next"}
    assert (body["page"], body["total"], body["next"]) == (1, 1, None)
    item = body["items"][0]
    assert (item["slug"], item["title"]) == (project.slug, "Thailand helpline platform")
    assert isinstance(item["countries"], list) and item["organisation"]["name"]
    assert isinstance(item["budget"], str) and item["currency"] == "USD"


def test_one_project_has_the_same_shape_as_a_list_item(api_as, factory, project):
    api = api_as(factory.user("donor"))

    one = api.get(f"/api/v1/projects/{project.slug}").get_json()

    assert one == api.get("/api/v1/projects").get_json()["items"][0]


def test_toc_has_nodes_and_links_with_from_to_and_assumptions(api_as, factory, project):
    activity, output, outcome, _impact = factory.toc_chain(project)
    link = factory.toc_link(project, activity, outcome, assumptions=["Schools let counsellors into classrooms."])

    body = api_as(factory.user("donor")).get(f"/api/v1/projects/{project.slug}/toc").get_json()

    assert set(body) == {"nodes", "links"}
    assert [node["level"] for node in body["nodes"]] == ["activity", "output", "short_term_outcome", "impact"]
    node = body["nodes"][0]
    assert {"id", "level", "title"} <= set(node)
    assert isinstance(node["id"], int) and node["title"] == activity.title
    shortcut = next(item for item in body["links"] if item["id"] == link.id)
    assert {"id", "from", "to", "assumptions"} <= set(shortcut)
    assert (shortcut["from"], shortcut["to"]) == (activity.id, outcome.id)
    assert shortcut["assumptions"][0]["text"] == "Schools let counsellors into classrooms."
    assert shortcut["assumptions"][0]["status"] == "untested"
    assert all(set(item["assumptions"][0]) >= {"text", "status"} for item in body["links"] if item["assumptions"])
    assert {(item["from"], item["to"]) for item in body["links"]} >= {(activity.id, output.id)}


def test_outcomes_carry_booleans_and_verdicts_as_the_contract_says(api_as, factory, project):
    outcome = factory.outcome(project, status="substantiated", intention="unintended", valence="negative")

    body = api_as(factory.user("me")).get(f"/api/v1/projects/{project.slug}/outcomes").get_json()

    assert set(body) == {"items", "page", "per_page", "total", "next"}
    item = body["items"][0]
    assert {"id", "description", "social_actor", "significance", "contribution", "type_of_change", "intended",
            "positive", "status", "substantiations"} <= set(item)
    assert item["id"] == outcome.id and item["description"] == outcome.description
    assert item["intended"] is False and item["positive"] is False
    assert item["type_of_change"] == "practice" and item["status"] == "substantiated"
    verdicts = item["substantiations"][0]
    assert {"independent", "verdict_description", "verdict_significance", "verdict_contribution",
            "comment"} <= set(verdicts)
    assert verdicts["independent"] is True
    assert {verdicts[f"verdict_{name}"] for name in ("description", "significance", "contribution")} <= VERDICTS


def test_a_partial_verdict_is_reported_as_such(api_as, factory, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    factory.substantiation(project, outcome, verdict_contribution="partially_agree", verdict_significance="disagree",
                           comment="The department had already planned the change.")

    item = api_as(factory.user("me")).get(f"/api/v1/projects/{project.slug}/outcomes/{outcome.id}").get_json()

    verdicts = item["substantiations"][0]
    assert (verdicts["verdict_contribution"], verdicts["verdict_significance"]) == ("partially_agree", "disagree")
    assert verdicts["comment"] == "The department had already planned the change."


def test_stories_list_and_detail_have_the_documented_shapes(api_as, factory, project):
    story = factory.story(project, safeguarding="approved")
    api = api_as(factory.user("me"))

    page = api.get(f"/api/v1/projects/{project.slug}/stories").get_json()
    detail = api.get(f"/api/v1/stories/{story.id}").get_json()

    assert set(page) == {"items", "page", "per_page", "total", "next"}
    summary = page["items"][0]
    assert (summary["id"], summary["title"], summary["project"]) == (story.id, story.title, project.slug)
    assert "what_happened" not in summary
    assert summary["internal"]["safeguarding_status"] == "approved" and summary["internal"]["shared_with_donors"]
    assert detail["what_happened"] == story.what_happened and detail["why_significant"] == story.why_significant
    assert detail["storyteller"]["pseudonym"] == story.storyteller_pseudonym
    assert detail["internal"]["consent"]["complete"] is True


def test_indicators_mark_approved_and_provisional_actuals(api_as, factory, project):
    indicator = factory.indicator(project)
    approved, submitted = factory.period(indicator), factory.period(indicator, start=factory_date(2023, 1, 1),
                                                                    end=factory_date(2023, 12, 31))
    factory.actual(indicator, approved, value="80")
    factory.actual(indicator, submitted, value="95", approve=False)

    staff = api_as(factory.user("me")).get(f"/api/v1/projects/{project.slug}/indicators").get_json()
    donor = api_as(factory.user("donor")).get(f"/api/v1/projects/{project.slug}/indicators").get_json()

    periods = staff["items"][0]["periods"]
    assert [(period["actual"]["status"], period["actual"]["value"]) for period in periods] == [
        ("approved", "80"), ("provisional", "95")]
    assert periods[0]["target"]["value"] == "100"
    donor_periods = donor["items"][0]["periods"]
    assert donor_periods[0]["actual"]["value"] == "80" and donor_periods[1]["actual"] is None  # approved only
    assert all(period["working"] is None for period in donor_periods)


def test_a_draft_actual_never_reaches_a_donor_but_the_team_sees_its_working_copy(api_as, client, factory, project,
                                                                                 session):
    from tests.api_support import ApiClient

    indicator = factory.indicator(project)
    period = factory.period(indicator)
    grantee = factory.user("grantee", projects=[project])
    donor_token, grantee_token = factory.api_token(factory.user("donor")), factory.api_token(grantee)
    session.commit()
    team = ApiClient(client, grantee_token)

    saved = team.put(f"/api/v1/projects/{project.slug}/indicators/{indicator.id}/periods/{period.id}/actual",
                     json={"value": "41", "comment": "Draft from the helpline log", "submit": False})
    donor_view = ApiClient(client, donor_token).get(f"/api/v1/projects/{project.slug}/indicators/{indicator.id}")

    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["working"]["status"] == "draft" and saved.get_json()["working"]["value"] == "41"
    assert saved.get_json()["actual"] is None
    assert donor_view.get_json()["periods"][0]["actual"] is None
    assert donor_view.get_json()["periods"][0]["working"] is None
    assert "Draft from the helpline log" not in donor_view.get_data(as_text=True)


def test_an_unknown_path_under_the_api_is_a_problem_document(api_as, factory):
    assert_problem(api_as(factory.user("me")).get("/api/v1/nothing-here"), 404)


def test_a_wrong_method_is_a_problem_document_with_allow(api_as, factory, project):
    response = api_as(factory.user("me")).client.delete(f"/api/v1/projects/{project.slug}")

    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_error_is_a_generic_problem_document(app, api_as, factory, monkeypatch):
    from tracker.portfolio import services

    app.config["PROPAGATE_EXCEPTIONS"] = False
    api = api_as(factory.user("me"))
    monkeypatch.setattr(services, "get_fund", lambda session: 1 / 0)

    body = assert_problem(api.get("/api/v1/projects"), 500)
    assert "ZeroDivision" not in str(body)


def factory_date(year, month, day):
    from datetime import date

    return date(year, month, day)


def test_a_report_carries_the_fields_integrators_poll(api_as, factory, project):
    api = api_as(factory.user("donor"))

    body = api.post("/api/v1/reports", json={"kind": "project", "project": project.slug, "audience": "donor",
                                             "format": "html", "period_start": "2022-01-01"}).get_json()

    assert set(body) == {"id", "url", "kind", "project", "audience", "format", "period_start", "period_end",
                         "language", "claims_in_progress", "status", "progress", "reason", "revoked_reason",
                         "created_at", "finished_at", "download_url", "expires_at", "file_size"}
    assert isinstance(body["id"], int) and body["url"] == f"/api/v1/reports/{body['id']}"
    assert (body["period_start"], body["period_end"], body["language"]) == ("2022-01-01", None, "en")
    assert body["status"] == "done" and set(body["progress"]) == {"done", "total"}
    assert body["download_url"] == body["url"] + "/file" and isinstance(body["file_size"], int)
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


def test_the_report_operations_document_their_location_their_files_and_410(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert "Location" in paths["/api/v1/reports"]["post"]["responses"]["202"]["headers"]
    download = paths["/api/v1/reports/{report_id}/file"]["get"]["responses"]
    assert set(download["200"]["content"]) == {"application/pdf", "text/html"}
    assert "410" in download and "204" in paths["/api/v1/reports/{report_id}"]["delete"]["responses"]
