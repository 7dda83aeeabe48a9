"""Layout at desktop and phone widths: tabs on one line, choices beside their labels, no page wider than the screen."""

import itertools

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PROJECT = "/projects/thailand-helpline"
LONG_WORD = "Thewordthatneverends" * 15
LONG_TITLE = "Unending" * 35

BOXES = """(selector) => [...document.querySelectorAll(selector)].map(element => {
  const box = element.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right, text: element.textContent.trim()};
})"""

# Each choice's input and label: their boxes, and the height of one line of the label's text.
CHOICES = """(selector) => [...document.querySelectorAll(selector)].map(input => {
  const label = document.querySelector(`label[for="${input.id}"]`);
  const box = input.getBoundingClientRect(), text = label.getBoundingClientRect();
  return {id: input.id, input: {top: box.top, right: box.right}, label: {top: text.top, left: text.left,
          height: text.height, line: parseFloat(getComputedStyle(label).lineHeight)}};
})"""


def page_width(page):
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def assert_beside_first_line(choices):
    assert choices
    for choice in choices:
        assert choice["input"]["right"] <= choice["label"]["left"], choice
        assert abs(choice["input"]["top"] - choice["label"]["top"]) < choice["label"]["line"], choice


def test_every_project_tab_is_on_one_line_at_1280_px(page_as, live_server):
    page = page_as("me")
    page.set_viewport_size(DESKTOP)
    page.goto(live_server["url"] + PROJECT)

    tabs = page.evaluate(BOXES, ".project-tabs li")

    assert len(tabs) >= 6
    assert len({round(tab["top"]) for tab in tabs}) == 1, tabs
    assert max(tab["right"] for tab in tabs) <= DESKTOP["width"]


def test_project_tabs_scroll_sideways_on_a_phone_without_overlapping(page_as, live_server):
    page = page_as("me")
    page.set_viewport_size(PHONE)
    page.goto(live_server["url"] + PROJECT)

    tabs = page.evaluate(BOXES, ".project-tabs li")
    scroll, viewport = page_width(page)

    assert len({round(tab["top"]) for tab in tabs}) == 1
    assert all(left["right"] <= right["left"] + 0.5 for left, right in itertools.pairwise(tabs)), tabs
    assert scroll <= viewport
    assert page.evaluate("getComputedStyle(document.querySelector('.project-tabs')).overflowX") == "auto"


def test_radio_buttons_and_checkboxes_stay_beside_their_wrapped_labels_on_a_phone(page_as, live_server):
    page = page_as("me")
    page.set_viewport_size(PHONE)
    page.goto(live_server["url"] + "/export")

    choices = page.evaluate(CHOICES, ".choice > input")

    assert any(choice["label"]["height"] > 1.5 * choice["label"]["line"] for choice in choices), choices
    assert_beside_first_line(choices)


def test_a_single_checkbox_stays_beside_its_label_on_a_phone(page_as, live_server):
    page = page_as("grantee")
    page.set_viewport_size(PHONE)
    page.goto(live_server["url"] + PROJECT + "/stories/new")

    assert_beside_first_line(page.evaluate(CHOICES, ".field--checkbox > input"))


def test_export_the_portfolio_does_not_overlap_the_iati_link_on_a_phone(page_as, live_server):
    page = page_as("me")
    page.set_viewport_size(PHONE)
    page.goto(live_server["url"] + "/portfolio")

    export = page.get_by_role("link", name="Export the portfolio").bounding_box()
    iati = page.locator(".iati-links").bounding_box()

    assert export["y"] + export["height"] <= iati["y"], (export, iati)


def save_story_with_a_long_word(page, url):
    page.goto(url + PROJECT + "/stories/new")
    page.get_by_label("Title", exact=True).fill(LONG_TITLE)
    page.get_by_label("Language the story is written in").select_option("en")
    page.get_by_label("What happened").fill(f"She pasted {LONG_WORD} into the chat.")
    page.get_by_label("Why this change is significant to the storyteller").fill(LONG_WORD)
    page.get_by_label("Country", exact=True).select_option("TH")
    page.get_by_label("Collected by").fill("Counselling supervisor, Childline Thailand")
    page.get_by_label("Collected on").fill("2024-04-10")
    page.get_by_label("Storyteller's pseudonym").fill("Mali")
    page.get_by_label("The storyteller is a").select_option("young_person")
    page.get_by_label("Age band").select_option("18_24")
    page.get_by_label("The storyteller consented").check()
    page.get_by_label("Consent obtained on").fill("2024-04-10")
    page.get_by_label("Consent form").fill("Childline Thailand story consent form")
    page.get_by_label("Form version").fill("1.3")
    page.get_by_role("button", name="Save story").click()
    page.get_by_role("heading", name=LONG_TITLE).wait_for()
    return page.url


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_300_character_word_never_widens_the_story_page(page, own_live_server, viewport):
    log_in(page, own_live_server, "grantee")
    story_url = save_story_with_a_long_word(page, own_live_server["url"])
    page.set_viewport_size(viewport)

    for url in (story_url, own_live_server["url"] + PROJECT + "/stories"):
        page.goto(url)
        assert LONG_TITLE in page.content()
        scroll, width = page_width(page)
        assert scroll <= width, url
