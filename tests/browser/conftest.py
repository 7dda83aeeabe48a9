"""A live, seeded server and Debian's chromium, driven by Playwright (no browser downloads)."""

import shutil
import threading
import time
from pathlib import Path

import pyotp
import pytest
from werkzeug.serving import make_server

from tests.conftest import FAST_HASHING
from tests.conftest import skip_or_fail
from tracker import create_app
from tracker.cli import DEMO_LOGINS_FILE
from tracker.cli import read_demo_logins
from tracker.db import database

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, demo_database):
    """Serve a copy of the loaded demo on a free local port; yield its URL and demo logins.

    ``logins`` maps each role to the first demo account printed for it, as (email, password);
    ``totp_secrets`` maps the demo accounts with two-factor authentication to their secret.
    """
    instance = tmp_path_factory.mktemp("live-instance")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACKER_INSTANCE_PATH", str(instance))
    copy = demo_database.copy_to(instance)
    app = create_app({"DATABASE_URL": f"sqlite:///{copy}", "SECRET_KEY": "browser-tests", **FAST_HASHING})
    demo_logins = read_demo_logins(instance / DEMO_LOGINS_FILE)
    logins = {}
    for login in demo_logins:
        logins.setdefault(login.role, (login.email, login.password))
    totp_secrets = {login.email: login.totp_secret for login in demo_logins if login.totp_secret}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "logins": logins, "totp_secrets": totp_secrets,
           "app": app}
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


# The last time-step whose code each demo account used: a code never works twice.
_used_steps = {}


def fresh_code(email, secret):
    """A code the server has not seen yet for ``email``: the current step's, or the next one (waiting if needed)."""
    totp = pyotp.TOTP(secret)
    while True:
        step = max(totp.timecode(time.time()), _used_steps.get(email, -1) + 1)
        if step <= totp.timecode(time.time()) + 1:
            _used_steps[email] = step
            return totp.generate_otp(step)
        time.sleep(1)


def log_in(page, live_server, role):
    email, password = live_server["logins"][role]
    secret = live_server["totp_secrets"].get(email)
    page.goto(live_server["url"] + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if secret:
        page.wait_for_url(live_server["url"] + "/login/verify")
        page.get_by_label("Authentication code").fill(fresh_code(email, secret))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_server["url"] + "/")
