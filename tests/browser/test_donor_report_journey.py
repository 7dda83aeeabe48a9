"""A donor browses the portfolio, searches, and downloads the donor PDF, which the test then reads back."""

import re
import shutil
import subprocess

import pytest
from sqlmodel import select

from tests.browser.conftest import log_in
from tests.conftest import skip_or_fail
from tests.factories import TEST_ACTOR
from tests.factories import Factory
from tracker.db import database
from tracker.msc import services as story_services
from tracker.msc.models import Story
from tracker.msc.models import StoryDonorText
from tracker.portfolio.services import get_fund
from tracker.portfolio.services import get_project

pytestmark = pytest.mark.browser

SLUG = "viet-nam-community-networks"
TITLE = "Community networks for child online protection in Da Nang"
RESTRICTED = "SENTINEL-RESTRICTED-JOURNEY-5T"


def add_restricted_story(app):
    """A consented, once-approved story that safeguarding then restricted: it must stay out of donor reports."""
    with database(app).new_session() as session:
        factory = Factory(session, app.extensions["tracker.hasher"])
        factory._fund = get_fund(session)
        project = get_project(session, SLUG)
        cycle = factory.cycle(project, levels=("Project",))
        story = factory.story(project, cycle, safeguarding="approved", title=RESTRICTED, what_happened=RESTRICTED)
        factory.decision(factory.panel(cycle), story)
        story_services.review_safeguarding(session, TEST_ACTOR, story, {"status": "restricted",
                                                                        "note": "Names the school."}, story.version)
        session.commit()


def shared_donor_text(app, english_title):
    with database(app).new_session() as session:
        return session.exec(select(StoryDonorText).join(Story, Story.id == StoryDonorText.story_id)
                            .where(StoryDonorText.title == english_title)).one().what_happened


def pdf_text(path):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    return " ".join(text.split())


def test_a_donor_finds_a_project_by_search_and_downloads_its_donor_pdf(page, own_live_server, tmp_path):
    add_restricted_story(own_live_server["app"])
    log_in(page, own_live_server, "donor")
    page.get_by_role("navigation").get_by_role("link", name="Portfolio", exact=True).click()

    assert page.locator("table.data-table tbody th a").count() >= 8
    page.get_by_label("Search titles and summaries").fill("Da Nang")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("table.data-table tbody th a").all_inner_texts() == [TITLE]
    page.get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE

    page.get_by_role("button", name="Prepare the PDF").click(timeout=90000)  # rendered inline by this test server
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download the report \(PDF")).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    assert path.read_bytes().startswith(b"%PDF")
    text = pdf_text(path)
    assert TITLE in text
    donor_text = " ".join(shared_donor_text(own_live_server["app"], "That cup of coffee").split())
    assert donor_text[:80] in text
    assert RESTRICTED not in text
    assert "World Vision Vietnam (Da Nang)" not in text
