import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker import migrate
from tracker.auth import services as auth_services
from tracker.auth.models import TotpCredential
from tracker.auth.models import User
from tracker.db import database
from tracker.portfolio.models import Project


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


@pytest.fixture
def seeded(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def printed_logins(output):
    return re.findall(r"^\s+(\w+)\s+(\S+@example\.org)\s+(\S+)$", output, flags=re.MULTILINE)


def test_seed_demo_prints_one_login_per_role_and_every_login_works(seeded, app, session, submit, client):
    logins = printed_logins(seeded)

    assert {role for role, _email, _password in logins} == {"admin", "me", "grantee", "donor"}
    for _role, email, password in logins:
        assert auth_services.authenticate(session, app.extensions["tracker.hasher"], email, password), email


def test_seed_demo_is_idempotent(seeded, app, session):
    counts = session.scalar(sa.select(sa.func.count()).select_from(Project))

    again = app.test_cli_runner().invoke(args=["seed-demo"])

    assert again.exit_code == 0
    assert printed_logins(again.output) == printed_logins(seeded)
    assert session.scalar(sa.select(sa.func.count()).select_from(Project)) == counts


def test_demo_portfolio_spans_three_pillars_and_six_countries(seeded, session):
    projects = session.scalars(sa.select(Project)).all()

    assert len(projects) >= 8
    assert len({project.pillar.key for project in projects}) == 3
    assert len({code for project in projects for code in project.country_codes}) >= 6
    assert session.scalar(sa.select(Project.title).where(Project.slug == "thailand-helpline"))


def test_demo_logins_file_is_private(seeded, instance_path):
    assert oct((instance_path / "demo-logins.txt").stat().st_mode & 0o777) == "0o600"


def test_seed_demo_if_empty_leaves_an_existing_portfolio_alone(seeded, app, session):
    project = session.scalar(sa.select(Project).where(Project.slug == "dragon-s"))
    session.delete(project)
    session.commit()

    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])

    assert result.exit_code == 0
    assert "was not loaded again" in result.output
    assert printed_logins(result.output) == printed_logins(seeded)
    assert session.scalar(sa.select(Project).where(Project.slug == "dragon-s")) is None


def demo_secrets(instance_path):
    rows = [line.split("\t") for line in (instance_path / "demo-logins.txt").read_text().splitlines()]
    return {row[1]: row[3] for row in rows if row[3]}


def test_seed_demo_enrols_the_demo_admin_and_me_officer_in_two_factor(seeded, session, instance_path):
    secrets = demo_secrets(instance_path)

    assert set(secrets) == {"admin@example.org", "me@example.org"}
    for email, secret in secrets.items():
        user = auth_services.get_user_by_email(session, email)
        assert session.get(TotpCredential, user.id).secret == secret
    assert "two-factor code: flask --app tracker demo-code admin@example.org" in seeded


def test_seed_demo_keeps_the_demo_secrets_when_run_again(seeded, app, instance_path):
    before = demo_secrets(instance_path)

    app.test_cli_runner().invoke(args=["seed-demo"])

    assert demo_secrets(instance_path) == before


def test_demo_code_prints_the_current_code_of_a_listed_demo_account(seeded, app, instance_path):
    secret = demo_secrets(instance_path)["admin@example.org"]

    result = app.test_cli_runner().invoke(args=["demo-code", "Admin@example.org"])

    assert result.exit_code == 0
    assert result.stdout.strip() in {pyotp.TOTP(secret).now(), pyotp.TOTP(secret).at(time.time() - 1)}


@pytest.mark.parametrize("email", ["donor@example.org", "someone.else@example.org"])
def test_demo_code_refuses_every_other_account(seeded, app, email):
    result = app.test_cli_runner().invoke(args=["demo-code", email])

    assert result.exit_code != 0
    assert "not a demo account with two-factor authentication" in result.output


def test_the_printed_demo_admin_login_works_with_its_demo_code(seeded, app, client, submit):
    _role, email, password = next(login for login in printed_logins(seeded) if login[0] == "admin")
    submit("/login", {"email": email, "password": password})
    code = app.test_cli_runner().invoke(args=["demo-code", email]).stdout.strip()

    response = submit("/login/verify", {"code": code})

    assert response.headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 200
