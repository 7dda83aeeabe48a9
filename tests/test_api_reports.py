"""Reports through the API: request, follow, download, revoke, with the web's permissions, audit and lifecycle.

Jobs run through the real inline runner (the test configuration's ``REPORT_JOB_RUNNER = "inline"``), so a
request answers with the job already built; the PDF is read back with pypdf.
"""

import io
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine
from pypdf import PdfReader
from sqlmodel import select

from tests import stored_files
from tests.api_support import assert_problem
from tests.factories import TEST_ACTOR
from tracker.audit.models import AuditEntry
from tracker.auth import services as auth_services
from tracker.db_types import MAX_ID
from tracker.msc import services as story_services
from tracker.msc.models import Story
from tracker.reports import jobs
from tracker.reports import render
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob


@pytest.fixture
def project(factory, session):
    """A small project with a theory of change, a substantiated outcome and a selected story donors may read."""
    project = factory.project(title="Safer chat for Chiang Rai schools")
    factory.claim_with_chain(project)
    factory.outcome(project, status="substantiated")
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved", title="The sign for safe to tell")
    factory.decision(factory.panel(cycle), story)
    session.commit()
    return project


@pytest.fixture
def story(project, session):
    return session.exec(select(Story).where(Story.project_id == project.id)).one()


@pytest.fixture
def donor(factory):
    return factory.user("donor")


@pytest.fixture
def donor_api(api_as, donor):
    return api_as(donor)


def request_report(api, project=None, /, **values):
    body = {"kind": "project", "project": project.slug, "audience": "donor"} if project else {
        "kind": "portfolio", "audience": "donor"}
    return api.post("/api/v1/reports", json={**body, **values})


def requested(api, project=None, /, **values):
    response = request_report(api, project, **values)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()


def download(api, report):
    with api.get(report["download_url"] if report.get("download_url") else f"{report['url']}/file") as response:
        return response.status_code, response.headers, response.get_data()


def audited(session, action, object_type):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                    AuditEntry.object_type == object_type)).all()


# Request, follow, download -------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_a_requested_report_answers_202_with_its_address_in_location_and_url(donor_api, project):
    response = request_report(donor_api, project)

    body = response.get_json()
    assert response.status_code == 202
    assert response.headers["Location"] == body["url"] == f"/api/v1/reports/{body['id']}"
    assert (body["kind"], body["project"], body["audience"], body["format"]) == (
        "project", project.slug, "donor", "pdf")


@pytest.mark.both_backends
def test_polling_a_built_report_gives_its_status_progress_and_download_link(donor_api, project):
    report = requested(donor_api, project)

    polled = donor_api.get(report["url"])

    body = polled.get_json()
    assert polled.status_code == 200 and polled.headers["Cache-Control"] == "no-store"
    assert body["status"] == "done" and body["progress"] == {"done": 1, "total": 1}
    assert body["download_url"] == f"/api/v1/reports/{report['id']}/file"
    assert body["expires_at"] and body["file_size"] > 0 and body["reason"] is None


@pytest.mark.both_backends
def test_the_download_is_the_pdf_of_the_report(donor_api, project):
    report = requested(donor_api, project, language="fr")

    status, headers, content = download(donor_api, report)

    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith(f"attachment; filename={project.slug}-donor-report-")
    assert headers["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) > 1 and reader.metadata.title
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Safer chat for Chiang Rai schools" in cover and "Rapport sur les données probantes" in cover
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_the_link_lasts_as_long_as_on_the_web(app, donor_api, project):
    report = requested(donor_api, project)

    body = donor_api.get(report["url"]).get_json()

    lasts = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["finished_at"])
    assert lasts == timedelta(hours=app.config["REPORT_LINK_HOURS"])


def leave_queued(_job_id):
    """``REPORT_JOB_RUNNER`` for a report no worker has taken yet."""


def test_a_report_no_worker_took_yet_reads_queued_with_nothing_done_and_no_file(app, donor_api, project):
    app.config["REPORT_JOB_RUNNER"] = f"{__name__}:leave_queued"

    report = requested(donor_api, project)

    assert (report["status"], report["progress"], report["download_url"]) == ("queued", {"done": 0, "total": 1}, None)
    assert_problem(donor_api.get(f"{report['url']}/file"), 404)


def test_a_queued_report_revoked_before_a_worker_takes_it_is_never_built(app, donor_api, project, session):
    app.config["REPORT_JOB_RUNNER"] = f"{__name__}:leave_queued"
    report = requested(donor_api, project)

    donor_api.delete(report["url"])
    jobs.run_job(app, report["id"])

    session.expire_all()
    job = session.get(ReportJob, report["id"])
    assert (job.status, job.file_name) == (JobStatus.REVOKED, "") and stored_files.count(session) == (0, 0)


def test_an_html_report_of_the_portfolio_downloads_as_html(api_as, factory, project):
    api = api_as(factory.user("me"))
    report = requested(api, audience="internal", format="html")

    status, headers, content = download(api, report)

    assert report["project"] is None and report["kind"] == "portfolio"
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Disposition"].startswith("attachment; filename=portfolio-internal-report-")
    assert b"Safer chat for Chiang Rai schools" in content


def test_the_request_the_build_and_the_download_are_audited_as_on_the_web(donor_api, donor, project, session,
                                                                          story):
    report = requested(donor_api, project)
    download(donor_api, report)

    (created,) = audited(session, "create", "report_job")
    (built,) = audited(session, "export", "report")
    (downloaded,) = audited(session, "download", "report_job")
    assert created.object_id == built.object_id == downloaded.object_id == str(report["id"])
    assert {created.actor_id, built.actor_id, downloaded.actor_id} == {donor.id}
    assert f'"stories": [{story.id}]' in built.details and created.ip and downloaded.ip


def test_a_failed_report_says_why_and_has_no_file(donor_api, project, monkeypatch):
    def broken(_html):
        raise RuntimeError("the PDF renderer choked on Somchai's story")

    monkeypatch.setattr(render, "pdf_bytes", broken)

    report = requested(donor_api, project)

    assert report["status"] == "failed" and report["download_url"] is None
    assert report["reason"] == "An unexpected error stopped the preparation of this report."
    assert report["progress"] == {"done": 0, "total": 1}
    assert_problem(donor_api.get(f"{report['url']}/file"), 404)


# Revocation, consent withdrawal, expiry -----------------------------------------------------------------


@pytest.mark.both_backends
def test_delete_revokes_the_report_and_its_file_answers_410(app, donor_api, donor, project, session):
    report = requested(donor_api, project)
    key = session.get(ReportJob, report["id"]).file_name

    response = donor_api.delete(report["url"])

    assert response.status_code == 204 and response.get_data() == b""
    body = donor_api.get(report["url"]).get_json()
    assert (body["status"], body["revoked_reason"], body["download_url"]) == ("revoked", "revoked_on_request", None)
    problem = assert_problem(donor_api.get(f"{report['url']}/file"), 410)
    assert problem["revoked_reason"] == "revoked_on_request" and "revoked on request" in problem["detail"]
    session.expire_all()
    assert stored_files.content(session, key) is None
    (revoked,) = audited(session, "revoke", "report_job")
    assert revoked.actor_id == donor.id and revoked.object_id == str(report["id"])


def test_revoking_twice_changes_nothing_the_second_time(donor_api, project, session):
    report = requested(donor_api, project)

    assert donor_api.delete(report["url"]).status_code == 204
    assert donor_api.delete(report["url"]).status_code == 204

    assert len(audited(session, "revoke", "report_job")) == 1


@pytest.mark.both_backends
def test_withdrawn_consent_revokes_the_report_and_its_file_answers_410(app, donor_api, project, session, story):
    report = requested(donor_api, project)

    with app.app_context():
        story_services.withdraw_consent(session, TEST_ACTOR, story, date.today(), "The family asked.",
                                        story.consent.version)
        session.commit()

    body = donor_api.get(report["url"]).get_json()
    assert (body["status"], body["revoked_reason"]) == ("revoked", "consent_withdrawn")
    assert body["reason"] == "A storyteller withdrew consent for a story in this report."
    assert assert_problem(donor_api.get(f"{report['url']}/file"), 410)["revoked_reason"] == "consent_withdrawn"


def test_an_expired_link_reads_expired_and_answers_410(app, donor_api, project, session):
    report = requested(donor_api, project)
    job = session.get(ReportJob, report["id"])
    key = job.file_name

    with time_machine.travel(job.expires_at + timedelta(minutes=1)):
        body = donor_api.get(report["url"]).get_json()
        problem = assert_problem(donor_api.get(f"{report['url']}/file"), 410)

    assert body["status"] == "expired" and body["download_url"] is None and body["expires_at"]
    assert problem["report_status"] == "expired" and "expired" in problem["detail"]
    session.expire_all()
    assert stored_files.content(session, key) is None


# Permissions -----------------------------------------------------------------------------------------------


def test_another_user_gets_404_on_every_report_address(api_as, factory, donor_api, project, session):
    report = requested(donor_api, project)
    other = api_as(factory.user("donor"))

    for response in (other.get(report["url"]), other.get(f"{report['url']}/file"), other.delete(report["url"])):
        assert_problem(response, 404)
    session.expire_all()
    assert session.get(ReportJob, report["id"]).status == JobStatus.DONE


def test_a_grantee_of_the_project_sees_only_their_own_reports(api_as, factory, project):
    mine = requested(api_as(factory.user("grantee", projects=[project])), project, audience="internal")
    colleague = api_as(factory.user("grantee", projects=[project]))

    assert_problem(colleague.get(mine["url"]), 404)


def test_m_and_e_staff_see_every_report(api_as, factory, project):
    internal = requested(api_as(factory.user("grantee", projects=[project])), project, audience="internal")

    status, _headers, content = download(api_as(factory.user("me")), internal)

    assert status == 200 and content.startswith(b"%PDF")


def test_administrators_see_donor_reports_but_not_internal_ones(api_as, factory, project):
    grantee = api_as(factory.user("grantee", projects=[project]))
    internal, donor_report = requested(grantee, project, audience="internal"), requested(grantee, project)
    admin = api_as(factory.user("admin"))

    assert_problem(admin.get(internal["url"]), 404)
    assert admin.get(donor_report["url"]).get_json()["status"] == "done"


def test_a_donor_may_only_request_the_donor_report(donor_api, project, session):
    problem = assert_problem(request_report(donor_api, project, audience="internal"), 422)

    assert problem["errors"] == [{"field": "audience", "message": "You may only request the donor report."}]
    assert session.scalars(select(ReportJob)).all() == []


def test_a_grantee_may_not_request_the_portfolio_report(api_as, factory, project):
    grantee = api_as(factory.user("grantee", projects=[project]))

    problem = assert_problem(request_report(grantee, audience="internal"), 422)

    assert [error["field"] for error in problem["errors"]] == ["kind"]


def test_a_project_the_token_may_not_see_reads_as_one_that_does_not_exist(api_as, factory, project):
    grantee = api_as(factory.user("grantee", projects=[factory.project()]))

    hidden = assert_problem(request_report(grantee, project, audience="internal"), 422)
    missing = assert_problem(grantee.post("/api/v1/reports", json={
        "kind": "project", "project": "no-such-project", "audience": "internal"}), 422)

    assert hidden["errors"] == missing["errors"] == [
        {"field": "project", "message": "There is no project with this name that you may see."}]
    assert project.title not in str(hidden)


def test_a_user_whose_access_was_removed_gets_410_with_the_reason(api_as, factory, project, session):
    grantee = factory.user("grantee", projects=[project])
    api = api_as(grantee)
    report = requested(api, project, audience="internal")

    auth_services.set_memberships(session, TEST_ACTOR, grantee, [])
    session.commit()

    problem = assert_problem(api.get(f"{report['url']}/file"), 410)
    assert problem["revoked_reason"] == "access_changed"


@pytest.mark.parametrize("report_id", [0, MAX_ID + 1, 10**30])
def test_ids_no_report_can_have_answer_404(donor_api, report_id):
    assert_problem(donor_api.get(f"/api/v1/reports/{report_id}"), 404)
    assert_problem(donor_api.get(f"/api/v1/reports/{report_id}/file"), 404)
    assert_problem(donor_api.delete(f"/api/v1/reports/{report_id}"), 404)


def test_without_a_token_nothing_is_answered(client, project):
    response = client.post("/api/v1/reports", json={"kind": "portfolio", "audience": "donor"})

    assert_problem(response, 401)


# Validation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values, fields", [
    ({"kind": "project", "project": None}, ["project"]),
    ({"kind": "portfolio"}, ["project"]),
    ({"language": "de"}, ["language"]),
    ({"period_start": "2024-06-01", "period_end": "2024-01-31"}, ["period_end"]),
    ({"period_start": "01/06/2024"}, ["period_start"]),
    ({"audience": "public"}, ["audience"]),
    ({"format": "docx"}, ["format"]),
    ({"kind": "annual"}, ["kind"]),
    ({"project": "Not A Slug"}, ["project"]),
    ({"colour": "blue"}, ["colour"]),
], ids=["project-missing", "project-with-portfolio", "language", "period-reversed", "date-format", "audience",
        "format", "kind", "slug", "unknown-field"])
def test_invalid_requests_are_problems_naming_each_field(api_as, factory, project, session, values, fields):
    api = api_as(factory.user("me"))

    problem = assert_problem(request_report(api, project, **values), 422)

    assert [error["field"] for error in problem["errors"]] == fields
    assert session.scalars(select(ReportJob)).all() == []


def test_a_body_that_is_not_json_is_refused(donor_api):
    response = donor_api.client.post("/api/v1/reports", data="kind=portfolio", headers=donor_api.headers(
        {"Content-Type": "application/x-www-form-urlencoded"}))

    assert_problem(response, 415)
