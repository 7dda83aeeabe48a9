"""``flask --app tracker report``: project and portfolio reports as HTML or PDF files, audited."""

import json

import pytest
from sqlmodel import select

from tracker.audit.models import AuditEntry


@pytest.fixture
def project(factory, session):
    project = factory.project()
    factory.outcome(project, status="substantiated", description="Officers refer children within a day.")
    factory.outcome(project, description="A draft outcome DRAFT-SENTINEL.")
    session.commit()
    return project


def run(app, *args):
    return app.test_cli_runner().invoke(args=["report", *args])


def test_the_donor_report_of_a_project_is_written_as_html(app, project, tmp_path, session):
    output = tmp_path / "report.html"

    result = run(app, project.slug, "--audience", "donor", "--format", "html", "-o", str(output))
    html = output.read_text(encoding="utf-8")

    assert result.exit_code == 0, result.output
    assert "Officers refer children within a day." in html and "DRAFT-SENTINEL" not in html
    assert "1 outcomes" in result.output and "Wrote the donor project report" in result.output
    assert "<style>" in html and "https://report.invalid" not in html
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "export",
                                                     AuditEntry.object_type == "report")).one()
    assert json.loads(entry.details)["audience"] == "donor" and entry.project_id == project.id


def test_the_internal_portfolio_report_is_written_as_pdf(app, project, tmp_path):
    output = tmp_path / "portfolio.pdf"

    result = run(app, "--portfolio", "--audience", "internal", "-o", str(output))

    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"%PDF") and "internal portfolio report" in result.output


def test_the_command_says_what_the_report_leaves_out_and_so_does_the_file(app, factory, project, session, tmp_path):
    factory.outcome(project, status="substantiated", change_date=None, description="An undated outcome UNDATED-7.")
    session.commit()
    output = tmp_path / "report.html"

    result = run(app, project.slug, "--audience", "donor", "--format", "html", "-o", str(output),
                 "--from", "2023-01-01", "--to", "2023-12-31")
    html = output.read_text(encoding="utf-8")

    assert result.exit_code == 0, result.output
    assert "What this report leaves out: undated outcomes 1; outcomes not substantiated 1 (not substantiated 1)." \
        in result.output
    assert "1 outcome has no date of change" in html and "UNDATED-7" not in html


def test_the_period_is_stated_on_the_cover(app, project, tmp_path):
    output = tmp_path / "report.html"

    result = run(app, project.slug, "--audience", "internal", "--format", "html", "-o", str(output),
                 "--from", "2023-01-01", "--to", "2023-06-30")

    assert result.exit_code == 0, result.output
    assert "Jan 1, 2023 – Jun 30, 2023" in output.read_text(encoding="utf-8")


@pytest.mark.parametrize("arguments, message", [
    ((), "Give either a project SLUG or --portfolio."),
    (("--portfolio", "some-project"), "Give either a project SLUG or --portfolio."),
    (("no-such-project",), "no project with slug 'no-such-project'"),
    (("PROJECT", "--from", "2023-06-01", "--to", "2023-01-01"), "the period must start before it ends"),
])
def test_bad_arguments_are_refused_and_nothing_is_written(app, project, tmp_path, arguments, message):
    output = tmp_path / "report.pdf"
    arguments = tuple(project.slug if value == "PROJECT" else value for value in arguments)

    result = run(app, *arguments, "--audience", "donor", "-o", str(output))

    assert result.exit_code == 2 and message in result.output and not output.exists()
