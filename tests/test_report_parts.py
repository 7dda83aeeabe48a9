"""A portfolio PDF rendered in parts and stitched reads as one document: page numbers that run on across parts,
contents with the right page numbers, one bookmark per project under its chapter, one structure tree (PDF/UA),
the report's metadata, and links that land on the right page, all read back from the stitched file.

The stitched file is made once for the module, from a copy of the demo portfolio, by the in-process runner
(plan, every part, numbering, stitch, in one process), its back matter in parts of 25 entries of Annex A. The
steps a queue runs one by one (plan, run_part, number_front, stitch) run on a small fund of the factory.
"""

import io
import json
import logging
import re
import shutil
import subprocess
from datetime import date

import pikepdf
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import stored_files
from tests.conftest import FAST_HASHING
from tests.conftest import skip_or_fail
from tests.factories import TEST_ACTOR
from tests.factories import Factory
from tracker import create_app
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.db import database
from tracker.msc import services as story_services
from tracker.portfolio.services import get_fund
from tracker.reports import jobs
from tracker.reports import parts
from tracker.reports import stitch
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportJobStory
from tracker.reports.models import ReportPart
from tracker.reports.progress import progress

SECTIONS = ("1. The portfolio at a glance", "2. Projects by pillar", "3. Projects by country",
            "4. Synthesis across grantees", "5. Project summaries", "What this report leaves out",
            "Annex A. Evidence", "Annex B. Methods in plain language", "Annex C. Data protection")
FUND = "Safe Online (demo)"


def pdftotext(content, folder, *options):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) is not installed")
    path = folder / "stitched.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(path), "-"], capture_output=True,
                          check=True, text=True).stdout


class Stitched:
    """The stitched file of a donor portfolio job, with its pages' text as pdftotext reads them."""

    def __init__(self, content, folder, job, projects):
        self.pdf, self.job, self.projects = content, job, projects
        self.reader = PdfReader(io.BytesIO(content))
        self.pages = pdftotext(content, folder, "-layout").split("\f")[:len(self.reader.pages)]
        self.numbers = {page.indirect_reference.idnum: number for number, page in enumerate(self.reader.pages, 1)}

    def page_of(self, destination):
        return self.numbers[destination[0].idnum]

    def bookmarks(self):
        """``[(depth, title, page number)]``, depth from 0."""
        found = []

        def walk(items, depth):
            for item in items:
                if isinstance(item, list):
                    walk(item, depth + 1)
                else:
                    found.append((depth, item.title, self.reader.get_destination_page_number(item) + 1))

        walk(self.reader.outline, 0)
        return found

    def links(self):
        """``[(page number, annotation)]`` of every link in the file."""
        return [(number, annotation.get_object()) for number, page in enumerate(self.reader.pages, 1)
                for annotation in page.get("/Annots") or [] if annotation.get_object()["/Subtype"] == "/Link"]


@pytest.fixture(scope="module")
def stitched(demo_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-parts")
    copy = demo_database.copy_to(folder)
    app = create_app({"DATABASE_URL": f"sqlite:///{copy}", "SECRET_KEY": "report-parts",
                      "REPORT_FOLDER": str(folder / "reports"), **FAST_HASHING})
    with app.app_context(), database(app).new_session() as session:
        factory = Factory(session, app.extensions["tracker.hasher"])
        fund = get_fund(session)
        job = jobs.create_job(session, TEST_ACTOR, factory.user("donor"), fund=fund, audience="donor")
        session.commit()
        projects = [project.title for project in parts.fund_projects(session, fund)]
        job_id = job.id
    piece, parts.ANNEX_PIECE = parts.ANNEX_PIECE, 25  # the demo's Annex A in several pieces, joined
    try:
        jobs.run_job(app, job_id)
    finally:
        parts.ANNEX_PIECE = piece
    with app.app_context(), database(app).new_session() as session:
        job = session.get(ReportJob, job_id)
        assert job.status == JobStatus.DONE, job.error
        content = stored_files.content(session, job.file_name)
        remaining_parts = session.scalar(sa.select(sa.func.count()).where(ReportPart.job_id == job_id))
        export = session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "export",
                                                                    AuditEntry.object_type == "report",
                                                                    AuditEntry.object_id == str(job_id)))
    database(app).engine.dispose()
    result = Stitched(content, folder, job, projects)
    result.remaining_parts = remaining_parts
    result.evidence = json.loads(export)["evidence"]
    return result


def squeezed(text):
    return " ".join(text.split())


# Pages and their numbers --------------------------------------------------------------------------------


def test_the_job_is_one_part_per_project_plus_the_front_matter_and_the_pieces_of_the_back_matter(stitched):
    back_pieces = len(parts.back_pieces(stitched.evidence, size=25))

    assert back_pieces > 2
    assert stitched.job.parts_total == 1 + len(stitched.projects) + back_pieces
    assert progress(stitched.job) == (stitched.job.parts_total, stitched.job.parts_total)


def test_the_parts_are_dropped_once_the_file_is_stitched(stitched):
    assert stitched.remaining_parts == 0


def test_page_numbers_run_on_across_the_parts_after_the_cover(stitched):
    total = len(stitched.pages)

    assert f"/ {total}" not in stitched.pages[0]
    for number, text in enumerate(stitched.pages[1:], start=2):
        assert re.search(rf"\b{number} / {total}\s*$", text.rstrip()), number


def test_every_page_is_a4_portrait(stitched):
    assert {(round(float(page.mediabox.width)), round(float(page.mediabox.height)))
            for page in stitched.reader.pages} == {(595, 842)}


def test_running_heads_name_the_fund_and_the_chapter_on_project_pages_too(stitched):
    first_project = next(page for depth, title, page in stitched.bookmarks() if title == stitched.projects[0])
    text = stitched.pages[first_project - 1]

    assert text.count(FUND) >= 2  # the running head and the footer
    assert text.lstrip().startswith(FUND) and "5. Project summaries" in text.splitlines()[0]


def test_each_project_starts_on_a_page_of_its_own_in_the_order_of_the_contents(stitched):
    starts = {title: page for _depth, title, page in stitched.bookmarks()}
    pages = [starts[title] for title in stitched.projects]

    assert pages == sorted(set(pages))
    for title, page in zip(stitched.projects, pages, strict=True):
        assert squeezed(title) in squeezed(stitched.pages[page - 1])


# Contents, bookmarks, links ---------------------------------------------------------------------------------


def contents_text(stitched):
    return squeezed(" ".join(stitched.pages[1:4]))


@pytest.mark.parametrize("which", ["sections", "projects"])
def test_the_contents_give_the_page_each_section_and_project_starts_on(stitched, which):
    starts = {title: page for _depth, title, page in stitched.bookmarks()}
    contents = contents_text(stitched)

    for title in SECTIONS if which == "sections" else stitched.projects:
        assert re.search(re.escape(squeezed(title)) + r"[ .]*" + str(starts[title]) + r"\b", contents), title


def test_each_project_is_one_bookmark_under_the_project_summaries(stitched):
    bookmarks = stitched.bookmarks()
    chapter = [index for index, (_depth, title, _page) in enumerate(bookmarks) if title == "5. Project summaries"][0]
    under = bookmarks[chapter + 1:chapter + 1 + len(stitched.projects)]

    assert [(depth, title) for depth, title, _page in under] == [(1, title) for title in stitched.projects]
    assert {title for depth, title, _page in bookmarks if depth == 0} >= set(SECTIONS)


def test_every_link_points_at_a_page_of_the_stitched_file(stitched):
    links = stitched.links()

    assert len(links) > 100
    assert all(isinstance(annotation.get("/Dest"), list) and "/A" not in annotation for _page, annotation in links)
    assert all(destination[0].idnum in stitched.numbers for destination in
               (annotation["/Dest"] for _page, annotation in links))


def test_the_contents_link_each_project_to_its_page(stitched):
    starts = {title: page for _depth, title, page in stitched.bookmarks()}
    landing = {stitched.page_of(annotation["/Dest"]) for page, annotation in stitched.links()
               if page == 2 and str(annotation["/Contents"]).startswith("project-")}

    assert landing == {starts[title] for title in stitched.projects}


def test_citations_on_project_pages_link_to_their_entry_in_the_annex(stitched):
    annex = next(page for _depth, title, page in stitched.bookmarks() if title == "Annex A. Evidence")
    citations = [(page, annotation) for page, annotation in stitched.links()
                 if str(annotation.get("/Contents", "")).startswith("ev-") and page < annex]

    assert citations
    for _page, annotation in citations:
        number = str(annotation["/Contents"]).removeprefix("ev-")
        target = stitched.page_of(annotation["/Dest"])
        assert target >= annex and re.search(rf"(^|\s){number}\.\s", stitched.pages[target - 1], re.MULTILINE)


def test_the_anchors_are_named_destinations_of_the_stitched_file(stitched):
    destinations = stitched.reader.named_destinations

    assert {"annex-evidence", "glance", "ev-1"} <= set(destinations)
    annex = next(page for _depth, title, page in stitched.bookmarks() if title == "Annex A. Evidence")
    assert stitched.reader.get_destination_page_number(destinations["annex-evidence"]) + 1 == annex


# Tags and metadata -------------------------------------------------------------------------------------------


def test_the_stitched_file_is_marked_tagged_with_one_structure_tree_as_pdf_ua(stitched):
    root = stitched.reader.trailer["/Root"]
    tree = root["/StructTreeRoot"]
    document = tree["/K"][0].get_object()

    assert root["/MarkInfo"]["/Marked"] and document["/S"] == "/Document"
    assert 'pdfuaid:part="1"' in stitched.reader.xmp_metadata.rdf_root.toxml()
    assert all(kid.get_object()["/P"].indirect_reference == tree["/K"][0] for kid in document["/K"])


def parent_tree(tree):
    numbers = tree["/ParentTree"]["/Nums"]
    return {int(numbers[index]): numbers[index + 1] for index in range(0, len(numbers), 2)}


def test_every_page_and_link_finds_its_structure_elements_in_the_merged_parent_tree(stitched):
    tree = stitched.reader.trailer["/Root"]["/StructTreeRoot"]
    parents = parent_tree(tree)
    keys = [page["/StructParents"] for page in stitched.reader.pages if "/StructParents" in page]
    keys += [annotation["/StructParent"] for _page, annotation in stitched.links()]

    assert len(keys) == len(set(keys)) and set(keys) <= set(parents)
    assert len(keys) >= len(stitched.pages) and tree["/ParentTreeNextKey"] == max(parents) + 1
    for number, page in enumerate(stitched.reader.pages, 1):
        elements = parents[page["/StructParents"]]
        assert all(element.get_object().raw_get("/Pg").idnum == page.indirect_reference.idnum
                   for element in elements if "/Pg" in element.get_object()), number


def test_the_headings_of_every_part_are_in_the_structure_tree(stitched):
    headings = []
    pending = [stitched.reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()]
    while pending:
        element = pending.pop()
        if element.get("/S") in ("/H2", "/H3"):
            headings.append(element)
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object()
            if hasattr(kid, "get") and "/S" in kid:
                pending.append(kid)

    assert len(headings) >= len(SECTIONS) + len(stitched.projects)


def test_running_heads_and_page_numbers_are_pagination_artifacts(stitched):
    for page in stitched.reader.pages[1:]:
        content = page.get_contents().get_data()
        marked = re.search(rb"/Artifact\s*<<\s*/Type\s*/Pagination\s*>>\s*BDC(.*?)EMC", content, re.DOTALL)
        assert marked and b"TJ" in marked.group(1)


def test_metadata_title_author_date_and_language_come_from_the_report(stitched):
    metadata = stitched.reader.metadata

    assert metadata.title == f"Portfolio evidence report: {FUND}"
    assert metadata.author == FUND
    assert metadata.creation_date.date() == date.today()
    assert stitched.reader.trailer["/Root"]["/Lang"] == "en"
    assert stitched.reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]


def test_only_the_shipped_fonts_are_used_and_all_are_embedded(stitched):
    from tests.test_pdf_rendering import embedded_fonts

    fonts = embedded_fonts(stitched.pdf)
    assert all(fonts.values()) and all(name.startswith("Report-Sans") for name in fonts), fonts


# The steps a queue runs ----------------------------------------------------------------------------------------


@pytest.fixture
def portfolio_job(factory, session):
    for number in range(2):
        factory.project(title=f"Helpline referrals {number}")
    job = jobs.create_job(session, TEST_ACTOR, factory.user("donor"), fund=factory.fund(), audience="donor")
    session.commit()
    return job


def job_now(app, job_id):
    with database(app).new_session() as session:
        return session.get(ReportJob, job_id)


@pytest.mark.heavy  # about 30 s per backend: every part rendered and stitched
@pytest.mark.both_backends
def test_a_queue_plans_renders_each_part_once_and_stitches(app, portfolio_job):
    order = parts.plan(app, portfolio_job.id)
    parts.run_part(app, portfolio_job.id, 1)
    parts.run_part(app, portfolio_job.id, 1)

    assert len(order) == 5 and progress(job_now(app, portfolio_job.id)) == (1, 5)  # front, 2 projects, 2 back
    for index in (4, 3, 0, 2):
        parts.run_part(app, portfolio_job.id, index)
    assert parts.number_front(app, portfolio_job.id) and parts.number_front(app, portfolio_job.id)
    parts.stitch(app, portfolio_job.id)
    job = job_now(app, portfolio_job.id)
    assert job.status == JobStatus.DONE and progress(job) == (5, 5), job.error
    with database(app).new_session() as session:
        assert PdfReader(io.BytesIO(stored_files.content(session, job.file_name))).outline


def test_a_rendered_part_keeps_its_pages_anchors_and_bookmarks_for_the_stitch(app, portfolio_job, session):
    parts.plan(app, portfolio_job.id)
    parts.run_part(app, portfolio_job.id, 1)

    part = session.get(ReportPart, (portfolio_job.id, 1))
    layout = parts.layout_of(part)
    assert layout == stitch.Layout.of(part.pdf) and layout.pages == part.pages >= 1
    assert [title for _level, title, _page in layout.bookmarks] == ["Helpline referrals 0"]
    assert layout.anchors and all(0 <= anchor.page < layout.pages for anchor in layout.anchors.values())


def test_a_part_kept_before_its_layout_was_stored_is_read_from_its_pdf(app, portfolio_job, session):
    parts.plan(app, portfolio_job.id)
    parts.run_part(app, portfolio_job.id, 1)
    part = session.get(ReportPart, (portfolio_job.id, 1))
    kept = parts.layout_of(part)
    part.anchors = part.bookmarks = None  # as migration 0034 leaves a part rendered before it

    assert parts.layout_of(part) == kept


def test_the_contents_are_not_numbered_before_every_part_is_rendered(app, portfolio_job):
    parts.plan(app, portfolio_job.id)
    parts.run_part(app, portfolio_job.id, 0)

    assert not parts.number_front(app, portfolio_job.id)
    assert job_now(app, portfolio_job.id).status == JobStatus.FAILED


def test_anchors_and_bookmarks_run_on_across_the_parts_each_part_at_its_own_level():
    front = stitch.Layout(2, {"contents": stitch.Anchor(1, 10.0, 700.0)}, [(1, "Contents", 1)])
    project = stitch.Layout(3, {"project-7": stitch.Anchor(0, 0.0, 800.0)}, [(1, "Helpline", 0), (2, "Stories", 2)])

    place = stitch.placed([front, project], [1, 2])

    assert place.pages == 5
    assert place.anchors == {"contents": stitch.Anchor(1, 10.0, 700.0), "project-7": stitch.Anchor(2, 0.0, 800.0)}
    assert place.bookmarks == [(1, "Contents", 1), (2, "Helpline", 2), (3, "Stories", 4)]
    assert stitch.chapters(place.bookmarks, place.pages) == [None, "Contents", None, None, None]


def blank_pdf(pages):
    with pikepdf.new() as pdf:
        for _page in range(pages):
            pdf.add_blank_page(page_size=(595, 842))
        output = io.BytesIO()
        pdf.save(output)
        return output.getvalue()


def test_the_copy_runs_in_a_process_of_its_own_which_reports_its_peak_memory(caplog):
    place = stitch.Layout(2, {"second": stitch.Anchor(1, 0.0, 800.0)}, [(1, "First", 0), (1, "Second", 1)])

    with caplog.at_level(logging.INFO, logger=stitch.__name__):
        content = stitch.stitch_apart([blank_pdf(1), blank_pdf(1)], place, blank_pdf(2))

    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2 and [item.title for item in reader.outline] == ["First", "Second"]
    assert [record.peak_rss_mb > 0 for record in caplog.records] == [True]


def test_a_copy_that_fails_says_so_and_gives_no_file():
    with pytest.raises(stitch.StitchFailed, match="the stitch ended with 1"):
        stitch.stitch_apart([b"not a PDF"], stitch.Layout(1, {}, []), blank_pdf(1))


def test_a_kept_layout_loads_back_as_it_was():
    layout = stitch.Layout(2, {"annex-evidence": stitch.Anchor(1, 56.7, 785.2)}, [(1, "Annex A. Evidence", 1)])

    assert stitch.Layout.loaded(layout.pages, *layout.kept()) == layout


def test_a_second_plan_of_a_claimed_job_does_nothing(app, portfolio_job):
    assert len(parts.plan(app, portfolio_job.id)) == 5
    assert parts.plan(app, portfolio_job.id) == []


def test_the_longest_parts_are_sent_first_the_front_then_the_back_matter_then_the_projects(app, portfolio_job):
    assert parts.plan(app, portfolio_job.id) == [0, 3, 4, 1, 2]


def test_a_stitch_before_every_part_is_rendered_fails_the_job_and_keeps_no_file(app, portfolio_job):
    parts.plan(app, portfolio_job.id)
    parts.run_part(app, portfolio_job.id, 0)
    parts.stitch(app, portfolio_job.id)

    job = job_now(app, portfolio_job.id)
    assert job.status == JobStatus.FAILED and not job.file_name
    with database(app).new_session() as session:
        assert stored_files.count(session) == (0, 0)
        assert not session.scalars(sa.select(ReportPart).where(ReportPart.job_id == job.id)).all()


def test_a_part_of_a_failed_job_is_not_rendered(app, portfolio_job, session):
    parts.plan(app, portfolio_job.id)
    jobs.fail(session, portfolio_job.id, "Stopped")
    parts.run_part(app, portfolio_job.id, 1)

    assert session.get(ReportPart, (portfolio_job.id, 1)) is None
    assert progress(job_now(app, portfolio_job.id)) == (0, 5)


@pytest.mark.heavy  # about 30 s: the parts are rendered before the story is withdrawn
def test_a_story_withdrawn_after_its_part_was_rendered_fails_the_stitch(app, factory, session):
    project = factory.project()
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved", title="A peer went with her to the officer")
    factory.decision(factory.panel(cycle), story)
    job = jobs.create_job(session, TEST_ACTOR, factory.user("me"), fund=factory.fund(), audience="internal")
    session.commit()
    for index in parts.plan(app, job.id):
        parts.run_part(app, job.id, index)
    rendered = session.get(ReportPart, (job.id, 1)).story_ids
    story_services.withdraw_consent(session, TEST_ACTOR, story, date.today(), "", story.consent.version)
    session.commit()
    parts.stitch(app, job.id)

    job = job_now(app, job.id)
    assert rendered == [story.id]
    assert job.status == JobStatus.FAILED and "stopped being shareable" in job.error
    assert not session.scalars(sa.select(ReportJobStory).where(ReportJobStory.job_id == job.id)).all()


def test_the_job_page_shows_the_parts_prepared_as_a_progress_bar(app, client, login, portfolio_job, factory,
                                                                 session):
    parts.plan(app, portfolio_job.id)
    parts.run_part(app, portfolio_job.id, 0)
    session.expire_all()
    login(session.get(User, portfolio_job.requester_id))

    page = client.get(f"/reports/{portfolio_job.token}").get_data(as_text=True)

    assert re.search(r'<progress id="report-progress" value="1" max="5">', page)
    assert "1 of 5 parts" in page and '<label for="report-progress">' in page


def test_annex_a_numbers_run_on_across_the_pieces_of_the_back_matter(stitched):
    annex = next(page for _depth, title, page in stitched.bookmarks() if title == "Annex A. Evidence")
    text = "\n".join(stitched.pages[annex - 1:])
    numbers = [int(number) for number in re.findall(r"^\s*(\d+)\.\s", text, re.MULTILINE)]

    assert len(numbers) > 25 and numbers[:60] == list(range(1, min(61, len(numbers) + 1)))[:len(numbers[:60])]


def test_the_back_matter_comes_in_pieces_of_annex_a_and_closes_with_annexes_b_and_c():
    pieces = parts.back_pieces(60, size=25)

    assert [(piece.opening, piece.annex, piece.with_annex, piece.closing) for piece in pieces] == [
        (True, (0, 25), True, False), (False, (25, 50), True, False), (False, (50, 60), True, False),
        (False, None, False, True)]
    assert [(piece.opening, piece.annex) for piece in parts.back_pieces(0, size=25)][0] == (True, (0, 0))


def test_links_to_anchors_in_other_parts_are_kept_for_the_stitch():
    html = '<h2 id="here">Here</h2><a href="#here">in</a> <a href="#elsewhere">out</a>'

    assert stitch.linked_across_parts(html) == (
        f'<h2 id="here">Here</h2><a href="#here">in</a> <a href="{stitch.ANCHOR_BASE}elsewhere">out</a>')
