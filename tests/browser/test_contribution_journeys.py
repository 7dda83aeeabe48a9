import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_me_staff_are_told_what_step_4_still_needs_and_keep_bad_tracing_figures(page, live_server):
    log_in(page, live_server, "me")
    page.goto(live_server["url"] + "/projects/deafkidz-defenders")
    page.get_by_role("link", name="Contribution", exact=True).click()
    page.get_by_role("link", name="The games help deaf children act on online risks").click()
    page.get_by_role("link", name="Change step").click()

    page.get_by_label("Move the claim to").select_option(label="4. Assemble and assess the contribution story")
    page.get_by_role("button", name="Move the claim").click()

    missing = page.get_by_role("alert")
    assert "The claim cannot move to that step yet. Missing:" in missing.inner_text()
    assert "Recognising a risk leads a child to act on it" in missing.inner_text()

    page.get_by_role("link", name="The games help deaf children act on online risks").click()
    page.get_by_role("link", name="Contribution tracing").first.click()
    page.get_by_role("link", name=re.compile("^Add evidence for Deaf children in the pilot schools")).click()
    page.get_by_label("Evidence sought").fill("Attendance registers show every enrolled child played weekly.")
    page.get_by_label("Sensitivity (Se)").fill("1.2")
    page.get_by_label("Type I error (α)").fill("often")
    page.get_by_role("button", name="Save and recompute").click()

    assert "strictly between 0 and 1" in page.locator("#sensitivity-error").inner_text()
    assert "Enter a number between 0 and 1" in page.locator("#type1_error-error").inner_text()
    assert page.get_by_label("Sensitivity (Se)").input_value() == "1.2"
    assert page.get_by_label("Evidence sought").input_value() == ("Attendance registers show every enrolled child "
                                                                  "played weekly.")


def test_a_grantee_records_a_note_for_a_link_from_the_evidence_map(page, live_server):
    log_in(page, live_server, "grantee")
    page.goto(live_server["url"] + "/projects/thailand-helpline")
    page.get_by_role("link", name="Evidence map", exact=True).click()

    assert page.get_by_role("img", name=re.compile("Evidence map: Aselo helpline platform")).is_visible()
    assert page.get_by_role("heading", name="Gaps: links on a claimed pathway with no evidence").is_visible()

    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="Evidence", exact=True).click()
    page.get_by_role("link", name="Record evidence").click()
    page.get_by_role("link", name="Interview note").click()
    page.get_by_label("Title").fill("Interview with a night-shift counsellor")
    page.get_by_label("Interview note").fill("Most disclosures after midnight arrive on LINE.")
    page.get_by_label("Source").fill("Night-shift counsellor, Childline Thailand")
    link = ("Aselo live at Childline Thailand on voice, SMS, webchat, LINE and Messenger → Children and young people "
            "reach counsellors through the text channels they already use")
    page.get_by_label("Supports", exact=True).select_option(label=link)
    page.get_by_label("Strength").select_option("moderate")
    page.get_by_role("button", name="Save the evidence").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Interview with a night-shift counsellor"
    assert "Evidence recorded." in page.locator(".flashes").inner_text()
    assert page.get_by_role("cell", name="Moderate").is_visible()
