"""Crawl the seeded demo as each role: every page a link leads to answers, and never with a server error.

Starting at the home page, the crawler follows every ``<a href>`` (and every redirect) that stays on the
site, one GET each, deduplicated by path and query. Lists are followed to their second page only, and the
crawl stops after ``MAX_PAGES`` pages so that each role takes seconds, not minutes (the whole demo is
about 4,000 pages for M&E staff). So that the cap still reaches every kind of page, the next page is taken
breadth-first from the kind (URL rule) visited least so far. A GET never changes state, so the crawl runs
in the test's rolled-back transaction like any other test; logging out is a POST and is never reached.

A failure lists every URL that answered 5xx (and every link that leads nowhere), with the page linking
to it; the URLs visited are recorded as the test's ``visited`` property (in the JUnit XML report).
"""

import shutil
from collections import Counter
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qs
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from tests import conftest
from tracker import create_app
from tracker.auth.models import User
from tracker.db import database

ROLES = {"admin": "admin@example.org", "M&E staff": "me@example.org", "grantee": "grantee@example.org",
         "donor": "donor@example.org"}
HOME = "/"
MAX_PAGES = 500
MAX_LIST_PAGE = 2
SKIPPED_PATHS = ("/logout",)
ORIGIN = "http://localhost"


@pytest.fixture
def engine(demo_engine):
    return demo_engine


@pytest.fixture(scope="module")
def shared_app(demo_database, demo_engine, tmp_path_factory):
    """One app for every role, whose instance folder is a copy of the demo's (so its evidence files download)."""
    instance = tmp_path_factory.mktemp("crawl") / "instance"
    shutil.copytree(demo_database.instance, instance, ignore=shutil.ignore_patterns("*.sqlite*"))
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("TRACKER_INSTANCE_PATH", str(instance))
        yield create_app(conftest.test_config(demo_engine))


@pytest.fixture
def app(shared_app, connection):
    """The shared app, bound to this test's rolled-back transaction."""
    database(shared_app).bind_to(connection)
    yield shared_app
    database(shared_app).bind_to(shared_app.extensions["tracker.db"].engine)


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.hrefs.append(href)


def links_of(html):
    parser = LinkParser()
    parser.feed(html)
    return parser.hrefs


def same_site_url(page, href):
    """Path and query of ``href`` as read on ``page``; None if it leaves the site or is not crawled."""
    parts = urlsplit(urljoin(ORIGIN + page, href))
    if f"{parts.scheme}://{parts.netloc}" != ORIGIN or parts.path in SKIPPED_PATHS:
        return None
    if parts.path.startswith("/static/"):
        return None
    list_page = parse_qs(parts.query).get("page", ["1"])[0]
    if list_page.isdigit() and int(list_page) > MAX_LIST_PAGE:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Frontier:
    """The pages still to visit: first found, first visited, within the kind of page visited least so far."""

    def __init__(self, app):
        self.urls = app.url_map.bind("localhost")
        self.waiting = {}
        self.visits = Counter()
        self.found = {}  # URL → the page that first linked to it

    def add(self, url, linked_from):
        if url not in self.found:
            self.found[url] = linked_from
            self.waiting.setdefault(self.kind_of(url), deque()).append(url)

    def kind_of(self, url):
        try:
            return self.urls.match(urlsplit(url).path, method="GET")[0]
        except HTTPException:
            return "(no route)"

    def next(self):
        kind = min((kind for kind, urls in self.waiting.items() if urls), key=self.visits.__getitem__, default=None)
        if kind is None:
            return None
        self.visits[kind] += 1
        return self.waiting[kind].popleft()


def crawl(app, client, max_pages=MAX_PAGES):
    """Visit up to ``max_pages`` pages from the home page; return ({URL: status}, frontier)."""
    frontier, visited = Frontier(app), {}
    frontier.add(HOME, None)
    while len(visited) < max_pages and (url := frontier.next()) is not None:
        with client.get(url) as response:
            visited[url] = response.status_code
            if response.status_code in range(300, 400):
                hrefs = [response.headers.get("Location", "")]
            elif response.mimetype == "text/html":
                hrefs = links_of(response.get_data(as_text=True))
            else:
                hrefs = []
        for href in hrefs:
            if (target := same_site_url(url, href)) is not None:
                frontier.add(target, url)
    return visited, frontier


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_by_links_answers_without_a_server_error(role, app, session, login, client,
                                                                            record_property):
    login(session.scalars(sa.select(User).where(User.email == ROLES[role])).one())

    visited, frontier = crawl(app, client)

    record_property("visited", [f"{status} {url}" for url, status in visited.items()])
    server_errors = [f"{status} {url} (linked from {frontier.found[url]})"
                     for url, status in visited.items() if status >= 500]
    dead_links = [f"{status} {url} (linked from {frontier.found[url]})"
                  for url, status in visited.items() if 400 <= status < 500]
    assert not server_errors, f"{len(server_errors)} of {len(visited)} pages answered 5xx:\n" + "\n".join(
        server_errors)
    assert not dead_links, f"{len(dead_links)} links lead nowhere:\n" + "\n".join(dead_links)
    assert len(frontier.visits) >= 15, f"the crawl reached only {sorted(frontier.visits)}"
