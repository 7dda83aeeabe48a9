"""After 5 failed logins within 15 minutes for an account or an IP, logins answer 429 with one generic message."""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa
import time_machine
from werkzeug.serving import make_server

from tests import conftest
from tests.conftest import csrf_from
from tests.factories import TEST_PASSWORD
from tests.factories import Factory
from tracker import create_app
from tracker import migrate
from tracker.audit.models import AuditEntry
from tracker.auth import throttle
from tracker.auth.models import AttemptCount
from tracker.db import database
from tracker.db import make_engine
from tracker.db_types import utcnow

THROTTLED = "Too many failed attempts."
NOT_RIGHT = "The email address or password is not right."
WRONG = "not the password at all"


def attempt(client, email, password, ip="192.0.2.10"):
    environ = {"REMOTE_ADDR": ip}
    page = client.get("/login", environ_base=environ).get_data(as_text=True)
    return client.post("/login", data={"csrf_token": csrf_from(page), "email": email, "password": password},
                       environ_base=environ)


def fail(client, email, times, ip="192.0.2.10"):
    for _ in range(times):
        assert attempt(client, email, WRONG, ip).status_code == 200


@pytest.fixture
def donor(factory, session):
    user = factory.user("donor", email="donor@example.org")
    session.commit()
    return user


@pytest.mark.parametrize("email", ["donor@example.org", "nobody@example.org"])
def test_the_sixth_attempt_after_five_failures_is_refused_with_one_generic_message(client, donor, email):
    fail(client, email, 5)

    response = attempt(client, email, TEST_PASSWORD)

    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) == 15 * 60
    assert f'value="{email}"' in response.get_data(as_text=True)


def test_even_the_right_password_is_refused_while_throttled(client, donor, session):
    fail(client, "donor@example.org", 5)

    response = attempt(client, "donor@example.org", TEST_PASSWORD)

    assert response.status_code == 429
    assert client.get("/").status_code == 302


def test_four_failures_do_not_throttle(client, donor):
    fail(client, "donor@example.org", 4)

    assert attempt(client, "donor@example.org", TEST_PASSWORD).status_code == 302


def test_throttling_ends_fifteen_minutes_after_the_failures(client, donor):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        fail(client, "donor@example.org", 5)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert attempt(client, "donor@example.org", TEST_PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert attempt(client, "donor@example.org", TEST_PASSWORD).status_code == 302


def test_failures_from_one_ip_throttle_every_account_from_that_ip_only(client, factory, session, donor):
    for number in range(5):
        attempt(client, f"guess{number}@example.org", WRONG, ip="198.51.100.7")

    assert attempt(client, "donor@example.org", TEST_PASSWORD, ip="198.51.100.7").status_code == 429
    assert attempt(client, "donor@example.org", TEST_PASSWORD, ip="198.51.100.8").status_code == 302


def test_a_completed_login_clears_the_accounts_count(app, client, donor):
    fail(client, "donor@example.org", 4, ip="192.0.2.1")
    assert attempt(client, "donor@example.org", TEST_PASSWORD, ip="192.0.2.2").status_code == 302
    other = app.test_client()

    fail(other, "donor@example.org", 4, ip="192.0.2.3")

    assert attempt(other, "donor@example.org", TEST_PASSWORD, ip="192.0.2.4").status_code == 302


def test_logins_that_succeed_do_not_use_up_the_addresses_attempts(app, donor):
    for _login in range(6):
        assert attempt(app.test_client(), "donor@example.org", TEST_PASSWORD).status_code == 302

    assert attempt(app.test_client(), "donor@example.org", WRONG).status_code == 200


def test_throttled_attempts_are_audited_but_do_not_extend_the_block(client, donor, session):
    fail(client, "donor@example.org", 5)
    attempt(client, "donor@example.org", WRONG)

    actions = session.scalars(sa.select(AuditEntry.action).where(AuditEntry.actor_email == "donor@example.org")
                              .order_by(AuditEntry.id)).all()
    assert actions == ["login_failed"] * 5 + ["login_throttled"]


def test_the_count_is_shared_by_every_worker(engine, connection, instance_path, client, donor):
    """Two app instances (two gunicorn workers) see the same count, because it lives in the database."""
    other_worker = create_app(conftest.test_config(engine))
    database(other_worker).bind_to(connection)
    fail(client, "donor@example.org", 3)

    fail(other_worker.test_client(), "donor@example.org", 2)

    assert attempt(client, "donor@example.org", TEST_PASSWORD).status_code == 429


def failure(email, ip, at):
    return AuditEntry(at=at, actor_email=email, actor_role="anonymous", action="login_failed", object_type="user",
                      ip=ip)


@pytest.mark.both_backends
def test_blocked_until_counts_recent_failures_per_account_and_per_ip(session):
    now = utcnow()
    limits = throttle.Limits(per_account=3, per_ip=4, window=timedelta(minutes=15))
    session.add_all(failure("b@example.org", "192.0.2.2", now - timedelta(minutes=m)) for m in (20, 10, 6, 2))
    session.flush()

    five_minutes_on = now + timedelta(minutes=5)
    assert throttle.blocked_until(session, "b@example.org", "203.0.113.1", limits, now=now) == five_minutes_on
    assert throttle.blocked_until(session, "c@example.org", "192.0.2.2", limits, now=now) is None
    session.add(failure("c@example.org", "192.0.2.2", now - timedelta(minutes=1)))
    session.flush()
    assert throttle.blocked_until(session, "c@example.org", "192.0.2.2", limits, now=now) == five_minutes_on


@pytest.mark.both_backends
def test_each_attempt_reserves_a_numbered_place_until_its_window_ends(session):
    now = utcnow()
    window = timedelta(minutes=15)
    account = throttle.Key(throttle.ACCOUNT, "b@example.org", 2)

    assert [throttle.reserve(session, [account], window, now=now + timedelta(minutes=m)) for m in (0, 1, 2)] == [
        None, None, now + window]
    assert throttle.reserve(session, [account], window, now=now + window) is None
    throttle.reserve(session, [throttle.Key(throttle.IP, "192.0.2.9", 5)], window, now=now + 2 * window)

    assert session.scalars(sa.select(AttemptCount.subject)).all() == ["192.0.2.9"]


class CountingHasher:
    """The app's password hasher, counting how many passwords it checks (from any thread)."""

    def __init__(self, hasher):
        self.hasher = hasher
        self.verified = 0
        self.lock = threading.Lock()

    def verify(self, password_hash, password):
        with self.lock:
            self.verified += 1
        return self.hasher.verify(password_hash, password)

    def __getattr__(self, name):
        return getattr(self.hasher, name)


@pytest.fixture
def served(request, backend, tmp_path, instance_path):
    """The app on a database of its own (committed for real, no test transaction), served by a threaded server."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path}/race.sqlite"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        name = f"race_{uuid.uuid4().hex[:12]}"
        cluster.create_database(name)
        url = cluster.url(name)
    engine = make_engine(url)
    migrate.upgrade(engine)
    # Each thread posts once, with no page before it: the form's CSRF token is not what is under test.
    app = create_app(conftest.test_config(engine, WTF_CSRF_ENABLED=False))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    engine.dispose()


@pytest.mark.both_backends
def test_forty_parallel_wrong_passwords_check_only_five_and_record_every_one(served):
    app, base_url = served
    with database(app).new_session() as session:
        Factory(session, app.extensions["tracker.hasher"]).user("donor", email="donor@example.org")
        session.commit()
    hasher = app.extensions["tracker.hasher"] = CountingHasher(app.extensions["tracker.hasher"])
    start = threading.Barrier(40)

    def wrong_password(_number):
        start.wait()
        return requests.post(f"{base_url}/login", data={"email": "donor@example.org", "password": WRONG},
                             allow_redirects=False, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = Counter(pool.map(wrong_password, range(40)))

    assert hasher.verified == 5
    assert answers == {200: 5, 429: 35}
    with database(app).new_session() as session:
        audited = Counter(session.scalars(sa.select(AuditEntry.action)
                                          .where(AuditEntry.actor_email == "donor@example.org")))
        counted = session.scalar(sa.select(AttemptCount.attempts).where(AttemptCount.scope == throttle.ACCOUNT))
    assert audited == {"login_failed": 5, "login_throttled": 35}
    assert counted == 5
