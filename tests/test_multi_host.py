"""Many hosts, one truth: two web hosts and a report worker share one PostgreSQL database and one Redis broker.

The stack is started as production runs it (README, *Serving in production*): the demo migrated and loaded with
``flask --app tracker init-db`` and ``seed-demo`` into a throwaway PostgreSQL cluster, a real ``redis-server``,
one report worker (``flask --app tracker worker``) and two gunicorn instances on two ports. The hosts share the
database URL, the secret key and the broker, and nothing else: each has an instance folder of its own, so
whatever one host keeps on its own disk the other cannot see. Everything below goes through real HTTP, as the
M&E officer of the demo (password and two-factor code from the demo logins), moving between the hosts as a load
balancer would move them.
"""

import re
import secrets
import time
from dataclasses import dataclass
from datetime import date

import pyotp
import pytest

from tests.http_client import Browser
from tests.services import gunicorn_server
from tests.services import redis_server
from tests.services import report_worker
from tests.services import tracker_command
from tests.services import tracker_environment
from tests.test_docs import FLASK
from tests.test_docs import procfile
from tracker.demo_logins import DEMO_LOGINS_FILE
from tracker.demo_logins import read_demo_logins

# The stack is module-scoped and each test stands alone on it, so an xdist worker that gets some of these tests
# starts a stack of its own (`--dist loadgroup` would keep them together, but it does not group under pytest 9.2:
# pytest-dev/pytest-xdist#1386).
pytestmark = [pytest.mark.heavy, pytest.mark.multihost]

PROJECT = "thailand-helpline"
# A story of the Thailand helpline that the demo shares with donors: the donor portfolio report holds it.
SHARED_STORY = 7
TOKEN = re.compile(r"\bet_[A-Za-z0-9_-]{43}\b")
REPORT_SECONDS = 300
FINISHED = ("done", "failed", "revoked", "expired")
# A grantee's interview notes as a UTF-8 text file: stored as uploaded, so the download must be byte for byte.
NOTES = ("Helpline follow-up, provincial child-protection office, March 2024.\n"
         "ครูประจำชั้นส่งต่อ 3 กรณี; Cán bộ xã đã nhận 2 cuộc gọi.\n").encode()


@dataclass(frozen=True)
class DemoDatabase:
    url: str
    officer: object


# The stack ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def multihost_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("multihost")


@pytest.fixture(scope="module")
def multihost_database(postgres_cluster, multihost_folder):
    """The demo, migrated and loaded by the commands an operator runs, into a PostgreSQL database of its own."""
    postgres_cluster.create_database("tracker_multihost")
    url = postgres_cluster.url("tracker_multihost")
    seed_instance = multihost_folder / "seed-instance"
    environment = tracker_environment(DATABASE_URL=url, INSTANCE_PATH=seed_instance)
    tracker_command("init-db", environment=environment, log=multihost_folder / "init-db.log")
    tracker_command("seed-demo", environment=environment, log=multihost_folder / "seed-demo.log")
    officer = next(login for login in read_demo_logins(seed_instance / DEMO_LOGINS_FILE) if login.role == "me")
    return DemoDatabase(url, officer)


@pytest.fixture(scope="module")
def multihost_redis(multihost_folder):
    with redis_server(multihost_folder / "redis") as redis:
        yield redis


@pytest.fixture(scope="module")
def shared_settings(multihost_redis, multihost_database):
    """What every host and the worker share: the database, the secret key and the broker.

    Redis comes first: without redis-server the tests skip before the demo is loaded.
    """
    return {"DATABASE_URL": multihost_database.url, "SECRET_KEY": secrets.token_hex(32),
            "REPORT_JOB_RUNNER": "celery", "CELERY_BROKER_URL": multihost_redis.url}


def host(name, folder, settings):
    """One web host: gunicorn with the shared settings and an instance folder no other process uses."""
    instance = folder / f"{name}-instance"
    return gunicorn_server(name, folder, tracker_environment(**settings, INSTANCE_PATH=instance))


@pytest.fixture(scope="module")
def host_a(multihost_folder, shared_settings):
    with host("host-a", multihost_folder, shared_settings) as server:
        yield server


@pytest.fixture(scope="module")
def host_b(multihost_folder, shared_settings):
    with host("host-b", multihost_folder, shared_settings) as server:
        yield server


@pytest.fixture(scope="module")
def worker(multihost_folder, shared_settings):
    instance = multihost_folder / "worker-instance"
    with report_worker(multihost_folder / "worker", tracker_environment(**shared_settings,
                                                                        INSTANCE_PATH=instance)) as process:
        yield process


# The M&E officer's browser and API client ---------------------------------------------------------------


def log_in(browser, server, login):
    """Password, then the current two-factor code computed from the demo's secret (what `make demo-code` prints)."""
    answer = browser.submit(server, "/login", {"email": login.email, "password": login.password})
    assert answer.status == 302 and "/login/verify" in answer.location, answer.status
    answer = browser.submit(server, "/login/verify", {"code": pyotp.TOTP(login.totp_secret).now()})
    assert answer.status == 302 and "/login" not in answer.location, answer.text[-2000:]


@pytest.fixture(scope="module")
def officer(multihost_database, host_a):
    """The M&E officer's browser, logged in on host A only (a code works once, so once per module)."""
    browser = Browser()
    log_in(browser, host_a, multihost_database.officer)
    return browser


@pytest.fixture(scope="module")
def officer_api(officer, multihost_database, host_a):
    """An API client with a token the officer created on host A's *API tokens* page."""
    answer = officer.submit(host_a, "/account/api-tokens",
                            {"name": "Multi-host test", "days": "1", "password": multihost_database.officer.password})
    assert answer.status == 200, answer.status
    return Browser(token=TOKEN.search(answer.text).group(0))


def request_donor_portfolio_report(api, worker, requested_on, polled_on):
    """Ask ``requested_on`` for the donor portfolio PDF; poll ``polled_on`` until the job ends; return the job."""
    answer = api.post_json(requested_on, "/api/v1/reports", {"kind": "portfolio", "audience": "donor",
                                                             "format": "pdf"})
    assert answer.status == 202, answer.text
    job_url = answer.location or answer.json()["url"]
    deadline = time.monotonic() + REPORT_SECONDS
    while True:
        answer = api.get(polled_on, job_url)
        assert answer.status == 200, answer.text
        job = answer.json()
        if job["status"] in FINISHED or time.monotonic() > deadline:
            return job
        worker.check_running()
        time.sleep(1)


# What the hosts share -----------------------------------------------------------------------------------


def test_every_flask_command_of_the_procfile_is_a_command_of_the_app(app):
    named = {command.removeprefix(FLASK).split()[0] for command in procfile().values() if command.startswith(FLASK)}

    assert named <= set(app.cli.list_commands(None))


def test_a_login_on_host_a_is_a_session_on_host_b(officer, host_b, multihost_database):
    answer = officer.get(host_b, "/account")

    assert answer.status == 200 and multihost_database.officer.email in answer.text


def test_a_document_uploaded_on_host_a_downloads_from_host_b_byte_for_byte(officer, host_a, host_b):
    answer = officer.submit(host_a, f"/projects/{PROJECT}/evidence/new?kind=document", {
        "title": "Referral follow-up notes", "summary": "Follow-up of the March referrals.",
        "source": "Key-informant interview, provincial child-protection officer", "collected_on": "2024-03-28",
        "target": "", "strength": "moderate", "note": ""}, files={"file": ("referrals.txt", NOTES, "text/plain")})
    assert answer.status == 302, answer.text[-2000:]
    item_id = re.search(r"/evidence/(\d+)$", answer.location).group(1)

    download = officer.get(host_b, f"/projects/{PROJECT}/evidence/{item_id}/download")

    assert download.status == 200 and download.body == NOTES


def test_a_donor_report_requested_on_host_a_is_built_by_the_worker_and_served_by_host_b(
        officer_api, host_a, host_b, worker):
    job = request_donor_portfolio_report(officer_api, worker, requested_on=host_a, polled_on=host_b)
    assert job["status"] == "done", f"{job}\n{worker.log_tail()}"
    assert job["progress"]["done"] == job["progress"]["total"]

    download = officer_api.get(host_b, job["download_url"])

    assert download.status == 200 and download.body.startswith(b"%PDF-")
    assert download.headers.get_content_type() == "application/pdf"


def test_consent_withdrawn_on_host_b_makes_the_report_answer_410_on_host_a(
        officer, officer_api, host_a, host_b, worker):
    story = officer_api.get(host_a, f"/api/v1/stories/{SHARED_STORY}").json()
    assert story["project"] == PROJECT and story["internal"]["consent"]["scope_donor"], story
    job = request_donor_portfolio_report(officer_api, worker, requested_on=host_a, polled_on=host_b)
    assert job["status"] == "done", f"{job}\n{worker.log_tail()}"
    assert officer_api.get(host_a, job["download_url"]).status == 200

    withdrawn = officer.submit(host_b, f"/projects/{PROJECT}/stories/{SHARED_STORY}/consent/withdraw", {
        "withdrawn_on": date.today().isoformat(), "note": "Withdrawal received through the helpline."})
    assert withdrawn.status == 302, withdrawn.text[-2000:]

    assert officer_api.get(host_a, job["download_url"]).status == 410
