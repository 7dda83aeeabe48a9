"""Report jobs: a PDF (or HTML) report built in the background, its file, its expiry and the stories it holds.

A job is queued by a user, claimed and run by a worker (a thread pool by default)
that holds a lease on it while it works (``heartbeat_at``, renewed every
``REPORT_HEARTBEAT_SECONDS``), and ends *done* with a file under ``instance/reports/``
(random name, written to a temporary file and renamed on success) or *failed* with
its reason and no file; a job whose worker stopped fails when its lease runs out. Its download
link works for the requester (or M&E staff) until ``expires_at``. A job that
included a story whose consent is later withdrawn is *revoked*: its file is deleted
and its link stops working (:mod:`tracker.reports.lifecycle`). ``ReportJobStory``
records which stories each file holds, as plain ids, so that even a story erased
for good still finds the files to delete.
"""

import enum
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.db_types import choice_column
from tracker.db_types import timestamp_column
from tracker.db_types import utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ReportKind(enum.StrEnum):
    PROJECT = "project"
    PORTFOLIO = "portfolio"


class Audience(enum.StrEnum):
    """Who the report is for: the fund's own people, or donors (only what the donor rules allow)."""

    INTERNAL = "internal"
    DONOR = "donor"


class ReportFormat(enum.StrEnum):
    PDF = "pdf"
    HTML = "html"


# The media type each format's file is stored and served with.
MEDIA_TYPES = {ReportFormat.PDF: "application/pdf", ReportFormat.HTML: "text/html"}


class ReportJob(SQLModel, table=True):
    __tablename__ = "report_job"
    __table_args__ = (
        sa.Index("ix_report_job_requester_created", "requester_id", "created_at"),
        sa.CheckConstraint("period_start IS NULL OR period_end IS NULL OR period_start <= period_end",
                           name="period_in_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The job's address in links: random, so that links cannot be guessed from one another.
    token: str = Field(max_length=43, sa_column_kwargs={"unique": True})
    kind: ReportKind = Field(sa_column=choice_column(ReportKind))
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True, ondelete="CASCADE")
    fund_id: int = Field(foreign_key="fund.id", index=True, ondelete="CASCADE")
    audience: Audience = Field(sa_column=choice_column(Audience))
    format: ReportFormat = Field(default=ReportFormat.PDF, sa_column=choice_column(ReportFormat,
                                                                                   default=ReportFormat.PDF))
    period_start: date | None = None
    period_end: date | None = None
    language: str = Field(default="en", max_length=16)
    # Donor reports leave claims below Mayne's step 4 out unless asked to list them as work in progress.
    claims_in_progress: bool = Field(default=False)
    status: JobStatus = Field(default=JobStatus.QUEUED,
                              sa_column=choice_column(JobStatus, index=True, default=JobStatus.QUEUED))
    error: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    requester_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    started_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    finished_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    # The running job's lease: when its worker last said it is still at work. A lease older than
    # REPORT_LEASE_SECONDS means the worker stopped (killed, crashed, restarted), and the sweep fails the job.
    heartbeat_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, default=None))
    expires_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True, index=True,
                                                                                 default=None))
    # Relative to the reports folder; a random name, never anything the user typed.
    file_name: str = Field(default="", max_length=80)
    file_size: int | None = None
    revoked_reason: str = Field(default="", max_length=40)
    # A portfolio PDF is rendered in parts (tracker.reports.parts): how many, and how many are rendered so far.
    parts_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    parts_done: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    @property
    def is_finished(self):
        return self.status not in (JobStatus.QUEUED, JobStatus.RUNNING)


class ReportJobStory(SQLModel, table=True):
    """A story a report file includes (plain ids, no foreign key: the link must outlive an erased story)."""

    __tablename__ = "report_job_story"

    job_id: int = Field(foreign_key="report_job.id", primary_key=True, ondelete="CASCADE")
    story_id: int = Field(primary_key=True, index=True)


class PartKind(enum.StrEnum):
    """What a part of a report holds: the front matter (cover, contents, key figures, synthesis), one project's
    pages, or the back matter (what the report leaves out and the annexes)."""

    FRONT = "front"
    PROJECT = "project"
    BACK = "back"


class ReportPart(SQLModel, table=True):
    """One part of a report job's PDF, rendered on its own and stitched with the others when all are done.

    Kept only while the job runs: the stitched file replaces them. ``story_ids`` are the stories the part
    holds, so that the stitch re-checks exactly what went into the file.
    """

    __tablename__ = "report_part"

    job_id: int = Field(foreign_key="report_job.id", primary_key=True, ondelete="CASCADE")
    index: int = Field(primary_key=True)
    kind: PartKind = Field(sa_column=choice_column(PartKind))
    project_id: int | None = None
    pdf: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    pages: int = Field(default=0)
    story_ids: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False, default=list))
    done: bool = Field(default=False)
    # Its layout (tracker.reports.stitch.Layout), read once when it is rendered: None for a part rendered before
    # migration 0034, which the stitch reads then.
    anchors: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    bookmarks: list | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    # The front part, once every part is rendered, is rendered again with the page numbers of its contents; it
    # then also keeps the furniture of every page (running heads, page numbers) and counts the entries of
    # Annex A for the audit record.
    numbered: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    furniture: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    evidence_cited: int | None = None
