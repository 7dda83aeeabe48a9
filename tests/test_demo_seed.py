"""``seed-demo`` and the demo accounts, checked on the demo database loaded once per test worker."""

import os
import re
import shutil
import subprocess
import sys
import time

import pyotp
import pytest
import sqlalchemy as sa

from tracker import demo_logins
from tracker.auth import services as auth_services
from tracker.auth.models import TotpCredential
from tracker.cli import DEMO_LOGINS_FILE
from tracker.portfolio.models import Project


@pytest.fixture
def engine(demo_engine):
    """Every test here runs on the loaded demo portfolio, inside a rolled-back transaction."""
    return demo_engine


@pytest.fixture
def seeded(demo_database, instance_path):
    """What the first ``seed-demo`` printed, with its demo-logins file in this test's instance folder."""
    instance_path.mkdir(parents=True, exist_ok=True)
    shutil.copy2(demo_database.instance / DEMO_LOGINS_FILE, instance_path / DEMO_LOGINS_FILE)
    return demo_database.output


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
    assert "two-factor code: make demo-code EMAIL=admin@example.org" in seeded


def test_demo_accounts_are_exempt_from_changing_their_printed_passwords(seeded, session):
    for _role, email, _password in printed_logins(seeded):
        assert not auth_services.get_user_by_email(session, email).must_change_password, email


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


def test_make_demo_code_prints_the_code_without_building_the_app(seeded, instance_path):
    """What ``make demo-code EMAIL=…`` runs: a light entry point that reads instance/demo-logins.txt."""
    secret = demo_secrets(instance_path)["me@example.org"]
    environment = {**os.environ, "TRACKER_INSTANCE_PATH": str(instance_path)}

    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "tracker.demo_logins", "ME@example.org"], env=environment,
                            capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in {pyotp.TOTP(secret).now(), pyotp.TOTP(secret).at(time.time() - elapsed - 1)}
    assert "more seconds" in result.stderr
    assert elapsed < 2


@pytest.mark.parametrize("argv", [["donor@example.org"], ["someone.else@example.org"]])
def test_make_demo_code_refuses_accounts_that_are_not_listed_demo_accounts(seeded, instance_path, monkeypatch,
                                                                          capsys, argv):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance_path))

    assert demo_logins.main(argv) == 1
    assert "not a demo account with two-factor authentication" in capsys.readouterr().err


def test_make_demo_code_without_an_email_says_how_to_call_it(capsys):
    assert demo_logins.main([""]) == 2
    assert "make demo-code EMAIL=" in capsys.readouterr().err


def test_the_printed_demo_admin_login_works_with_its_demo_code(seeded, app, client, submit):
    _role, email, password = next(login for login in printed_logins(seeded) if login[0] == "admin")
    submit("/login", {"email": email, "password": password})
    code = app.test_cli_runner().invoke(args=["demo-code", email]).stdout.strip()

    response = submit("/login/verify", {"code": code})

    assert response.headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 200
