"""An import is checked (a dry run that saves nothing) with errors, then fixed and run for real."""

import copy
import csv
import io

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_import_export_journeys import HEADERS
from tests.browser.test_import_export_journeys import ROWS
from tests.browser.test_import_export_journeys import upload_and_check

pytestmark = pytest.mark.browser

COLLECTED_ON = HEADERS.index("Collected on")
REFERENCE = HEADERS.index("Reference")
TITLE = HEADERS.index("Title")


def write_rows(path, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADERS, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_an_import_with_errors_saves_nothing_then_the_fixed_file_imports(page, own_live_server, tmp_path):
    rows = copy.deepcopy(ROWS)
    for number, row in enumerate(rows, start=1):
        row[REFERENCE] = f"TH-24-9{number:02d}"
    rows[1][TITLE] = "Handover notes for the morning team"
    rows[1][COLLECTED_ON] = "the third of July"
    log_in(page, own_live_server, "grantee")

    upload_and_check(page, own_live_server, write_rows(tmp_path / "stories-dry-run.csv", rows))
    problems = page.get_by_role("table", name="Problems by sheet, row and column")
    assert problems.is_visible()
    assert "Collected on" in problems.inner_text()
    assert page.get_by_text("Fix the problems above first: an import writes every row or none.").is_visible()
    assert page.get_by_role("button", name="Import all").count() == 0
    page.goto(own_live_server["url"] + "/projects/thailand-helpline/stories")
    assert page.get_by_text("Handover notes for the morning team").count() == 0

    rows[1][COLLECTED_ON] = "2024-07-03"
    upload_and_check(page, own_live_server, write_rows(tmp_path / "stories-fixed.csv", rows))
    assert page.get_by_role("table", name="Problems by sheet, row and column").count() == 0
    page.get_by_role("button", name="Import all 2 records").click()

    assert page.get_by_text("Imported 2 stories, waiting for their safeguarding review.").is_visible()
    page.goto(own_live_server["url"] + "/projects/thailand-helpline/stories")
    assert page.get_by_role("link", name="Handover notes for the morning team").is_visible()
