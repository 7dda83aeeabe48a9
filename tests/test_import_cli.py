"""``flask import``, ``flask export xlsx|csv`` and ``flask bench-import`` from the command line."""

import json
import stat

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import TEST_ACTOR
from tests.fixtures.imports.builders import kobo_msc_workbook
from tests.fixtures.imports.builders import odk_outcomes_csv
from tracker.imports import services
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome


def run(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args], **kwargs)


def test_a_dry_run_reports_each_problem_and_writes_nothing(app, factory, session, tmp_path):
    project = factory.project(countries=("KH", "TH"))
    factory.cycle(project)
    session.commit()

    result = run(app, "import", project.slug, kobo_msc_workbook(tmp_path / "bad.xlsx", broken=True),
                 "--kind", "stories", "--dry-run")

    assert result.exit_code == 1
    assert "sheet “translations”, row 4, column “translations/language”: “Klingon”" in result.output
    assert "3 problems" in result.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Story)) == 0


def test_import_then_import_again_adds_nothing(app, factory, session, tmp_path):
    project = factory.project(countries=("TH",))
    factory.harvest(project)
    session.commit()
    path = odk_outcomes_csv(tmp_path / "odk.csv")

    first = run(app, "import", project.slug, path, "--kind", "outcomes")
    second = run(app, "import", project.slug, path, "--kind", "outcomes")

    assert first.exit_code == 0, first.output
    assert "Created 3 outcomes from 3 rows; 0 already imported" in first.output
    assert "Created 0 outcomes from 3 rows; 3 already imported" in second.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 3


def test_import_uses_a_saved_mapping_by_name(app, factory, session, tmp_path):
    project = factory.project(countries=("KH", "TH"))
    factory.cycle(project)
    path = kobo_msc_workbook(tmp_path / "kobo.xlsx")
    dataset = services.load_dataset(path, path.name)
    mapping = services.suggested_mapping(session, project, dataset, "stories")
    mapping["defaults"]["form_name"] = "Story consent form v2"
    services.save_mapping_template(session, TEST_ACTOR, project, "stories", "Kobo MSC v2", mapping)
    session.commit()

    result = run(app, "import", project.slug, path, "--kind", "stories", "--mapping", "Kobo MSC v2")

    assert result.exit_code == 0, result.output
    assert "form_name                    = Story consent form v2" in result.output
    assert "Created 6 stories from 6 rows; 0 already imported (skipped); 1 need consent" in result.output


def test_an_unknown_mapping_name_lists_the_saved_ones(app, factory, session, tmp_path):
    project = factory.project()
    session.commit()

    result = run(app, "import", project.slug, odk_outcomes_csv(tmp_path / "odk.csv"), "--kind", "outcomes",
                 "--mapping", "nope")

    assert result.exit_code != 0 and "no outcomes mapping called 'nope' (saved: none)" in result.output


def test_a_refused_file_is_explained(app, factory, session, tmp_path):
    project = factory.project()
    session.commit()
    fake = tmp_path / "stories.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")

    result = run(app, "import", project.slug, fake, "--kind", "stories")

    assert result.exit_code != 0 and "is named .xlsx but is not an Excel workbook" in result.output


def test_export_writes_a_private_donor_workbook(app, factory, session, tmp_path):
    project = factory.project()
    factory.outcome(project, status="substantiated", sources="SENTINEL-SOURCES")
    session.commit()
    output = tmp_path / "donor.xlsx"

    result = run(app, "export", "xlsx", "--project", project.slug, "--audience", "donor", "-o", output)

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    workbook = load_workbook(output)
    assert workbook.sheetnames == ["Outcomes", "Stories", "Story translations", "Indicators"]
    assert "SENTINEL" not in json.dumps([[c for c in row] for row in workbook["Outcomes"].values], default=str)


def test_export_csv_of_several_sheets_must_be_named_zip_and_never_replaces_a_file(app, factory, session, tmp_path):
    factory.project()
    session.commit()
    existing = tmp_path / "out.zip"
    existing.write_text("keep me", encoding="utf-8")

    not_zip = run(app, "export", "csv", "--audience", "internal", "-o", tmp_path / "out.csv")
    kept = run(app, "export", "csv", "--audience", "internal", "-o", existing)
    single = run(app, "export", "csv", "--audience", "internal", "--sheet", "outcomes", "-o", tmp_path / "o.csv")

    assert not_zip.exit_code != 0 and "name the output .zip" in not_zip.output
    assert kept.exit_code != 0 and existing.read_text(encoding="utf-8") == "keep me"
    assert single.exit_code == 0 and (tmp_path / "o.csv").read_bytes().startswith("\ufeff".encode())


def test_bench_import_prints_the_figures_as_json(app):
    result = run(app, "bench-import", "--rows", "50", "--kind", "outcomes")

    figures = json.loads(result.output)
    assert result.exit_code == 0 and figures["rows"] == 50 and figures["created"] == 50
    assert figures["import_s"] > 0 and figures["parse_s"] > 0 and figures["ratio"] > 0
