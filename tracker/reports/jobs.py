"""Report jobs: queued by a user, built in the background, served as a file until the link expires.

Running a job (:func:`run_job`) assembles the report in its own database session, renders it, writes it
to a temporary file in the reports folder and renames it to a random name only on success; a failed job
keeps its error and no file. Jobs run where ``REPORT_JOB_RUNNER`` says:

* ``"thread"`` (default): a :class:`concurrent.futures.ThreadPoolExecutor` of ``REPORT_WORKERS`` threads;
* ``"inline"``: at once, in the request (the test suite uses this);
* a dotted path such as ``"myqueue.tasks:submit_report"``: that callable receives the job id and hands it
  to an external queue, whose worker calls ``tracker.reports.jobs.run_job(create_app(), job_id)``.

Download links last ``REPORT_LINK_HOURS`` (24); an expired or revoked job's file is deleted.
"""

import importlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask import has_app_context
from flask_babel import force_locale
from sqlmodel import select

from tracker.audit.services import Actor
from tracker.audit.services import record
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.breakglass import services as break_glass
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.db import database
from tracker.db import read_only
from tracker.db_types import utcnow
from tracker.msc.models import ConsentRecord
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.msc.sharing import donor_visible_story_ids
from tracker.portfolio.models import Fund
from tracker.portfolio.models import Project
from tracker.reports import render
from tracker.reports.files import delete_after_commit
from tracker.reports.files import reports_folder
from tracker.reports.files import write_atomically
from tracker.reports.models import Audience
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportFormat
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportJobStory
from tracker.reports.models import ReportKind
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report
from tracker.reports.scope import Period
from tracker.reports.scope import Requester

EXECUTOR_KEY = "tracker.report_executor"
ERROR_LIMIT = 500


class JobRefused(RuntimeError):
    """The requester may no longer have this report (access removed since it was queued)."""


class StoryWithdrawn(RuntimeError):
    """A story in the report stopped being shareable while the report was being prepared."""


def requester_for(session, user):
    """The scope of ``user`` right now: role, memberships, and the projects they broke the glass for."""
    return Requester(user.display_name, Role(user.role), frozenset(auth_services.member_project_ids(session, user.id)),
                     frozenset(break_glass.granted_project_ids(session, user)))


def job_actor(user):
    return Actor(user_id=user.id, email=user.email, role=Role(user.role).value)


# Queueing -----------------------------------------------------------------------------------------


def create_job(session, actor, user, *, fund, project=None, audience, report_format=ReportFormat.PDF,
               period=None, language="en"):
    """Queue a report for ``user``; raises ValidationFailed when they may not have this audience."""
    period = period or Period()
    audience = Audience(audience)
    requester = requester_for(session, user)
    if not requester.may_request(audience, project.id if project else None) or (
            project is None and audience is Audience.INTERNAL and requester.role not in (Role.ADMIN, Role.ME)):
        raise ValidationFailed.on("audience", N_("You may only request the donor report."))
    job = ReportJob(token=secrets.token_urlsafe(24), kind=ReportKind.PROJECT if project else ReportKind.PORTFOLIO,
                    project_id=project.id if project else None, fund_id=fund.id, audience=audience,
                    format=ReportFormat(report_format), period_start=period.start, period_end=period.end,
                    language=language, requester_id=user.id)
    session.add(job)
    session.flush()
    record(session, actor, "create", "report_job", job.id, project_id=job.project_id,
           details={"kind": job.kind.value, "audience": audience.value, "format": job.format.value,
                    "from": period.start, "to": period.end})
    return job


def submit(app, job_id):
    """Hand a committed job to the configured runner."""
    how = app.config["REPORT_JOB_RUNNER"]
    if how == "inline":
        run_job(app, job_id)
    elif how == "thread":
        executor(app).submit(run_job, app, job_id)
    else:
        external_submit(how)(job_id)


def external_submit(path):
    module_name, _sep, name = path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def executor(app):
    pool = app.extensions.get(EXECUTOR_KEY)
    if pool is None:
        pool = app.extensions[EXECUTOR_KEY] = ThreadPoolExecutor(max_workers=app.config["REPORT_WORKERS"],
                                                                  thread_name_prefix="report")
    return pool


# Running ------------------------------------------------------------------------------------------


def app_context(app):
    """An application context for the job: the caller's when it already runs in ``app`` (the inline runner, in a
    request), else a new one (a worker thread or an external queue's process)."""
    if has_app_context() and current_app._get_current_object() is app:
        return nullcontext()
    return app.app_context()


def run_job(app, job_id):
    """Build job ``job_id`` in its own session: done with a file, or failed with its error and no file."""
    with app_context(app):
        session = database(app).new_session()
        try:
            job = session.get(ReportJob, job_id)
            if job is None or job.status != JobStatus.QUEUED:
                return
            job.status, job.started_at = JobStatus.RUNNING, utcnow()
            session.commit()
            try:
                finish(app, session, job)
            except Exception as error:  # noqa: BLE001 - any failure becomes the job's visible error
                session.rollback()
                if not isinstance(error, (JobRefused, StoryWithdrawn)):
                    app.logger.exception("Report job %s failed", job_id)
                fail(session, job_id, error)
        finally:
            session.close()


def finish(app, session, job):
    read_only(session)  # building can take seconds: a read that holds up no one who saves meanwhile
    user = session.get(User, job.requester_id)
    if user is None or not user.is_active:
        raise JobRefused(N_("The account that asked for this report is no longer active."))
    with force_locale(job.language):
        report, content = build(session, job, requester_for(session, user))
    session.commit()  # end the long read before writing: SQLite refuses to turn a stale snapshot into a write
    path = write_atomically(reports_folder(app), content, job.format.value)
    try:
        check_still_shareable(session, job, report.story_ids)
        job.status, job.finished_at = JobStatus.DONE, utcnow()
        job.expires_at = job.finished_at + timedelta(hours=app.config["REPORT_LINK_HOURS"])
        job.file_name, job.file_size = path.name, len(content)
        session.add_all(ReportJobStory(job_id=job.id, story_id=story_id) for story_id in sorted(report.story_ids))
        record(session, job_actor(user), "export", "report", job.id, project_id=job.project_id,
               details={"kind": job.kind.value, "audience": job.audience.value, "format": job.format.value,
                        "stories": sorted(report.story_ids), "evidence": len(report.references)})
        session.commit()
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def fail(session, job_id, error):
    job = session.get(ReportJob, job_id)
    job.status, job.finished_at = JobStatus.FAILED, utcnow()
    job.error = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
    session.commit()


def build(session, job, requester):
    """Assemble and render the job's report: ``(report, file content)``."""
    period = Period(job.period_start, job.period_end)
    if job.kind == ReportKind.PROJECT:
        project = session.get(Project, job.project_id)
        if project is None or not requester.may("report.view", project.id) or not requester.may_request(
                job.audience, project.id):
            raise JobRefused(N_("You no longer have access to this project's report."))
        report = project_report(session, project, job.audience, requester, period)
    else:
        report = portfolio_report(session, session.get(Fund, job.fund_id), job.audience, requester, period)
    if job.format == ReportFormat.PDF:
        return report, render.pdf_bytes(render.html_for(report, render.Mode.PDF))
    return report, render.html_for(report, render.Mode.FILE).encode("utf-8")


def check_still_shareable(session, job, story_ids):
    """Refuse to publish a file holding a story withdrawn or restricted while the report was being prepared."""
    if not story_ids:
        return
    ids = sorted(story_ids)
    gone = session.scalar(sa.select(sa.func.count()).select_from(Story)
                          .join(ConsentRecord, ConsentRecord.id == Story.consent_id)
                          .where(Story.id.in_(ids), sa.or_(ConsentRecord.withdrawn_on.is_not(None),
                                                           Story.safeguarding_status == SafeguardingStatus.RESTRICTED)))
    if job.audience == Audience.DONOR:
        shared = session.scalar(sa.select(sa.func.count()).select_from(
            donor_visible_story_ids(job.fund_id).where(Story.id.in_(ids)).subquery()))
        gone += len(ids) - shared
    if gone or session.scalar(sa.select(sa.func.count()).select_from(Story).where(Story.id.in_(ids))) < len(ids):
        raise StoryWithdrawn(N_("A story in this report stopped being shareable while it was being prepared "
                             "(consent withdrawn or restricted). Prepare the report again."))


# Reading and serving ------------------------------------------------------------------------------


def get_job(session, token):
    return session.exec(select(ReportJob).where(ReportJob.token == token)).first()


def may_see(user, job):
    """The requester sees their job; M&E staff see every job; administrators only donor reports (their scope
    excludes stories)."""
    role = Role(user.role)
    return job.requester_id == user.id or role is Role.ME or (role is Role.ADMIN and job.audience == Audience.DONOR)


def is_expired(job, now=None):
    return job.status == JobStatus.DONE and job.expires_at is not None and job.expires_at <= (now or utcnow())


def file_path(app, job):
    return reports_folder(app) / job.file_name if job.file_name else None


def expire(session, app, jobs, now=None):
    """Mark done jobs past their expiry as expired and delete their files once the transaction commits."""
    expired = [job for job in jobs if is_expired(job, now)]
    for job in expired:
        job.status = JobStatus.EXPIRED
        delete_after_commit(session, job.file_name)
        job.file_name = ""
        session.add(job)
    session.flush()
    return expired


def expire_all(session, app, now=None):
    """Expire every job whose link has run out (``flask --app tracker report-cleanup``, and on each new job)."""
    now = now or utcnow()
    jobs = session.exec(select(ReportJob).where(ReportJob.status == JobStatus.DONE, ReportJob.expires_at <= now)).all()
    return expire(session, app, jobs, now)


def record_download(session, actor, job):
    record(session, actor, "download", "report_job", job.id, project_id=job.project_id,
           details={"audience": job.audience.value, "format": job.format.value, "requester": job.requester_id})


def jobs_statement(user, project=None):
    statement = select(ReportJob).where(ReportJob.requester_id == user.id)
    if project is not None:
        statement = statement.where(ReportJob.project_id == project.id)
    return statement.order_by(ReportJob.created_at.desc(), ReportJob.id.desc())


def project_titles(session, jobs):
    ids = sorted({job.project_id for job in jobs if job.project_id})
    if not ids:
        return {}
    return dict(session.exec(select(Project.id, Project.title).where(Project.id.in_(ids))).all())
