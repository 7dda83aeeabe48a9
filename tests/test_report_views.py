"""Report pages: the options form, the browser preview, report jobs, downloads and the consent lifecycle.

Jobs run synchronously here (``REPORT_JOB_RUNNER = "inline"``) on small projects built by the factory;
the thread pool is exercised once, end to end, on a database file of its own.
"""

import json
import re
import time
from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import select

from tests import stored_files
from tests.conftest import FAST_HASHING
from tests.factories import TEST_ACTOR
from tests.factories import Factory
from tracker import create_app
from tracker import migrate
from tracker.audit.models import AuditEntry
from tracker.common import blobs
from tracker.db import database
from tracker.evidence import services as evidence_services
from tracker.msc import services as story_services
from tracker.msc.models import Story
from tracker.reports import jobs
from tracker.reports import render
from tracker.reports import runner
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob

EXTERNAL_QUEUE = []


def remember_job(job_id):
    """A stand-in external queue (``REPORT_JOB_RUNNER`` names it by its dotted path): it only remembers the id."""
    EXTERNAL_QUEUE.append(job_id)


@pytest.fixture
def app(app):
    app.config["REPORT_JOB_RUNNER"] = "inline"
    return app


@pytest.fixture
def project(factory, session):
    """A small project with a theory of change, a claim, a substantiated outcome and a selected shared story."""
    project = factory.project()
    claim, links = factory.claim_with_chain(project)
    outcome = factory.outcome(project, status="substantiated")
    factory.evidence(project, "outcome", supports=links[:1], outcome_id=outcome.id, strength="strong")
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved", title="The sign for safe to tell")
    factory.decision(factory.panel(cycle), story)
    session.commit()
    return project


@pytest.fixture
def story(project, session):
    """The project's one selected, shared story."""
    return session.exec(select(Story).where(Story.project_id == project.id)).one()


def job_of(session, response):
    token = response.headers["Location"].rsplit("/", 1)[-1]
    session.expire_all()
    return session.exec(select(ReportJob).where(ReportJob.token == token)).one()


def prepare(submit, project, audience="donor", **extra):
    url = f"/projects/{project.slug}/reports"
    return submit(url, {"audience": audience, "action": "pdf", **extra})


def fetch(client, url):
    """GET ``url`` and close the response (file downloads stream from an open file)."""
    with client.get(url) as response:
        return response.status_code, response.headers, response.get_data()


def actions(session, object_type):
    return [entry.action for entry in session.scalars(select(AuditEntry).where(AuditEntry.object_type == object_type)
                                                      .order_by(AuditEntry.id))]


# Options and preview -------------------------------------------------------------------------------------


def test_donors_are_offered_the_donor_report_only(client, factory, login, project):
    login(factory.user("donor"))

    page = client.get(f"/projects/{project.slug}/reports").get_data(as_text=True)

    assert 'type="hidden" name="audience" value="donor"' in page and 'value="internal"' not in page


def test_staff_choose_the_audience(client, factory, login, project):
    login(factory.user("me"))

    page = client.get(f"/projects/{project.slug}/reports").get_data(as_text=True)

    assert 'type="radio"' in page and 'value="internal"' in page and 'value="donor"' in page


def test_the_project_page_and_the_portfolio_page_carry_the_report_form(client, factory, login, project):
    login(factory.user("donor"))

    assert f'action="/projects/{project.slug}/reports"' in client.get(f"/projects/{project.slug}").get_data(
        as_text=True)
    assert 'action="/reports/portfolio"' in client.get("/portfolio").get_data(as_text=True)


def test_the_preview_button_leads_to_the_browser_preview_of_the_same_options(client, factory, login, submit, project):
    login(factory.user("me"))

    response = submit(f"/projects/{project.slug}/reports",
                      {"audience": "internal", "period_from": "2023-01-01", "period_to": "2023-12-31",
                       "action": "preview"})

    assert response.status_code == 302
    assert response.headers["Location"] == (f"/projects/{project.slug}/reports/preview?audience=internal&"
                                            "language=en&period_from=2023-01-01&period_to=2023-12-31")


def test_the_preview_is_the_report_itself_with_every_section_and_no_inline_script_or_style(
        client, factory, login, project):
    login(factory.user("donor"))

    response = client.get(f"/projects/{project.slug}/reports/preview?audience=donor")
    page = response.get_data(as_text=True)

    assert response.status_code == 200 and "Content-Security-Policy" in response.headers
    for section in ("1. Summary of key figures", "2. Theory of change and its evidence", "6. Contribution claims",
                    "Annex A. Evidence", "Annex C. Data protection"):
        assert section in page
    assert "/static/css/report.css" in page and "The sign for safe to tell" in page
    assert "<script" not in page and "style=" not in page


def test_the_cover_states_the_reporting_period(client, factory, login, project):
    login(factory.user("me"))

    whole = client.get(f"/projects/{project.slug}/reports/preview?audience=donor").get_data(as_text=True)
    part = client.get(f"/projects/{project.slug}/reports/preview?audience=donor&period_from=2023-01-01&"
                      "period_to=2023-06-30").get_data(as_text=True)

    assert "The whole project: Jan 1, 2022 – Dec 31, 2024" in whole
    assert "Jan 1, 2023 – Jun 30, 2023" in part


def test_a_donor_asking_for_the_internal_report_gets_the_options_again_with_an_error(
        client, factory, login, submit, project, session):
    login(factory.user("donor"))

    preview = client.get(f"/projects/{project.slug}/reports/preview?audience=internal")
    posted = prepare(submit, project, "internal")

    assert preview.status_code == 200 and posted.status_code == 200
    assert "Not a valid choice" in posted.get_data(as_text=True)
    assert "Summary of key figures" not in preview.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(ReportJob)) == 0


def test_a_period_that_ends_before_it_starts_is_refused_with_the_dates_kept(client, factory, login, submit, project):
    login(factory.user("me"))

    response = prepare(submit, project, period_from="2023-06-01", period_to="2023-01-01")
    page = response.get_data(as_text=True)

    assert response.status_code == 200 and "The period must end on or after the day it starts." in page
    assert 'value="2023-06-01"' in page and 'value="2023-01-01"' in page


def test_a_grantee_gets_an_internal_report_of_their_project_and_nothing_of_others(client, factory, login, project):
    other = factory.project()
    login(factory.user("grantee", projects=[project]))

    assert client.get(f"/projects/{project.slug}/reports/preview?audience=internal").status_code == 200
    assert client.get(f"/projects/{other.slug}/reports/preview?audience=donor").status_code == 404
    assert client.get("/reports/portfolio/preview?audience=donor").status_code == 404


def test_user_text_is_escaped_in_the_preview(client, factory, login, session):
    project = factory.project()
    harvest = factory.harvest(project)
    factory.outcome(harvest.project, harvest, status="substantiated",
                    description='Officers now act <script>alert("x")</script> within a day.')
    session.commit()
    login(factory.user("me"))

    page = client.get(f"/projects/{project.slug}/reports/preview?audience=donor").get_data(as_text=True)

    assert "<script>" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_a_preview_is_audited_with_the_stories_it_shows(client, factory, login, project, session, story):
    login(factory.user("donor"))

    client.get(f"/projects/{project.slug}/reports/preview?audience=donor")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "report_preview")).one()

    assert entry.action == "read" and f"[{story.id}]" in entry.details


def test_an_internal_preview_is_audited_with_the_outcomes_it_shows(client, factory, login, project, session):
    outcome = factory.outcome(project, description="The provincial police set up a referral desk for children.")
    session.commit()
    login(factory.user("me"))

    client.get(f"/projects/{project.slug}/reports/preview?audience=internal")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "report_preview")).one()

    assert outcome.id in json.loads(entry.details)["outcomes"]


def test_the_portfolio_preview_shows_every_project(client, factory, login, project):
    second = factory.project()
    login(factory.user("donor"))

    page = client.get("/reports/portfolio/preview?audience=donor").get_data(as_text=True)

    assert project.title in page and second.title in page and "4. Synthesis across grantees" in page


# Jobs and downloads ----------------------------------------------------------------------------------------


def test_preparing_a_pdf_builds_it_and_offers_the_download_to_its_requester(
        app, client, factory, login, submit, project, session):
    login(factory.user("donor"))

    response = prepare(submit, project)
    job = job_of(session, response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    status, headers, body = fetch(client, f"/reports/{job.token}/download")

    assert job.status == JobStatus.DONE and "Your report is ready." in page and "http-equiv" not in page
    assert "being prepared" not in page
    assert status == 200 and body.startswith(b"%PDF") and headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith(f"attachment; filename={project.slug}-donor-report-")
    assert headers["Cache-Control"] == "private, no-store"
    assert stored_files.content(session, job.file_name) == body and not job.file_name.startswith(project.slug)
    assert actions(session, "report_job") == ["create", "download"] and actions(session, "report") == ["export"]


def test_the_file_records_the_stories_it_holds(client, factory, login, submit, project, session, story):
    login(factory.user("donor"))

    job = job_of(session, prepare(submit, project))
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()

    assert session.execute(sa.text("SELECT story_id FROM report_job_story WHERE job_id = :id"),
                           {"id": job.id}).scalars().all() == [story.id]
    assert f'"stories": [{story.id}]' in entry.details


def test_a_report_is_served_only_to_its_requester_or_to_m_and_e_staff(client, factory, login, submit, project,
                                                                       session):
    grantee = factory.user("grantee", projects=[project])
    login(grantee)
    internal = job_of(session, prepare(submit, project, "internal"))
    donor = job_of(session, prepare(submit, project, "donor"))

    login(factory.user("grantee", projects=[project]))
    assert client.get(f"/reports/{donor.token}").status_code == 404
    assert fetch(client, f"/reports/{donor.token}/download")[0] == 404
    login(factory.user("admin"))
    assert fetch(client, f"/reports/{internal.token}/download")[0] == 404
    assert fetch(client, f"/reports/{donor.token}/download")[0] == 200
    login(factory.user("me"))
    assert fetch(client, f"/reports/{internal.token}/download")[0] == 200


def test_an_expired_link_stops_working_and_the_file_is_deleted(app, client, factory, login, submit, project, session):
    donor = factory.user("donor")
    login(donor)
    job = job_of(session, prepare(submit, project))
    key = job.file_name

    with time_machine.travel(job.expires_at + timedelta(minutes=1)):
        login(donor)
        status, _headers, body = fetch(client, f"/reports/{job.token}/download")

    assert status == 410 and "This download link has expired" in body.decode()
    assert stored_files.content(session, key) is None


def test_report_cleanup_expires_old_links_and_deletes_files_no_record_points_to(app, factory, login, client, submit,
                                                                                 project, session):
    login(factory.user("donor"))
    job = job_of(session, prepare(submit, project))
    document = evidence_services.create_item(session, TEST_ACTOR, project, "document", {"title": "Referral review"},
                                             upload=("review.txt", b"Referral review"))
    stray = blobs.save(session, b"%PDF-1.7 left by a crash", "application/pdf")
    session.commit()

    with time_machine.travel(job.expires_at + timedelta(hours=1)):
        result = app.test_cli_runner().invoke(args=["report-cleanup"])

    assert result.exit_code == 0 and "Expired 1 report link(s); deleted 1 file(s)" in result.output
    assert stored_files.content(session, stray) is None and stored_files.count(session) == (1, 1)
    assert stored_files.content(session, document.stored_name) == b"Referral review"


def test_a_failed_job_says_it_failed_offers_to_try_again_and_keeps_no_file(app, client, factory, login, submit,
                                                                          project, session, monkeypatch, caplog):
    def broken(_html):
        raise RuntimeError("the PDF renderer choked on Somchai's story")

    monkeypatch.setattr(render, "pdf_bytes", broken)
    login(factory.user("donor"))

    response = prepare(submit, project, period_from="2023-01-01")
    job = job_of(session, response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert job.status == JobStatus.FAILED and job.file_name == ""
    assert "Failed: the report could not be prepared." in page and "http-equiv" not in page
    assert "An unexpected error stopped the preparation of this report." in page
    assert f'action="/projects/{project.slug}/reports"' in page and ">Try again</button>" in page
    assert 'name="period_from" value="2023-01-01"' in page and 'name="action" value="pdf"' in page
    assert "Somchai" not in page and "Somchai" not in job.error and "Somchai" not in caplog.text
    assert f"Report job {job.id} failed: RuntimeError" in caplog.text
    assert client.get(f"/reports/{job.token}/download").status_code == 404
    assert stored_files.count(session) == (0, 0)


def test_trying_a_failed_report_again_prepares_it_with_the_same_options(client, factory, login, submit, project,
                                                                       session, monkeypatch):
    def broken(_html):
        raise RuntimeError("out of memory")

    login(factory.user("me"))
    with monkeypatch.context() as patched:
        patched.setattr(render, "pdf_bytes", broken)
        failed = job_of(session, prepare(submit, project, "internal", period_to="2023-06-30", language="fr"))
    page = client.get(f"/reports/{failed.token}").get_data(as_text=True)
    fields = dict(re.findall(r'<input (?:id="[\w-]+" )?(?:type="hidden" )?name="([\w-]+)"(?: type="hidden")? '
                             r'value="([^"]*)"', page))

    again = job_of(session, client.post(f"/projects/{project.slug}/reports", data=fields))

    assert again.id != failed.id and again.status == JobStatus.DONE
    assert (again.audience, again.period_end, again.language) == (failed.audience, failed.period_end, "fr")


def test_a_job_waiting_for_an_external_queue_shows_a_progress_page_that_refreshes_itself(
        app, client, factory, login, submit, project, session):
    app.config["REPORT_JOB_RUNNER"] = f"{__name__}:remember_job"
    EXTERNAL_QUEUE.clear()
    login(factory.user("donor"))

    response = prepare(submit, project)
    job = job_of(session, response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert EXTERNAL_QUEUE == [job.id] and job.status == JobStatus.QUEUED
    assert '<meta http-equiv="refresh" content="3">' in page and "being prepared" in page
    jobs.run_job(app, job.id)
    session.expire_all()
    assert session.get(ReportJob, job.id).status == JobStatus.DONE


def test_a_double_click_prepares_one_report(client, factory, login, project, session):
    login(factory.user("donor"))
    page = client.get(f"/projects/{project.slug}/reports").get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"', page))

    for _click in range(2):
        client.post(f"/projects/{project.slug}/reports", data={**fields, "action": "pdf"})

    assert session.scalar(sa.select(sa.func.count()).select_from(ReportJob)) == 1


def test_the_reports_list_runs_the_same_number_of_queries_for_2_or_12_reports(
        client, factory, login, project, session, count_queries):
    user = factory.user("donor")
    login(user)

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(ReportJob)) < total:
            jobs.create_job(session, TEST_ACTOR, user, fund=factory.fund(), project=project, audience="donor")
        session.commit()
        with count_queries() as counter:
            assert client.get("/reports").status_code == 200
        return counter.count

    assert queries_with(2) == queries_with(12)


def test_a_donor_prepares_the_portfolio_report(client, factory, login, submit, project, session):
    login(factory.user("donor"))

    response = submit("/reports/portfolio", {"audience": "donor", "action": "pdf"}, page="/reports")
    job = job_of(session, response)

    assert job.status == JobStatus.DONE and job.project_id is None
    assert fetch(client, f"/reports/{job.token}/download")[1]["Content-Disposition"].startswith(
        "attachment; filename=portfolio-donor-report-")


# The consent lifecycle -----------------------------------------------------------------------------------


def test_withdrawing_consent_deletes_every_report_file_that_held_the_story_and_its_link_stops_working(
        app, client, factory, login, submit, project, session, story):
    login(factory.user("me"))
    holding = [job_of(session, prepare(submit, project, audience)) for audience in ("donor", "internal")]
    other = factory.project()
    session.commit()
    unrelated = job_of(session, prepare(submit, other))
    keys = [job.file_name for job in holding]

    with app.app_context():
        story_services.withdraw_consent(session, TEST_ACTOR, story, date.today(), "The family asked.",
                                        story.consent.version)
        session.commit()
    session.expire_all()

    assert [session.get(ReportJob, job.id).status for job in holding] == [JobStatus.REVOKED, JobStatus.REVOKED]
    assert not any(stored_files.content(session, key) is not None for key in keys)
    assert fetch(client, f"/reports/{holding[0].token}/download")[0] == 410
    assert session.get(ReportJob, unrelated.id).status == JobStatus.DONE
    assert fetch(client, f"/reports/{unrelated.token}/download")[0] == 200
    assert actions(session, "report_job").count("revoke") == 2


def test_restricting_a_story_in_a_safeguarding_review_revokes_the_reports_that_held_it(
        app, client, factory, login, submit, project, session, story):
    login(factory.user("donor"))
    job = job_of(session, prepare(submit, project))
    key = job.file_name

    with app.app_context():
        story_services.review_safeguarding(session, TEST_ACTOR, story, {"status": "restricted",
                                                                       "note": "Identifying."}, story.version)
        session.commit()
    session.expire_all()

    assert session.get(ReportJob, job.id).status == JobStatus.REVOKED and stored_files.content(session, key) is None


def test_a_withdrawal_that_is_rolled_back_leaves_the_report_working(app, client, factory, login, submit, project,
                                                                    session, story):
    login(factory.user("donor"))
    job = job_of(session, prepare(submit, project))
    key = job.file_name

    with app.app_context():
        story_services.withdraw_consent(session, TEST_ACTOR, story, date.today(), "", story.consent.version)
        session.rollback()

    assert stored_files.content(session, key) is not None and fetch(client, f"/reports/{job.token}/download")[0] == 200


def test_a_story_withdrawn_while_its_report_is_prepared_fails_the_job_without_a_file(
        app, factory, login, client, submit, project, session, monkeypatch, story):
    original = render.pdf_bytes

    def withdraw_meanwhile(html):
        content = original(html)
        with database(app).new_session() as other:
            mine = other.get(Story, story.id)
            story_services.withdraw_consent(other, TEST_ACTOR, mine, date.today(), "", mine.consent.version)
            other.commit()
        return content

    monkeypatch.setattr(render, "pdf_bytes", withdraw_meanwhile)
    login(factory.user("donor"))

    job = job_of(session, prepare(submit, project))

    assert job.status == JobStatus.FAILED and "stopped being shareable" in job.error
    assert stored_files.count(session) == (0, 0)


# The thread pool, end to end --------------------------------------------------------------------------


def test_the_default_thread_pool_builds_the_report_in_the_background(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'pool.sqlite'}", "SECRET_KEY": "pool",
                      **FAST_HASHING})
    migrate.upgrade(database(app).engine)
    with database(app).new_session() as session:
        factory = Factory(session, app.extensions["tracker.hasher"])
        project, user = factory.project(), factory.user("donor")
        job = jobs.create_job(session, TEST_ACTOR, user, fund=factory.fund(), project=project, audience="donor")
        session.commit()
        job_id = job.id

    runner.submit(app, job_id)
    runner.thread_runner(app).shutdown(wait=True)
    deadline = time.monotonic() + 5
    with database(app).new_session() as session:
        while session.get(ReportJob, job_id).status != JobStatus.DONE and time.monotonic() < deadline:
            session.expire_all()
        finished = session.get(ReportJob, job_id)
        assert finished.status == JobStatus.DONE and stored_files.content(session, finished.file_name)[:4] == b"%PDF"
    database(app).engine.dispose()
