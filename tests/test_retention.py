"""The retention policy erases a project's identifying material for good, keeping only audit stubs."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests import stored_files
from tests.factories import TEST_ACTOR
from tracker import retention
from tracker.audit.models import AuditEntry
from tracker.msc.models import ConsentRecord
from tracker.msc.models import Story
from tracker.msc.models import StoryDonorText
from tracker.msc.models import StoryTranslation
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import Substantiator

TODAY = date(2026, 11, 23)


@pytest.fixture
def fund(factory, session):
    fund = factory.fund()
    fund.retention_months = 12
    session.add(fund)
    return fund


def project_with_material(factory, end_date):
    project = factory.project(start_date=date(2020, 1, 1), end_date=end_date, countries=["VN"])
    story = factory.story(project, safeguarding="approved", what_happened="SENTINEL story text")
    outcome = factory.outcome(project, sources="Interview with the district child-protection officer")
    substantiator = factory.substantiator(project, name="Dr Lan, provincial hospital")
    return project, story, outcome, substantiator


@pytest.mark.parametrize("day, months, expected", [
    (date(2024, 1, 31), 1, date(2024, 2, 29)), (date(2023, 11, 30), 12, date(2024, 11, 30)),
    (date(2022, 8, 31), 60, date(2027, 8, 31)),
])
def test_months_are_added_on_the_calendar(day, months, expected):
    assert retention.add_months(day, months) == expected


def test_only_projects_past_their_retention_period_are_planned(fund, factory, session):
    expired, *_ = project_with_material(factory, date(2025, 10, 31))
    recent, *_ = project_with_material(factory, date(2026, 1, 31))

    plans = retention.plan(session, TODAY)

    assert [erasure.project for erasure in plans] == [expired]
    assert plans[0].erase_after == date(2026, 10, 31)
    assert (len(plans[0].story_ids), len(plans[0].outcome_ids), len(plans[0].substantiator_ids)) == (1, 1, 1)


def test_a_fund_without_a_retention_period_keeps_everything(factory, session):
    project_with_material(factory, date(2020, 1, 31))

    assert retention.plan(session, TODAY) == []


def test_erasing_deletes_the_stories_and_blanks_sources_and_names_leaving_audit_stubs(fund, factory, session):
    project, story, outcome, substantiator = project_with_material(factory, date(2025, 1, 31))
    story_id, consent_id = story.id, story.consent_id

    retention.erase(session, TEST_ACTOR, retention.plan(session, TODAY))

    assert session.get(Story, story_id) is None and session.get(ConsentRecord, consent_id) is None
    for model in (StoryTranslation, StoryDonorText):
        assert session.scalar(sa.select(sa.func.count()).select_from(model).where(model.story_id == story_id)) == 0
    assert session.get(Outcome, outcome.id).sources == retention.ERASED
    assert session.get(Substantiator, substantiator.id).name.startswith(retention.ERASED)
    stubs = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "purge")).all()
    assert {(entry.object_type, entry.project_id) for entry in stubs} == {
        ("story", project.id), ("outcome", project.id), ("substantiator", project.id)}
    assert all("Retention policy: 12 months" in entry.reason for entry in stubs)
    assert not any("SENTINEL" in (entry.details or "") for entry in stubs)
    assert retention.plan(session, TODAY) == []


def test_purge_expired_dry_run_lists_and_erases_nothing(app, fund, factory, session):
    project, story, *_ = project_with_material(factory, date(2020, 6, 30))
    session.commit()

    result = app.test_cli_runner().invoke(args=["purge-expired", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert f"{project.slug}: ended 2020-06-30" in result.output and "1 stories deleted" in result.output
    assert "Dry run" in result.output
    assert session.get(Story, story.id) is not None


def test_purge_expired_erases_and_says_so(app, fund, factory, session):
    _project, story, *_ = project_with_material(factory, date(2020, 6, 30))
    story_id = story.id
    session.commit()

    result = app.test_cli_runner().invoke(args=["purge-expired"])

    session.expire_all()
    assert result.exit_code == 0 and "Erased" in result.output
    assert session.get(Story, story_id) is None


def test_the_retention_period_is_set_on_the_fund_settings_page(client, factory, login, session, submit):
    factory.fund()
    login(factory.user("admin"))
    session.commit()

    refused = submit("/fund/settings", {"name": "Safe Online", "slug": "safe-online-test", "retention_months": "0"})
    saved = submit("/fund/settings", {"name": "Safe Online", "slug": "safe-online-test", "retention_months": "36"})

    assert refused.status_code == 200 and 'id="retention_months-error"' in refused.get_data(as_text=True)
    assert saved.status_code == 302
    session.expire_all()
    assert factory.fund().retention_months == 36


def test_erasing_removes_evidence_files_note_text_and_items_that_stood_for_a_story(fund, factory, session):
    from tracker.evidence import services as evidence_services
    from tracker.evidence.models import EvidenceItem

    project, story, *_ = project_with_material(factory, date(2024, 1, 31))
    document = evidence_services.create_item(session, TEST_ACTOR, project, "document", {
        "title": "Referral register extract", "summary": "Scanned register"},
        upload=("register.txt", b"Names of children referred in 2023"))
    note = factory.evidence(project, "interview", summary="SENTINEL the counsellor Mai said the girl called twice")
    story_item = factory.evidence(project, "story", story_id=str(story.id), title="")
    stored = document.stored_name
    ids = (document.id, note.id, story_item.id)

    retention.erase(session, TEST_ACTOR, retention.plan(session, TODAY))

    assert stored_files.content(session, stored) is None and stored_files.count(session) == (0, 0)
    assert session.get(EvidenceItem, ids[0]).stored_name == ""
    assert session.get(EvidenceItem, ids[1]).summary == retention.ERASED
    assert session.get(EvidenceItem, ids[2]) is None
