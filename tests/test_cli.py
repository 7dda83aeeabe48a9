
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import time_machine

from tracker import create_app
from tracker import migrate
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.db import database
from tracker.db_types import utcnow
from tracker.imports import staging

ROOT = Path(__file__).resolve().parents[1]
# What `flask --app tracker --help` prints, then every module it loaded.
HELP_THEN_MODULES = """
import sys
from flask.cli import main
sys.argv = ["flask", "--app", "tracker", "--help"]
try:
    main()
except SystemExit:
    pass
print(*sorted(sys.modules))
"""
# Loaded by the commands and pages that use them, not when the app starts.
LOADED_ON_USE = ("weasyprint", "openpyxl", "networkx", "alembic", "PIL", *(
    f"tracker.bench.{name}" for name in ("portfolio", "report", "toc", "imports", "measure", "data", "search",
                                         "tracing")))


def test_init_db_creates_the_schema_and_is_safe_to_repeat(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite", "SECRET_KEY": "x"})
    runner = app.test_cli_runner()

    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])

    assert first.exit_code == 0 and "upgraded from empty" in first.output
    assert second.exit_code == 0 and "already at revision" in second.output
    assert migrate.pending_model_changes(database(app).engine) == []


def test_create_user_reads_the_password_from_stdin(app, factory, session):
    project = factory.project("thailand-helpline")
    session.commit()

    result = app.test_cli_runner().invoke(
        args=["create-user", "Field.Officer@example.org", "--role", "grantee", "--project", "thailand-helpline",
              "--password-stdin"],
        input="a long passphrase for the field\n",
    )

    assert result.exit_code == 0, result.output
    user = session.scalar(sa.select(User).where(User.email == "field.officer@example.org"))
    assert auth_services.member_project_ids(session, user.id) == {project.id}
    assert auth_services.authenticate(session, app.extensions["tracker.hasher"], user.email,
                                      "a long passphrase for the field")


def test_create_user_makes_the_holder_change_an_operator_set_password(app, session):
    result = app.test_cli_runner().invoke(args=["create-user", "officer@example.org", "--role", "grantee",
                                                "--password-stdin"], input="a long passphrase for the field\n")

    assert result.exit_code == 0, result.output
    assert "must be changed at first login" in result.output
    assert session.scalar(sa.select(User.must_change_password).where(User.email == "officer@example.org"))


def test_create_user_keeps_the_first_administrators_own_password(app, session):
    result = app.test_cli_runner().invoke(args=["create-user", "head@example.org", "--role", "admin",
                                                "--password-stdin", "--own-password"],
                                          input="a long passphrase of my own\n")

    assert result.exit_code == 0, result.output
    assert not session.scalar(sa.select(User.must_change_password).where(User.email == "head@example.org"))


def test_create_user_refuses_an_unknown_project(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "x@example.org", "--role", "grantee", "--project", "nope", "--password-stdin"],
        input="a long passphrase for the field\n",
    )

    assert result.exit_code != 0
    assert "no project with slug 'nope'" in result.output


def test_create_user_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(args=["create-user", "x@example.org", "--role", "me", "--password-stdin"],
                                          input="short\n")

    assert result.exit_code != 0
    assert "at least 12 characters" in result.output


def test_flask_help_lists_the_benchmarks_without_loading_them_or_weasyprint(tmp_path):
    completed = subprocess.run([sys.executable, "-c", HELP_THEN_MODULES], cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, "TRACKER_INSTANCE_PATH": str(tmp_path)})
    assert completed.returncode == 0, completed.stderr
    *help_lines, modules = completed.stdout.strip().splitlines()

    for command in ("bench", "bench-toc", "bench-import", "bench-report", "report", "init-db"):
        assert any(line.split()[:1] == [command] for line in help_lines), command
    assert [name for name in modules.split() if name.startswith(LOADED_ON_USE)] == []


def test_purge_expired_deletes_import_uploads_left_waiting(app, factory, session):
    project, user = factory.project(), factory.user("grantee")
    upload = staging.store(session, io.BytesIO(b"title\nA helpline answers in Khmer\n"), file_name="outcomes.csv",
                           suffix=".csv", project_id=project.id, user_id=user.id, kind="outcome", max_bytes=1000)
    session.commit()

    with time_machine.travel(utcnow() + timedelta(minutes=app.config["IMPORT_UPLOAD_MINUTES"] + 1)):
        result = app.test_cli_runner().invoke(args=["purge-expired"])

    assert result.exit_code == 0, result.output
    assert "1 abandoned import uploads deleted" in result.output
    session.expire_all()
    assert staging.load(session, upload.token, project_id=project.id, user_id=user.id, max_age_seconds=10**9) is None
