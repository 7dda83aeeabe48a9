import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

HEADERS = ["Reference", "Title", "What happened", "Why is this significant", "Domain", "Pseudonym", "Category",
           "Age", "Collected on", "Collected by", "Language", "Consent", "Consent date", "Consent form",
           "Consent form version", "Internal learning", "Donor reporting"]
ROWS = [
    ["TH-24-101", "พี่เลี้ยงโทรกลับภายในวันเดียว", "หลังแจ้งผ่านไลน์ เจ้าหน้าที่สังคมสงเคราะห์โทรกลับมาหาแม่ของเด็กในวันเดียวกัน",
     "ครอบครัวรู้ว่าต้องทำอะไรต่อ", "Services that respond", "Counsellor June", "professional", "31",
     "2024-07-02", "Counselling supervisor, Childline Thailand Foundation", "th", "yes", "2024-07-02",
     "Childline Thailand staff story consent form", "1.0", "yes", "no"],
    ["TH-24-102", "Night shift handover notes", "We began writing a short handover note for every open chat, so the "
     "morning team can greet the child by the name they chose.", "Children do not have to start again.",
     "Services that respond", "Counsellor Mew", "professional", "27", "2024-07-03",
     "Counselling supervisor, Childline Thailand Foundation", "en", "", "", "", "", "", ""],
]


def write_csv(path):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADERS, *ROWS])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def upload_and_check(page, live_server, path):
    page.goto(live_server["url"] + "/projects/thailand-helpline")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_role("radio", name="MSC stories").check()
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Upload and match columns").click()
    page.get_by_label("Column that identifies each row").select_option(f"{path.stem}::Reference")
    page.get_by_role("button", name="Check every row").click()


def test_a_grantee_imports_a_spreadsheet_of_stories_once(page, live_server, tmp_path):
    log_in(page, live_server, "grantee")
    path = write_csv(tmp_path / "counsellor-stories-july.csv")

    upload_and_check(page, live_server, path)
    assert page.get_by_role("heading", name="Step 3 of 3: check and import").is_visible()
    assert page.get_by_text("Needs consent").is_visible()
    page.get_by_role("button", name="Import all 2 records").click()

    assert page.get_by_text("Imported 2 stories, waiting for their safeguarding review.").is_visible()
    assert page.get_by_role("heading", name="Imported from “counsellor-stories-july.csv”").is_visible()
    created = page.get_by_role("table", name="Records created by this import, in the order of the file")
    assert created.get_by_role("link").count() == 2
    assert not serious_violations(page)
    created.get_by_role("link").first.click()
    assert "/stories/" in page.url

    upload_and_check(page, live_server, path)
    assert page.get_by_text("Nothing new to import: every row of this file was imported before.").is_visible()


def test_a_donor_downloads_the_portfolio_workbook_without_collectors(page, live_server):
    log_in(page, live_server, "donor")
    page.goto(live_server["url"] + "/export")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))

    assert workbook.sheetnames == ["Outcomes", "Stories", "Story translations", "Indicators"]
    assert download.value.suggested_filename.endswith(".xlsx")
    assert "Collected by" not in next(workbook["Stories"].values)
    text = " ".join(str(cell) for sheet in workbook.worksheets for row in sheet.values for cell in row if cell)
    assert "Counselling supervisor" not in text and "Ly cà phê hôm ấy" in text
