"""Render report HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

User text never reaches WeasyPrint unescaped, but even so the fetcher refuses every URL
outside the app's ``static/`` folder: no ``file://``, no network, no ``data:``. A refused
resource is simply left out (WeasyPrint logs a warning), so a story containing
``<img src="file:///etc/passwd">`` can embed nothing and fetch nothing.
"""

import mimetypes
import threading
from pathlib import Path

from weasyprint import CSS
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher
from weasyprint.urls import URLFetcherResponse

from tracker.reports import actual_text

# Report templates refer to static files under this base URL; it never leaves the process.
STATIC_BASE_URL = "https://report.invalid/static/"
PDF_VARIANT = "pdf/ua-1"
PARSED = threading.local()


class RefusedResource(ValueError):
    """A report asked for something other than the app's own static files."""


class StaticFilesOnly(URLFetcher):
    """A WeasyPrint URL fetcher that serves files under ``static_dir`` and refuses everything else."""

    def __init__(self, static_dir):
        super().__init__(allowed_protocols=())
        self.root = Path(static_dir).resolve()
        self.refused = []

    def fetch(self, url, headers=None):
        path = self.resolve(url)
        if path is None:
            self.refused.append(url)
            raise RefusedResource(f"refused to fetch {url[:200]!r}: reports may only use the app's static files")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    def resolve(self, url):
        """Return the static file ``url`` names, or None if it names anything else."""
        if not url.startswith(STATIC_BASE_URL):
            return None
        relative = url[len(STATIC_BASE_URL):].split("?")[0].split("#")[0]
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path


def static_url(filename):
    """The URL a report template uses for a static file (fonts, stylesheets, images)."""
    return STATIC_BASE_URL + filename


def render_pdf(html, static_dir, *, variant=PDF_VARIANT, stylesheets=()):
    """Return the PDF bytes for ``html``; title, author, date and language come from its <head>.

    ``variant`` defaults to PDF/UA-1 (tagged, accessible): the HTML must carry a ``lang``
    attribute and a ``<title>``. ``stylesheets`` (static file names) are applied parsed once per thread,
    fonts included, for the many small documents of a report rendered in parts; the HTML then links none.
    """
    actual_text.install()
    fetcher = StaticFilesOnly(static_dir)
    options = {}
    if stylesheets:
        font_config, sheets = parsed_stylesheets(static_dir, tuple(stylesheets))
        options = {"stylesheets": sheets, "font_config": font_config}
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render(**options)
    return document.write_pdf(pdf_variant=variant)


def parsed_stylesheets(static_dir, names):
    """``(font configuration, [CSS])`` of static files ``names``, parsed once per thread (WeasyPrint's objects
    are not shared between threads)."""
    key = (str(static_dir), names)
    if getattr(PARSED, "key", None) != key:
        font_config = FontConfiguration()
        fetcher = StaticFilesOnly(static_dir)
        PARSED.sheets = [CSS(url=static_url(name), url_fetcher=fetcher, font_config=font_config) for name in names]
        PARSED.font_config, PARSED.key = font_config, key
    return PARSED.font_config, PARSED.sheets
