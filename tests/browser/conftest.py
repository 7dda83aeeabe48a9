"""A live, seeded server and Debian's chromium, driven by Playwright (no browser downloads)."""

import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import FAST_HASHING
from tests.conftest import skip_or_fail
from tracker import create_app
from tracker import migrate
from tracker.db import database

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve a freshly migrated and seeded demo on a free local port; yield its URL and demo logins."""
    instance = tmp_path_factory.mktemp("live-instance")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACKER_INSTANCE_PATH", str(instance))
    app = create_app({"DATABASE_URL": f"sqlite:///{instance}/live.sqlite", "SECRET_KEY": "browser-tests",
                      **FAST_HASHING})
    migrate.upgrade(database(app).engine)
    output = app.test_cli_runner().invoke(args=["seed-demo"]).output
    logins = {}
    for role, email, password in re.findall(r"^\s+(\w+)\s+(\S+@example\.org)\s+(\S+)$", output, flags=re.MULTILINE):
        logins.setdefault(role, (email, password))  # the first account printed for each role
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "logins": logins, "app": app}
    server.shutdown()
    database(app).engine.dispose()
    mp.undo()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        skip_or_fail("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def log_in(page, live_server, role):
    email, password = live_server["logins"][role]
    page.goto(live_server["url"] + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server["url"] + "/")
