import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_grantee_reads_the_diagram_and_is_told_which_link_would_close_a_loop(page, live_server):
    log_in(page, live_server, "grantee")
    page.goto(live_server["url"] + "/projects/thailand-helpline")
    page.get_by_role("link", name="Theory of change", exact=True).click()

    diagram = page.get_by_role("img", name=re.compile("Theory of change: Aselo helpline platform"))
    assert diagram.is_visible()
    assert page.get_by_role("heading", name="Causal pathways").is_visible()

    page.get_by_role("link", name="Add a link").click()
    page.get_by_label("Cause").select_option(label="Children who disclose online abuse are referred to services and "
                                                  "followed up")
    page.get_by_label("Effect").select_option(label="Counsellors and supervisors trained and using the platform on "
                                                    "every shift")
    page.get_by_label("Rationale").fill("Referral experience feeds back into training.")
    page.get_by_role("button", name="Add the link").click()

    error = page.locator("#effect_id-error")
    assert "This link would create a cycle: Children who disclose online abuse" in error.inner_text()
    assert page.get_by_label("Rationale").input_value() == "Referral experience feeds back into training."


def test_me_staff_approve_a_submitted_actual_from_the_review_queue(page, live_server):
    log_in(page, live_server, "me")
    page.goto(live_server["url"] + "/indicators/review")
    page.get_by_role("link", name="Contacts answered on text channels (webchat, SMS, LINE, Messenger)").click()

    page.get_by_label("Review note").fill("Matches the February export.")
    page.get_by_role("button", name="Approve", exact=True).click()

    assert "Actual approved: reports now use it." in page.locator(".flashes").inner_text()
    assert page.get_by_role("table", name=re.compile("Baseline, targets and actuals")).is_visible()
    assert page.get_by_role("img", name=re.compile("Progress: Contacts answered")).is_visible()
