"""XLSX and CSV exports: the right records for the audience, safe cells, ISO dates, audited."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import TEST_ACTOR
from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.common.errors import ValidationFailed
from tracker.common.formulas import neutralise
from tracker.exports import tabular
from tracker.exports.services import export_records
from tracker.exports.tabular import Column
from tracker.exports.tabular import Registry
from tracker.exports.tabular import SheetSpec
from tracker.exports.tabular import build_sheet
from tracker.indicators import services as indicator_services
from tracker.msc import services as story_services

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "\uff1d1+1", "=", "-"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def me_actor(user):
    return Actor(user.id, user.email, user.role.value)


def export(session, actor, fund_id, audience="donor", file_format="xlsx", sheets=("outcomes", "stories",
           "story_translations", "indicators"), project=None, member_project_ids=()):
    exported = export_records(session, actor, fund_id=fund_id, audience=audience, file_format=file_format,
                              sheet_names=list(sheets), project=project, member_project_ids=member_project_ids)
    session.commit()
    return exported


def workbook_cells(content):
    """``{sheet title: rows of values}`` of an XLSX export."""
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def csv_tables(exported):
    """``{file name: rows}`` of a CSV or ZIP-of-CSV export."""
    if exported.extension == "csv":
        return {"export.csv": list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))}
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        return {name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
                for name in archive.namelist()}


def all_text(tables):
    return [str(value) for rows in tables.values() for row in rows for value in row if value is not None]


# Cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_text_a_spreadsheet_would_run_is_prefixed_with_an_apostrophe(value):
    assert neutralise(value) == "'" + value
    assert tabular.csv_cell(value) == "'" + value
    assert tabular.xlsx_value(value) == "'" + value


@pytest.mark.parametrize("value", ["Helpline", "3 schools", "", "O'Brien", "a = b, not at the start"])
def test_ordinary_text_is_left_alone(value):
    assert tabular.csv_cell(value) == value


@pytest.mark.parametrize("value", [" =HYPERLINK(\"http://x\")", "\u00a0+1+1", "\u3000\uff1dcmd"])
def test_a_trigger_behind_leading_spaces_is_neutralised_too_as_importers_trim_them(value):
    assert tabular.csv_cell(value) == "'" + value


def test_numbers_stay_numbers_in_xlsx_and_negative_numbers_are_neutralised_in_csv():
    assert tabular.xlsx_value(Decimal("-12.5000")) == Decimal("-12.5000")
    assert tabular.csv_cell(Decimal("-12.5000")) == "'-12.5"
    assert tabular.csv_cell(Decimal("1250.0000")) == "1250"


def test_dates_are_iso_and_timestamps_utc():
    from datetime import UTC
    from datetime import datetime

    assert tabular.csv_cell(date(2023, 3, 1)) == "2023-03-01"
    assert tabular.csv_cell(datetime(2023, 3, 1, 9, 30, tzinfo=UTC)) == "2023-03-01T09:30:00Z"


def test_text_longer_than_an_excel_cell_is_cut_with_a_visible_note():
    value = tabular.xlsx_value("ក" * 50_000)

    assert len(value) == tabular.EXCEL_CELL_LIMIT and value.endswith("the CSV export holds the full text)")
    assert tabular.csv_cell("ក" * 50_000) == "ក" * 50_000


def test_characters_xml_cannot_hold_are_dropped():
    assert tabular.xlsx_value("bell\x07 and form feed\x0c") == "bell and form feed"


def test_a_registered_sheet_needs_only_headers_and_a_row_function():
    registry = Registry()
    registry.register(SheetSpec("claims", "Contribution claims", (
        Column("title", "Claim"), Column("confidence", "Confidence"),
        Column("note", "Internal note", frozenset({"internal"}))),
        lambda scope: [{"title": "Helpline referrals", "confidence": Decimal("0.82"), "note": "draft"}]))

    sheet = build_sheet(registry.get("claims"), scope=None, audience="donor")

    assert sheet.headers == ["Claim", "Confidence"]
    assert sheet.rows == [["Helpline referrals", Decimal("0.82")]]
    with pytest.raises(ValueError):
        registry.register(registry.get("claims"))


def test_sheet_titles_fit_excel_and_stay_unique():
    taken = set()

    titles = [tabular.sheet_title("Outcomes: harvested [2023] / all projects", taken) for _ in range(2)]

    assert titles == ["Outcomes harvested 2023 all pro", "Outcomes harvested 2023 all (2)"]


# Records and audiences -----------------------------------------------------------------------


@pytest.fixture
def portfolio(factory, session):
    """A project with shareable and restricted material, each restricted field holding a sentinel string."""
    project = factory.project(countries=("KH",))
    cycle = factory.cycle(project)
    harvest = factory.harvest(project)
    shared = factory.story(project, cycle, title="Shared story about peer support", collector="SENTINEL-COLLECTOR",
                           place="SENTINEL-PLACE", safeguarding="approved")
    story_services.save_translation(session, TEST_ACTOR, shared, {
        "language": "km", "title": "រឿងដែលបានចែករំលែក", "what_happened": "នាងបានប្រាប់មិត្ត។",
        "why_significant": "នាងដឹងថាត្រូវទៅរកជំនួយ។", "translator_note": "SENTINEL-TRANSLATOR-NOTE"})
    story_services.review_safeguarding(session, TEST_ACTOR, shared, {"status": "approved"}, shared.version)
    factory.donor_version(shared)
    factory.story(project, cycle, title="SENTINEL-PENDING-STORY")
    factory.story(project, cycle, title="SENTINEL-RESTRICTED-STORY", safeguarding="restricted")
    factory.story(project, cycle, title="SENTINEL-NO-DONOR-SCOPE", consent={"scope_donor": False},
                  safeguarding="approved")
    factory.story(project, cycle, title="SENTINEL-NEEDS-CONSENT", consent={"form_name": ""}, require_consent=False)
    withdrawn = factory.story(project, cycle, title="SENTINEL-WITHDRAWN-TITLE", safeguarding="approved")
    story_services.withdraw_consent(session, TEST_ACTOR, withdrawn, date(2023, 9, 1), "Asked by her mother.",
                                    withdrawn.consent.version)
    factory.outcome(project, harvest, description="SENTINEL-DRAFT-OUTCOME")
    factory.outcome(project, harvest, status="substantiated", sources="SENTINEL-SOURCES",
                    description="=HYPERLINK(\"http://evil.example\") The department refers children within a day.",
                    social_actor="+cmd|' /C calc'!A0", area="@SUM(A1)")
    session.commit()
    return project


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_donor_export_holds_no_restricted_material(session, portfolio, file_format):
    exported = export(session, TEST_ACTOR, portfolio.fund_id, "donor", file_format)
    tables = workbook_cells(exported.content) if file_format == "xlsx" else csv_tables(exported)
    text = "\n".join(all_text(tables))

    assert "SENTINEL" not in text
    assert "Shared story about peer support" in text and "រឿងដែលបានចែករំលែក" in text
    assert "The department refers children within a day." in text


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_no_exported_cell_starts_with_a_formula_trigger(session, portfolio, file_format):
    exported = export(session, TEST_ACTOR, portfolio.fund_id, "internal", file_format)
    if file_format == "xlsx":
        workbook = load_workbook(io.BytesIO(exported.content))
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        values = [cell.value for cell in cells if isinstance(cell.value, str)]
    else:
        values = all_text(csv_tables(exported))

    assert values and not [value for value in values if value.startswith(TRIGGERS)]
    assert "'+cmd|' /C calc'!A0" in values and "'@SUM(A1)" in values


def test_the_workbook_has_one_sheet_per_entity_with_readable_headers_and_date_cells(session, portfolio):
    exported = export(session, TEST_ACTOR, portfolio.fund_id, "internal")
    workbook = load_workbook(io.BytesIO(exported.content))

    assert [sheet.title for sheet in workbook.worksheets] == ["Outcomes", "Stories", "Story translations",
                                                              "Indicators"]
    outcomes = workbook["Outcomes"]
    headers = [cell.value for cell in outcomes[1]]
    assert headers[:4] == ["Project", "Outcome ID", "Harvest", "Status"]
    change_date = outcomes.cell(row=2, column=headers.index("Date of change") + 1)
    assert change_date.is_date and change_date.number_format == "yyyy-mm-dd"
    assert outcomes.freeze_panes == "A2"


def test_the_internal_export_keeps_the_record_of_a_withdrawn_story_but_not_its_text(session, portfolio):
    tables = workbook_cells(export(session, TEST_ACTOR, portfolio.fund_id, "internal").content)
    headers, *rows = tables["Stories"]
    consent = headers.index("Consent")

    withdrawn = [row for row in rows if str(row[consent]).startswith("Withdrawn")]
    assert len(withdrawn) == 1 and withdrawn[0][headers.index("Title")] is None
    assert "SENTINEL-WITHDRAWN-TITLE" not in "\n".join(all_text(tables))
    assert "Needs consent" in [row[consent] for row in rows]


def test_donor_columns_leave_out_collectors_consent_and_sources(session, portfolio):
    tables = workbook_cells(export(session, TEST_ACTOR, portfolio.fund_id, "donor").content)

    assert "Collected by" not in tables["Stories"][0] and "Consent" not in tables["Stories"][0]
    assert "Sources" not in tables["Outcomes"][0] and "Harvest" not in tables["Outcomes"][0]
    assert len(tables["Stories"]) == 2 and len(tables["Outcomes"]) == 2


def test_a_csv_of_one_entity_is_one_file_and_of_several_a_zip(session, portfolio):
    single = export(session, TEST_ACTOR, portfolio.fund_id, "donor", "csv", sheets=("stories",))
    several = export(session, TEST_ACTOR, portfolio.fund_id, "donor", "csv", sheets=("stories", "outcomes"))

    assert single.extension == "csv" and single.content.startswith("\ufeff".encode())
    assert several.extension == "zip" and sorted(csv_tables(several)) == ["outcomes.csv", "stories.csv"]


def test_a_grantee_exports_only_their_own_projects(session, factory, portfolio):
    other = factory.project(countries=("TH",))
    factory.outcome(other, description="Other project's outcome")
    grantee = factory.user("grantee", projects=[portfolio])
    session.commit()

    tables = workbook_cells(export(session, me_actor(grantee), portfolio.fund_id, "internal",
                                   member_project_ids={portfolio.id}).content)

    assert "Other project's outcome" not in "\n".join(all_text(tables))


def test_a_donor_asking_for_the_internal_version_is_refused(session, factory, portfolio):
    donor = factory.user("donor")
    session.commit()

    with pytest.raises(ValidationFailed):
        export(session, me_actor(donor), portfolio.fund_id, "internal")


def test_indicator_rows_mark_approved_and_provisional_actuals_and_leave_drafts_out(session, factory):
    project = factory.project()
    indicator = factory.indicator(project, title="Children answered on chat")
    approved = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31))
    provisional = factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31))
    draft = factory.period(indicator, date(2024, 1, 1), date(2024, 12, 31))
    for period, value in ((approved, "120"), (provisional, "80"), (draft, "99")):
        indicator_services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": value},
                                       submit=period is not draft)
    indicator_services.review_actual(session, TEST_ACTOR, project, approved, approve=True)
    session.commit()

    def cells(audience):
        headers, *rows = workbook_cells(export(session, TEST_ACTOR, project.fund_id, audience,
                                               sheets=("indicators",), project=project).content)["Indicators"]
        actual, status = headers.index("Actual"), headers.index("Actual is")
        return [(row[actual], row[status]) for row in rows]

    assert cells("internal") == [
        (120, "Approved"), (80, "Provisional: submitted, not yet approved"), (None, "Not reported")]
    assert cells("donor") == [(120, "Approved"), (None, "Not reported"), (None, "Not reported")]


def test_every_export_is_audited_with_what_it_held(session, portfolio):
    export(session, TEST_ACTOR, portfolio.fund_id, "donor", project=portfolio)

    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.object_type == "project" and entry.project_id == portfolio.id
    assert '"audience": "donor"' in entry.details and '"stories": 1' in entry.details
    assert '"stories_ids": [' in entry.details


def test_the_number_of_queries_does_not_grow_with_the_records(session, factory, count_queries):
    project = factory.project()
    cycle = factory.cycle(project)
    harvest = factory.harvest(project)
    counts = []
    for _round in range(2):
        for _ in range(3):
            factory.story(project, cycle, safeguarding="approved")
            factory.outcome(project, harvest, status="substantiated")
            factory.period(factory.indicator(project))
        session.commit()
        with count_queries() as counter:
            export(session, TEST_ACTOR, project.fund_id, "internal", project=project)
        counts.append(counter.count)

    assert counts[0] == counts[1]
