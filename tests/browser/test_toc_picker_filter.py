"""The theory-of-change picker in a real browser: the filter narrows the checkbox list, ticked elements stay,
and without JavaScript the whole list shows with no filter box."""

import pytest

pytestmark = pytest.mark.browser

NEW_OUTCOME = "/projects/thailand-helpline/outcomes/new"


def test_the_filter_narrows_the_list_and_keeps_ticked_elements(page_as, live_server):
    page = page_as("grantee")
    page.goto(live_server["url"] + NEW_OUTCOME)
    picker = page.get_by_role("group", name="Theory-of-change elements")
    boxes = picker.get_by_role("checkbox")
    total = boxes.count()
    picker.get_by_label("Case data protected to agreed standards").check()

    page.get_by_label("Show only those containing").fill("counsellors")

    visible = [label for label in picker.locator("li:visible").all_inner_texts()]
    assert 1 < len(visible) < total
    assert all("counsellors" in label.lower() or label.startswith("Case data protected") for label in visible)
    assert any(label.startswith("Case data protected") for label in visible)
    assert f"of {total} shown" in picker.get_by_role("status").inner_text()

    page.get_by_label("Show only those containing").fill("")
    assert picker.locator("li:visible").count() == total


def test_without_javascript_the_whole_list_shows_and_no_filter(browser, signed_in_state, live_server):
    context = browser.new_context(storage_state=signed_in_state("grantee"), java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server["url"] + NEW_OUTCOME)
        picker = page.get_by_role("group", name="Theory-of-change elements")
        assert picker.get_by_role("checkbox").count() == picker.locator("li:visible").count() > 3
        assert not page.get_by_label("Show only those containing").is_visible()
    finally:
        context.close()
