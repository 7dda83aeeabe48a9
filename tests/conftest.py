"""Shared fixtures: a migrated database per backend, one rolled-back transaction per test."""

import os
import re
import shutil
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.factories import Factory
from tests.postgres import PostgresCluster
from tracker import create_app
from tracker import migrate
from tracker.auth import services as auth_services
from tracker.cli import DEMO_LOGINS_FILE
from tracker.db import database
from tracker.db import make_engine

IN_CI = os.environ.get("CI", "").lower() == "true"
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def skip_or_fail(reason):
    """Skip locally when an external part is missing; under CI=true, fail instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so this must not be skipped)")
    pytest.skip(reason)


def explicitly_parametrized(metafunc, name):
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        if name in (names.replace(" ", "").split(",") if isinstance(names, str) else names):
            return True
    return False


def pytest_generate_tests(metafunc):
    """``backend`` is SQLite; with ``both_backends`` PostgreSQL too, in the heavy tier if the marker says
    ``postgresql="heavy"`` (for a long table of cases whose SQL the fast tier already runs on PostgreSQL)."""
    if "backend" in metafunc.fixturenames and not explicitly_parametrized(metafunc, "backend"):
        both = metafunc.definition.get_closest_marker("both_backends")
        backends = ["sqlite"]
        if both is not None:
            heavy = both.kwargs.get("postgresql") == "heavy"
            backends.append(pytest.param("postgresql", marks=pytest.mark.heavy) if heavy else "postgresql")
        metafunc.parametrize("backend", backends, scope="session")


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory):
    engine = make_engine("sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.sqlite"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = PostgresCluster()
    if not cluster.available:
        skip_or_fail("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgresql_engine(postgres_cluster):
    engine = make_engine(postgres_cluster.url())
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(request, backend):
    return request.getfixturevalue(f"{backend}_engine")


@dataclass(frozen=True)
class DemoDatabase:
    """The demo portfolio, migrated and loaded by ``seed-demo`` once per test worker.

    Never written to after loading: tests use it through a rolled-back transaction
    (override ``engine`` with ``demo_engine``) or work on a copy (:meth:`copy_to`).
    """

    path: Path
    instance: Path
    output: str

    def copy_to(self, folder):
        """Copy the database (SQLite's backup API) and its demo logins into ``folder``; return the copy's path."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / self.path.name
        with sqlite3.connect(self.path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        shutil.copy2(self.instance / DEMO_LOGINS_FILE, folder / DEMO_LOGINS_FILE)
        return target


def load_demo(instance, url):
    """Migrate the database at ``url`` and load the demo portfolio into it (files under ``instance``)."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
    try:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "demo", **FAST_HASHING})
        migrate.upgrade(database(app).engine)
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        database(app).engine.dispose()
    finally:
        monkeypatch.undo()
    return result.output


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    instance = tmp_path_factory.mktemp("demo")
    output = load_demo(instance, f"sqlite:///{instance}/demo.sqlite")
    return DemoDatabase(instance / "demo.sqlite", instance, output)


@pytest.fixture(scope="session")
def demo_engine(demo_database):
    """An engine on the loaded demo; a module that overrides ``engine`` with it runs every test on the demo."""
    engine = make_engine(f"sqlite:///{demo_database.path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_postgresql(postgres_cluster, tmp_path_factory):
    """The demo portfolio loaded into PostgreSQL once per test worker: ``(instance folder, engine)``."""
    instance = tmp_path_factory.mktemp("demo-postgresql")
    postgres_cluster.create_database("tracker_demo")
    load_demo(instance, postgres_cluster.url("tracker_demo"))
    engine = make_engine(postgres_cluster.url("tracker_demo"))
    yield instance, engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_on(request, backend):
    """The loaded demo on the test's backend, as ``(instance folder, engine)`` (for tests marked both_backends)."""
    if backend == "postgresql":
        return request.getfixturevalue("demo_postgresql")
    return request.getfixturevalue("demo_database").instance, request.getfixturevalue("demo_engine")


@pytest.fixture
def connection(engine):
    """One connection whose outer transaction is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def test_config(engine, **overrides):
    """Report jobs run inline: a background runner's threads must not share the test's one connection."""
    return {"TESTING": True, "DATABASE_ENGINE": engine, "SECRET_KEY": "test-secret-key", **FAST_HASHING,
            "REPORT_JOB_RUNNER": "inline", **overrides}


@pytest.fixture
def instance_path(tmp_path, monkeypatch):
    path = tmp_path / "instance"
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(path))
    return path


@pytest.fixture
def app(engine, connection, instance_path):
    app = create_app(test_config(engine))
    database(app).bind_to(connection)
    return app


@pytest.fixture
def session(app):
    """The test's own session, on the same connection as the app's but outside any request.

    No app context is pushed here: each test-client request must get its own
    ``g``, its own database session and its own teardown, as in production.
    """
    session = database(app).new_session()
    yield session
    session.close()


@pytest.fixture
def factory(app, session):
    return Factory(session, app.extensions["tracker.hasher"])


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client, session):
    """Log ``user`` into the test client with a real server-side login session.

    The session is marked fully verified, as if the user had also given their second factor.
    """

    def login_as(user, target=client):
        token = auth_services.start_login_session(session, user, verified=True)
        session.commit()
        with target.session_transaction() as cookie_session:
            cookie_session["_user_id"] = token
            cookie_session["_fresh"] = True
        return token

    return login_as


CSRF_INPUT = re.compile(r'<input[^>]*\bname="(?:[\w-]+-)?csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]+)"')


def csrf_from(html):
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return VALUE.search(match.group(0)).group(1)


@pytest.fixture
def submit(client):
    """POST ``data`` to ``url`` with the CSRF token of the form page (``page``, default ``url``)."""

    def post(url, data, page=None, prefix="", **kwargs):
        html = client.get(page or url).get_data(as_text=True)
        return client.post(url, data={f"{prefix}csrf_token": csrf_from(html), **data}, **kwargs)

    return post


class QueryCounter:
    def __init__(self):
        self.statements = []

    def __call__(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self):
        return len(self.statements)


@pytest.fixture
def count_queries(engine):
    """``with count_queries() as counter:`` counts the SQL statements run inside the block."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def api_as(client, factory, session):
    """``api_as(user)``: an API client (``tests/api_support.py``) with a fresh bearer token of ``user``."""
    from tests.api_support import ApiClient

    def make(user):
        token = factory.api_token(user)
        session.commit()
        return ApiClient(client, token)

    return make


MATRIX_TEST = "tests/test_route_matrix.py::test_route_answers_as_designed"
API_ACCESS_TESTS = "tests/test_api_access.py::"
AUDIENCE_TEST = "tests/test_audience_invariant.py::"


def pytest_terminal_summary(terminalreporter):
    """Report the size of the route × role × project matrix (issue 8), and the API's own access tests."""
    def count(prefix):
        outcomes = {}
        for outcome in ("passed", "failed", "error", "skipped"):
            reports = [report for report in terminalreporter.stats.get(outcome, [])
                       if getattr(report, "nodeid", "").startswith(prefix) and report.when in ("call", "setup")]
            if outcome == "passed":
                reports = [report for report in reports if report.when == "call"]
            if reports:
                outcomes[outcome] = len({report.nodeid for report in reports})
        return outcomes

    matrix = {name: outcomes for backend, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))
              if (outcomes := count(f"{MATRIX_TEST}[{backend}-"))}
    if matrix or count(AUDIENCE_TEST):
        terminalreporter.write_sep("-", "issue 8: deny by default, audience invariant")
    if matrix:
        for backend, outcomes in matrix.items():
            terminalreporter.write_line(
                f"route × role × project matrix (web routes) on {backend}: {sum(outcomes.values())} cases "
                f"({', '.join(f'{n} {outcome}' for outcome, n in outcomes.items())})")
        api = count(API_ACCESS_TESTS)
        if api:
            terminalreporter.write_line(f"JSON API access tests (tests/test_api_access.py): {sum(api.values())}")
    if count(AUDIENCE_TEST):
        from tests.test_audience_invariant import MAX_EXAMPLES

        terminalreporter.write_line(f"audience invariant: {MAX_EXAMPLES} hypothesis examples (datasets) per run")
