"""API lists: pagination, filters, refused parameters, and SQL query counts that do not grow with the data."""

import pytest
import sqlalchemy as sa

from tests.api_support import assert_problem
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome
from tracker.portfolio.models import Project


def test_pages_carry_total_and_a_next_link_with_the_same_filters(api_as, factory):
    for _ in range(5):
        factory.project(countries=["VN"])
    factory.project(countries=["TH"])
    api = api_as(factory.user("donor"))

    first = api.get("/api/v1/projects?country=VN&per_page=2").get_json()
    last = api.get("/api/v1/projects?country=VN&per_page=2&page=3").get_json()

    assert (first["page"], first["per_page"], first["total"], len(first["items"])) == (1, 2, 5, 2)
    assert first["next"].startswith("/api/v1/projects?") and "country=VN" in first["next"] and "page=2" in first["next"]
    second = api.get(first["next"]).get_json()
    assert {item["slug"] for item in second["items"]}.isdisjoint({item["slug"] for item in first["items"]})
    assert (len(last["items"]), last["next"]) == (1, None)


def test_the_default_page_size_comes_from_the_configuration(app, api_as, factory):
    app.config["API_ITEMS_PER_PAGE"] = 3
    for _ in range(4):
        factory.project()

    body = api_as(factory.user("me")).get("/api/v1/projects").get_json()

    assert (body["per_page"], len(body["items"]), body["total"]) == (3, 3, 4)


def test_a_page_beyond_the_last_is_empty(api_as, factory):
    factory.project()

    body = api_as(factory.user("me")).get("/api/v1/projects?page=9").get_json()

    assert (body["items"], body["total"], body["next"]) == ([], 1, None)


@pytest.mark.parametrize("query, field", [("per_page=201", "per_page"), ("per_page=0", "per_page"),
                                          ("page=0", "page"), ("page=abc", "page"), ("perpage=10", "perpage")])
def test_bad_list_parameters_answer_400_with_the_field_at_fault(api_as, factory, query, field):
    factory.project()

    body = assert_problem(api_as(factory.user("me")).get(f"/api/v1/projects?{query}"), 400)

    assert [error["field"] for error in body["errors"]] == [field]
    assert body["errors"][0]["message"]


def test_outcome_filters_use_the_documented_names(api_as, factory):
    project = factory.project()
    factory.outcome(project, change_type="policy")
    wanted = factory.outcome(project, change_type="practice", valence="negative")

    body = api_as(factory.user("me")).get(
        f"/api/v1/projects/{project.slug}/outcomes?type_of_change=practice&valence=negative").get_json()

    assert [item["id"] for item in body["items"]] == [wanted.id]


def counted(count_queries, api, path):
    api.get(path)  # the token's first use is recorded once; count the steady state
    with count_queries() as counter:
        response = api.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return counter.count


@pytest.mark.both_backends
def test_project_list_queries_do_not_grow_with_projects(api_as, factory, session, count_queries):
    api = api_as(factory.user("donor"))

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(Project)) < total:
            factory.project(countries=["TH", "VN"])
        session.commit()
        return counted(count_queries, api, "/api/v1/projects?per_page=200")

    assert queries_with(3) == queries_with(30)


@pytest.mark.both_backends
def test_outcome_list_queries_do_not_grow_with_outcomes(api_as, factory, session, count_queries):
    project = factory.project()
    nodes = factory.toc_chain(project)
    harvest = factory.harvest(project)
    api = api_as(factory.user("me"))

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(Outcome)) < total:
            outcome = factory.outcome(project, harvest, status="substantiation_pending",
                                      toc_node_ids=[nodes[2].id])
            factory.substantiation(project, outcome)
        session.commit()
        return counted(count_queries, api, f"/api/v1/projects/{project.slug}/outcomes?per_page=200")

    assert queries_with(2) == queries_with(12)


@pytest.mark.both_backends
def test_story_list_queries_do_not_grow_with_stories(api_as, factory, session, count_queries):
    project = factory.project()
    cycle = factory.cycle(project)
    staff, donor = api_as(factory.user("me")), api_as(factory.user("donor"))

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(Story)) < total:
            factory.story(project, cycle, safeguarding="approved")
        session.commit()
        path = f"/api/v1/projects/{project.slug}/stories?per_page=200"
        return counted(count_queries, staff, path), counted(count_queries, donor, path)

    assert queries_with(2) == queries_with(10)


@pytest.mark.both_backends
def test_indicator_list_queries_do_not_grow_with_indicators(api_as, factory, session, count_queries):
    project = factory.project()
    node = factory.toc_node(project, "output")
    api = api_as(factory.user("grantee", projects=[project]))

    def queries_with(total):
        from tracker.indicators.models import Indicator

        while session.scalar(sa.select(sa.func.count()).select_from(Indicator)) < total:
            indicator = factory.indicator(project, node)
            factory.actual(indicator, factory.period(indicator))
        session.commit()
        return counted(count_queries, api, f"/api/v1/projects/{project.slug}/indicators?per_page=200")

    assert queries_with(2) == queries_with(10)
