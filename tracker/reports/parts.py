"""A portfolio PDF rendered in parts and stitched: WeasyPrint holds only one part's layout at a time.

The front matter (cover, contents, key figures, synthesis) is one part, each project's pages are one part,
and the back matter (what the report leaves out, the annexes) is a part per ``ANNEX_PIECE`` entries of Annex A
and one for Annexes B and C. Four steps, each a function of an app and a job id that a queue can run as a task
of its own (one task per part, the parts in any order and in any process):

* :func:`plan` claims the queued job and records its parts (``report_part`` rows, ``report_job.parts_total``);
* :func:`run_part` renders part ``index`` to PDF bytes and keeps them with their layout (pages, anchors,
  bookmarks) and the stories they hold; a part already done is skipped;
* :func:`number_front`, once every part is done, renders the front part again with the page number of every
  entry of its contents, from the report as its requester may see it then, and the furniture of every page
  (running heads, page numbers);
* :func:`stitch` stitches the parts under their furniture (:mod:`tracker.reports.stitch`), and ends the job
  done as :func:`tracker.reports.jobs.finish` does: under the job's lease, after re-checking that every story in
  any part is still shareable, with the audit record and the link's expiry. It assembles no report and renders
  nothing, so that its memory is the copy's alone.

Each step ends the job failed on any error, as :func:`tracker.reports.jobs.run_job` does, and does nothing
for a job that is no longer running. The in-process runners (thread, inline) run the steps one after the other
in one process (:func:`build_in_parts`), releasing each part's layout before the next.
"""

import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask_babel import force_locale
from sqlmodel import select

from tracker.auth.models import User
from tracker.common.messages import N_
from tracker.db import database
from tracker.db import read_only
from tracker.portfolio.models import Fund
from tracker.reports import jobs
from tracker.reports import render
from tracker.reports import stitch as stitching
from tracker.reports.models import JobStatus
from tracker.reports.models import PartKind
from tracker.reports.models import ReportFormat
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportKind
from tracker.reports.models import ReportPart
from tracker.reports.portfolio import fund_projects
from tracker.reports.portfolio import portfolio_report
from tracker.reports.scope import Period

# Once every part is done, the front part is rendered again with its page numbers (number_front); should that
# change its length (it should not: the numbers sit in dotted leaders), once more with the numbers that follow.
FRONT_RENDERINGS = 3
PAGE_PLACEHOLDER = "000"
# Entries of Annex A per part of the back matter: about 20 pages, a layout of some 150 MB at most.
ANNEX_PIECE = 400
# Which parts go to the workers first (sending_order): the longest to render.
LONGEST_FIRST = {PartKind.FRONT: 0, PartKind.BACK: 1, PartKind.PROJECT: 2}
# A project's heading is a level-2 bookmark (static/css/report.css: h3), under "5. Project summaries".
PROJECT_BOOKMARK_LEVEL = 2
# The last report this process assembled for the parts of a job (see assembled_report).
ASSEMBLED = {}
ASSEMBLING = threading.Lock()


@dataclass(frozen=True)
class Part:
    """What the portfolio template renders of the report: ``kind``, the project sections of a project part,
    and for the front part rendered by the stitch the page number of every anchor in the contents."""

    kind: str
    sections: list = field(default_factory=list)
    page_numbers: dict | None = None
    # A piece of the back matter (see back_matter): whether it opens it (what the report leaves out, Annex A's
    # heading), which entries of Annex A it holds (None: all), and whether it closes it (Annexes B and C).
    opening: bool = True
    annex: tuple | None = None
    with_annex: bool = True
    closing: bool = True

    def page_number(self, anchor):
        """The page ``anchor`` is on, or a placeholder as wide as most, before the stitch knows it."""
        return (self.page_numbers or {}).get(anchor, PAGE_PLACEHOLDER)


def in_parts(job):
    """Whether ``job`` is rendered in parts: portfolio PDFs (a project report stays one part)."""
    return job.kind == ReportKind.PORTFOLIO and job.format == ReportFormat.PDF


# The steps a queue runs -----------------------------------------------------------------------------


def plan(app, job_id):
    """Claim queued job ``job_id`` and record its parts; their indices in the order to send them
    (:func:`sending_order`), none when another worker took the job or it failed."""
    with job_session(app, job_id, claimed=False) as (session, step):
        if not jobs.claim(session, job_id):
            return []
        step.claimed = True
        plan_parts(session, session.get(ReportJob, job_id))
        return sending_order(session, job_id)
    return []


def run_part(app, job_id, index):
    """Render part ``index`` of running job ``job_id`` and keep it; nothing when it is done or the job is over."""
    with job_session(app, job_id) as (session, _step), jobs.lease_kept(app, job_id):
        render_parts(session, job_id, [index])


def number_front(app, job_id):
    """Number the contents of running job ``job_id``, every part done; whether the job goes on to its stitch."""
    with job_session(app, job_id) as (session, _step), jobs.lease_kept(app, job_id):
        return numbered_front(session, job_id)
    return False


def stitch(app, job_id):
    """Stitch the parts of running job ``job_id`` and end it done; nothing when the job is over."""
    with job_session(app, job_id) as (session, _step), jobs.lease_kept(app, job_id):
        finish(app, session, job_id)


def build_in_parts(app, session, job_id):
    """The four steps in this process, for a job it claimed and holds the lease of (the in-process runners)."""
    count = plan_parts(session, session.get(ReportJob, job_id))
    render_parts(session, job_id, range(count))
    numbered_front(session, job_id)
    finish(app, session, job_id)


@dataclass
class Step:
    claimed: bool = True


@contextmanager
def job_session(app, job_id, claimed=True):
    """A session for one step of job ``job_id``; any exception ends the job failed, as in ``run_job``."""
    with jobs.app_context(app):
        session = database(app).new_session()
        step = Step(claimed)
        try:
            yield session, step
        except Exception as error:  # noqa: BLE001 - any failure becomes the job's visible reason
            session.rollback()
            jobs.log_failure(app, job_id, error)
            jobs.end_failed(app, session, job_id, error, step.claimed)
        finally:
            session.close()


# Planning -------------------------------------------------------------------------------------------


def plan_parts(session, job):
    """Record the parts of claimed ``job`` (once: a second call finds them) and return how many there are."""
    existing = session.scalar(sa.select(sa.func.count()).where(ReportPart.job_id == job.id))
    if existing:
        return existing
    projects = fund_projects(session, session.get(Fund, job.fund_id))
    session.commit()
    entries = len(assembled_report(session, job).references)
    kinds = [(PartKind.FRONT, None), *((PartKind.PROJECT, project.id) for project in projects),
             *((PartKind.BACK, None) for _piece in back_pieces(entries))]
    session.add_all(ReportPart(job_id=job.id, index=index, kind=kind, project_id=project_id)
                    for index, (kind, project_id) in enumerate(kinds))
    job.parts_total, job.parts_done = len(kinds), 0
    session.add(job)
    session.commit()
    return len(kinds)


def sending_order(session, job_id):
    """The indices of the job's parts, the longest to render first: the front (whose worker assembles the report
    too), the pieces of the back matter, then the projects. Workers that each take the next part as they free
    up then end close together, instead of one finishing the long pieces after the others are done."""
    rows = session.execute(sa.select(ReportPart.index, ReportPart.kind).where(ReportPart.job_id == job_id)).all()
    session.commit()
    return [index for index, kind in sorted(rows, key=lambda row: (LONGEST_FIRST[row.kind], row.index))]


# Rendering parts ------------------------------------------------------------------------------------


def render_parts(session, job_id, indices):
    """Render the parts ``indices`` of job ``job_id`` one after the other, the report assembled once."""
    assembled = None
    for index in indices:
        job = session.get(ReportJob, job_id)
        part = session.get(ReportPart, (job_id, index))
        session.commit()
        if job.status != JobStatus.RUNNING or part is None or part.done:
            continue
        if assembled is None:
            assembled = assembled_report(session, job)
        with force_locale(job.language):
            content = render.part_pdf_bytes(render.portfolio_part_html(assembled, template_part(assembled, part,
                                                                                                session=session)))
        keep(session, job_id, index, content, assembled.story_ids)
        gc.collect()  # WeasyPrint's layout of this part is garbage now: release it before the next part


def back_pieces(entries, size=None):
    """The pieces of a back matter citing ``entries``, each a part of its own: its layout at once would be the
    largest of all (thousands of entries in a big portfolio). What it leaves out with Annex A's first entries,
    Annex A's next entries piece by piece, and Annexes B and C."""
    size = size or ANNEX_PIECE
    slices = [(start, min(start + size, entries)) for start in range(0, entries, size)] or [(0, 0)]
    return [*(Part(PartKind.BACK.value, opening=number == 0, annex=piece, closing=False)
              for number, piece in enumerate(slices)),
            Part(PartKind.BACK.value, opening=False, with_annex=False, closing=True)]


def assembled_report(session, job):
    """The job's report for its parts, assembled once per process: a queue's tasks for the parts of one job
    reuse it (the stitch re-checks every story the parts hold against the rules of the moment)."""
    with ASSEMBLING:
        if ASSEMBLED.get("token") != job.token:  # the token, never reused (an id may be, once its job is deleted)
            ASSEMBLED.clear()
            ASSEMBLED.update(token=job.token, report=assemble(session, job))
        return ASSEMBLED["report"]


def forget_report(job):
    with ASSEMBLING:
        if ASSEMBLED.get("token") == job.token:
            ASSEMBLED.clear()


def assemble(session, job):
    """The job's portfolio report as its requester may see it now, read in a transaction of its own."""
    read_only(session)
    user = session.get(User, job.requester_id)
    if user is None or not user.is_active:
        raise jobs.JobRefused(N_("The account that asked for this report is no longer active."))
    with force_locale(job.language):
        report = portfolio_report(session, session.get(Fund, job.fund_id), job.audience,
                                  jobs.requester_for(session, user), Period(job.period_start, job.period_end),
                                  claims_in_progress=job.claims_in_progress)
    session.commit()
    return report


def template_part(report, part, page_numbers=None, session=None):
    if part.kind == PartKind.PROJECT:
        return Part(part.kind.value, [section for section in report.sections
                                      if section.project.id == part.project_id])
    if part.kind == PartKind.BACK:
        backs = list(session.scalars(sa.select(ReportPart.index).where(ReportPart.job_id == part.job_id,
                                                                       ReportPart.kind == PartKind.BACK)
                                     .order_by(ReportPart.index)))
        return back_piece(len(report.references), backs.index(part.index), len(backs))
    return Part(part.kind.value, page_numbers=page_numbers)


def back_piece(entries, number, count):
    """Piece ``number`` of a back matter planned in ``count`` pieces, citing ``entries`` now: the last one closes
    it, and the last one of Annex A holds every entry left (should Annex A have grown since the plan)."""
    if number == count - 1:
        return back_pieces(0)[-1]
    start = number * ANNEX_PIECE
    end = None if number == count - 2 else start + ANNEX_PIECE
    return Part(PartKind.BACK.value, opening=number == 0, annex=(start, end), closing=False)


def keep(session, job_id, index, content, story_ids):
    """Keep a rendered part with its layout and count it done, once: a part another worker finished first stays
    theirs."""
    kept = session.execute(sa.update(ReportPart)
                           .where(ReportPart.job_id == job_id, ReportPart.index == index, ReportPart.done.is_(False))
                           .values(pdf=content, done=True, story_ids=sorted(story_ids),
                                   **layout_values(stitching.Layout.of(content)))
                           .execution_options(synchronize_session=False)).rowcount == 1
    if kept:
        session.execute(sa.update(ReportJob).where(ReportJob.id == job_id)
                        .values(parts_done=ReportJob.parts_done + 1)
                        .execution_options(synchronize_session=False))
    session.commit()


def layout_values(layout):
    anchors, bookmarks = layout.kept()
    return {"pages": layout.pages, "anchors": anchors, "bookmarks": bookmarks}


def layout_of(part):
    """The layout of a rendered part, read again from its PDF if it was rendered before it was kept."""
    if part.anchors is None or part.bookmarks is None:
        return stitching.Layout.of(part.pdf)
    return stitching.Layout.loaded(part.pages, part.anchors, part.bookmarks)


# Numbering the contents ------------------------------------------------------------------------------


class PartsMissing(RuntimeError):
    """The front was numbered, or the parts stitched, before every part was rendered."""


def done_parts(session, job_id):
    """The parts of job ``job_id`` in order, every one rendered."""
    parts = list(session.exec(select(ReportPart).where(ReportPart.job_id == job_id).order_by(ReportPart.index)))
    if not parts or not all(part.done for part in parts):
        raise PartsMissing(job_id)
    return parts


def numbered_front(session, job_id):
    """Render the front part of running job ``job_id`` again, the page of every anchor in its contents filled in,
    from the report as its requester may see it now (its stories the ones the stitch re-checks), and the
    furniture of every page; whether the job is still running."""
    job = session.get(ReportJob, job_id)
    if job.status != JobStatus.RUNNING:
        session.commit()
        return False
    parts = done_parts(session, job_id)
    front = parts[0]
    if front.numbered:
        session.commit()
        return True
    layouts = [layout_of(part) for part in parts]
    session.commit()
    forget_report(job)
    report = assemble(session, job)
    with force_locale(job.language):
        content, layouts[0] = numbered(report, front, layouts)
        place = stitching.placed(layouts, top_levels(parts))
        furniture = render.furniture_pdf_bytes(render.furniture_html(
            report.meta.fund_name, stitching.chapters(place.bookmarks, place.pages)))
    session.execute(sa.update(ReportPart).where(ReportPart.job_id == job_id, ReportPart.index == front.index)
                    .values(pdf=content, numbered=True, furniture=furniture, story_ids=sorted(report.story_ids),
                            evidence_cited=len(report.references), **layout_values(layouts[0]))
                    .execution_options(synchronize_session=False))
    session.commit()
    session.expire_all()
    return True


def top_levels(parts):
    """The outline level of each part's top bookmarks: a project's heading under "5. Project summaries"."""
    return [PROJECT_BOOKMARK_LEVEL if part.kind == PartKind.PROJECT else 1 for part in parts]


def numbered(report, front, layouts):
    """The front part's PDF bytes and layout with the page numbers of its contents, rendered again (at most
    ``FRONT_RENDERINGS`` times) should the numbers change its length."""
    content, layout = None, layouts[0]
    for _rendering in range(FRONT_RENDERINGS):
        numbers = page_numbers([layout, *layouts[1:]])
        content = render.part_pdf_bytes(render.portfolio_part_html(report, template_part(report, front, numbers)))
        pages, layout = layout.pages, stitching.Layout.of(content)
        gc.collect()  # the front's layout is garbage: release it before the next rendering, or the stitch
        if layout.pages == pages:
            break
    return content, layout


def page_numbers(layouts):
    """``{anchor: page number}`` across parts laid out as ``layouts``, in order, numbered from 1."""
    place = stitching.placed(layouts, [1] * len(layouts))
    return {name: anchor.page + 1 for name, anchor in place.anchors.items()}


# Stitching ------------------------------------------------------------------------------------------


def finish(app, session, job_id):
    """Stitch the parts of running job ``job_id`` and end it done (its contents numbered first if they are not)."""
    job = session.get(ReportJob, job_id)
    if job.status != JobStatus.RUNNING:
        session.commit()
        return
    parts = done_parts(session, job_id)
    if not parts[0].numbered:  # its step did not run (a part rendered before migration 0034, a lost message)
        if not numbered_front(session, job_id):
            return
        parts = done_parts(session, job_id)
    session.commit()
    forget_report(job)  # this process may have rendered parts of the job: the stitch needs no report
    place = stitching.placed([layout_of(part) for part in parts], top_levels(parts))
    content = stitching.stitch_apart([part.pdf for part in parts], place, parts[0].furniture)
    story_ids = set().union(*(part.story_ids for part in parts))
    references = parts[0].evidence_cited
    session.execute(sa.delete(ReportPart).where(ReportPart.job_id == job.id))
    jobs.end_done(app, session, job, content, story_ids, references)
