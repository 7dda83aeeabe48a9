"""The audit trail: append-only, written with the action it records, filtered and exported by admins."""

import csv
import io
import json
import os
import re
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tests.factories import TEST_ACTOR
from tracker import migrate
from tracker.audit.export import csv_lines
from tracker.audit.models import AuditEntry
from tracker.audit.services import AppendOnlyViolation
from tracker.audit.services import record
from tracker.auth.models import User
from tracker.common.formulas import neutralise
from tracker.db import make_engine


def entries(session, **where):
    statement = sa.select(AuditEntry).order_by(AuditEntry.id)
    for name, value in where.items():
        statement = statement.where(getattr(AuditEntry, name) == value)
    return session.scalars(statement).all()


@pytest.mark.both_backends
@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET action = 'nothing_happened'",
    "DELETE FROM audit_entry",
])
def test_the_database_refuses_to_change_or_delete_audit_entries(connection, session, statement):
    record(session, TEST_ACTOR, "create", "user", 1)
    session.commit()

    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with connection.begin_nested():
            connection.execute(sa.text(statement))

    assert connection.execute(sa.text("SELECT action FROM audit_entry")).scalars().all() == ["create"]


FORGED_ENTRY = ("audit_entry (id, at, actor_email, actor_role, action, object_type) "
                "VALUES (:id, CURRENT_TIMESTAMP, 'forger', 'system', 'forged', 'user')")


@pytest.mark.parametrize("statement", ["INSERT OR REPLACE INTO " + FORGED_ENTRY, "REPLACE INTO " + FORGED_ENTRY])
@pytest.mark.parametrize("recursive_triggers", ["ON", "OFF"])
def test_sqlite_refuses_to_replace_an_audit_entry_whatever_the_connections_settings(connection, session, statement,
                                                                                    recursive_triggers):
    entry_id = record(session, TEST_ACTOR, "create", "user", 1).id
    session.commit()
    connection.exec_driver_sql(f"PRAGMA recursive_triggers = {recursive_triggers}")

    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with connection.begin_nested():
            connection.execute(sa.text(statement), {"id": entry_id})

    assert connection.execute(sa.text("SELECT action FROM audit_entry")).scalars().all() == ["create"]


@pytest.mark.both_backends
def test_an_upsert_cannot_rewrite_an_audit_entry(connection, session):
    entry_id = record(session, TEST_ACTOR, "create", "user", 1).id
    session.commit()

    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with connection.begin_nested():
            upsert = "INSERT INTO " + FORGED_ENTRY + " ON CONFLICT (id) DO UPDATE SET action = 'forged'"
            connection.execute(sa.text(upsert), {"id": entry_id})

    assert connection.execute(sa.text("SELECT action FROM audit_entry")).scalars().all() == ["create"]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_refuses_to_truncate_the_audit_trail(connection, session):
    record(session, TEST_ACTOR, "create", "user", 1)
    session.commit()

    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with connection.begin_nested():
            connection.execute(sa.text("TRUNCATE audit_entry"))


@pytest.mark.both_backends
def test_the_app_cannot_change_or_delete_an_audit_entry_through_the_orm(session):
    entry = record(session, TEST_ACTOR, "create", "user", 1)

    entry.action = "forged"
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()
    with pytest.raises(AppendOnlyViolation):
        session.execute(sa.delete(AuditEntry))
    with pytest.raises(AppendOnlyViolation):
        session.execute(sa.update(AuditEntry).values(action="forged"))


class AuditStoreDown(Exception):
    pass


@pytest.mark.both_backends
def test_if_the_audit_insert_fails_the_action_rolls_back(client, engine, factory, login, session, submit):
    login(factory.user("admin"))
    session.commit()
    page = "/admin/users/new"

    def fail_audit_inserts(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_ENTRY"):
            raise AuditStoreDown("the audit insert failed")

    sa.event.listen(engine, "before_cursor_execute", fail_audit_inserts)
    try:
        response = submit(page, {"email": "new.officer@example.org", "display_name": "New officer",
                                 "role": "donor", "password": "four words make a password"})
    finally:
        sa.event.remove(engine, "before_cursor_execute", fail_audit_inserts)

    assert response.status_code == 500
    session.expire_all()
    assert session.scalar(sa.select(User).where(User.email == "new.officer@example.org")) is None


@pytest.fixture
def audit_log(factory, session):
    """Entries by two people on two projects over three days."""
    helpline, board = factory.project("thailand-helpline"), factory.project("dr-board")
    first = TEST_ACTOR.__class__(7, "officer@example.org", "me", "192.0.2.5")
    second = TEST_ACTOR.__class__(8, "lead@example.org", "grantee", "192.0.2.6")
    rows = [
        (datetime(2024, 5, 1, 9, tzinfo=UTC), first, "create", "story", helpline),
        (datetime(2024, 5, 2, 9, tzinfo=UTC), first, "read", "story", helpline),
        (datetime(2024, 5, 2, 23, 59, tzinfo=UTC), second, "update", "outcome", board),
        (datetime(2024, 5, 3, 0, 1, tzinfo=UTC), second, "read", "outcome", board),
    ]
    for at, actor, action, object_type, project in rows:
        session.add(AuditEntry(at=at, actor_id=actor.user_id, actor_email=actor.email, actor_role=actor.role,
                               action=action, object_type=object_type, object_id="1", project_id=project.id,
                               ip=actor.ip))
    session.commit()
    return {"helpline": helpline, "board": board}


def listed(response):
    return re.findall(r'<time datetime="([^"]+)">', response.get_data(as_text=True))


@pytest.mark.parametrize("query, expected", [
    ("actor=Officer@example.org", ["2024-05-02T09:00:00+00:00", "2024-05-01T09:00:00+00:00"]),
    ("action=read", ["2024-05-03T00:01:00+00:00", "2024-05-02T09:00:00+00:00"]),
    ("object_type=outcome", ["2024-05-03T00:01:00+00:00", "2024-05-02T23:59:00+00:00"]),
    ("date_from=2024-05-02&date_to=2024-05-02", ["2024-05-02T23:59:00+00:00", "2024-05-02T09:00:00+00:00"]),
    ("date_from=2024-05-03&date_to=2024-05-01", ["2024-05-03T00:01:00+00:00"]),
])
def test_admins_filter_the_audit_log(client, factory, login, audit_log, query, expected):
    login(factory.user("admin", email="admin@example.org"))

    response = client.get(f"/admin/audit?{query}")

    assert [at for at in listed(response) if at.startswith("2024-05")] == expected


def test_an_impossible_date_range_is_explained_and_left_out(client, factory, login, audit_log):
    login(factory.user("admin"))

    html = client.get("/admin/audit?date_from=2024-05-03&date_to=2024-05-01").get_data(as_text=True)

    assert 'id="date_to-error"' in html and "The end date must not be before the start date." in html


def test_admins_filter_the_audit_log_by_project(client, factory, login, audit_log):
    login(factory.user("admin"))

    response = client.get(f"/admin/audit?project={audit_log['board'].id}")

    assert [at for at in listed(response) if at.startswith("2024-05")] == [
        "2024-05-03T00:01:00+00:00", "2024-05-02T23:59:00+00:00"]


@pytest.mark.parametrize("role", ["me", "grantee", "donor"])
def test_only_admins_see_the_audit_log(client, factory, login, role):
    login(factory.user(role))

    assert client.get("/admin/audit").status_code == 404
    assert client.post("/admin/audit/export").status_code in (400, 404)


def test_the_audit_log_is_paginated(app, client, factory, login, session):
    for number in range(app.config["AUDIT_ITEMS_PER_PAGE"] + 5):
        record(session, TEST_ACTOR, "update", "project", number)
    login(factory.user("admin"))
    session.commit()

    second = client.get("/admin/audit?action=update&page=2").get_data(as_text=True)

    assert "Page 2 of 2" in second
    assert len(re.findall(r"<td>project #\d+</td>", second)) == 5


@pytest.mark.both_backends
def test_audit_log_query_count_does_not_grow_with_entries(client, factory, login, session, count_queries):
    login(factory.user("admin"))
    projects = [factory.project() for _ in range(3)]

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) < total:
            record(session, TEST_ACTOR, "read", "story", 1, project_id=projects[total % 3].id)
        session.commit()
        with count_queries() as counter:
            assert client.get("/admin/audit").status_code == 200
        return counter.count

    assert queries_with(20) == queries_with(120)


def export(client, submit, query=""):
    return submit(f"/admin/audit/export?{query}", {}, page=f"/admin/audit?{query}")


def test_export_is_a_csv_of_the_filtered_entries(client, factory, login, submit, audit_log):
    login(factory.user("admin"))

    response = export(client, submit, "object_type=outcome")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    assert [(row["at_utc"], row["action"], row["project"]) for row in rows] == [
        ("2024-05-03T00:01:00+00:00", "read", "dr-board"), ("2024-05-02T23:59:00+00:00", "update", "dr-board")]


def test_the_export_itself_is_audited(client, factory, login, session, submit, audit_log):
    admin = factory.user("admin", email="admin@example.org")
    login(admin)
    session.commit()

    export(client, submit, "action=read")

    exported = entries(session, action="export")
    assert [(entry.actor_email, entry.object_type) for entry in exported] == [("admin@example.org", "audit_log")]
    assert json.loads(exported[0].details) == {"filters": {"action": "read"}, "rows": 2}


def test_export_needs_a_csrf_token(client, factory, login, session):
    login(factory.user("admin"))

    assert client.post("/admin/audit/export").status_code == 400
    assert entries(session, action="export") == []


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("plain text", "plain text"),
    (None, ""),
    (42, "42"),
])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("typed", ["\uff1dcmd|' /C calc'!A0", "\n=cmd|' /C calc'!A0", "\t=cmd|' /C calc'!A0",
                                   " =cmd|' /C calc'!A0", "\u3000\uff0bcmd", "\u00a0@SUM(A1)"])
def test_full_width_signs_and_leading_line_feeds_or_tabs_are_neutralised_in_the_csv(typed):
    entry = AuditEntry(id=1, at=datetime(2024, 5, 2, tzinfo=UTC), actor_email=typed, actor_role="anonymous",
                       action="login_failed", object_type="user")

    rows = list(csv.DictReader(io.StringIO("".join(csv_lines([entry], {})))))

    assert rows[0]["actor_email"] == "'" + typed


def test_a_formula_typed_as_an_email_is_inert_in_the_export(client, factory, login, session, submit):
    record(session, TEST_ACTOR.__class__(None, "=cmd|' /C calc'!A0", "anonymous", "192.0.2.9"), "login_failed",
           "user")
    login(factory.user("admin"))
    session.commit()

    rows = list(csv.DictReader(io.StringIO(export(client, submit, "action=login_failed").get_data(as_text=True))))

    assert rows[0]["actor_email"] == "'=cmd|' /C calc'!A0"


def test_logins_logouts_and_failures_are_audited_with_ip_and_role(client, factory, session, submit):
    factory.user("donor", email="donor@example.org")
    session.commit()
    submit("/login", {"email": "donor@example.org", "password": "wrong but long enough"})
    submit("/login", {"email": "donor@example.org", "password": "correct horse battery staple"})
    submit("/logout", {}, page="/")

    mine = entries(session, actor_email="donor@example.org")
    recorded = [(entry.action, entry.actor_role, entry.ip) for entry in mine]
    assert recorded == [("login_failed", "anonymous", "127.0.0.1"), ("login", "donor", "127.0.0.1"),
                        ("logout", "donor", "127.0.0.1")]
    assert all(entry.at.tzinfo is not None and entry.at.date() <= date.today() for entry in mine)


@pytest.mark.both_backends
def test_the_append_only_triggers_come_and_go_with_their_migration(backend, tmp_path, request):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path}/triggers.sqlite"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        cluster.create_database(f"triggers_{os.getpid()}")
        url = cluster.url(f"triggers_{os.getpid()}")
    engine = make_engine(url)
    insert = sa.text("INSERT INTO audit_entry (at, actor_email, actor_role, action, object_type) "
                     "VALUES (CURRENT_TIMESTAMP, 'cli', 'system', 'create', 'user')")
    try:
        migrate.upgrade(engine)
        before_triggers = ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0003").down_revision
        migrate.downgrade(engine, before_triggers)
        with engine.begin() as connection:
            connection.execute(insert)
            connection.execute(sa.text("DELETE FROM audit_entry"))
        migrate.upgrade(engine)
        with engine.begin() as connection:
            connection.execute(insert)
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM audit_entry"))
    finally:
        engine.dispose()
