"""Measurements of ``flask bench``: list pages through the real app, tracing recompute, throughput under gunicorn."""

import http.client
import os
import secrets
import socket
import statistics

# gunicorn is started with fixed arguments (no shell) and stopped by its own process id.
import subprocess  # nosec B404
import sys
import threading
import time
from contextlib import contextmanager

import sqlalchemy as sa

from tracker.auth import services as auth_services
from tracker.bench.report import ACTOR
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import CtComponent
from tracker.contribution.models import CtEvidence
from tracker.contribution.tracing import services as tracing_services
from tracker.db import database
from tracker.db_types import utcnow
from tracker.portfolio.models import Project

PAGES = {
    "portfolio": "/portfolio",
    "outcomes": "/projects/project-0/outcomes",
    "stories": "/msc/stories",
    "search": "/search?q=helpline&kind=story",
}
BENCH_USER = "bench-me@example.org"
# Each role's home at "/", measured with an account of that role (a grantee holds GRANTEE_PROJECTS projects).
HOME = "/"
HOME_ROLES = ("grantee", "me", "donor", "admin")
GRANTEE_PROJECTS = 5
# The yardstick for throughput: the account page is the cheapest page that passes through the login session,
# the database and the signed-in layout, so a page's requests/s over its requests/s is what the page itself costs.
SIGNED_IN_LAYOUT = "/account"


def bench_user(session, app):
    """An M&E officer (sees every project) for the page measurements."""
    user = auth_services.get_user_by_email(session, BENCH_USER)
    if user is None:
        user = auth_services.create_user(session, app.extensions["tracker.hasher"], ACTOR, email=BENCH_USER,
                                         display_name="Benchmark M&E officer", role="me",
                                         password=secrets.token_urlsafe(24))
        session.commit()
    return user


def role_user(session, app, role, project_ids=()):
    """A benchmark account of ``role`` (the M&E one is :func:`bench_user`), member of ``project_ids``."""
    if role == "me":
        return bench_user(session, app)
    email = f"bench-{role}@example.org"
    user = auth_services.get_user_by_email(session, email)
    if user is None:
        user = auth_services.create_user(session, app.extensions["tracker.hasher"], ACTOR, email=email,
                                         display_name=f"Benchmark {role}", role=role,
                                         password=secrets.token_urlsafe(24))
        auth_services.set_memberships(session, ACTOR, user, list(project_ids))
        session.commit()
    return user


def logged_in_client(app, session, user=None):
    """A test client holding a verified login session of ``user`` (default: the benchmark M&E officer), as after
    password and code."""
    client = app.test_client()
    token = auth_services.start_login_session(session, user or bench_user(session, app), verified=True)
    session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = token
        cookie_session["_fresh"] = True
    return client


def home_clients(app, session, projects):
    """``{role: client}`` signed in as each role; the grantee is a member of the first few ``projects``."""
    grantee_projects = [project.id for project in projects[:GRANTEE_PROJECTS]]
    return {role: logged_in_client(app, session, role_user(session, app, role, grantee_projects))
            for role in HOME_ROLES}


def cookie_of(app, client):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


@contextmanager
def counting_queries(engine):
    counter = {"count": 0}

    def count(*_args):
        counter["count"] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_pages(app, client, repeat, pages=PAGES):
    """Per page: server times in ms (in-process WSGI calls) and the SQL statements of one request."""
    engine = database(app).engine
    figures = {}
    for name, url in pages.items():
        for _warm in range(2):
            check(client.get(url), url)
        durations = []
        for _round in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            durations.append((time.perf_counter() - started) * 1000)
            check(response, url)
        with counting_queries(engine) as counter:
            check(client.get(url), url)
        figures[name] = {"ms_p50": statistics.median(durations), "ms_p95": percentile(durations, 0.95),
                         "queries": counter["count"]}
    return figures


def time_homes(app, clients, repeat):
    """Each role's home, as ``home_ROLE`` pages of :func:`time_pages` (cached figures included, as served)."""
    figures = {}
    for role, client in clients.items():
        figures.update(time_pages(app, client, repeat, {f"home_{role}": HOME}))
    return figures


def check(response, url):
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")


def compare_pages(small, full):
    """The keys of the JSON: small and full figures side by side, with the ratio of the medians."""
    return {name: {
        "small_ms_p50": round(small[name]["ms_p50"], 2), "full_ms_p50": round(full[name]["ms_p50"], 2),
        "small_ms_p95": round(small[name]["ms_p95"], 2), "full_ms_p95": round(full[name]["ms_p95"], 2),
        "ratio": round(full[name]["ms_p50"] / small[name]["ms_p50"], 2),
        "queries_small": small[name]["queries"], "queries_full": full[name]["queries"]} for name in small}


# Contribution tracing ----------------------------------------------------------------------------


def tracing_figures(session, evidence, repeat=5):
    """Recompute a component holding ``evidence`` items (stored steps included); median ms."""
    claim = session.scalars(sa.select(ContributionClaim).order_by(ContributionClaim.id)).first()
    project = session.get(Project, claim.project_id)
    component = tracing_services.add_component(session, ACTOR, project, claim, {
        "entity": "District helpline", "activity": "answers children's messages within the hour"})
    now = utcnow()
    session.execute(CtEvidence.__table__.insert(), [{
        "component_id": component.id, "position": position, "description": f"Evidence {position}",
        "sensitivity": 0.55 + (position % 9) / 20, "type1_error": 0.05 + (position % 7) / 20,
        "observed": ("found", "not_found", "pending", "found")[position % 4], "rationale": "",
        "evidence_id": None, "recorded_by_id": None, "recorded_at": now, "updated_at": now}
        for position in range(evidence)])
    session.commit()
    durations = []
    for _round in range(repeat):
        session.expire_all()
        component = session.get(CtComponent, component.id)
        started = time.perf_counter()
        tracing_services.recompute(session, component)
        session.commit()
        durations.append((time.perf_counter() - started) * 1000)
    return {"evidence": len(component.evidence), "ms": round(statistics.median(durations), 1)}


# Throughput under gunicorn -----------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(url, secret_key, instance_path, workers=2):
    """A gunicorn serving the app on a free loopback port; stopped (by its pid) on leaving."""
    port = free_port()
    environment = dict(os.environ, TRACKER_DATABASE_URL=url, TRACKER_SECRET_KEY=secret_key,
                       TRACKER_INSTANCE_PATH=str(instance_path))
    process = subprocess.Popen(  # noqa: S603 # nosec B603
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "tracker:create_app()"], env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def wait_until_up(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + process.stderr.read().decode(errors="replace")[-2000:])
        try:
            status = get(port, "/healthz", {})
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
    raise RuntimeError("gunicorn did not answer /healthz in time")


def get(port, path, headers, connection=None):
    """GET ``path`` on ``connection`` (kept open for the caller), or on a connection of its own (closed)."""
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        if own:
            connection.close()


def requests_per_second(port, path, headers, requests, clients=4):
    """``requests`` GETs of ``path`` shared by ``clients`` threads, each reusing its connection when allowed."""
    per_client = max(1, requests // clients)
    failures = []

    def run():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _request in range(per_client):
            status = get(port, path, headers, connection)
            if status != 200:
                failures.append(status)
        connection.close()

    for _warm in range(4):
        get(port, path, headers)
    threads = [threading.Thread(target=run) for _client in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{path} answered {sorted(set(failures))} under load")
    return per_client * clients / elapsed


def throughput_figures(url, secret_key, instance_path, cookies, requests):
    """Requests/s of the signed-in layout (``/account``), the portfolio list and each role's home, each page with
    its ratio to the layout (``layout_ratio``: the homes' target is ≥ 0.5). ``cookies``: {role: session cookie}."""

    def headers(role):
        return {"Cookie": f"session={cookies[role]}"}

    with gunicorn(url, secret_key, instance_path) as port:
        layout = requests_per_second(port, SIGNED_IN_LAYOUT, headers("me"), requests)
        pages = {"portfolio": requests_per_second(port, PAGES["portfolio"], headers("me"), requests)}
        for role in HOME_ROLES:
            pages[f"home_{role}"] = requests_per_second(port, HOME, headers(role), requests)
    return {"signed_in_layout_rps": round(layout, 1), "workers": 2, "requests": requests,
            "pages": {name: {"rps": round(rate, 1), "layout_ratio": round(rate / layout, 3)}
                      for name, rate in pages.items()}}
