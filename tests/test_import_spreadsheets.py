"""Importing ordinary spreadsheets: no id column needed, every problem listed, links to what was created,
and a command line that names the field it needs and takes a value for every row."""

import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import TEST_ACTOR
from tests.fixtures.imports.builders import kobo_msc_workbook
from tests.fixtures.imports.builders import write_csv
from tests.test_import_cli import run
from tests.test_import_pages import mapping_data
from tests.test_import_pages import token_of
from tests.test_import_pages import upload
from tracker.imports import services
from tracker.imports.models import ImportedRecord
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome

OUTCOME_ROWS = [
    ["Outcome", "Type of change", "Date of change", "Social actor"],
    ["In March 2023 the district police began taking reports of online grooming by e-mail from the helpline.",
     "practice", "2023-03", "District police"],
    ["From May 2023 three secondary schools teach a lesson on staying safe online every term.", "policy",
     "2023-05-15", "Secondary schools"],
]


@pytest.fixture
def team(factory, session):
    project = factory.project(countries=("KH", "TH"))
    cycle = factory.cycle(project)
    factory.harvest(project)
    grantee = factory.user("grantee", projects=[project])
    session.commit()
    return project, cycle, grantee


def outcomes_csv(path, rows=OUTCOME_ROWS):
    path.write_text(write_csv(rows), encoding="utf-8")
    return path


def outcomes(session):
    return session.scalar(sa.select(sa.func.count()).select_from(Outcome))


def kobo_without(path, *headers):
    """The Kobo MSC export with the columns ``headers`` removed from its main sheet."""
    kobo_msc_workbook(path)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for header in headers:
        column = [cell.value for cell in sheet[1]].index(header) + 1
        sheet.delete_cols(column)
    workbook.save(path)
    return path


# No id column ------------------------------------------------------------------------------


def test_a_spreadsheet_without_an_id_column_imports_and_says_how_rows_are_recognised(
        client, login, team, tmp_path):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, outcomes_csv(tmp_path / "outcomes.csv"), kind="outcomes"))
    mapping_url = f"/projects/{project.slug}/import/{token}/mapping"

    client.post(mapping_url, data={**mapping_data(client, mapping_url), "action": "preview"})
    preview = client.get(f"/projects/{project.slug}/import/{token}/preview").get_data(as_text=True)

    assert "This file has no id column, so each row is recognised by the values" in preview
    assert "Import all 2 records" in preview


def test_importing_the_same_spreadsheet_twice_without_ids_adds_nothing(app, factory, session, tmp_path):
    project = factory.project()
    factory.harvest(project)
    session.commit()
    path = outcomes_csv(tmp_path / "outcomes.csv")

    first = run(app, "import", project.slug, path, "--kind", "outcomes")
    again = run(app, "import", project.slug, outcomes_csv(tmp_path / "again.csv", [
        OUTCOME_ROWS[0], [OUTCOME_ROWS[2][0], " POLICY ", "2023-05-15", "Secondary  schools"], OUTCOME_ROWS[1]]),
        "--kind", "outcomes")

    assert "ids: none, rows are told apart by their content" in first.output
    assert "Created 2 outcomes from 2 rows" in first.output, first.output
    assert "Created 0 outcomes from 2 rows; 2 already imported" in again.output, again.output
    assert outcomes(session) == 2
    sources = session.scalars(sa.select(ImportedRecord.source_id)).all()
    assert all(source.startswith("sha256:") for source in sources)


def test_a_corrected_row_is_a_new_row_without_ids(app, factory, session, tmp_path):
    project = factory.project()
    factory.harvest(project)
    session.commit()
    run(app, "import", project.slug, outcomes_csv(tmp_path / "outcomes.csv"), "--kind", "outcomes")

    corrected = [*OUTCOME_ROWS[:2], [OUTCOME_ROWS[2][0], "policy", "2023-06-01", "Secondary schools"]]
    result = run(app, "import", project.slug, outcomes_csv(tmp_path / "v2.csv", corrected), "--kind", "outcomes")

    assert "Created 1 outcomes from 2 rows; 1 already imported" in result.output, result.output


def test_a_repeated_row_in_a_file_without_ids_is_pointed_out(app, factory, session, tmp_path):
    project = factory.project()
    factory.harvest(project)
    session.commit()

    result = run(app, "import", project.slug, outcomes_csv(tmp_path / "twice.csv", [*OUTCOME_ROWS, OUTCOME_ROWS[1]]),
                 "--kind", "outcomes", "--dry-run")

    assert "row 4, column “(all mapped columns)”: The same values as row 2" in result.output, result.output


# Every problem -----------------------------------------------------------------------------


def test_a_row_with_two_problems_reports_both_and_nothing_is_imported(app, factory, session, tmp_path):
    project = factory.project()
    factory.harvest(project)
    session.commit()
    rows = [OUTCOME_ROWS[0], OUTCOME_ROWS[1], [OUTCOME_ROWS[2][0], "a miracle", "next Tuesday", "Schools"]]

    result = run(app, "import", project.slug, outcomes_csv(tmp_path / "bad.csv", rows), "--kind", "outcomes")

    problems = [line for line in result.output.splitlines() if line.startswith("sheet")]
    assert [re.search(r"column “([^”]+)”", line).group(1) for line in problems] == ["Type of change",
                                                                                     "Date of change"]
    assert all("row 3" in line for line in problems)
    assert outcomes(session) == 0


def test_a_row_without_its_id_still_has_its_other_problems_listed(app, factory, session, tmp_path):
    project = factory.project()
    factory.harvest(project)
    session.commit()
    rows = [["Ref", *OUTCOME_ROWS[0]], ["O-1", *OUTCOME_ROWS[1]], ["", OUTCOME_ROWS[2][0], "a miracle", "2023", ""]]
    path = outcomes_csv(tmp_path / "ids.csv", rows)
    dataset = services.load_dataset(path, path.name)
    mapping = {**services.suggested_mapping(session, project, dataset, "outcomes"), "source_column": "ids::Ref"}

    plan = services.dry_run(session, project, dataset, "outcomes", mapping)

    assert [(error.row, error.column) for error in plan.errors] == [(3, "Ref"), (3, "Type of change")]


# Links to what was created -----------------------------------------------------------------


def test_after_an_import_the_page_links_to_each_record_created(client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, outcomes_csv(tmp_path / "outcomes.csv"), kind="outcomes"))
    mapping_url = f"/projects/{project.slug}/import/{token}/mapping"
    client.post(mapping_url, data={**mapping_data(client, mapping_url), "action": "preview"})
    preview = client.get(f"/projects/{project.slug}/import/{token}/preview").get_data(as_text=True)

    response = client.post(f"/projects/{project.slug}/import/{token}/commit",
                           data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', preview).group(1)},
                           follow_redirects=True)

    html = response.get_data(as_text=True)
    ids = session.scalars(sa.select(Outcome.id).order_by(Outcome.id)).all()
    assert "/import/batches/" in response.request.path
    assert len(ids) == 2
    assert all(f'href="/projects/{project.slug}/outcomes/{outcome_id}"' in html for outcome_id in ids)
    history = client.get(f"/projects/{project.slug}/import").get_data(as_text=True)
    assert f'href="{response.request.path}"' in history


def test_another_projects_import_page_is_not_found(client, login, team, factory, session, tmp_path):
    project, _cycle, grantee = team
    other = factory.project()
    factory.harvest(other)
    session.commit()
    batch, _plan = services.run_import(session, TEST_ACTOR, other, services.load_dataset(
        outcomes_csv(tmp_path / "o.csv"), "o.csv"), "outcomes", services.suggested_mapping(
        session, other, services.load_dataset(tmp_path / "o.csv", "o.csv"), "outcomes"),
        file_name="o.csv", file_sha256="0" * 64)
    session.commit()
    login(grantee)

    assert client.get(f"/projects/{project.slug}/import/batches/{batch.id}").status_code == 404


# Required fields ---------------------------------------------------------------------------


def test_fields_marked_with_an_asterisk_are_the_required_ones(client, login, team, tmp_path):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, outcomes_csv(tmp_path / "outcomes.csv"), kind="outcomes"))

    html = client.get(f"/projects/{project.slug}/import/{token}/mapping").get_data(as_text=True)

    marked = re.findall(r'<label for="map_(\w+)"[^>]*>[^<]*</label> <span class="required"', html)
    assert sorted(marked) == ["change_type", "description", "harvest"]


# Command line ------------------------------------------------------------------------------


def test_a_kobo_export_without_a_collector_column_names_the_field(app, factory, session, tmp_path):
    project = factory.project(countries=("KH", "TH"))
    factory.cycle(project)
    session.commit()
    path = kobo_without(tmp_path / "kobo.xlsx", "collection/collector", "_submitted_by")

    result = run(app, "import", project.slug, path, "--kind", "stories", "--dry-run")

    assert result.exit_code == 1
    assert "collector: choose the column for this field, or a value for every row." in result.output
    assert "--set FIELD=VALUE" in result.output


def test_set_gives_a_value_for_every_row_without_a_column(app, factory, session, tmp_path):
    project = factory.project(countries=("KH", "TH"))
    factory.cycle(project)
    session.commit()
    path = kobo_without(tmp_path / "kobo.xlsx", "collection/collector", "_submitted_by")

    result = run(app, "import", project.slug, path, "--kind", "stories", "--set", "collector=Field team Siem Reap")

    assert result.exit_code == 0, result.output
    assert "collector                    = Field team Siem Reap" in result.output
    assert set(session.scalars(sa.select(Story.collector)).all()) == {"Field team Siem Reap"}


def test_kobo_submitted_by_becomes_the_collector_when_there_is_no_collector_question(
        app, factory, session, tmp_path):
    project = factory.project(countries=("KH", "TH"))
    factory.cycle(project)
    session.commit()
    path = kobo_without(tmp_path / "kobo.xlsx", "collection/collector")

    result = run(app, "import", project.slug, path, "--kind", "stories")

    assert result.exit_code == 0, result.output
    assert set(session.scalars(sa.select(Story.collector)).all()) == {"field_officer_kh"}


def test_set_refuses_a_field_it_does_not_know(app, factory, session, tmp_path):
    project = factory.project()
    session.commit()

    result = run(app, "import", project.slug, outcomes_csv(tmp_path / "o.csv"), "--kind", "outcomes",
                 "--set", "colour=blue")

    assert result.exit_code == 2 and "'colour=blue': give FIELD=VALUE, where FIELD is one of" in result.output


# Templates to fill in ----------------------------------------------------------------------


def download_template(client, project, kind):
    response = client.get(f"/projects/{project.slug}/import/template/{kind}.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{project.slug}-{kind}-template.xlsx"'
    return response.data


def open_template(tmp_path, data):
    path = tmp_path / "template.xlsx"
    path.write_bytes(data)
    return path, load_workbook(path)


def test_the_outcomes_template_has_a_column_per_field_with_the_required_ones_marked(
        client, login, team, tmp_path):
    project, _cycle, grantee = team
    login(grantee)

    _path, workbook = open_template(tmp_path, download_template(client, project, "outcomes"))

    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert headers[:3] == ["Outcome description * [description]", "Harvest * [harvest]",
                           "Type of change * [change_type]"]
    assert "Social actor [social_actor]" in headers


def test_the_template_lists_the_allowed_values_on_a_hidden_sheet_behind_drop_downs(client, login, team, tmp_path):
    project, _cycle, grantee = team
    login(grantee)

    _path, workbook = open_template(tmp_path, download_template(client, project, "outcomes"))

    sheet, allowed = workbook.worksheets
    assert allowed.sheet_state == "hidden"
    lists = {column[0].value: [cell.value for cell in column[1:] if cell.value] for column in allowed.iter_cols()}
    assert lists["change_type"] == ["behaviour", "relationship", "action", "policy", "practice"]
    assert lists["harvest"] == ["Harvest 2023"] and lists["country_code"] == ["KH", "TH"]
    formulas = {str(validation.sqref).split(":")[0]: validation.formula1
                for validation in sheet.data_validations.dataValidation}
    assert formulas["B2"] == "'Allowed values'!$A$2:$A$2"
    assert formulas["C2"] == "'Allowed values'!$B$2:$B$6"


def test_the_stories_template_offers_the_cycles_domains(client, login, team, tmp_path):
    project, cycle, grantee = team
    login(grantee)

    _path, workbook = open_template(tmp_path, download_template(client, project, "stories"))

    lists = {column[0].value: [cell.value for cell in column[1:] if cell.value]
             for column in workbook.worksheets[1].iter_cols()}
    assert lists["cycle"] == [cycle.title]
    assert lists["domain"][:3] == ["Safer online behaviour", "Support after harm", "Systems that respond"]
    assert lists["storyteller_consent"] == ["yes", "no"]


def test_the_template_speaks_the_readers_language(client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    grantee.language = "fr"
    session.commit()
    login(grantee)

    _path, workbook = open_template(tmp_path, download_template(client, project, "outcomes"))

    assert "Type de changement * [change_type]" in [cell.value for cell in workbook.worksheets[0][1]]


def test_a_filled_in_template_imports_without_matching_a_column_by_hand(app, client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    grantee.language = "fr"
    session.commit()
    login(grantee)
    path, workbook = open_template(tmp_path, download_template(client, project, "outcomes"))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    row = {"description": OUTCOME_ROWS[1][0], "harvest": "Harvest 2023", "change_type": "practice",
           "change_date": "2023-03", "country_code": "TH"}
    sheet.append([next((value for key, value in row.items() if header.endswith(f"[{key}]")), None)
                  for header in headers])
    workbook.save(path)

    result = run(app, "import", project.slug, path, "--kind", "outcomes")

    assert result.exit_code == 0, result.output
    assert "Created 1 outcomes from 1 rows" in result.output
    assert outcomes(session) == 1


def test_a_template_of_an_unknown_kind_is_not_found(client, login, team):
    project, _cycle, grantee = team
    login(grantee)

    assert client.get(f"/projects/{project.slug}/import/template/budgets.xlsx").status_code == 404


def test_a_story_row_with_three_problems_reports_all_three(team, session, tmp_path):
    project, cycle, _grantee = team
    rows = [["Title", "Story", "Why significant", "Domain", "Pseudonym", "Category", "Collected on", "Collector",
             "Language"],
            ["", "Dara learned to block a stranger who asked for photos.", "She told her friends how to do it.",
             "Happiness", "Dara", "child", "last week", "Sok", "km"]]
    path = tmp_path / "stories.csv"
    path.write_text(write_csv(rows), encoding="utf-8")
    dataset = services.load_dataset(path, path.name)
    mapping = services.suggested_mapping(session, project, dataset, "stories")
    mapping["defaults"]["cycle"] = str(cycle.id)

    plan = services.dry_run(session, project, dataset, "stories", mapping)

    assert sorted((error.row, error.column) for error in plan.errors) == [
        (2, "Collected on"), (2, "Domain"), (2, "Title")]
    assert plan.rejected == 1 and plan.records == []
