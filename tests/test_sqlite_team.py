"""A team on the embedded SQLite: people who read then save at the same moment queue for the lock, never fail.

These tests use a real SQLite file with one connection per thread, as gunicorn workers and ``flask run`` do,
instead of the suite's single rolled-back connection.
"""

import json
import threading
import time
from http.client import HTTPConnection

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from werkzeug.serving import make_server

from tests.conftest import FAST_HASHING
from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tests.factories import TEST_PASSWORD
from tests.factories import Factory
from tests.test_nothing_lost import project_form
from tests.test_nothing_lost import submission_of
from tracker import create_app
from tracker import migrate
from tracker.audit.models import AuditEntry
from tracker.audit.services import record
from tracker.auth import passwords
from tracker.auth import services as auth_services
from tracker.db import database
from tracker.db import read_only
from tracker.portfolio.models import Project

THREADS = 8
ROUNDS = 5


@pytest.fixture
def team_app(tmp_path, monkeypatch):
    """The app on a SQLite file of its own, migrated and empty."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'team.sqlite'}", "SECRET_KEY": "team",
                      "REPORT_JOB_RUNNER": "inline", **FAST_HASHING})
    migrate.upgrade(database(app).engine)
    yield app
    database(app).engine.dispose()


def in_parallel(work, threads=THREADS):
    """Run ``work(number)`` in ``threads`` threads started together; return what each raised (None if nothing)."""
    barrier = threading.Barrier(threads)
    raised = [None] * threads

    def run(number):
        try:
            barrier.wait()
            work(number)
        except Exception as error:  # noqa: BLE001 - the test reports it
            raised[number] = error

    workers = [threading.Thread(target=run, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return raised


def audit_entries(app, action="read"):
    with database(app).new_session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_people_who_read_then_save_at_the_same_moment_all_save(team_app):
    def read_then_save(number):
        for round_number in range(ROUNDS):
            with database(team_app).new_session() as session:
                session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
                time.sleep(0.002)  # the others save meanwhile
                record(session, TEST_ACTOR, "read", "story", f"{number}-{round_number}")
                session.commit()

    assert in_parallel(read_then_save) == [None] * THREADS
    assert audit_entries(team_app) == THREADS * ROUNDS


def test_a_long_read_such_as_a_report_being_built_holds_up_no_one_who_saves(team_app):
    db = database(team_app)
    with db.new_session() as report_builder:
        read_only(report_builder)
        report_builder.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        with db.new_session() as colleague:
            record(colleague, TEST_ACTOR, "update", "story", 1)
            started = time.perf_counter()
            colleague.commit()

        assert time.perf_counter() - started < 1
        assert report_builder.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


@pytest.fixture
def served(team_app):
    """The app on a threaded server on a free loopback port, as ``flask run`` serves it."""
    server = make_server("127.0.0.1", 0, team_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    thread.join()


def signed_in_cookie(app, token):
    """The session cookie a browser holds after logging in with ``token``'s login session."""
    value = app.session_interface.get_signing_serializer(app).dumps({"_user_id": token, "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def get_status(port, path, cookie):
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_team_opening_audited_stories_and_outcomes_at_once_all_get_their_page(team_app, served):
    with database(team_app).new_session() as session:
        factory = Factory(session, team_app.extensions["tracker.hasher"])
        project = factory.project()
        user = factory.user("grantee", projects=[project])
        paths = [f"/projects/{project.slug}/stories/{factory.story(project).id}",
                 f"/projects/{project.slug}/outcomes/{factory.outcome(project).id}"]
        cookies = [signed_in_cookie(team_app, auth_services.start_login_session(session, user, verified=True))
                   for _thread in range(THREADS)]
        session.commit()
    statuses = [[] for _thread in range(THREADS)]

    def open_pages(number):
        for _round in range(ROUNDS):
            for path in paths:
                statuses[number].append(get_status(served, path, cookies[number]))

    assert in_parallel(open_pages) == [None] * THREADS
    assert statuses == [[200] * ROUNDS * len(paths)] * THREADS
    assert audit_entries(team_app) == THREADS * ROUNDS * len(paths)


def test_a_colleague_saves_at_once_while_a_login_checks_its_password(team_app, monkeypatch):
    with database(team_app).new_session() as session:
        email = Factory(session, team_app.extensions["tracker.hasher"]).user("grantee").email
        session.commit()
    client = team_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    check, waits = passwords.verify, []

    def verify_while_a_colleague_saves(hasher, stored, password):
        started = time.perf_counter()
        with database(team_app).new_session() as colleague:
            record(colleague, TEST_ACTOR, "update", "story", 1)
            colleague.commit()
        waits.append(time.perf_counter() - started)
        return check(hasher, stored, password)

    monkeypatch.setattr(passwords, "verify", verify_while_a_colleague_saves)
    response = client.post("/login", data={"csrf_token": csrf_from(page), "email": email, "password": TEST_PASSWORD})

    assert response.status_code == 302 and response.location == "/"
    assert len(waits) == 1 and waits[0] < 1


# What a page view writes ----------------------------------------------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def writes(engine):
    """The INSERT, UPDATE and DELETE statements run while the test watches, by table."""
    seen = []

    def watch(_conn, _cursor, statement, *_args):
        words = statement.split()
        if words and words[0].upper() in WRITES:
            seen.append(" ".join(words[:3]))

    sa.event.listen(engine, "before_cursor_execute", watch)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", watch)


def test_opening_the_portfolio_writes_nothing(factory, session, login, client, writes):
    project = factory.project()
    login(factory.user("grantee", projects=[project]))
    session.commit()
    writes.clear()

    assert client.get("/").status_code == 200
    assert writes == []


def test_opening_a_list_of_outcomes_writes_its_read_audit_entries_and_nothing_else(factory, session, login, client,
                                                                                   writes):
    project = factory.project()
    factory.outcome(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()
    writes.clear()

    assert client.get(f"/projects/{project.slug}/outcomes").status_code == 200
    assert writes == ["INSERT INTO audit_entry"]


def test_opening_a_story_writes_its_read_audit_entry_and_nothing_else(factory, session, login, client, writes):
    project = factory.project()
    story = factory.story(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()
    writes.clear()

    assert client.get(f"/projects/{project.slug}/stories/{story.id}").status_code == 200
    assert writes == ["INSERT INTO audit_entry"]


# Bookkeeping after the commit -----------------------------------------------------------------------------


def test_a_saved_project_is_answered_as_saved_when_settling_its_submission_fails(
        client, factory, login, session, monkeypatch):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)
    form = {**data, "csrf_token": csrf_from(page), "submission_id": submission_of(page)}
    original_commit, calls = Session.commit, []

    def failing_commit(self):
        calls.append(1)
        if len(calls) == 3:  # the claim, the view's work, then the receipt of the redirect
            raise sa.exc.OperationalError("COMMIT", {}, Exception("database is locked"))
        return original_commit(self)

    monkeypatch.setattr(Session, "commit", failing_commit)
    response = client.post("/projects/new", data=form)
    monkeypatch.setattr(Session, "commit", original_commit)

    assert len(calls) == 3
    assert response.status_code == 302 and response.headers["Location"] == "/projects/da-nang-networks"
    assert session.scalar(sa.select(sa.func.count()).select_from(Project)) == 1


def test_an_answer_stands_when_the_session_fails_to_close_after_it(app, factory, login, client, monkeypatch):
    from tracker import db

    login(factory.user("grantee"))
    opened = db.Database.new_session

    def session_that_fails_to_close(self):
        session = opened(self)
        close = session.close

        def failing_close():
            close()
            raise sa.exc.OperationalError("ROLLBACK", {}, Exception("connection lost"))

        session.close = failing_close
        return session

    monkeypatch.setattr(db.Database, "new_session", session_that_fails_to_close)

    assert client.get("/account").status_code == 200


# The load command -----------------------------------------------------------------------------------------


@pytest.mark.heavy
def test_bench_load_serves_a_small_team_on_sqlite_without_a_server_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "bench-load"})

    result = app.test_cli_runner().invoke(args=["bench-load", "--requests", "40", "--clients", "4", "--sqlite-only"])

    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    sqlite = figures["sqlite"]
    assert sqlite["requests"] == 40
    assert set(sqlite["status_classes"]) >= {"2xx", "3xx", "4xx", "5xx"}
    assert sum(sqlite["status_classes"].values()) == 40
    assert sqlite["status_classes"]["5xx"] == 0
    assert sqlite["p50_ms"] <= sqlite["p95_ms"]
    assert figures["postgresql"] == {"skipped": "--sqlite-only"} and figures["p95_ratio"] is None
    assert figures["targets"]["sqlite_no_5xx"] is True
