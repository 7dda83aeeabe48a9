"""Importing KoboToolbox and ODK Central exports: all or nothing, idempotent, with consent kept honest."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tests.fixtures.imports.builders import kobo_msc_workbook
from tests.fixtures.imports.builders import odk_interviews_zip
from tests.fixtures.imports.builders import odk_outcomes_csv
from tracker.audit.models import AuditEntry
from tracker.imports import services
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportedRecord
from tracker.imports.services import ImportRefused
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.msc.models import StoryTranslation
from tracker.msc.sharing import donor_visible_stories
from tracker.outcomes.models import Outcome

TODAY = date(2023, 12, 1)
CONSENT_FORM = {"form_name": "Story consent form (Khmer/English)"}


@pytest.fixture
def msc_project(factory, session):
    project = factory.project(countries=("KH", "TH"))
    cycle = factory.cycle(project)
    session.commit()
    return project, cycle


def count(session, model, project):
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(model.project_id == project.id))


def import_file(session, project, path, kind, *, defaults=None, dry_run=False, record_table=None):
    dataset = services.load_dataset(path, path.name)
    mapping = services.suggested_mapping(session, project, dataset, kind, record_table)
    mapping["defaults"].update(defaults or {})
    if dry_run:
        return services.dry_run(session, project, dataset, kind, mapping, today=TODAY)
    batch, plan = services.run_import(session, TEST_ACTOR, project, dataset, kind, mapping, file_name=path.name,
                                      file_sha256="0" * 64, today=TODAY)
    session.commit()
    return batch, plan


@pytest.mark.both_backends
def test_three_bad_rows_are_reported_exactly_and_nothing_is_written(session, msc_project, tmp_path):
    project, _cycle = msc_project
    path = kobo_msc_workbook(tmp_path / "kobo.xlsx", broken=True)

    with pytest.raises(ImportRefused) as refused:
        import_file(session, project, path, "stories", defaults=CONSENT_FORM)
    session.rollback()

    errors = [(error.table, error.row, error.column) for error in refused.value.plan.errors]
    assert errors == [("MSC stories – Cambodia 2023", 3, "today"),
                      ("MSC stories – Cambodia 2023", 6, "storyteller/category"),
                      ("translations", 4, "translations/language")]
    assert refused.value.plan.rejected == 3 and len(refused.value.plan.records) == 3
    messages = [error.message for error in refused.value.plan.errors]
    assert "2023-02-30" in messages[0] and "extraterrestrial" in messages[1] and "Klingon" in messages[2]
    assert count(session, Story, project) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(ImportedRecord)) == 0


@pytest.mark.both_backends
def test_after_the_fixes_the_file_imports_and_a_second_import_adds_nothing(session, msc_project, tmp_path):
    project, _cycle = msc_project
    path = kobo_msc_workbook(tmp_path / "kobo.xlsx")

    first, first_plan = import_file(session, project, path, "stories", defaults=CONSENT_FORM)
    second, second_plan = import_file(session, project, path, "stories", defaults=CONSENT_FORM)

    assert (first.created_count, first.skipped_count) == (6, 0)
    assert (second.created_count, second.skipped_count) == (0, 6)
    assert count(session, Story, project) == 6
    assert session.scalar(sa.select(sa.func.count()).select_from(StoryTranslation)) == 3


def test_imported_stories_keep_unicode_text_and_their_repeat_group_translations(session, msc_project, tmp_path):
    project, _cycle = msc_project
    import_file(session, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"), "stories", defaults=CONSENT_FORM)

    stories = {story.storyteller_pseudonym: story for story in session.scalars(
        sa.select(Story).where(Story.project_id == project.id))}
    sophea = stories["Sophea-07"]
    assert sophea.title == "ក្មេងស្រីម្នាក់បានប្រាប់គ្រូពីសារគំរាមកំហែង 📱"
    assert sophea.language == "km" and sophea.collected_on == date(2023, 5, 2)
    assert [(t.language, t.title) for t in sophea.translations] == [
        ("en", "A girl told her teacher about threatening messages 📱")]
    assert stories["Hoa-12"].what_happened.startswith("Sau buổi họp phụ huynh")
    assert sorted(t.language for t in stories["Kru-A"].translations) == ["en", "km"]
    assert stories["Kru-A"].country_code == "TH" and stories["Kru-A"].domain.name == "Systems that respond"


def test_only_the_age_band_of_a_storyteller_is_kept(session, msc_project, tmp_path):
    project, _cycle = msc_project
    import_file(session, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"), "stories", defaults=CONSENT_FORM)

    sophea = session.scalar(sa.select(Story).where(Story.storyteller_pseudonym == "Sophea-07"))
    assert sophea.age_band.value == "13_15"


def test_stories_without_consent_details_need_consent_and_no_donor_path_shows_them(session, msc_project, tmp_path,
                                                                                  factory):
    project, _cycle = msc_project
    import_file(session, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"), "stories", defaults=CONSENT_FORM)
    peer = session.scalar(sa.select(Story).where(Story.storyteller_pseudonym == "Peer-3"))
    complete = session.scalar(sa.select(Story).where(Story.storyteller_pseudonym == "Dara-5"))
    for story in (peer, complete):
        # Even a story forced past the safeguarding review with donor scope and an approved donor version
        # stays hidden without complete consent.
        factory.donor_version(story)
        story.safeguarding_status = SafeguardingStatus.APPROVED
        story.consent.scope_donor = True
    session.commit()

    visible = set(session.scalars(donor_visible_stories(project.fund_id).with_only_columns(Story.id)))

    assert peer.consent.complete is False
    assert peer.id not in visible
    assert complete.consent.complete is True and complete.id in visible


def test_a_child_storyteller_without_the_childs_own_assent_needs_consent(session, msc_project, tmp_path):
    project, _cycle = msc_project
    import_file(session, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"), "stories", defaults=CONSENT_FORM)

    sophea = session.scalar(sa.select(Story).where(Story.storyteller_pseudonym == "Sophea-07"))
    assert sophea.consent.guardian_consent and sophea.consent.child_assent and sophea.consent.complete
    assert sophea.consent.scope_donor and not sophea.consent.scope_public


def test_the_dry_run_lists_what_would_be_created_and_writes_nothing(session, msc_project, tmp_path):
    project, _cycle = msc_project

    plan = import_file(session, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"), "stories",
                       defaults=CONSENT_FORM, dry_run=True)

    assert plan.ok and len(plan.records) == 6 and plan.needs_consent == 1
    assert [record.row for record in plan.records] == [2, 3, 4, 5, 6, 7]
    assert count(session, Story, project) == 0


def test_every_imported_story_and_the_import_itself_are_audited(session, msc_project, tmp_path):
    project, _cycle = msc_project
    batch, _plan = import_file(session, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"), "stories",
                               defaults=CONSENT_FORM)

    actions = session.execute(sa.select(AuditEntry.action, AuditEntry.object_type, sa.func.count())
                              .where(AuditEntry.project_id == project.id,
                                     AuditEntry.object_type.in_(["story", "import_batch"]))
                              .group_by(AuditEntry.action, AuditEntry.object_type)).all()
    assert sorted(actions) == [("create", "story", 6), ("import", "import_batch", 1)]
    assert session.get(ImportBatch, batch.id).source == "kobo"


@pytest.mark.both_backends
def test_each_source_id_points_at_the_story_made_from_its_row(session, msc_project, tmp_path):
    project, _cycle = msc_project
    import_file(session, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"), "stories", defaults=CONSENT_FORM)

    pairs = dict(session.execute(
        sa.select(ImportedRecord.source_id, Story.storyteller_pseudonym)
        .join(Story, Story.id == ImportedRecord.object_id).where(ImportedRecord.project_id == project.id)).all())
    assert pairs == {f"5f0c1f0e-6c2b-4d53-9d7b-2b8f6f1f0a0{number}": pseudonym for number, pseudonym in enumerate(
        ["Sophea-07", "Hoa-12", "Kru-A", "Peer-3", "Dara-5", "Council-1"], start=1)}


def test_an_odk_central_csv_of_outcomes_imports_into_the_newest_harvest(session, factory, tmp_path):
    project = factory.project(countries=("TH",))
    factory.harvest(project, title="Harvest 2022", period_start=date(2022, 1, 1), period_end=date(2022, 12, 31))
    newest = factory.harvest(project, title="Harvest 2023")
    session.commit()

    batch, _plan = import_file(session, project, odk_outcomes_csv(tmp_path / "odk.csv"), "outcomes")

    outcomes = list(session.scalars(sa.select(Outcome).where(Outcome.project_id == project.id).order_by(Outcome.id)))
    assert batch.created_count == 3 and batch.source == "odk"
    assert {outcome.harvest_id for outcome in outcomes} == {newest.id}
    assert [(o.change_date, o.date_precision.value) for o in outcomes] == [
        (date(2023, 3, 1), "month"), (date(2023, 5, 15), "day"), (date(2023, 1, 1), "year")]
    assert outcomes[1].description.startswith("ในเดือนพฤษภาคม") and outcomes[1].change_type.value == "policy"
    assert all(outcome.status.value == "draft" for outcome in outcomes)


def test_odk_instance_ids_make_a_second_outcome_import_add_nothing(session, factory, tmp_path):
    project = factory.project(countries=("TH",))
    factory.harvest(project)
    session.commit()
    path = odk_outcomes_csv(tmp_path / "odk.csv")

    import_file(session, project, path, "outcomes")
    second, _plan = import_file(session, project, path, "outcomes")

    assert second.created_count == 0 and count(session, Outcome, project) == 3
    ids = sorted(session.scalars(sa.select(ImportedRecord.source_id)))
    assert ids[0] == "0d6c3a52-8f0e-4a9b-b1d2-6a1e2f3c4d01"


def test_outcomes_from_an_odk_repeat_group_are_one_record_per_repeat_row(session, factory, tmp_path):
    project = factory.project(countries=("VN",))
    factory.harvest(project)
    session.commit()

    batch, _plan = import_file(session, project, odk_interviews_zip(tmp_path / "odk.zip"), "outcomes",
                               defaults={"country_code": "VN"})

    ids = sorted(session.scalars(sa.select(ImportedRecord.source_id)))
    assert batch.created_count == 3
    assert ids == ["9a1/outcomes[1]", "9a1/outcomes[2]", "9a2/outcomes[1]"]
    assert session.scalar(sa.select(Outcome.country_code).where(Outcome.project_id == project.id)) == "VN"


@pytest.mark.both_backends
def test_an_import_runs_the_same_queries_for_ten_or_a_hundred_rows(session, factory, tmp_path, count_queries):
    from tracker.bench.imports import write_workbook
    from tracker.imports.models import ImportKind

    project = factory.project(countries=("KH",))
    factory.harvest(project)
    session.commit()
    counts = []
    for rows in (10, 100):
        path = tmp_path / f"outcomes-{rows}.xlsx"
        write_workbook(path, rows, ImportKind.OUTCOMES)
        dataset = services.load_dataset(path, path.name)
        mapping = services.suggested_mapping(session, project, dataset, "outcomes")
        with count_queries() as counter:
            services.run_import(session, TEST_ACTOR, project, dataset, "outcomes", mapping, file_name=path.name,
                                file_sha256="0" * 64, today=date(2024, 6, 1))
        session.rollback()
        counts.append(counter.count)

    assert counts[0] == counts[1]


@pytest.mark.both_backends
def test_the_unique_constraint_stops_rows_that_slipped_past_the_check_and_nothing_is_written(
        session, factory, tmp_path, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    project = factory.project(countries=("TH",))
    factory.harvest(project)
    session.commit()
    path = odk_outcomes_csv(tmp_path / "odk.csv")
    import_file(session, project, path, "outcomes")
    # As if a concurrent import had committed the same rows between our check and our insert.
    monkeypatch.setattr(services, "existing_source_ids", lambda *_args: frozenset())

    with pytest.raises(IntegrityError):
        import_file(session, project, path, "outcomes")
    session.rollback()

    assert count(session, Outcome, project) == 3
    assert session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 1
