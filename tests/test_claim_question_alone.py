"""Finding 1: a claim created through the API as its cause–effect question alone (Mayne's step 1) once made every
report that included it fail (``'NoneType' object has no attribute 'title'``). These are its regression tests: the
project's donor and internal previews and PDFs, the CLI report and the fund-wide donor portfolio report."""

import html

import pytest
from sqlmodel import select

from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob

QUESTION = "Did the LINE channel contribute to more children reaching counsellors?"


@pytest.fixture
def app(app):
    app.config["REPORT_JOB_RUNNER"] = "inline"
    return app


@pytest.fixture
def project(factory, session, api_as):
    """A project with a claim at step 4, and one created through the API as its title and question alone."""
    project = factory.project()
    factory.assessed_claim(project)
    session.commit()
    response = api_as(factory.user("me")).post(f"/api/v1/projects/{project.slug}/claims", json={
        "title": "Chat brought children to counsellors", "cause_effect_question": QUESTION})
    assert response.status_code == 201 and response.get_json()["outcome_node_id"] is None
    return project


def preview(client, url, **arguments):
    response = client.get(url, query_string={"language": "en", **arguments})
    return response.status_code, html.unescape(response.get_data(as_text=True))


def prepared_pdf(client, submit, url, page, **fields):
    response = submit(url, {"action": "pdf", **fields}, page=page)
    token = response.headers["Location"].rsplit("/", 1)[-1]
    with client.get(f"/reports/{token}/download") as download:
        return token, download.status_code, download.get_data()


@pytest.mark.parametrize("audience", ["internal", "donor"])
def test_the_project_preview_shows_a_claim_that_is_only_its_question(client, factory, login, project, audience):
    login(factory.user("me"))

    status, page = preview(client, f"/projects/{project.slug}/reports/preview", audience=audience,
                           claims_in_progress="y")

    assert status == 200 and QUESTION in page


def test_the_project_preview_for_donors_leaves_the_question_alone_out_by_default(client, factory, login, project):
    login(factory.user("donor"))

    status, page = preview(client, f"/projects/{project.slug}/reports/preview", audience="donor")

    assert status == 200 and QUESTION not in page
    assert "1 claim still below step 4 of contribution analysis is left out of this report" in page


@pytest.mark.parametrize("audience", ["internal", "donor"])
def test_the_project_pdf_is_built_with_a_claim_that_is_only_its_question(client, factory, login, submit, project,
                                                                         session, audience):
    login(factory.user("me"))

    token, status, body = prepared_pdf(client, submit, f"/projects/{project.slug}/reports",
                                       f"/projects/{project.slug}/reports", audience=audience,
                                       claims_in_progress="y")

    session.expire_all()
    job = session.exec(select(ReportJob).where(ReportJob.token == token)).one()
    assert job.status == JobStatus.DONE and job.claims_in_progress, job.error
    assert status == 200 and body.startswith(b"%PDF")


@pytest.mark.parametrize("options", [[], ["--claims-in-progress"]])
def test_the_cli_report_is_written_with_a_claim_that_is_only_its_question(app, project, tmp_path, options):
    output = tmp_path / "report.html"

    result = app.test_cli_runner().invoke(args=["report", project.slug, "--audience", "donor", "--format", "html",
                                                "-o", str(output), *options])
    internal = app.test_cli_runner().invoke(args=["report", project.slug, "--audience", "internal", "--format",
                                                  "html", "-o", str(tmp_path / "internal.html")])

    assert result.exit_code == 0, result.output
    assert internal.exit_code == 0, internal.output
    assert (QUESTION in output.read_text(encoding="utf-8")) is bool(options)
    assert QUESTION in (tmp_path / "internal.html").read_text(encoding="utf-8")


def test_the_fund_wide_donor_portfolio_report_is_built_with_a_claim_that_is_only_its_question(
        client, factory, login, submit, project, session):
    login(factory.user("me"))

    status, page = preview(client, "/reports/portfolio/preview", audience="donor", claims_in_progress="y")
    token, pdf_status, body = prepared_pdf(client, submit, "/reports/portfolio", "/reports", audience="donor")

    assert status == 200 and QUESTION in page and "Work in progress: claims not yet assessed" in page
    assert pdf_status == 200 and body.startswith(b"%PDF")
