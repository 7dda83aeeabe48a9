"""Issue 14's reproduction on the loaded demo: a donor PDF stops being served the moment donor scope is unticked."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests import stored_files
from tests.conftest import csrf_from
from tests.test_report_views import fetch
from tests.test_report_views import job_of
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.msc.models import Story
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob


@pytest.fixture
def engine(demo_engine):
    """Every test here runs on the loaded demo portfolio, inside a rolled-back transaction."""
    return demo_engine


def demo_user(session, role):
    return session.scalars(sa.select(User).where(User.role == role).order_by(User.id)).first()


def consent_form(story, **changes):
    consent = story.consent
    values = {name: getattr(consent, name) for name in (
        "storyteller_consent", "guardian_consent", "child_assent", "scope_internal", "scope_donor", "scope_public",
        "named")} | changes
    return {**{name: "y" for name, ticked in values.items() if ticked},
            "obtained_on": consent.obtained_on.isoformat(), "form_name": consent.form_name,
            "form_version": consent.form_version, "version": consent.version}


def test_unticking_donor_scope_on_story_7_stops_the_thailand_helpline_donor_pdf_and_deletes_it(
        app, client, login, submit, session):
    story = session.get(Story, 7)
    assert story.project.slug == "thailand-helpline" and story.consent.scope_donor
    donor, staff = demo_user(session, "donor"), demo_user(session, "me")
    login(donor)
    job = job_of(session, submit("/projects/thailand-helpline/reports", {"audience": "donor", "action": "pdf"}))
    key = job.file_name
    assert job.status == JobStatus.DONE and stored_files.content(session, key) is not None
    assert fetch(client, f"/reports/{job.token}/download")[0] == 200

    staff_client = app.test_client()
    login(staff, staff_client)
    consent_page = "/projects/thailand-helpline/stories/7/consent"
    token = csrf_from(staff_client.get(consent_page).get_data(as_text=True))
    unticked = consent_form(story, scope_donor=False, scope_public=False)
    response = staff_client.post(consent_page, data={"csrf_token": token, **unticked})
    assert response.status_code == 302
    session.expire_all()

    status, _headers, body = fetch(client, f"/reports/{job.token}/download")
    assert status == 410 and "no longer agrees to a story in this report reaching donors" in body.decode()
    assert stored_files.content(session, key) is None
    assert session.get(ReportJob, job.id).revoked_reason == "donor_scope_removed"
    revocation = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "report_job",
                                                          AuditEntry.action == "revoke")).one()
    assert revocation.object_id == str(job.id) and '"stories": [7]' in revocation.details

