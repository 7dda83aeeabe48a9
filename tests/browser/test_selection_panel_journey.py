"""A selection panel selects a story with its reasons, and the feedback the selection owes appears."""

import pytest
from sqlmodel import select

from tests.browser.conftest import log_in
from tracker.db import database
from tracker.msc.models import Panel

pytestmark = pytest.mark.browser

REASONS = ("The panel chose this story because it shows a child reaching help the same night, in the channel "
           "they already use, and the service following up.")


JOINT_REASON = ("The panel could not choose between the two stories: both show a child's report reaching help within "
                "a day, one through a teacher and one through the helpline.")


def test_a_panel_selects_a_story_with_reasons_and_its_feedback_is_then_owed(page, own_live_server):
    url = own_live_server["url"]
    with database(own_live_server["app"]).new_session() as session:
        panels = session.exec(select(Panel.id).order_by(Panel.id)).all()
    log_in(page, own_live_server, "me")
    panel = next(panel for panel in panels if page.goto(f"{url}/msc/panels/{panel}") and
                 page.get_by_role("link", name="Read and decide").count())
    page.get_by_role("link", name="Read and decide").first.click()
    title = page.locator("article.record h2").first.inner_text()

    page.get_by_label("Selected as most significant").check()
    page.get_by_label("Reasons").fill(REASONS)
    page.get_by_label("Decided on").fill("2024-11-20")
    page.get_by_role("button", name="Record decision").click()
    if page.url != f"{url}/msc/panels/{panel}":  # the panel already chose a story in this domain: say why both
        assert "A panel selects one story per domain" in page.locator("main").inner_text()
        page.get_by_label("Reason for a joint selection").fill(JOINT_REASON)
        page.get_by_role("button", name="Record decision").click()

    assert page.url == f"{url}/msc/panels/{panel}"
    assert "Decision recorded." in page.locator(".flashes").inner_text()
    row = page.get_by_role("row").filter(has_text=title)
    assert "Selected" in row.first.inner_text()

    page.get_by_role("link", name="Feedback owed").click()
    owed = page.get_by_role("row").filter(has_text=title)
    assert owed.count() == 1
    assert owed.get_by_role("link").count() >= 1
