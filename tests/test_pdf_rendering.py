"""The PDF pipeline: shipped fonts for Latin, Vietnamese, Khmer and Thai; nothing fetched but static files."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import skip_or_fail
from tracker.reports.pdf import StaticFilesOnly
from tracker.reports.pdf import render_pdf
from tracker.reports.pdf import static_url

STATIC = Path(__file__).resolve().parents[1] / "static"
# The Khmer sample has subscript consonants drawn before their base (្រ in ប្រាប់), which
# WeasyPrint's glyph map alone cannot extract; see tracker/reports/actual_text.py.
SAMPLES = {
    "vi": "Em đã kể với anh trưởng nhóm câu lạc bộ trẻ em.",
    "km": "កុមារបានប្រាប់មិត្តភក្តិរបស់គាត់។",
    "th": "เด็กโทรหาสายด่วนเพื่อขอความช่วยเหลือ",
}


def page(body, title="Evidence report"):
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
    <meta name="author" content="Safe Online (demo)">
    <link rel="stylesheet" href="{static_url('css/report-fonts.css')}"></head><body>{body}</body></html>"""


def pdftotext(pdf_bytes, tmp_path):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf_bytes)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def multilingual_pdf():
    body = "".join(f'<p lang="{lang}">{text}</p>' for lang, text in SAMPLES.items())
    return render_pdf(page(body), STATIC)


@pytest.mark.parametrize("language", SAMPLES)
def test_vietnamese_khmer_and_thai_text_extracts_correctly(multilingual_pdf, tmp_path, language):
    text = " ".join(pdftotext(multilingual_pdf, tmp_path).split())

    assert " ".join(SAMPLES[language].split()) in text


def embedded_fonts(pdf_bytes):
    """Map each font's name (without the subset prefix) to whether its program is embedded."""
    fonts = {}
    for pdf_page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            fonts[name] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def test_the_shipped_fonts_are_embedded(multilingual_pdf):
    assert embedded_fonts(multilingual_pdf) == {"Report-Sans": True, "Report-Sans-Khmer": True,
                                                "Report-Sans-Thai": True}


def test_pdf_metadata_comes_from_the_html_head(multilingual_pdf):
    metadata = PdfReader(io.BytesIO(multilingual_pdf)).metadata

    assert metadata.title == "Evidence report"
    assert metadata.author == "Safe Online (demo)"


def test_local_files_and_remote_urls_are_never_fetched(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not really")
    fetcher = StaticFilesOnly(STATIC)

    for url in (f"file://{secret}", "https://example.org/tracker.png", "data:image/png;base64,AAAA",
                static_url("../../../etc/passwd"), static_url("fonts/missing.ttf")):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch(static_url("favicon.svg")).content_type == "image/svg+xml"


def test_a_story_with_an_image_tag_embeds_nothing(tmp_path):
    html = page('<p>Story</p><img src="file:///etc/passwd" alt="x"><img src="https://example.org/x.png" alt="y">')

    pdf = render_pdf(html, STATIC)

    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf
    assert "Story" in pdftotext(pdf, tmp_path)
