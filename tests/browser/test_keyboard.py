"""Keyboard alone: the skip link, visible focus, and forms filled in and submitted without a mouse."""

import pytest

from tests.browser.conftest import fresh_code

pytestmark = pytest.mark.browser

FOCUSED_LABEL = "document.activeElement.labels && document.activeElement.labels.length ? " \
                "document.activeElement.labels[0].innerText.trim() : null"


def tab_to(page, label, limit=120):
    """Press Tab until the focused field's label starts with ``label``; fail if the keyboard never gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_LABEL)
        if focused is not None and focused.startswith(label):
            return
    raise AssertionError(f"Tab never reached the field labelled {label!r}")


def tab_to_button(page, name, limit=120):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName === 'BUTTON' && document.activeElement.innerText.trim()") \
                == name:
            return
    raise AssertionError(f"Tab never reached the button {name!r}")


def check(page, label):
    tab_to(page, label)
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked"), f"Space did not tick {label!r}"


def type_into(page, label, text):
    tab_to(page, label)
    page.keyboard.type(text)


def keyboard_log_in(page, server, role):
    email, password = server["logins"][role]
    page.goto(server["url"] + "/login")
    type_into(page, "Email address", email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    secret = server["totp_secrets"].get(email)
    if secret:
        page.wait_for_url(server["url"] + "/login/verify")
        type_into(page, "Authentication code", fresh_code(server["url"], email, secret))
        page.keyboard.press("Enter")
    page.wait_for_url(server["url"] + "/")


def test_the_skip_link_is_the_first_focusable_element_and_moves_focus_to_main(page_as, live_server):
    page = page_as("grantee")
    page.goto(live_server["url"] + "/projects/thailand-helpline")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"


def test_every_element_the_keyboard_reaches_shows_a_visible_focus_indicator(page_as, live_server):
    page = page_as("me")
    page.goto(live_server["url"] + "/projects/thailand-helpline/outcomes/new")
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                              " return [document.activeElement.outerHTML.slice(0, 80), s.outlineStyle,"
                              " s.outlineWidth, s.boxShadow]; })()")
        snippet, outline_style, outline_width, box_shadow = style
        visible = (outline_style != "none" and outline_width != "0px") or box_shadow != "none"
        assert visible, f"no visible focus on {snippet}: {style}"
        seen += 1
    assert seen == 40


def test_a_grantee_logs_in_with_the_keyboard_alone(page, live_server):
    keyboard_log_in(page, live_server, "grantee")

    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()


def test_a_project_form_from_the_keyboard_ties_its_errors_to_the_fields_and_then_saves(page, own_live_server):
    keyboard_log_in(page, own_live_server, "me")
    page.goto(own_live_server["url"] + "/projects/thailand-helpline/edit")
    tab_to(page, "Title")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.press("Enter")

    title = page.locator("#title")
    assert title.get_attribute("aria-invalid") == "true"
    described = title.get_attribute("aria-describedby").split()
    assert "title-error" in described
    assert page.locator("#title-error").inner_text().strip()

    tab_to(page, "Title")
    page.keyboard.type("Aselo helpline platform for Childline Thailand, phase 2")
    tab_to_button(page, "Save project")
    page.keyboard.press("Space")

    page.wait_for_url(own_live_server["url"] + "/projects/thailand-helpline")
    assert page.get_by_role("heading", level=1).inner_text() == "Aselo helpline platform for Childline Thailand, " \
                                                                "phase 2"


def test_a_story_form_is_filled_in_and_submitted_with_the_keyboard_alone(page, own_live_server):
    keyboard_log_in(page, own_live_server, "grantee")
    page.goto(own_live_server["url"] + "/projects/thailand-helpline/stories/new")
    type_into(page, "Title", "A reply before midnight")
    tab_to(page, "Language the story is written in")
    page.keyboard.type("English")
    type_into(page, "What happened", "I wrote to the helpline late at night and a counsellor answered within minutes.")
    type_into(page, "Why this change is significant", "I learned there is somewhere to turn.")
    tab_to(page, "Country")
    page.keyboard.type("Thailand")
    type_into(page, "Storyteller's pseudonym", "Ploy")
    tab_to(page, "The storyteller is a")
    page.keyboard.type("Young")
    tab_to(page, "Age band")
    page.keyboard.type("18")
    type_into(page, "Collected by", "Counselling supervisor, Childline Thailand")
    type_into(page, "Collected on", "05022024")
    check(page, "The storyteller consented")
    type_into(page, "Consent obtained on", "05022024")
    type_into(page, "Consent form", "Childline Thailand story consent form")
    type_into(page, "Form version", "1.3")
    tab_to(page, "Internal learning")
    assert page.evaluate("document.activeElement.checked"), "internal learning is the default use"
    tab_to_button(page, "Save story")
    page.keyboard.press("Enter")

    page.wait_for_url(own_live_server["url"] + "/projects/thailand-helpline/stories/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Story"
    assert page.get_by_role("heading", name="A reply before midnight").is_visible()
