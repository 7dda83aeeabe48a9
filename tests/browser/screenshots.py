"""``python -m tests.browser.screenshots`` (what ``make screenshots`` runs): each role's home at two widths.

Loads a fresh demo in a temporary folder (migrated and seeded as ``make run`` does), serves it the way the
browser tests do, signs in as each demo role (with the two-factor step where the account has one) in
Debian's chromium and saves full-page PNGs of ``/`` to ``docs/screenshots/home-{role}-{width}.png``.
"""

import logging
import shutil
import sys
import tempfile
from io import BytesIO
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM_FLAGS
from tests.browser.conftest import log_in
from tests.browser.conftest import serve_demo
from tests.conftest import DemoDatabase
from tests.conftest import load_demo

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ROLES = ("grantee", "me", "donor", "admin")
WIDTHS = (1280, 390)
# The height of the window before the full page is captured; the PNG is as tall as the page.
VIEWPORT_HEIGHT = 800


def take_screenshots(output=OUTPUT):
    """Write the eight home screenshots into ``output``; return their paths."""
    executable = shutil.which("chromium")
    if executable is None:
        sys.exit("Debian's chromium is not installed (apt-get install chromium)")
    output.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="tracker-screenshots-") as folder:
        demo = Path(folder) / "demo"
        load_demo(demo, f"sqlite:///{demo}/demo.sqlite")
        demo_database = DemoDatabase(demo / "demo.sqlite", demo, "")
        with serve_demo(Path(folder) / "instance", demo_database) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
            try:
                for role in ROLES:
                    written += screenshots_of_home(browser, server, role, output)
            finally:
                browser.close()
    return written


def screenshots_of_home(browser, server, role, output):
    """Sign in once as ``role`` and capture its home at each width."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": VIEWPORT_HEIGHT})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, server, role)
        paths = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
            page.goto(server["url"] + "/")
            page.wait_for_load_state("networkidle")
            path = output / f"home-{role}-{width}.png"
            save_small_png(page.screenshot(full_page=True), path)
            paths.append(path)
        return paths
    finally:
        context.close()


def save_small_png(png, path):
    """Save in 256 colours: about a third of the size, and alike to the eye (flat colours and text)."""
    image = Image.open(BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


def main():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    for path in take_screenshots():
        print(f"{path.relative_to(OUTPUT.parents[1])}\t{path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
