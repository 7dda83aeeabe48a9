"""M&E staff add a theory-of-change link with an assumption, attach evidence to it, record a contribution-tracing
item resting on that evidence, and see the claim's confidence change."""

import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PROJECT = "/projects/deafkidz-defenders"
CLAIM = "The games help deaf children act on online risks"
NODE = "Sign-language video guide for parents of deaf children"
EVIDENCE = "Interview with a parent after the video guide sessions"


def tab(page, name):
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name=name, exact=True).click()


def confidence(page):
    return page.locator("section[aria-labelledby=result-title] .summary-headline").inner_text()


def test_me_staff_link_evidence_to_the_toc_and_a_tracing_item_changes_the_confidence(page, own_live_server):
    url = own_live_server["url"]
    log_in(page, own_live_server, "me")
    page.goto(url + PROJECT)
    tab(page, "Theory of change")
    page.get_by_role("link", name="Add a result").click()
    page.get_by_label("Title", exact=True).fill(NODE)
    page.get_by_label("Level", exact=True).select_option(label="Activity")
    page.get_by_role("button", name="Add the result").click()
    tab(page, "Theory of change")

    page.get_by_role("link", name="Add a link").click()
    page.get_by_label("Cause").select_option(label=NODE)
    effects = page.get_by_label("Effect").locator("option").evaluate_all(
        "options => options.filter(option => option.value).map(option => option.textContent)")
    effect = next(text for text in effects if text != NODE)
    page.get_by_label("Effect").select_option(label=effect)
    page.get_by_label("Rationale").fill("Parents who understand the risks talk about them with their children.")
    page.get_by_role("button", name="Add the link").click()
    link_page = page.url
    page.get_by_role("link", name="Add an assumption").click()
    page.get_by_label("Assumption").fill("Parents watch the guide together with their child.")
    page.get_by_role("button", name="Save").click()
    page.goto(link_page)
    assert page.get_by_text("Parents watch the guide together with their child.").is_visible()

    page.goto(url + PROJECT + "/evidence")
    page.get_by_role("link", name="Record evidence").click()
    page.get_by_role("link", name="Interview note").click()
    page.get_by_label("Title").fill(EVIDENCE)
    page.get_by_label("Interview note").fill("The mother now asks her son who he chats with, using the signs "
                                             "from the guide.")
    page.get_by_label("Source").fill("Parent of a pilot-school pupil, interviewed by DeafKidz International")
    page.get_by_label("Supports", exact=True).select_option(label=f"{NODE} → {effect}")
    page.get_by_label("Strength").select_option("moderate")
    page.get_by_role("button", name="Save the evidence").click()
    assert page.get_by_role("heading", level=1).inner_text() == EVIDENCE

    page.goto(url + PROJECT)
    tab(page, "Contribution")
    page.get_by_role("link", name=CLAIM).click()
    page.get_by_role("link", name="Contribution tracing").first.click()
    before = confidence(page)
    page.get_by_role("link", name=re.compile("^Add evidence for")).first.click()
    page.get_by_label("Evidence sought").fill("Parents report talking with their child about online contacts.")
    page.get_by_label("Sensitivity (Se)").fill("0.9")
    page.get_by_label("Type I error (α)").fill("0.05")
    page.get_by_label("Found", exact=True).check()
    item = page.get_by_label("Evidence item (optional)")
    item.select_option(item.locator("option", has_text=EVIDENCE).get_attribute("value"))
    page.get_by_role("button", name="Save and recompute").click()

    after = confidence(page)
    assert after != before
    assert page.get_by_role("link", name=EVIDENCE).first.is_visible()
