import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_the_lead_opens_an_alert_follows_it_to_the_audit_entries_and_closes_it(page, own_live_server):
    log_in(page, own_live_server, "admin")  # the demo's administrator is the data-protection lead

    page.get_by_role("link", name="Access overview").click()
    assert page.get_by_role("heading", name="Reads per person").is_visible()
    page.get_by_role("link", name="3 open alerts").click()
    page.get_by_role("link", name="Unusually many reads in a day").click()
    assert page.locator("table.audit-table tbody tr").count() == 50

    page.get_by_role("link", name="See this person's entries of the period in the audit log").click()
    assert "me@example.org" in page.locator("table.audit-table tbody tr").first.inner_text()
    page.go_back()

    page.get_by_label("Closing note").fill("Asked the officer: a late evening preparing the annual review. Fine.")
    page.get_by_role("button", name="Close with this note").click()

    assert page.get_by_text("Alert closed.").is_visible()
    assert page.get_by_text("Asked the officer: a late evening").is_visible()
    page.get_by_role("link", name="All open alerts").click()
    assert page.get_by_role("link", name="Unusually many reads in a day").count() == 0
