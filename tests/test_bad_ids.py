"""Numbers no record can have: in a URL they are "not found", in ``?page=`` they show a page, never a server error.

Ids (and ToC version and story revision numbers) are ``sa.Integer`` columns: 32-bit on PostgreSQL, 64-bit on
SQLite. A larger number used to reach the database, which refused it (``OverflowError`` from SQLite's driver,
"integer out of range" from PostgreSQL): a 500. The
``int`` converter of every URL rule (``tracker.web.routing``) refuses any number above
``tracker.db_types.MAX_ID``, for the web pages and the API alike; ``?page=`` and the query parameters that
name records go through ``clamp_page_number`` and ``as_id``.
"""

import re
from dataclasses import dataclass

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map
from werkzeug.routing import Rule

from tests.api_support import ApiClient
from tests.api_support import assert_problem
from tests.conftest import csrf_from
from tests.fixtures.imports.builders import odk_outcomes_csv
from tests.test_access import fill
from tests.test_access import routes
from tests.test_import_pages import token_of
from tests.test_import_pages import upload
from tracker.auth.permissions import Role
from tracker.auth.permissions import allows
from tracker.db_types import MAX_ID
from tracker.db_types import as_id
from tracker.web.access import PENDING_LOGIN
from tracker.web.access import PUBLIC
from tracker.web.routing import RecordIdConverter
from tracker.web.routing import digits_up_to

pytestmark = pytest.mark.both_backends

# Past PostgreSQL's integer, past any 64-bit integer (SQLite's, PostgreSQL's bigint), past both by far.
TOO_LARGE = [2**31, 2**63, 10**30]
INT_ARGUMENT = re.compile(r"<int(?:\([^)]*\))?:\w+>")
ANY_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# Query parameters that name a record or a page somewhere in the web pages (and the search text, so that the
# search page runs its paged query).
WEB_PARAMETERS = ("q", "page", "errors_page", "rows_page", "node", "cause", "effect", "level", "template", "old",
                  "new", "target", "pillar", "organisation", "harvest", "project", "cycle")
# A number past every backend's integer, a negative one, no number at all (other odd texts: ``as_id`` below).
BAD_PARAMETERS = [str(2**63), "-1", "abc"]
# Each page is opened by the least privileged of them who may: the grantee on their project, M&E staff, the admin.
ROLES = ("grantee", "me", "admin")


def rules_naming_records(app):
    return [rule for rule in routes(app) if INT_ARGUMENT.search(rule.rule)]


def list_rules(app):
    """Every GET route, but the public ones, whose only argument, if any, is the project's slug: lists and pages."""
    return [rule for rule in routes(app)
            if "GET" in rule.methods and set(ANY_ARGUMENT.findall(rule.rule)) <= {"slug"}
            and app.view_functions[rule.endpoint].required_permission != PUBLIC]


@dataclass
class Person:
    """A user of the test project, logged in on a browser of their own and holding an API client."""

    role: str
    browser: object
    csrf_token: str
    api: ApiClient


@pytest.fixture
def team(app, factory, session, login):
    """The test project and a :class:`Person` of each role in ``ROLES``, the grantee a member of the project."""
    project = factory.project()
    people = {}
    for role in ROLES:
        user = factory.user(role, projects=[project] if role == "grantee" else [])
        browser = app.test_client()
        api = ApiClient(browser, factory.api_token(user))
        login(user, browser)
        people[role] = Person(role, browser, csrf_from(browser.get("/account").get_data(as_text=True)), api)
    return project, people


def call(person, rule, url, method):
    """``method url`` by ``person``: through the API with their token, or in their browser with a CSRF token."""
    if rule.endpoint.startswith("api."):
        return person.api.client.open(url, method=method, headers=person.api.headers(),
                                      json=None if method == "GET" else {})
    return person.browser.open(url, method=method, data=None if method == "GET" else {"csrf_token": person.csrf_token})


def least_privileged(people, app, rule):
    permission = app.view_functions[rule.endpoint].required_permission
    return next((person for person in people.values()
                 if permission == PENDING_LOGIN or allows(Role(person.role), permission, is_member=True)),
                people["admin"])


@pytest.mark.parametrize("role", ["admin", "grantee"])
def test_a_record_number_no_database_can_hold_is_not_found_on_every_route(app, team, role):
    project, people = team
    answers = {}
    for rule in rules_naming_records(app):
        for number in TOO_LARGE:
            url = fill(rule, project.slug, str(number))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                answers[f"{method} {url}"] = call(people[role], rule, url, method).status_code

    assert {request: status for request, status in answers.items() if status != 404} == {}
    assert len(answers) > len(TOO_LARGE) * 120, "the walk found fewer routes with ids than the app has"


def test_a_page_or_record_parameter_out_of_range_never_fails_a_page(app, team):
    project, people = team
    answers = {}
    for rule in list_rules(app):
        person, url = least_privileged(people, app, rule), fill(rule, project.slug)
        names = ("page",) if rule.endpoint.startswith("api.") else WEB_PARAMETERS
        for value in BAD_PARAMETERS:
            query = "&".join(f"{name}={value}" for name in names)
            answers[f"{url}?{query} as {person.role}"] = call(person, rule, f"{url}?{query}", "GET").status_code

    assert {request: status for request, status in answers.items() if status >= 500} == {}
    assert len(answers) > len(BAD_PARAMETERS) * 60
    assert list(answers.values()).count(200) > len(answers) / 2, "most pages open: the walk reaches their lists"


def test_a_page_number_past_the_last_shows_the_last_page(app, client, factory, login):
    app.config["ITEMS_PER_PAGE"] = 2
    project = factory.project()
    harvest = factory.harvest(project)
    for _ in range(3):
        factory.outcome(project, harvest)
    login(factory.user("me"))

    last = client.get(f"/projects/{project.slug}/outcomes?page={2**63}").get_data(as_text=True)
    far = client.get(f"/projects/{project.slug}/outcomes?page=3").get_data(as_text=True)

    assert "Page 2 of 2" in last and "Showing 3–3 of 3" in last
    assert "Page 2 of 2" in far and "Showing 3–3 of 3" in far


@pytest.mark.parametrize("value", ["-1", "0", "abc", ""])
def test_a_page_number_that_is_no_page_shows_the_first(app, client, factory, login, value):
    app.config["ITEMS_PER_PAGE"] = 2
    project = factory.project()
    for _ in range(3):
        factory.outcome(project)
    login(factory.user("me"))

    html = client.get(f"/projects/{project.slug}/outcomes?page={value}").get_data(as_text=True)

    assert "Page 1 of 2" in html


def test_the_api_refuses_a_page_number_past_the_id_range(api_as, factory):
    factory.project()

    body = assert_problem(api_as(factory.user("me")).get(f"/api/v1/projects?page={MAX_ID + 1}"), 400)

    assert [error["field"] for error in body["errors"]] == ["page"]


def test_a_saved_mapping_number_no_record_can_have_is_ignored(client, factory, login, tmp_path):
    project = factory.project()
    factory.harvest(project)
    grantee = factory.user("grantee", projects=[project])
    login(grantee)
    token = token_of(upload(client, project, odk_outcomes_csv(tmp_path / "odk.csv"), kind="outcomes"))

    response = client.get(f"/projects/{project.slug}/import/{token}/mapping?template={2**63}")

    assert response.status_code == 200


def test_comparing_with_a_version_number_no_record_can_have_is_not_found(client, factory, login):
    project = factory.project()
    login(factory.user("me"))

    for value in (str(2**63), str(2**31), "²"):
        assert client.get(f"/projects/{project.slug}/toc/compare?old={value}").status_code == 404


def route(rule):
    """Match a path against ``rule`` with the tracker's ``int`` converter: the value, or None when it does not match."""
    adapter = Map([Rule(rule, endpoint="page", methods=["GET"]), Rule(rule, endpoint="save", methods=["PUT"])],
                  converters={"int": RecordIdConverter}).bind("localhost")

    def match(path, method="GET"):
        try:
            return adapter.match(path, method=method)[1]["n"]
        except NotFound:
            return None

    return match


def test_the_int_converter_matches_only_numbers_a_record_can_have():
    plain = route("/<int:n>")

    assert (plain("/0"), plain(f"/{MAX_ID}"), plain(f"/000{MAX_ID}")) == (0, MAX_ID, MAX_ID)
    assert (plain(f"/{MAX_ID + 1}"), plain(f"/{2**63}"), plain(f"/{10**30}"), plain("/-1")) == (None,) * 4
    assert plain(f"/{MAX_ID + 1}", method="PUT") is None, "not a 405: the other method's rule does not match either"


def test_the_int_converter_keeps_werkzeugs_arguments_within_the_database_range():
    capped, fixed = route("/<int(min=5, max=99):n>"), route("/<int(fixed_digits=4):n>")
    signed = route("/<int(signed=True):n>")

    assert (capped("/4"), capped("/5"), capped("/99"), capped("/100")) == (None, 5, 99, None)
    assert (fixed("/0042"), fixed("/42")) == (42, None)
    assert (signed(f"/-{MAX_ID}"), signed(f"/-{MAX_ID + 1}"), signed("/-3"), signed(f"/{MAX_ID + 1}")) == (
        -MAX_ID, None, -3, None)


@pytest.mark.parametrize("bound", [0, 7, 10, 259, 1000, 2099])
def test_the_converters_pattern_matches_exactly_the_numbers_up_to_its_bound(bound):
    pattern = re.compile(digits_up_to(bound))

    assert [number for number in range(3000) if pattern.fullmatch(str(number))] == list(range(bound + 1))
    assert pattern.fullmatch(f"00{bound}") and not pattern.fullmatch(f"00{bound + 1}")


@pytest.mark.parametrize("value, expected", [
    ("12", 12), (12, 12), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), (2**63, None), ("0", None), ("-3", None),
    ("0012", 12), ("²", None), ("١٢", None), ("1e3", None), (" 12", None), ("", None), (None, None), ("9" * 5000, None),
])
def test_as_id_takes_only_numbers_a_record_can_have(value, expected):
    assert as_id(value) == expected
