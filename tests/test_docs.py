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
