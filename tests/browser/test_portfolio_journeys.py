import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def project_links(page):
    return page.locator("table.data-table tbody th a").all_inner_texts()


def test_grantee_logs_in_and_sees_only_their_own_projects(page, live_server):
    log_in(page, live_server, "grantee")
    page.get_by_role("link", name="Portfolio", exact=True).click()

    assert project_links(page) == ["Aselo helpline platform for Childline Thailand"]
    page.goto(live_server["url"] + "/projects/dominican-republic-response-board")
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"


def test_donor_sees_the_whole_portfolio_and_filters_it(page, live_server):
    log_in(page, live_server, "donor")
    page.get_by_role("link", name="All projects and the portfolio report").click()

    assert len(project_links(page)) >= 8
    assert page.get_by_role("heading", name="By pillar", exact=True).is_visible()
    page.get_by_label("Country", exact=True).select_option("VN")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/portfolio?*country=VN*")
    titles = project_links(page)
    assert "Community networks for child online protection in Da Nang" in titles
    assert "Aselo helpline platform for Childline Thailand" not in titles
    title = "Community networks for child online protection in Da Nang"
    page.get_by_role("link", name=title).click()
    assert page.get_by_role("heading", level=1).inner_text() == title


def test_skip_link_is_the_first_thing_the_keyboard_reaches(page, live_server):
    page.goto(live_server["url"] + "/login")
    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
