"""Each role logs in and lands on its own home, and goes on from it to where its work is."""

import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_grantee_lands_on_their_projects_progress_and_opens_a_project(page, live_server):
    log_in(page, live_server, "grantee")

    assert page.get_by_role("heading", level=1).inner_text() == "My projects"
    assert page.get_by_role("table", name="Outcomes by status").first.is_visible()
    assert page.get_by_role("table", name="Stories by consent and review").first.is_visible()
    page.locator("main h2 a").first.click()
    page.wait_for_url(re.compile(r".*/projects/[^/]+$"))


def test_an_me_officer_lands_on_the_review_queues_with_their_counts(page, live_server):
    log_in(page, live_server, "me")

    assert page.get_by_role("heading", level=1).inner_text() == "Review queues and portfolio health"
    queues = page.get_by_role("table", name="What waits for M&E staff, with the age of the oldest item")
    assert queues.get_by_role("rowheader").count() == 6
    assert page.get_by_role("heading", name="Portfolio health", exact=True).is_visible()


def test_a_donor_lands_on_the_dashboard_with_the_map_and_its_table(page, live_server):
    log_in(page, live_server, "donor")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Portfolio dashboard")
    assert page.get_by_role("img", name=re.compile("Grants per country")).is_visible()
    countries = page.get_by_role("table", name=re.compile("Grants per country"))
    assert countries.get_by_role("rowheader").count() >= 1
    assert page.get_by_role("img", name="Substantiated outcomes by type of change").is_visible()
    page.get_by_role("link", name="All projects and the portfolio report").click()
    page.wait_for_url(live_server["url"] + "/portfolio")


def test_an_administrator_lands_on_accounts_and_access(page, live_server):
    log_in(page, live_server, "admin")

    assert page.get_by_role("heading", level=1).inner_text() == "Accounts and access"
    assert page.get_by_role("table", name="Active accounts by role").get_by_role("rowheader").count() == 4
    assert page.get_by_role("heading", name="Break-the-glass access active now").is_visible()
