"""``flask bench-audit``: the access overview's server time over a large synthetic audit trail.

A temporary SQLite database gets N audit entries over the last year (reads of stories, outcomes and evidence by
60 people over 40 projects, logins, failed logins, exports, break-the-glass grants), inserted in bulk through the
driver; then the overview page (last 30 days, no filter) is requested through the real app as an administrator.
"""

import random
import secrets
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from tracker import migrate
from tracker.auth import services as auth_services
from tracker.bench.measure import counting_queries
from tracker.bench.measure import percentile
from tracker.bench.report import ACTOR
from tracker.bench.report import bench_app
from tracker.db import database
from tracker.db_types import utcnow

BATCH = 50_000
PEOPLE = 60
PROJECTS = 40
URL = "/audit/insight"
# (weight, action, object type) of the synthetic entries.
MIX = ((40, "read", "story"), (30, "read", "outcome"), (10, "read", "evidence_item"), (3, "download", "evidence_item"),
       (6, "login", "user"), (3, "login_failed", "user"), (1, "export", "project"), (1, "download", "report_job"),
       (0.2, "break_glass", "project"), (5.8, "update", "outcome"))
COLUMNS = ("at", "actor_id", "actor_email", "actor_role", "action", "object_type", "object_id", "project_id", "ip",
           "reason", "details")


def synthetic_rows(count, seed=11):
    """``count`` entry tuples in time order over the year up to now (SQLite's stored text form of the times)."""
    chooser = random.Random(seed)  # noqa: S311  # nosec B311 - synthetic benchmark data, not security
    weights = [weight for weight, _action, _kind in MIX]
    now = utcnow()
    start = now - timedelta(days=365)
    step = (now - start) / max(count, 1)
    kinds = chooser.choices(MIX, weights=weights, k=count)
    for index, (_weight, action, kind) in enumerate(kinds):
        at = start + step * index
        person = chooser.randrange(1, PEOPLE + 1)
        reason = "Checking a reported story for the safeguarding lead." if action == "break_glass" else None
        yield (at.strftime("%Y-%m-%d %H:%M:%S.%f"), person, f"person{person}@example.org",
               "me", action, kind, str(chooser.randrange(1, 30_000)), chooser.randrange(1, PROJECTS + 1),
               f"10.0.{person % 250}.{chooser.randrange(1, 250)}", reason, None)


def fill(engine, count):
    """Insert the entries through the driver's executemany, in batches (one transaction each)."""
    placeholders = ", ".join("?" for _column in COLUMNS)
    statement = f"INSERT INTO audit_entry ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608  # nosec B608
    rows = synthetic_rows(count)
    while batch := [row for _index, row in zip(range(BATCH), rows, strict=False)]:
        with engine.begin() as connection:
            connection.exec_driver_sql(statement, batch)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def admin_client(app):
    with app.app_context(), database(app).new_session() as session:
        user = auth_services.create_user(session, app.extensions["tracker.hasher"], ACTOR,
                                         email="bench-admin@example.org", display_name="Benchmark administrator",
                                         role="admin", password=secrets.token_urlsafe(24))
        token = auth_services.start_login_session(session, user, verified=True)
        session.commit()
    client = app.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = token
        cookie_session["_fresh"] = True
    return client


def timed_page(app, client, repeat):
    engine = database(app).engine
    for _warm in range(2):
        check(client.get(URL))
    durations = []
    for _round in range(repeat):
        started = time.perf_counter()
        response = client.get(URL)
        durations.append((time.perf_counter() - started) * 1000)
        check(response)
    with counting_queries(engine) as counter:
        check(client.get(URL))
    return {"page_ms_p50": round(statistics.median(durations), 1),
            "page_ms_p95": round(percentile(durations, 0.95), 1), "queries": counter["count"]}


def check(response):
    if response.status_code != 200:
        raise RuntimeError(f"{URL} answered {response.status_code}")


def benchmark(entries, repeat=20):
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as name:
        folder = Path(name)
        app = bench_app(folder, "audit.sqlite")
        engine = database(app).engine
        migrate.upgrade(engine)
        started = time.perf_counter()
        fill(engine, entries)
        filled = time.perf_counter() - started
        figures = timed_page(app, admin_client(app), repeat)
        engine.dispose()
    return {"entries": entries, **figures, "repeat": repeat, "fill_seconds": round(filled, 1), "target_ms_p50": 300}
