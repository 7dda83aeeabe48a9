"""Logs hold no personal data: not from a database error, an unexpected error, or a search's query string."""

import logging
import os
import subprocess  # nosec B404
import sys
import threading
import time
from http.client import HTTPConnection

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from tests.conftest import csrf_from
from tests.test_nothing_lost import project_form
from tests.test_nothing_lost import submission_of
from tracker.bench.measure import free_port
from tracker.portfolio import services as portfolio_services

# Stands for a child's name typed into a form or a search box.
SENTINEL = "Mali Sentinel-7Q4"


@pytest.fixture
def new_project_form(client, factory, login, session):
    login(factory.user("me"))
    data = project_form(factory, summary=f"A referral for {SENTINEL}, aged 12.")
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)
    return {**data, "csrf_token": csrf_from(page), "submission_id": submission_of(page)}


def refuse_project_inserts(session, statement):
    session.execute(sa.text(f"CREATE TEMP TRIGGER refuse_projects BEFORE INSERT ON project BEGIN {statement}; END"))
    session.commit()


def everything_logged(caplog, capsys):
    return caplog.text + capsys.readouterr().err


def test_a_refused_insert_logs_the_error_without_the_story_text(client, session, new_project_form, caplog, capsys):
    refuse_project_inserts(session, "SELECT RAISE(ABORT, 'refused by the test')")

    with caplog.at_level(logging.DEBUG):
        response = client.post("/projects/new", data=new_project_form)

    logged = everything_logged(caplog, capsys)
    assert response.status_code == 500
    assert "IntegrityError" in logged and "POST /projects/new" in logged
    assert SENTINEL not in logged


def test_an_unavailable_database_logs_no_statement_values(client, session, new_project_form, caplog, capsys):
    refuse_project_inserts(session, "SELECT * FROM table_that_is_gone")

    with caplog.at_level(logging.DEBUG):
        response = client.post("/projects/new", data=new_project_form)

    logged = everything_logged(caplog, capsys)
    assert response.status_code == 503 and SENTINEL in response.get_data(as_text=True)  # the user keeps the text
    assert "OperationalError" in logged and SENTINEL not in logged


def test_an_exception_quoting_a_value_is_logged_by_type_and_place_only(client, new_project_form, monkeypatch, caplog,
                                                                      capsys):
    def failing_create(*_arguments, **_options):
        raise KeyError(SENTINEL)

    monkeypatch.setattr(portfolio_services, "create_project", failing_create)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/projects/new", data=new_project_form)

    logged = everything_logged(caplog, capsys)
    assert response.status_code == 500
    assert "KeyError" in logged and "failing_create" in logged and SENTINEL not in logged


def test_the_development_servers_access_log_leaves_out_search_queries(app, caplog):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        connection = HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        connection.request("GET", f"/search?q={SENTINEL.replace(' ', '+')}")
        connection.getresponse().read()
        thread.join(10)
    server.server_close()

    assert "GET /search HTTP/1.1" in caplog.text
    assert "Sentinel" not in caplog.text


def test_gunicorns_access_log_leaves_out_search_queries_and_referrers(tmp_path):
    port, log = free_port(), tmp_path / "access.log"
    environment = dict(os.environ, TRACKER_INSTANCE_PATH=str(tmp_path / "instance"), TRACKER_SECRET_KEY="x" * 64)
    process = subprocess.Popen(  # noqa: S603 # nosec B603
        [sys.executable, "-m", "gunicorn", "-c", "python:tracker.serving", "--access-logfile", str(log),
         "--bind", f"127.0.0.1:{port}", "tracker:create_app()"], env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        answer_search(port, referrer=f"http://127.0.0.1:{port}/search?q=Mali+Sentinel-7Q4&page=2")
    finally:
        process.terminate()
        process.wait(timeout=20)

    logged = log.read_text(encoding="utf-8")
    assert '"GET /search HTTP/1.1" 302' in logged
    assert "Sentinel" not in logged


def answer_search(port, referrer, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/search?q=Mali+Sentinel-7Q4", headers={"Referer": referrer})
            connection.getresponse().read()
            return
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
