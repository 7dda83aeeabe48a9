"""The README is the newcomer's manual: every command and role must be in it."""

from pathlib import Path

from tracker.auth.permissions import Role

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    head = README[: README.index("## Who does what")]

    assert "make run" in head and "make test" in head


def test_every_cli_command_is_documented(app):
    own_commands = set(app.cli.list_commands(None))

    assert own_commands and all(f"`{name}" in README for name in own_commands)


def test_every_role_is_documented():
    assert all(f"| `{role.value}` |" in README for role in Role)


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")

    assert "make test" in ci


# Serving in production: the Procfile, the systemd units in docs/deploy/ and the README name the same processes.

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "docs" / "deploy"
FLASK = "flask --app tracker "
PERIODIC = {"report-cleanup", "audit-signals", "send-digests", "purge-expired"}


def procfile():
    """``{process type: command}`` of the top-level Procfile (comments and blank lines left out)."""
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def unit_setting(path, name):
    """The value of ``name=`` in a systemd unit file, the virtual environment's bin folder left out."""
    values = [line.split("=", 1)[1] for line in path.read_text(encoding="utf-8").splitlines()
              if line.startswith(f"{name}=")]
    assert len(values) == 1, f"{path.name}: {name}= {values}"
    return values[0].replace("/srv/tracker/.venv/bin/", "")


def test_the_procfile_lists_the_web_server_the_worker_the_migration_and_the_periodic_jobs():
    processes = procfile()

    assert processes["web"].startswith("gunicorn -c python:tracker.serving ")
    assert processes["web"].endswith(" 'tracker:create_app()'")
    assert processes["worker"] == FLASK + "worker"
    assert processes["release"] == FLASK + "init-db"
    assert {name for name in processes if processes[name] == FLASK + name} - {"worker"} == PERIODIC


def test_each_periodic_job_has_a_systemd_timer_that_runs_its_procfile_command():
    timers = {path.name.removeprefix("tracker-").removesuffix(".timer") for path in DEPLOY.glob("*.timer")}

    assert timers == PERIODIC
    assert unit_setting(DEPLOY / "tracker-job@.service", "ExecStart") == FLASK + "%i"
    for name in PERIODIC:
        assert unit_setting(DEPLOY / f"tracker-{name}.timer", "Unit") == f"tracker-job@{name}.service"


def test_the_systemd_services_run_the_procfile_commands():
    processes = procfile()
    web = unit_setting(DEPLOY / "tracker-web.service", "ExecStart")

    assert web.startswith("gunicorn -c python:tracker.serving ") and web.endswith(" 'tracker:create_app()'")
    assert unit_setting(DEPLOY / "tracker-worker.service", "ExecStart") == processes["worker"]


def test_the_readme_names_every_process_of_the_procfile():
    serving = README[README.index("## Serving in production"):]

    assert all(f"| `{name}` | `{FLASK}{name}` |" in serving for name in PERIODIC)
    assert all(f"| `{name}` |" in serving for name in procfile())
