"""Donor report files follow the donor rule at every moment (issue 14 §1).

A donor report is revoked by every change that can take one of its stories out, whatever the path:
each kind of change below is made through its own service (or, for a move, through the ORM as a future
path would), the transaction commits, and the link answers 410 with the reason, the file is gone and the
revocation is audited. The download itself asks the donor rule again, so even a change made behind the
ORM's back (plain SQL) stops the file.
"""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests import stored_files
from tests.factories import TEST_ACTOR
from tests.test_report_views import fetch
from tests.test_report_views import job_of
from tests.test_report_views import prepare
from tracker.audit.models import AuditEntry
from tracker.auth import services as auth_services
from tracker.msc import donor_version
from tracker.msc import services as story_services
from tracker.msc.models import ConsentRecord
from tracker.msc.models import Story
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportJobStory


@pytest.fixture
def project(factory, session):
    """A project with one selected story donors may read (consent, safeguarding and donor version approved)."""
    project = factory.project()
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved", title="The sign for safe to tell")
    factory.decision(factory.panel(cycle), story)
    session.commit()
    return project


@pytest.fixture
def story(project, session):
    return session.exec(select(Story).where(Story.project_id == project.id)).one()


def consent_values(consent, **changes):
    return {name: getattr(consent, name) for name in (
        "storyteller_consent", "guardian_consent", "child_assent", "obtained_on", "form_name", "form_version",
        "scope_internal", "scope_donor", "scope_public", "named")} | changes


def untick_donor_scope(session, factory, story):
    story_services.record_consent(session, TEST_ACTOR, story, consent_values(story.consent, scope_donor=False),
                                  story.consent.version)


def withdraw(session, factory, story):
    story_services.withdraw_consent(session, TEST_ACTOR, story, date.today(), "", story.consent.version)


def back_to_pending(session, factory, story):
    story_services.review_safeguarding(session, TEST_ACTOR, story, {"status": "pending"}, story.version)


def restrict(session, factory, story):
    story_services.review_safeguarding(session, TEST_ACTOR, story, {"status": "restricted", "note": "Identifying."},
                                       story.version)


def unapprove_donor_version(session, factory, story):
    donor_version.clear_approval(story)
    session.add(story)
    session.flush()


def edit_donor_version(session, factory, story):
    texts = {item.language: {name: getattr(item, name) for name in donor_version.TEXT_FIELDS}
             for item in story.donor_texts}
    texts[story.language]["why_significant"] = "She now knows where to turn, and so do her friends."
    factory.donor_version(story, texts)


def edit_story(session, factory, story):
    values = {name: getattr(story, name) for name in (
        "cycle_id", "domain_id", "title", "what_happened", "why_significant", "events_when", "country_code", "place",
        "collector", "collected_on", "storyteller_pseudonym", "storyteller_category", "age_band", "language")}
    story_services.update_story(session, TEST_ACTOR, story.project, story,
                                {**values, "title": "The sign for safe to tell, told again"}, story.version)


def add_translation(session, factory, story):
    story_services.save_translation(session, TEST_ACTOR, story, {
        "language": "th", "title": "สัญญาณว่าปลอดภัย", "what_happened": "เธอเล่าให้เพื่อนฟัง",
        "why_significant": "เธอรู้ว่าจะไปหาใคร"})


def move_story(session, factory, story):
    story.project_id = factory.project().id
    session.add(story)
    session.flush()


def erase_story(session, factory, story):
    consent = session.get(ConsentRecord, story.consent_id)
    session.delete(story)
    session.flush()
    session.delete(consent)
    session.flush()


CHANGES = [
    (untick_donor_scope, "donor_scope_removed", "no longer agrees to a story in this report reaching donors"),
    (withdraw, "consent_withdrawn", "withdrew consent"),
    (back_to_pending, "safeguarding_pending", "went back to safeguarding review"),
    (restrict, "restricted", "restricted in a safeguarding review"),
    (unapprove_donor_version, "donor_version_changed", "donor version of a story in this report was unapproved"),
    (edit_donor_version, "donor_version_changed", "donor version of a story in this report was unapproved"),
    (edit_story, "story_edited", "was edited since the report was prepared"),
    (add_translation, "story_edited", "was edited since the report was prepared"),
    (move_story, "story_moved", "moved to another project"),
    (erase_story, "story_erased", "was erased"),
]


def revocations(session):
    return session.scalars(select(AuditEntry).where(AuditEntry.object_type == "report_job",
                                                    AuditEntry.action == "revoke")).all()


@pytest.mark.parametrize(("change", "reason", "told"), CHANGES, ids=[change.__name__ for change, *_ in CHANGES])
def test_every_change_that_can_take_a_story_out_revokes_the_donor_report_holding_it(
        app, client, factory, login, submit, project, session, story, change, reason, told):
    login(factory.user("donor"))
    job = job_of(session, prepare(submit, project))
    key = job.file_name
    assert job.status == JobStatus.DONE and stored_files.content(session, key) is not None

    with app.app_context():
        change(session, factory, story)
        session.commit()
    session.expire_all()

    status, _headers, body = fetch(client, f"/reports/{job.token}/download")
    assert status == 410 and told in body.decode()
    assert session.get(ReportJob, job.id).revoked_reason == reason and stored_files.content(session, key) is None
    assert [entry.object_id for entry in revocations(session)] == [str(job.id)]


def test_removing_the_requesters_membership_revokes_their_reports_of_that_project(
        app, client, factory, login, submit, project, session):
    grantee = factory.user("grantee", projects=[project])
    session.commit()
    login(grantee)
    job = job_of(session, prepare(submit, project, "internal"))
    key = job.file_name

    with app.app_context():
        auth_services.set_memberships(session, TEST_ACTOR, grantee, [])
        session.commit()
    session.expire_all()

    status, _headers, body = fetch(client, f"/reports/{job.token}/download")
    assert status == 410 and "Your access to this project changed" in body.decode()
    assert session.get(ReportJob, job.id).revoked_reason == "access_changed"
    assert stored_files.content(session, key) is None
    assert len(revocations(session)) == 1


def test_a_donor_version_change_leaves_internal_reports_alone(app, client, factory, login, submit, project, session,
                                                              story):
    login(factory.user("me"))
    internal = job_of(session, prepare(submit, project, "internal"))
    donor = job_of(session, prepare(submit, project, "donor"))

    with app.app_context():
        untick_donor_scope(session, factory, story)
        session.commit()
    session.expire_all()

    assert fetch(client, f"/reports/{internal.token}/download")[0] == 200
    assert fetch(client, f"/reports/{donor.token}/download")[0] == 410


def test_the_download_asks_the_donor_rule_even_of_a_change_made_behind_the_orms_back(
        app, client, factory, login, submit, project, session, story):
    login(factory.user("donor"))
    job = job_of(session, prepare(submit, project))
    key = job.file_name
    session.execute(sa.update(ConsentRecord).where(ConsentRecord.id == story.consent_id).values(scope_donor=False))
    session.commit()

    status, _headers, body = fetch(client, f"/reports/{job.token}/download")

    assert status == 410 and "may no longer be shared with donors" in body.decode()
    session.expire_all()
    assert session.get(ReportJob, job.id).revoked_reason == "no_longer_shareable"
    assert stored_files.content(session, key) is None
    assert len(revocations(session)) == 1


def test_narrowing_consent_in_a_transaction_that_rolls_back_leaves_the_file_working(
        app, client, factory, login, submit, project, session, story):
    login(factory.user("donor"))
    job = job_of(session, prepare(submit, project))
    key = job.file_name

    with app.app_context():
        untick_donor_scope(session, factory, story)
        session.rollback()

    assert stored_files.content(session, key) is not None and fetch(client, f"/reports/{job.token}/download")[0] == 200


def test_a_change_that_keeps_the_story_shareable_and_unchanged_keeps_the_report(
        app, client, factory, login, submit, project, session, story):
    login(factory.user("donor"))
    job = job_of(session, prepare(submit, project))

    with app.app_context():
        story_services.record_consent(session, TEST_ACTOR, story, consent_values(story.consent, named=True),
                                      story.consent.version)
        session.commit()

    assert fetch(client, f"/reports/{job.token}/download")[0] == 200


def test_saving_a_translation_unchanged_keeps_the_report(app, client, factory, login, submit, project, session,
                                                         story):
    add_translation(session, factory, story)
    factory.donor_version(story)
    story_services.review_safeguarding(session, TEST_ACTOR, story, {"status": "approved"}, story.version)
    session.commit()
    login(factory.user("donor"))
    job = job_of(session, prepare(submit, project))
    assert session.scalars(select(ReportJobStory.story_id).where(ReportJobStory.job_id == job.id)).all() == [story.id]
    translation = story.translations[0]

    with app.app_context():
        story_services.save_translation(session, TEST_ACTOR, story, {
            name: getattr(translation, name) for name in ("language", "title", "what_happened", "why_significant",
                                                          "translator_note")}, translation, translation.version)
        session.commit()

    assert fetch(client, f"/reports/{job.token}/download")[0] == 200
