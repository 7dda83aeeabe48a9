import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_admin_logs_in_with_a_code_and_finds_their_login_in_the_audit_log(page, live_server):
    log_in(page, live_server, "admin")
    email = live_server["logins"]["admin"][0]

    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Person (email address)").fill(email)
    page.get_by_label("Action").select_option("login")
    page.get_by_role("button", name="Filter").click()

    rows = page.locator("table.audit-table tbody tr")
    assert rows.count() >= 1
    assert email in rows.first.inner_text()


def test_me_officer_logs_in_with_a_code(page, live_server):
    log_in(page, live_server, "me")

    assert page.get_by_role("link", name="Organisations").is_visible()


def test_a_wrong_code_keeps_the_login_at_the_second_step(page, live_server):
    email, password = live_server["logins"]["me"]
    page.goto(live_server["url"] + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("Authentication code").fill("12345x")
    page.get_by_role("button", name="Continue").click()

    assert page.url.endswith("/login/verify")
    assert page.get_by_text("This code is not right").first.is_visible()
    page.goto(live_server["url"] + "/")
    assert page.url.startswith(live_server["url"] + "/login")
