"""The real PDFs, read back: sections, bookmarks, contents with page numbers, metadata, fonts, scripts,
resolving references, and nothing withheld or restricted anywhere in them.

Each PDF is generated once for the module, from a copy of the demo portfolio to which the fixture adds
stories the donor report must show (Khmer and Thai, and one whose text holds HTML image tags) and
stories and evidence it must never show (each carrying a sentinel string).
"""

import io
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from tests.conftest import FAST_HASHING
from tests.conftest import skip_or_fail
from tests.factories import TEST_ACTOR
from tests.factories import Factory
from tests.test_pdf_rendering import SAMPLES
from tests.test_pdf_rendering import embedded_fonts
from tracker import create_app
from tracker.db import database
from tracker.msc import services as story_services
from tracker.portfolio.services import get_fund
from tracker.portfolio.services import get_project
from tracker.reports import pdf
from tracker.reports import render
from tracker.reports.models import Audience
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report
from tracker.reports.scope import Requester
from tracker.toc.models import TocLink

SLUG = "viet-nam-community-networks"
SENTINELS = ("SENTINEL-WITHDRAWN-7Q", "SENTINEL-RESTRICTED-4K", "SENTINEL-NODONOR-2M", "SENTINEL-PENDING-9X",
             "SENTINEL-DOCUMENT-5T")
HOSTILE = 'She pasted <img src="file:///etc/passwd"> and <img src="https://example.org/x.png"> into the chat.'
# The panel selects every sample story: after the first, each is a joint selection with its recorded reason.
JOINT = "The panel selected these stories together because each shows a different route to help."
PROJECT_SECTIONS = ("1. Summary of key figures", "2. Theory of change and its evidence", "3. Indicators",
                    "4. Harvested outcomes", "5. Most significant change stories", "6. Contribution claims",
                    "7. Evidence gaps", "What this report leaves out", "Annex A. Evidence",
                    "Annex B. Methods in plain language", "Annex C. Data protection")
PORTFOLIO_SECTIONS = ("1. The portfolio at a glance", "2. Projects by pillar", "3. Projects by country",
                      "4. Synthesis across grantees", "5. Project summaries", "What this report leaves out",
                      "Annex A. Evidence", "Annex B. Methods in plain language", "Annex C. Data protection")


@dataclass
class Rendered:
    html: str
    pdf: bytes
    text: str
    warnings: list
    fetched: list

    @property
    def reader(self):
        return PdfReader(io.BytesIO(self.pdf))


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def pdftotext(pdf_bytes, folder, *options):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) is not installed")
    path = folder / "report.pdf"
    path.write_bytes(pdf_bytes)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(path), "-"], capture_output=True,
                          check=True, text=True).stdout


def add_stories_and_evidence(session, hasher):
    """The demo, plus stories the donor report must show and sentinel-carrying material it must not."""
    factory = Factory(session, hasher)
    factory._fund = get_fund(session)  # the demo fund, with its own pillars
    project = get_project(session, SLUG)
    cycle = factory.cycle(project, levels=("Project",))
    panel = factory.panel(cycle)
    for language, text in SAMPLES.items():
        story = factory.story(project, cycle, safeguarding="approved", language=language, title=text,
                              what_happened=text, why_significant=text, place="")
        factory.decision(panel, story, joint_reason=JOINT)
    factory.decision(panel, factory.story(project, cycle, safeguarding="approved", what_happened=HOSTILE,
                                          title="A screenshot in the chat"), joint_reason=JOINT)
    withdrawn = factory.story(project, cycle, safeguarding="approved", title=SENTINELS[0], what_happened=SENTINELS[0])
    factory.decision(panel, withdrawn, joint_reason=JOINT)
    story_services.withdraw_consent(session, TEST_ACTOR, withdrawn, date(2023, 12, 1), "", withdrawn.consent.version)
    restricted = factory.story(project, cycle, safeguarding="approved", title=SENTINELS[1], what_happened=SENTINELS[1])
    factory.decision(panel, restricted, joint_reason=JOINT)
    story_services.review_safeguarding(session, TEST_ACTOR, restricted, {"status": "restricted",
                                                                         "note": "Names the school."},
                                       restricted.version)
    factory.story(project, cycle, safeguarding="approved", consent={"scope_donor": False}, title=SENTINELS[2],
                  what_happened=SENTINELS[2])
    factory.story(project, cycle, title=SENTINELS[3], what_happened=SENTINELS[3])
    link = session.exec(select(TocLink).where(TocLink.project_id == project.id)).first()
    factory.evidence(project, "interview", supports=[link], title=SENTINELS[4], summary=SENTINELS[4])
    session.commit()


def render_both(app, build):
    """Render the report ``build(session)`` returns to HTML and PDF, recording warnings and fetched URLs."""
    recorder, fetched = Recorder(), []
    logger = logging.getLogger("weasyprint")
    original = pdf.StaticFilesOnly.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    logger.addHandler(recorder)
    pdf.StaticFilesOnly.fetch = recording_fetch
    try:
        with app.app_context(), database(app).new_session() as session:
            html = render.html_for(build(session))
            content = render.pdf_bytes(html)
    finally:
        pdf.StaticFilesOnly.fetch = original
        logger.removeHandler(recorder)
    return html, content, recorder.messages, fetched


@pytest.fixture(scope="module")
def demo_app(demo_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-pdf")
    copy = demo_database.copy_to(folder)
    app = create_app({"DATABASE_URL": f"sqlite:///{copy}", "SECRET_KEY": "report-pdf", **FAST_HASHING})
    with app.app_context(), database(app).new_session() as session:
        add_stories_and_evidence(session, app.extensions["tracker.hasher"])
    yield app, folder
    database(app).engine.dispose()


def rendered(demo_app, build):
    app, folder = demo_app
    html, content, warnings, fetched = render_both(app, build)
    return Rendered(html, content, pdftotext(content, folder), warnings, fetched)


@pytest.fixture(scope="module")
def donor_report(demo_app):
    return rendered(demo_app, lambda session: project_report(session, get_project(session, SLUG), Audience.DONOR,
                                                             Requester.command_line()))


@pytest.fixture(scope="module")
def internal_report(demo_app):
    return rendered(demo_app, lambda session: project_report(session, get_project(session, SLUG),
                                                             Audience.INTERNAL, Requester.command_line()))


@pytest.fixture(scope="module")
def portfolio(demo_app):
    return rendered(demo_app, lambda session: portfolio_report(session, get_fund(session), Audience.DONOR,
                                                               Requester.command_line()))


def squeezed(text):
    return " ".join(text.split())


def outline_titles(reader):
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


# Sections, contents, bookmarks, pages -----------------------------------------------------------------


@pytest.mark.parametrize("section", PROJECT_SECTIONS)
def test_every_section_of_the_project_report_is_in_the_pdf(donor_report, section):
    assert squeezed(donor_report.text).count(section) >= 2  # the contents, and the heading itself


@pytest.mark.parametrize("section", PORTFOLIO_SECTIONS)
def test_every_section_of_the_portfolio_report_is_in_the_pdf(portfolio, section):
    assert squeezed(portfolio.text).count(section) >= 2


def test_the_portfolio_report_has_a_summary_page_per_project(portfolio):
    titles = outline_titles(portfolio.reader)

    assert len([title for title in titles if title.startswith("Community networks")]) == 1
    assert len(portfolio.reader.pages) > 10 + 8


def test_sections_are_pdf_bookmarks(donor_report):
    titles = outline_titles(donor_report.reader)

    assert set(PROJECT_SECTIONS) <= set(titles)


def test_the_contents_give_the_page_each_section_starts_on(donor_report):
    reader = donor_report.reader
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, start=1)}
    starts = {item.title: pages[item.page.idnum] for item in reader.outline if not isinstance(item, list)}
    contents = squeezed(reader.pages[1].extract_text())

    for section in PROJECT_SECTIONS:
        assert re.search(re.escape(section) + r"[ .]*" + str(starts[section]) + r"\b", contents), section


def test_pages_are_a4_and_numbered_after_the_cover(donor_report):
    reader = donor_report.reader
    total = len(reader.pages)
    portrait = [page for page in reader.pages if round(float(page.mediabox.width)) == 595]

    assert len(portrait) >= total - 2 and all(round(float(page.mediabox.height)) == 842 for page in portrait)
    assert f"3 / {total}" in reader.pages[2].extract_text()
    assert f"1 / {total}" not in reader.pages[0].extract_text()


# A full portrait page holds about 40 lines of text; one with fewer than a quarter of that is mostly empty.
MOSTLY_EMPTY_BELOW = 10


@pytest.mark.parametrize("report", ["donor_report", "internal_report"])
def test_no_page_but_the_last_is_mostly_empty(report, request, tmp_path):
    """Chapters follow one another; the landscape diagram of the theory of change, a picture, is not counted.

    Before, every chapter began on a new page, and the few lines of the summary that did not fit on its page
    stood alone on a page 90 % blank before the diagram.
    """
    rendered_report = request.getfixturevalue(report)
    mostly_empty = []
    for number, page in enumerate(rendered_report.reader.pages[:-1], start=1):
        if float(page.mediabox.width) > float(page.mediabox.height):
            continue
        text = pdftotext(rendered_report.pdf, tmp_path, "-layout", "-f", str(number), "-l", str(number))
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < MOSTLY_EMPTY_BELOW:
            mostly_empty.append((number, len(lines)))
    assert not mostly_empty


def test_running_headers_name_the_report_and_the_section(donor_report):
    page = donor_report.reader.pages[2].extract_text()

    assert "Community networks for child online protection in Da Nang" in page
    assert page.count("1. Summary of key figures") >= 2


def test_metadata_title_author_date_and_language_come_from_the_report(donor_report):
    reader = donor_report.reader

    assert reader.metadata.title == "Evidence report: Community networks for child online protection in Da Nang"
    assert reader.metadata.author == "Safe Online (demo)"
    assert reader.metadata.creation_date.date() == date.today()
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_the_pdf_is_tagged_for_accessibility_as_pdf_ua(donor_report):
    root = donor_report.reader.trailer["/Root"]

    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert 'pdfuaid:part="1"' in donor_report.reader.xmp_metadata.rdf_root.toxml()


# Fonts, scripts, figures --------------------------------------------------------------------------------


def test_only_the_shipped_fonts_are_used_and_all_are_embedded(donor_report, portfolio):
    for report in (donor_report, portfolio):
        fonts = embedded_fonts(report.pdf)
        assert all(fonts.values()) and all(name.startswith("Report-Sans") for name in fonts), fonts


def test_weasyprint_draws_no_missing_glyph(donor_report, internal_report, portfolio):
    for report in (donor_report, internal_report, portfolio):
        assert not [message for message in report.warnings if ".notdef" in message]


@pytest.mark.parametrize("language", SAMPLES)
def test_vietnamese_khmer_and_thai_story_text_extracts_correctly(donor_report, language):
    assert squeezed(SAMPLES[language]) in squeezed(donor_report.text)


def test_charts_and_the_theory_of_change_are_vector_graphics(donor_report):
    assert b"/Subtype /Image" not in donor_report.pdf and b"/Subtype/Image" not in donor_report.pdf
    assert donor_report.html.count("<svg") >= 4
    assert "Online abuse cases referred by village volunteers" in donor_report.text


def test_the_portfolio_pdf_draws_the_map_and_charts_of_its_key_figures_as_vectors_with_their_tables(portfolio):
    assert b"/Subtype /Image" not in portfolio.pdf and b"/Subtype/Image" not in portfolio.pdf
    assert 'aria-labelledby="grants-map-title"' in portfolio.html
    assert 'aria-labelledby="home-report-outcomes-title"' in portfolio.html
    assert "Projects per country (a project working in several countries counts in each)" in squeezed(portfolio.text)


# References ------------------------------------------------------------------------------------------------


def cited_numbers(html):
    numbers = set()
    for cite in re.findall(r'<span class="cite">\[(.*?)\]</span>', html):
        for run in re.sub(r"<[^>]+>", "", cite).split(", "):
            first, _dash, last = run.partition("–")
            numbers.update(range(int(first), int(last or first) + 1))
    return numbers


@pytest.mark.parametrize("which", ["donor_report", "internal_report", "portfolio"])
def test_every_cited_reference_has_an_annex_entry_and_every_entry_is_cited(request, which):
    report = request.getfixturevalue(which)
    entries = {int(number) for number in re.findall(r'<li id="ev-(\d+)"', report.html)}

    assert entries and cited_numbers(report.html) == entries == set(range(1, len(entries) + 1))
    assert {int(number) for number in re.findall(r'href="#ev-(\d+)"', report.html)} <= entries


def test_every_internal_link_of_the_pdf_has_its_destination(donor_report):
    reader = donor_report.reader
    destinations = set(reader.named_destinations)
    targets = [annotation.get_object()["/Dest"] for page in reader.pages
               for annotation in page.get("/Annots", []) if "/Dest" in annotation.get_object()]

    assert len(targets) > 20 and set(targets) <= destinations
    assert {f"ev-{number}" for number in cited_numbers(donor_report.html)} <= destinations


def test_the_annex_is_printed_with_the_citations(donor_report):
    assert re.search(r"\[\d+(–\d+)?(, \d+(–\d+)?)*\]", donor_report.text)
    assert "Annex A. Evidence" in donor_report.text


# What the donor report withholds ---------------------------------------------------------------------------


@pytest.mark.parametrize("sentinel", SENTINELS)
def test_withheld_and_restricted_material_appears_nowhere_in_the_donor_pdfs(donor_report, portfolio, sentinel):
    for report in (donor_report, portfolio):
        reader = report.reader
        metadata = " ".join(str(value) for value in reader.metadata.values())
        assert sentinel not in report.text and sentinel not in report.html
        assert sentinel not in metadata and sentinel not in reader.xmp_metadata.rdf_root.toxml()


@pytest.mark.parametrize("sentinel", SENTINELS[:2])
def test_withdrawn_and_restricted_stories_are_left_out_of_internal_reports_too(internal_report, sentinel):
    assert sentinel not in internal_report.text


def test_the_donor_report_counts_what_it_withholds_with_the_reasons(donor_report):
    text = squeezed(donor_report.text)

    assert re.search(r"\d+ stories withheld: .*consent withdrawn \(\d+\)", text)
    assert "restricted by the safeguarding review" in text
    assert re.search(r"\d+ evidence items? withheld: team working material", text)
    left_out = text.split("What this report leaves out", 1)[1]
    assert re.search(r"\d+ stories are withheld: .*consent withdrawn \(\d+\)", left_out)
    assert re.search(r"\d+ evidence items? (is|are) withheld: team working material", left_out)


# Safety --------------------------------------------------------------------------------------------------------


def test_a_story_holding_image_tags_embeds_nothing_and_fetches_nothing(donor_report):
    assert HOSTILE.split(" and ")[0] in squeezed(donor_report.text)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in donor_report.html
    assert donor_report.fetched and all(url.startswith(pdf.STATIC_BASE_URL) for url in donor_report.fetched)
    assert b"/Subtype /Image" not in donor_report.pdf
