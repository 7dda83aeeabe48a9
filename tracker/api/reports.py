"""Evidence reports: request one, follow its preparation, download its file, revoke it.

The same functions as the report pages do the work: :func:`tracker.reports.runner.queue` creates the job
(the sharing rules decide who may have which audience, and the request is audited) and hands it to the
runner; :func:`tracker.reports.downloads.bring_up_to_date` expires or revokes a job before every reading,
and :func:`tracker.reports.downloads.file_response` serves and audits the download. A job is seen by the
same people as on the web (:func:`tracker.reports.jobs.may_see`): its requester, M&E staff, and
administrators for donor reports; to anyone else it answers 404. Whoever may see a job may revoke it.

A job's ``status`` is its state as stored: ``queued``, ``running``, ``done``, ``failed``, ``revoked`` (its
file withdrawn: consent withdrawn, access changed, revoked on request; ``revoked_reason`` says which) or
``expired`` (its link lasted ``REPORT_LINK_HOURS`` and ran out). Neither of the last two has a file: prepare
the report again.
"""

from datetime import date
from datetime import datetime

from flask import current_app
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from tracker.api.blueprint import api
from tracker.api.common import Schema
from tracker.api.common import text
from tracker.api.problems import ApiProblem
from tracker.api.registry import SLUG
from tracker.api.registry import json_response
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.db import get_session
from tracker.portfolio.models import Project
from tracker.portfolio.services import get_fund
from tracker.portfolio.services import get_project
from tracker.reports import downloads
from tracker.reports import lifecycle
from tracker.reports import runner
from tracker.reports.jobs import may_see
from tracker.reports.models import MEDIA_TYPES
from tracker.reports.models import Audience
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportFormat
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportKind
from tracker.reports.progress import progress
from tracker.reports.scope import Period
from tracker.web.access import actor
from tracker.web.requests import language

TAG = "Reports"
EXPIRED = N_("This report's download link expired and its file was deleted. Prepare the report again.")


class ReportInput(Schema):
    kind: ReportKind = Field(description="`project` (name it in `project`) or `portfolio`.")
    project: str | None = Field(default=None, max_length=60, pattern=SLUG.pattern,
                                description="The project's slug, for a project report; leave it out for the "
                                            "portfolio.")
    audience: Audience = Field(description="`donor` (only what the donor rules allow) or `internal` (everything "
                                           "you may see). Donors may only ask for the donor report.")
    format: ReportFormat = ReportFormat.PDF
    period_start: date | None = Field(default=None, description="Keep only what happened from this day on.")
    period_end: date | None = Field(default=None, description="Keep only what happened up to this day.")
    language: text(16) | None = Field(default=None, description="Headings, labels, dates and numbers: one of the "
                                                                "app's languages (`en`, `fr`, `es`); by default "
                                                                "your own.")
    claims_in_progress: bool = Field(default=False, description="Donor reports: list the contribution claims "
                                                                "below step 4 as work in progress.")


class Progress(Schema):
    done: int = Field(description="Parts of the report built so far.")
    total: int = Field(description="Parts of the report in all.")


class Report(Schema):
    id: int
    url: str = Field(description="This report's path in the API, to poll.")
    kind: ReportKind
    project: str | None = Field(description="The project's slug; null for the portfolio report.")
    audience: Audience
    format: ReportFormat
    period_start: date | None
    period_end: date | None
    language: str
    claims_in_progress: bool
    status: JobStatus = Field(description="`queued`, `running`, `done` (the file can be downloaded), `failed` "
                                          "(see `reason`), `revoked` (the file was withdrawn, see `revoked_reason`) "
                                          "or `expired` (the link ran out and the file was deleted).")
    progress: Progress
    reason: str | None = Field(description="Why the report failed, was revoked or expired, in words; else null.")
    revoked_reason: str | None = Field(description="Why the report was revoked, as a code such as "
                                                   "`consent_withdrawn`, `access_changed` or "
                                                   "`revoked_on_request`; else null.")
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None = Field(description="Where to download the file with your token, while `status` is "
                                                 "`done`; else null.")
    expires_at: datetime | None = Field(description="When the download link runs out (it ran out, once expired).")
    file_size: int | None = Field(description="The file's size in bytes, while it can be downloaded.")


def report_url(job):
    return url_for("api.get_report", report_id=job.id)


def reason(job):
    """Why the job failed, was revoked or expired, in the reader's language; None otherwise."""
    if job.status == JobStatus.FAILED:
        return _(job.error) if job.error else None
    if job.status == JobStatus.REVOKED:
        return downloads.revocation(job)
    return _(EXPIRED) if job.status == JobStatus.EXPIRED else None


def report_out(session, job):
    done, total = progress(job)
    ready = job.status == JobStatus.DONE
    project = session.get(Project, job.project_id) if job.project_id else None
    return Report(
        id=job.id, url=report_url(job), kind=job.kind, project=project.slug if project else None,
        audience=job.audience, format=job.format, period_start=job.period_start, period_end=job.period_end,
        language=job.language, claims_in_progress=job.claims_in_progress, status=job.status,
        progress=Progress(done=done, total=total), reason=reason(job), revoked_reason=job.revoked_reason or None,
        created_at=job.created_at, finished_at=job.finished_at,
        download_url=url_for("api.download_report", report_id=job.id) if ready else None,
        expires_at=job.expires_at if job.status in (JobStatus.DONE, JobStatus.EXPIRED) else None,
        file_size=job.file_size if ready else None)


def visible_job(session, report_id):
    """The job, brought up to date, if the caller may see it (as on the web); else 404."""
    job = session.get(ReportJob, report_id)
    if job is None or not may_see(current_user, job):
        raise ApiProblem(404)
    return downloads.bring_up_to_date(job)


def requested_project(session, body):
    """``(project or None, [(field, message)])``: the project the request names, and what is wrong with naming it."""
    if body.kind == ReportKind.PORTFOLIO:
        reasons = [] if body.project is None else [("project", N_("Leave the project out for the portfolio report."))]
        if not current_user.can("report.portfolio"):
            reasons.append(("kind", N_("You may not request the portfolio report.")))
        return None, reasons
    if body.project is None:
        return None, [("project", N_("Name the project of a project report."))]
    project = get_project(session, body.project)
    if project is None or not current_user.can("report.view", project):
        return None, [("project", N_("There is no project with this name that you may see."))]
    return project, []


def option_problems(body):
    """What is wrong with the request's language and period, as ``[(field, message)]``."""
    reasons = []
    if body.language is not None and body.language not in current_app.config["LANGUAGES"]:
        reasons.append(("language", N_("Choose one of the app's languages.")))
    if body.period_start and body.period_end and body.period_end < body.period_start:
        reasons.append(("period_end", N_("The period must end on or after the day it starts.")))
    return reasons


@api.operation("POST", "/reports", operation_id="requestReport", tag=TAG, summary="Request a report",
               permission="report.files", body=ReportInput, response=Report, status=202,
               headers={"Location": "The new report's path, to poll (also its `url`)."})
def request_report(body):
    """Queue the report; follow it at `Location` until its `status` is `done`, then download it from
    `download_url`. Asking for it is audited, as on the web."""
    session = get_session()
    project, reasons = requested_project(session, body)
    reasons += option_problems(body)
    if reasons:
        raise ValidationFailed(reasons)
    fund = get_fund(session)
    if fund is None:
        raise ApiProblem(404)
    job = runner.queue(current_app._get_current_object(), session, actor(), current_user.user, fund=fund,
                       project=project, audience=body.audience, report_format=body.format,
                       period=Period(body.period_start, body.period_end), language=body.language or language(),
                       claims_in_progress=body.claims_in_progress)
    response = json_response(report_out(session, job), 202)
    response.headers["Location"] = report_url(job)
    return response


@api.operation("GET", "/reports/<int:report_id>", operation_id="getReport", tag=TAG,
               summary="Follow a report: its status, progress and download link", permission="report.files",
               scope="object", response=Report)
def get_report(report_id):
    """The report's status and progress; once `done`, its `download_url` until `expires_at`. Seen by its
    requester, M&E staff, and administrators for donor reports."""
    session = get_session()
    return report_out(session, visible_job(session, report_id))


@api.operation("GET", "/reports/<int:report_id>/file", operation_id="downloadReport", tag=TAG,
               summary="Download a report's file", permission="report.files", scope="object", response=None,
               media_types=tuple(MEDIA_TYPES.values()), errors=(410,))
def download_report(report_id):
    """The PDF or HTML file, as an attachment; each download is audited. An expired or revoked report answers
    410 saying why; one still being prepared, or failed, has no file (404)."""
    session = get_session()
    job = visible_job(session, report_id)
    if job.status in downloads.GONE:
        raise ApiProblem(410, reason(job), extra={"report_status": job.status.value,
                                                  "revoked_reason": job.revoked_reason or None})
    response = downloads.file_response(job)
    if response is None:
        raise ApiProblem(404, "This report has no file: it is still being prepared, or it failed.")
    return response


@api.operation("DELETE", "/reports/<int:report_id>", operation_id="revokeReport", tag=TAG,
               summary="Revoke a report", permission="report.files", scope="object", response=None, status=204)
def revoke_report(report_id):
    """Withdraw the report: its file is deleted and its link answers 410, as when consent is withdrawn. The
    revocation is audited. A report already failed, expired or revoked stays as it is."""
    session = get_session()
    job = visible_job(session, report_id)
    if job.status in lifecycle.LIVE:
        lifecycle.revoke_job(session, job, lifecycle.ON_REQUEST, actor=actor())
