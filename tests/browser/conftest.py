"""A live, seeded server and Debian's chromium, driven by Playwright (no browser downloads)."""

import shutil
import threading
import time
from contextlib import contextmanager
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


def whole_bodies(app):
    """Wrap ``app`` so that each response is read whole, and its iterable closed, before werkzeug writes it.

    When the browser drops a connection mid-response (a cancelled favicon fetch, say), werkzeug's development
    server skips closing the response, and a static file is left open until the garbage collector meets it:
    a ResourceWarning that pytest reports against whichever test happens to run then.
    """
    def application(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()
    return application


@contextmanager
def serve_demo(instance, demo_database):
    """Serve a copy of the loaded demo from ``instance`` on a free local port; yield its URL and demo logins.

    ``logins`` maps each role to the first demo account printed for it, as (email, password);
    ``totp_secrets`` maps the demo accounts with two-factor authentication to their secret.
    Report jobs run inline, so a report is ready when the page that asked for it answers.
    """
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACKER_INSTANCE_PATH", str(instance))
    copy = demo_database.copy_to(instance)
    app = create_app({"DATABASE_URL": f"sqlite:///{copy}", "SECRET_KEY": "browser-tests", "REPORT_JOB_RUNNER": "inline",
                      **FAST_HASHING})
    demo_logins = read_demo_logins(instance / DEMO_LOGINS_FILE)
    logins = {}
    for login in demo_logins:
        logins.setdefault(login.role, (login.email, login.password))
    totp_secrets = {login.email: login.totp_secret for login in demo_logins if login.totp_secret}
    server = make_server("127.0.0.1", 0, whole_bodies(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", "logins": logins, "totp_secrets": totp_secrets,
               "app": app}
    finally:
        server.shutdown()
        database(app).engine.dispose()
        mp.undo()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, demo_database):
    """One demo server shared by the session, for journeys that only read or write uniquely titled records."""
    with serve_demo(tmp_path_factory.mktemp("live-instance"), demo_database) as server:
        yield server


@pytest.fixture
def own_live_server(tmp_path, demo_database):
    """A demo server on this test's own copy of the demo, for journeys whose writes other tests must not see."""
    with serve_demo(tmp_path / "instance", demo_database) as server:
        yield server


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
        keep_screenshot(page, request.node.name)
    context.close()


@pytest.fixture(scope="session")
def signed_in_state(browser, live_server):
    """Each role's signed-in cookies on the shared server, logged in once per worker (a code works only once)."""
    states = {}

    def state_for(role):
        if role not in states:
            context = browser.new_context()
            page = context.new_page()
            if role != "anonymous":
                log_in(page, live_server, role)
            states[role] = context.storage_state()
            context.close()
        return states[role]
    return state_for


@pytest.fixture
def page_as(browser, signed_in_state, request):
    """``page_as(role)``: a page in a fresh context already signed in as ``role`` on the shared server."""
    contexts = []

    def open_page(role):
        context = browser.new_context(storage_state=signed_in_state(role))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page
    yield open_page
    report = getattr(request.node, "rep_call", None)
    for number, context in enumerate(contexts):
        if report is not None and report.failed:
            keep_screenshot(context.pages[0], f"{request.node.name}-{number}")
        context.close()


def keep_screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# The last time-step whose code each demo account used on each server: a code never works twice.
_used_steps = {}


def fresh_code(server_url, email, secret):
    """A code this server has not seen yet for ``email``: the current step's, or the next one (waiting if needed)."""
    totp = pyotp.TOTP(secret)
    key = (server_url, email)
    while True:
        step = max(totp.timecode(time.time()), _used_steps.get(key, -1) + 1)
        if step <= totp.timecode(time.time()) + 1:
            _used_steps[key] = step
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
        page.get_by_label("Authentication code").fill(fresh_code(live_server["url"], email, secret))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_server["url"] + "/")
