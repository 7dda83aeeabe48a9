"""axe-core on every main page, for each role, and the keyboard: skip link, visible focus, forms without a mouse."""

import pytest

from tests.browser.accessibility import PAGES
from tests.browser.accessibility import demo_ids
from tests.browser.accessibility import describe
from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def ids(live_server):
    return demo_ids(live_server["app"])


@pytest.mark.parametrize(("role", "path"), [(role, path) for role, paths in PAGES.items() for path in paths])
def test_page_has_no_serious_wcag_violations(page_as, live_server, ids, role, path):
    page = page_as(role)
    response = page.goto(live_server["url"] + path.format(**ids))

    assert response.status == 200, f"{path} answered {response.status}"
    violations = serious_violations(page)
    assert not violations, f"{role} {path}:\n{describe(violations)}"


def test_the_axe_check_reports_a_serious_violation_when_there_is_one(page_as, live_server):
    page = page_as("anonymous")
    page.goto(live_server["url"] + "/login")
    page.evaluate("document.querySelector('label[for=email]').remove()")

    assert "label (critical" in describe(serious_violations(page))
