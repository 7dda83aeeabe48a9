"""A grantee finds the returned actual in their inbox, corrects it, and it leaves the inbox."""

import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

RETURNED = re.compile(r"returned actuals? to correct")


def test_a_grantee_corrects_a_returned_actual_from_the_inbox_and_the_to_do_is_gone(page, own_live_server):
    url = own_live_server["url"]
    log_in(page, own_live_server, "grantee")
    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Inbox")).click()
    page.wait_for_url(url + "/inbox")
    returned = page.get_by_role("link", name=RETURNED)
    before = returned.count()
    assert before >= 1

    returned.first.click()
    assert "512 seems to include referrals for offline abuse" in page.content()
    page.get_by_label("Actual value").fill("500")
    page.get_by_role("button", name="Submit for review").click()
    assert page.locator(".flashes").is_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Inbox")).click()
    page.wait_for_url(url + "/inbox")
    assert page.get_by_role("link", name=RETURNED).count() == before - 1
