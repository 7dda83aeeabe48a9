"""Report jobs: queued by a user, built in the background, served as a file until the link expires.

A worker takes a job by *claiming* it (:func:`claim`: one UPDATE from queued to running, so two workers never
build the same job), holds a *lease* on it while it works (:func:`renew_lease`, from a thread of its own every
``REPORT_HEARTBEAT_SECONDS``), and ends it *done* with a file or *failed* with a translatable reason and no
file: any exception, claiming included, fails the job, and is logged with the job id and the exception's type
only (its text may hold personal data). A job whose lease ran out for ``REPORT_LEASE_SECONDS`` lost its worker
(killed, crashed, restarted): :func:`sweep` fails it. These functions take a session and a job id and nothing
else, whatever runs the jobs (:mod:`tracker.reports.runner`).

Running a job (:func:`run_job`) assembles the report in its own database session, renders it, and stores the
file in the database (:mod:`tracker.common.blobs`) in the transaction that marks the job done. A portfolio PDF
is rendered in parts and stitched (:mod:`tracker.reports.parts`).

Download links last ``REPORT_LINK_HOURS`` (24); an expired or revoked job's file is deleted with that change.
"""

import secrets
import threading
import traceback
from contextlib import contextmanager
from contextlib import nullcontext
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask import has_app_context
from flask_babel import force_locale
from sqlalchemy.orm import aliased
from sqlmodel import select

from tracker.audit.services import Actor
from tracker.audit.services import record
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.breakglass import services as break_glass
from tracker.common import blobs
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
from tracker.reports.models import MEDIA_TYPES
from tracker.reports.models import Audience
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportFormat
from tracker.reports.models import ReportJob
from tracker.reports.models import ReportJobStory
from tracker.reports.models import ReportKind
from tracker.reports.models import ReportPart
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report
from tracker.reports.scope import Period
from tracker.reports.scope import Requester

ERROR_LIMIT = 500
WORKER_STOPPED = N_("The worker stopped while preparing this report; try again.")
UNEXPECTED_ERROR = N_("An unexpected error stopped the preparation of this report.")


class JobRefused(RuntimeError):
    """The requester may no longer have this report (access removed since it was queued)."""


class StoryWithdrawn(RuntimeError):
    """A story in the report stopped being shareable while the report was being prepared."""


class LeaseLost(RuntimeError):
    """The job stopped being this worker's before it was done: the sweep took its worker for stopped."""


# Failures whose reason the user is told as such (a translatable message); any other says UNEXPECTED_ERROR.
TOLD_FAILURES = (JobRefused, StoryWithdrawn)


def requester_for(session, user):
    """The scope of ``user`` right now: role, memberships, and the projects they broke the glass for."""
    return Requester(user.display_name, Role(user.role), frozenset(auth_services.member_project_ids(session, user.id)),
                     frozenset(break_glass.granted_project_ids(session, user)))


def may_have(requester, audience, project_id=None):
    """Whether ``requester`` may have a report for ``audience`` of project ``project_id`` (None: the portfolio)."""
    if project_id is None:
        return Audience(audience) is Audience.DONOR or requester.role in (Role.ADMIN, Role.ME)
    return requester.may("report.view", project_id) and requester.may_request(audience, project_id)


def job_actor(user):
    return Actor(user_id=user.id, email=user.email, role=Role(user.role).value)


# Queueing -----------------------------------------------------------------------------------------


def create_job(session, actor, user, *, fund, project=None, audience, report_format=ReportFormat.PDF,
               period=None, language="en", claims_in_progress=False):
    """Queue a report for ``user``; raises ValidationFailed when they may not have this audience."""
    period = period or Period()
    audience = Audience(audience)
    if not may_have(requester_for(session, user), audience, project.id if project else None):
        raise ValidationFailed.on("audience", N_("You may only request the donor report."))
    job = ReportJob(token=secrets.token_urlsafe(24), kind=ReportKind.PROJECT if project else ReportKind.PORTFOLIO,
                    project_id=project.id if project else None, fund_id=fund.id, audience=audience,
                    format=ReportFormat(report_format), period_start=period.start, period_end=period.end,
                    language=language, claims_in_progress=claims_in_progress, requester_id=user.id)
    session.add(job)
    session.flush()
    record(session, actor, "create", "report_job", job.id, project_id=job.project_id,
           details={"kind": job.kind.value, "audience": audience.value, "format": job.format.value,
                    "from": period.start, "to": period.end, "claims_in_progress": claims_in_progress})
    return job


# Running ------------------------------------------------------------------------------------------


def app_context(app):
    """An application context for the job: the caller's when it already runs in ``app`` (the inline runner, in a
    request), else a new one (a worker thread or an external queue's process)."""
    if has_app_context() and current_app._get_current_object() is app:
        return nullcontext()
    return app.app_context()


def run_job(app, job_id, take_over_after=None):
    """Claim job ``job_id`` and build it in its own session: done with a file, or failed with its reason and no file.

    Every exception ends the job as failed, one raised while claiming it included; a job another worker
    claimed first is left to that worker (unless its lease ran out ``take_over_after`` seconds ago, see
    :func:`claim`). Returns whether this call claimed the job.
    """
    with app_context(app):
        session = database(app).new_session()
        claimed = False
        try:
            claimed = claim(session, job_id, take_over_after=take_over_after)
            if claimed:
                with lease_kept(app, job_id):
                    build_claimed(app, session, job_id)
        except Exception as error:  # noqa: BLE001 - any failure becomes the job's visible reason
            session.rollback()
            log_failure(app, job_id, error)
            end_failed(app, session, job_id, error, claimed)
        finally:
            session.close()
    return claimed


def build_claimed(app, session, job_id):
    """Build claimed job ``job_id``: a portfolio PDF in parts, stitched (:mod:`tracker.reports.parts`, which
    builds on this module, hence imported here), any other report in one go."""
    from tracker.reports import parts

    job = session.get(ReportJob, job_id)
    if parts.in_parts(job):
        parts.build_in_parts(app, session, job_id)
    else:
        finish(app, session, job)


def finish(app, session, job):
    session.commit()  # loading the job began a transaction; the build reads in one of its own
    read_only(session)  # building can take seconds: a read that holds up no one who saves meanwhile
    user = session.get(User, job.requester_id)
    if user is None or not user.is_active:
        raise JobRefused(N_("The account that asked for this report is no longer active."))
    with force_locale(job.language):
        report, content = build(session, job, requester_for(session, user))
    session.commit()  # end the long read before writing: SQLite refuses to turn a stale snapshot into a write
    end_done(app, session, job, content, report.story_ids, len(report.references))


def end_done(app, session, job, content, story_ids, references):
    """End ``job`` done with ``content`` stored in the database, in one transaction under the job's lease: the
    stories it holds checked once more, remembered for revocation, and the export audited."""
    if not renew_lease(session, job.id):  # first, so that the rest of this transaction holds the write lock
        raise LeaseLost(job.id)
    check_still_shareable(session, job, story_ids)
    job.status, job.finished_at = JobStatus.DONE, utcnow()
    job.expires_at = job.finished_at + timedelta(hours=app.config["REPORT_LINK_HOURS"])
    job.file_name, job.file_size = blobs.save(session, content, MEDIA_TYPES[job.format]), len(content)
    session.add_all(ReportJobStory(job_id=job.id, story_id=story_id) for story_id in sorted(story_ids))
    record(session, job_actor(session.get(User, job.requester_id)), "export", "report", job.id,
           project_id=job.project_id,
           details={"kind": job.kind.value, "audience": job.audience.value, "format": job.format.value,
                    "stories": sorted(story_ids), "evidence": references})
    session.commit()


def log_failure(app, job_id, error):
    """Log the failure by job id and exception type, with where it was raised: never the exception's text."""
    if isinstance(error, TOLD_FAILURES):
        app.logger.info("Report job %s ended: %s", job_id, type(error).__name__)
    else:
        app.logger.error("Report job %s failed: %s, raised at %s", job_id, type(error).__name__, raised_at(error))


def raised_at(error):
    """The frames an exception went through, as ``file:line (function)``: no source text, no values."""
    return " < ".join(f"{frame.filename}:{frame.lineno} ({frame.name})"
                      for frame in reversed(traceback.extract_tb(error.__traceback__)))


def failure_reason(error):
    """The reason the user is told: a translatable message, never the text of an unexpected exception."""
    if isinstance(error, TOLD_FAILURES) and error.args:
        return str(error.args[0])[:ERROR_LIMIT]
    return str(UNEXPECTED_ERROR)


def end_failed(app, session, job_id, error, claimed):
    """Fail the job unless that too fails: then it is logged, and the sweep ends the job later."""
    try:
        fail(session, job_id, failure_reason(error), JobStatus.RUNNING if claimed else JobStatus.QUEUED)
    except Exception as second:  # noqa: BLE001 - the database may be what failed; the sweep comes back to it
        session.rollback()
        app.logger.error("Report job %s could not be marked failed: %s", job_id, type(second).__name__)


# Claims, leases and the sweep: plain functions of a session and a job id, whatever runs the jobs ------------


def claim(session, job_id, now=None, take_over_after=None):
    """Take queued job ``job_id`` for this worker, and commit; False when it is not queued (another took it).

    With ``take_over_after`` (seconds), also take it when it is running but its lease ran out that long ago:
    its worker stopped, and a queue that hands a stopped worker's job to another (Celery, with late
    acknowledgement) builds it again. Should the old worker come back, whichever of the two finishes second
    finds the job no longer running and keeps no file.

    One UPDATE guarded by the status (and the lease), as the transaction's first statement: atomic on
    PostgreSQL and SQLite alike, so two workers taking over the same job build it once; on SQLite it waits
    for the write lock instead of failing on a stale snapshot.
    """
    now = now or utcnow()
    takeable = ReportJob.status == JobStatus.QUEUED
    if take_over_after is not None:
        takeable = sa.or_(takeable, lease_ran_out(take_over_after, now))
    taken = session.execute(sa.update(ReportJob)
                            .where(ReportJob.id == job_id, takeable)
                            .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
                            .execution_options(synchronize_session=False)).rowcount == 1
    session.commit()
    return taken


def renew_lease(session, job_id, now=None):
    """Say the worker is still at job ``job_id`` (the caller commits); False when the job is no longer running."""
    return session.execute(sa.update(ReportJob)
                           .where(ReportJob.id == job_id, ReportJob.status == JobStatus.RUNNING)
                           .values(heartbeat_at=now or utcnow())
                           .execution_options(synchronize_session=False)).rowcount == 1


def fail(session, job_id, reason, status=JobStatus.RUNNING):
    """End job ``job_id`` as failed with ``reason``, if it is still ``status``, drop the parts it rendered (a
    failed job keeps no file, whole or in parts), and commit."""
    session.execute(sa.update(ReportJob)
                    .where(ReportJob.id == job_id, ReportJob.status == status)
                    .values(status=JobStatus.FAILED, finished_at=utcnow(), error=reason)
                    .execution_options(synchronize_session=False))
    session.execute(sa.delete(ReportPart).where(ReportPart.job_id == job_id,
                                                sa.select(ReportJob.id).where(ReportJob.id == job_id,
                                                                              ReportJob.status == JobStatus.FAILED)
                                                .exists()))
    session.commit()


def lease_expired(job, lease_seconds, now=None):
    """Whether running ``job``'s worker went ``lease_seconds`` without renewing its lease."""
    last = job.heartbeat_at or job.started_at or job.created_at
    return job.status == JobStatus.RUNNING and last < (now or utcnow()) - timedelta(seconds=lease_seconds)


def last_renewal(job=ReportJob):
    """The SQL expression of when ``job`` (the table, or an alias of it) last renewed its lease."""
    return sa.func.coalesce(job.heartbeat_at, job.started_at, job.created_at)


def lease_ran_out(lease_seconds, now):
    """The SQL condition of :func:`lease_expired`."""
    return sa.and_(ReportJob.status == JobStatus.RUNNING, last_renewal() < now - timedelta(seconds=lease_seconds))


def waiting_behind_other_jobs(lease_seconds, now):
    """The SQL condition of a running job whose parts still wait in the queue while another job's worker holds a
    live lease: the workers are alive, busy with another report, and will come to these parts.

    Its own lease runs out meanwhile, since no task of it is running to renew it; that alone does not mean its
    worker stopped. When every worker has stopped, the other jobs' leases run out too, and the sweep fails
    them all.
    """
    other = aliased(ReportJob)
    parts_waiting = (sa.select(ReportPart.index)
                     .where(ReportPart.job_id == ReportJob.id, ReportPart.done.is_(False)).exists())
    another_alive = (sa.select(other.id)
                     .where(other.id != ReportJob.id, other.status == JobStatus.RUNNING,
                            last_renewal(other) >= now - timedelta(seconds=lease_seconds)).exists())
    return sa.and_(parts_waiting, another_alive)


def stopped(lease_seconds, now):
    """The SQL condition of a running job whose worker stopped: its lease ran out, and it is not merely waiting
    behind other jobs (:func:`waiting_behind_other_jobs`)."""
    return sa.and_(lease_ran_out(lease_seconds, now), sa.not_(waiting_behind_other_jobs(lease_seconds, now)))


def stopped_job_ids(session, lease_seconds, now=None):
    """The running jobs whose worker stopped, read only: a periodic check that takes no write lock."""
    return list(session.exec(select(ReportJob.id).where(stopped(lease_seconds, now or utcnow()))))


def sweep(session, lease_seconds, now=None):
    """Fail every running job whose worker stopped (:func:`stopped`; the caller commits); returns their ids.

    Failed rather than queued again: a report that killed its worker (memory, on a huge portfolio) would
    kill the next one too. The requester reads that the worker stopped, and tries again.
    """
    now = now or utcnow()
    return list(session.scalars(sa.update(ReportJob)
                                .where(stopped(lease_seconds, now))
                                .values(status=JobStatus.FAILED, finished_at=now, error=str(WORKER_STOPPED))
                                .returning(ReportJob.id)
                                .execution_options(synchronize_session=False)))


def queued_job_ids(session, queued_before=None):
    """The jobs waiting for a worker, oldest first (only those queued before ``queued_before`` when given)."""
    statement = select(ReportJob.id).where(ReportJob.status == JobStatus.QUEUED)
    if queued_before is not None:
        statement = statement.where(ReportJob.created_at < queued_before)
    return list(session.exec(statement.order_by(ReportJob.created_at, ReportJob.id)))


@contextmanager
def lease_kept(app, job_id):
    """Renew job ``job_id``'s lease every ``REPORT_HEARTBEAT_SECONDS`` while the block runs.

    From a thread of its own, so that the lease holds through one long step (WeasyPrint laying out a big
    report), and dies with the worker's process, which is what lets the sweep notice a killed worker.
    """
    done = threading.Event()
    beat = threading.Thread(target=renew_until, args=(app, job_id, done), name=f"report-lease-{job_id}",
                            daemon=True)
    beat.start()
    try:
        yield
    finally:
        done.set()
        beat.join()


def renew_until(app, job_id, done):
    while not done.wait(app.config["REPORT_HEARTBEAT_SECONDS"]):
        try:
            with database(app).new_session() as session:
                held = renew_lease(session, job_id)
                session.commit()
        except Exception as error:  # noqa: BLE001 - try again at the next beat; the lease outlasts a few misses
            app.logger.warning("Report job %s: lease not renewed: %s", job_id, type(error).__name__)
            continue
        if not held:
            return


def build(session, job, requester):
    """Assemble and render the job's report: ``(report, file content)``."""
    period = Period(job.period_start, job.period_end)
    if job.kind == ReportKind.PROJECT:
        project = session.get(Project, job.project_id)
        if project is None or not may_have(requester, job.audience, project.id):
            raise JobRefused(N_("You no longer have access to this project's report."))
        report = project_report(session, project, job.audience, requester, period,
                                claims_in_progress=job.claims_in_progress)
    else:
        report = portfolio_report(session, session.get(Fund, job.fund_id), job.audience, requester, period,
                                  claims_in_progress=job.claims_in_progress)
    if job.format == ReportFormat.PDF:
        return report, render.pdf_bytes(render.html_for(report, render.Mode.PDF))
    return report, render.html_for(report, render.Mode.FILE).encode("utf-8")


def unshareable_count(session, job, story_ids):
    """How many of ``story_ids`` ``job``'s file may no longer hold: erased, withdrawn or restricted, and for a
    donor report every story the donor rule (:func:`tracker.msc.sharing.donor_visible_story_ids`) leaves out."""
    if job.audience == Audience.DONOR:
        kept = donor_visible_story_ids(job.fund_id).where(Story.id.in_(story_ids))
    else:
        kept = (sa.select(Story.id).join(ConsentRecord, ConsentRecord.id == Story.consent_id)
                .where(Story.id.in_(story_ids), ConsentRecord.withdrawn_on.is_(None),
                       Story.safeguarding_status != SafeguardingStatus.RESTRICTED))
    return len(set(story_ids)) - session.scalar(sa.select(sa.func.count()).select_from(kept.subquery()))


def check_still_shareable(session, job, story_ids):
    """Refuse to publish a file holding a story withdrawn or restricted while the report was being prepared."""
    if story_ids and unshareable_count(session, job, sorted(story_ids)):
        raise StoryWithdrawn(N_("A story in this report stopped being shareable while it was being prepared "
                             "(consent withdrawn or restricted). Prepare the report again."))


def revocation_reason(session, job):
    """Why done ``job``'s file may no longer be served right now, or None: asked at every download.

    Its requester must still be active and allowed this report, and every story it holds must still pass
    the rule of its audience (for donors, the donor rule itself).
    """
    user = session.get(User, job.requester_id) if job.requester_id is not None else None
    if job.requester_id is not None and (user is None or not user.is_active or not may_have(
            requester_for(session, user), job.audience, job.project_id)):
        return "access_changed"
    held = list(session.scalars(sa.select(ReportJobStory.story_id).where(ReportJobStory.job_id == job.id)))
    if held and unshareable_count(session, job, held):
        return "no_longer_shareable"
    return None


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


def expire(session, app, jobs, now=None):
    """Mark done jobs past their expiry as expired and delete their files in the same transaction."""
    expired = [job for job in jobs if is_expired(job, now)]
    for job in expired:
        job.status = JobStatus.EXPIRED
        blobs.delete(session, job.file_name)
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
