import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tracker.portfolio import services
from tracker.portfolio.models import Organisation
from tracker.portfolio.models import Project


def titles(response):
    return re.findall(r'<th scope="row"><a href="/projects/[^"]+">([^<]+)</a>', response.get_data(as_text=True))


@pytest.fixture
def portfolio(factory, session):
    """Three projects in different pillars and countries."""
    projects = {
        "helpline": factory.project("thailand-helpline", title="Helpline platform", countries=["TH"]),
        "board": factory.project("dr-response-board", title="National response board", countries=["DO"],
                                 pillar="networks-systems"),
        "research": factory.project("disrupting-harm", title="Disrupting Harm research", countries=["KH", "VN"],
                                    pillar="research-data"),
    }
    session.commit()
    return projects


def test_donor_sees_the_whole_portfolio(client, factory, login, portfolio):
    login(factory.user("donor"))

    assert sorted(titles(client.get("/portfolio"))) == ["Disrupting Harm research", "Helpline platform",
                                               "National response board"]


def test_grantee_sees_only_their_own_projects(client, factory, login, portfolio):
    login(factory.user("grantee", projects=[portfolio["board"]]))

    assert titles(client.get("/portfolio")) == ["National response board"]


def test_a_grantee_with_no_project_is_told_whom_to_ask(client, factory, login, portfolio):
    login(factory.user("grantee"))

    page = client.get("/portfolio").get_data(as_text=True)

    assert "You are not a member of any project yet: ask your fund's M&E team" in page
    assert "No projects match these filters" not in page


def test_a_filter_that_matches_nothing_still_says_so(client, factory, login, portfolio):
    login(factory.user("grantee", projects=[portfolio["board"]]))

    page = client.get("/portfolio?q=nothing-like-this").get_data(as_text=True)

    assert "No projects match these filters" in page
    assert "You are not a member of any project" not in page


def test_portfolio_counts_projects_by_pillar_and_country(client, factory, login, portfolio):
    login(factory.user("me"))
    html = client.get("/portfolio").get_data(as_text=True)

    assert re.search(r">Research &amp; data</a> <span class=\"count\">1</span>", html)
    assert re.search(r">Cambodia</a> <span class=\"count\">1</span>", html)


def test_the_country_filter_offers_only_the_countries_of_visible_projects(client, factory, login, portfolio):
    login(factory.user("grantee", projects=[portfolio["research"]]))
    html = client.get("/portfolio").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="country"[^>]*>(.*?)</select>', html, re.S).group(1)

    assert re.findall(r'<option[^>]*value="([^"]*)"', select) == ["", "KH", "VN"]


@pytest.mark.parametrize("query, expected", [
    ("country=DO", ["National response board"]),
    ("country=VN", ["Disrupting Harm research"]),
    ("q=helpline", ["Helpline platform"]),
    ("country=ZZ", ["Disrupting Harm research", "Helpline platform", "National response board"]),
])
def test_portfolio_filters(client, factory, login, portfolio, query, expected):
    login(factory.user("me"))

    assert titles(client.get(f"/portfolio?{query}")) == expected


def test_portfolio_filters_by_pillar(client, factory, login, portfolio):
    login(factory.user("me"))

    assert titles(client.get(f"/portfolio?pillar={portfolio['board'].pillar_id}")) == ["National response board"]


def test_portfolio_is_paginated(app, client, factory, login, session):
    for number in range(app.config["ITEMS_PER_PAGE"] + 3):
        factory.project(f"project-{number:03d}", title=f"Project {number:03d}")
    session.commit()
    login(factory.user("me"))

    first, second = client.get("/portfolio"), client.get("/portfolio?page=2")

    assert len(titles(first)) == app.config["ITEMS_PER_PAGE"]
    assert titles(second) == ["Project 025", "Project 026", "Project 027"]
    assert "Page 2 of 2" in second.get_data(as_text=True)


@pytest.mark.both_backends
def test_portfolio_query_count_does_not_grow_with_projects(client, factory, login, session, count_queries):
    login(factory.user("donor"))
    organisations = [factory.organisation() for _ in range(5)]

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(Project)) < total:
            factory.project(countries=["TH", "VN"], organisation=organisations[total % 5])
        session.commit()
        with count_queries() as counter:
            assert client.get("/portfolio").status_code == 200
        return counter.count

    assert queries_with(10) == queries_with(100)


def project_form(factory, **overrides):
    return {
        "title": "Community networks for child online protection",
        "slug": "viet-nam-networks",
        "organisation_id": str(factory.organisation().id),
        "pillar_id": str(factory.pillar("networks-systems").id),
        "countries": ["VN"],
        "start_date": "2022-01-01",
        "end_date": "2024-12-31",
        "budget": "800000",
        "currency": "USD",
        "iati_identifier": "",
        "summary": "Peer leaders in child clubs help children disclose abuse.",
        **overrides,
    }


def test_me_staff_create_a_project(client, factory, login, session, submit):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()

    response = submit("/projects/new", data)

    assert response.status_code == 302
    assert response.headers["Location"] == "/projects/viet-nam-networks"
    project = session.scalar(sa.select(Project).where(Project.slug == "viet-nam-networks"))
    assert project.country_codes == ["VN"] and project.end_date == date(2024, 12, 31)


def test_invalid_project_form_keeps_the_users_text(client, factory, login, session, submit):
    login(factory.user("me"))
    data = project_form(factory, title="", end_date="2021-01-01")
    session.commit()

    response = submit("/projects/new", data)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'id="title-error"' in html and 'aria-describedby="end_date-error"' in html
    assert "The end date must not be before the start date." in html
    assert "Peer leaders in child clubs help children disclose abuse." in html
    assert session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_duplicate_slug_is_a_field_error_not_a_crash(client, factory, login, session, submit):
    factory.project("viet-nam-networks")
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()

    response = submit("/projects/new", data)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert re.search(r'id="slug-error">\s*<span>Another project already uses this short name.', html)


def test_grantee_cannot_create_projects(client, factory, login, session):
    login(factory.user("grantee"))

    assert client.get("/projects/new").status_code == 404


def test_stale_edit_shows_both_versions_and_keeps_the_users_text(client, factory, login, session, submit):
    project = factory.project("thailand-helpline", title="Helpline platform")
    login(factory.user("me"))
    session.commit()
    edit_page = client.get("/projects/thailand-helpline/edit").get_data(as_text=True)
    project.title = "Helpline platform (renamed by a colleague)"
    session.commit()

    form = project_form(factory, slug="thailand-helpline", title="Aselo helpline for Childline Thailand")
    session.commit()
    response = client.post("/projects/thailand-helpline/edit",
                           data={**form, "version": "1", "csrf_token": csrf_from(edit_page)})
    html = response.get_data(as_text=True)

    assert response.status_code == 409
    assert "Helpline platform (renamed by a colleague)" in html
    assert 'value="Aselo helpline for Childline Thailand"' in html
    assert 'name="version" type="hidden" value="2"' in html
    session.expire_all()
    assert session.get(Project, project.id).title == "Helpline platform (renamed by a colleague)"


def test_posting_without_a_csrf_token_is_refused(client, factory, login, session):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()

    response = client.post("/projects/new", data=data)

    assert response.status_code == 400
    assert session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_unexpected_error_rolls_back_and_shows_a_generic_page(client, factory, login, session, submit, monkeypatch):
    original = services.create_project

    def create_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("secret stack detail")

    monkeypatch.setattr(services, "create_project", create_then_fail)
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()

    response = submit("/projects/new", data)
    html = response.get_data(as_text=True)

    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "secret stack detail" not in html and "Traceback" not in html
    assert session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_unknown_project_is_404(client, factory, login):
    login(factory.user("admin"))

    assert client.get("/projects/no-such-project").status_code == 404


def test_portfolio_without_a_fund_invites_the_admin_to_set_it_up(client, factory, login, submit, session):
    login(factory.user("admin"))

    assert "Set up the fund" in client.get("/portfolio").get_data(as_text=True)
    response = submit("/fund/settings", {"name": "Safe Online", "slug": "safe-online", "description": ""})

    assert response.status_code == 302
    assert "Safe Online" in client.get("/portfolio").get_data(as_text=True)


def test_names_are_stored_nfc_normalised_without_bidirectional_controls(session):
    spoofed = Organisation(name="Cafe\u0301 Kindred \u202eTech\u202c \u2066Helpline\u2069")
    session.add(spoofed)
    session.flush()

    assert spoofed.name == "Caf\u00e9 Kindred Tech Helpline"
