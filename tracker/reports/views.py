"""Report pages: options (audience, period), the HTML preview, report jobs and their downloads. Thin views."""

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from tracker.audit.services import record
from tracker.auth.permissions import Role
from tracker.breakglass import services as break_glass
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.portfolio.models import Project
from tracker.portfolio.services import get_fund
from tracker.reports import downloads
from tracker.reports import jobs
from tracker.reports import render
from tracker.reports import runner
from tracker.reports.forms import PDF
from tracker.reports.forms import PreviewOptionsForm
from tracker.reports.forms import ReportOptionsForm
from tracker.reports.forms import audience_choices
from tracker.reports.forms import language_choices
from tracker.reports.models import Audience
from tracker.reports.models import JobStatus
from tracker.reports.portfolio import portfolio_report
from tracker.reports.progress import progress
from tracker.reports.project import project_report
from tracker.reports.scope import Period
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import requires
from tracker.web.forms import ConfirmForm
from tracker.web.pages import form_page
from tracker.web.requests import language
from tracker.web.requests import page_number

REFRESH_SECONDS = 3


# Options ------------------------------------------------------------------------------------------


def audiences(project=None):
    """The audiences the current user may choose: donors only the donor report."""
    if current_user.can("report.internal", project) and (project is not None or current_user.role != Role.GRANTEE):
        return [Audience.DONOR, Audience.INTERNAL]
    return [Audience.DONOR]


def options_form(project=None, form_class=ReportOptionsForm, **kwargs):
    allowed = audiences(project)
    form = form_class(data={"audience": allowed[0].value, "language": language()}, **kwargs)
    form.audience.choices = audience_choices(allowed)
    form.language.choices = language_choices(current_app.config["LANGUAGES"])
    return form


def period_of(form):
    return Period(form.period_from.data, form.period_to.data)


def preview_arguments(form):
    arguments = {"audience": form.audience.data, "language": report_language(form)}
    if form.claims_in_progress.data:
        arguments["claims_in_progress"] = "y"
    if form.period_from.data:
        arguments["period_from"] = form.period_from.data.isoformat()
    if form.period_to.data:
        arguments["period_to"] = form.period_to.data.isoformat()
    return arguments


def report_language(form):
    """The language chosen on the form; the reader's own when the form does not say."""
    return form.language.data or language()


def jobs_page(project=None):
    """The reports this user prepared (of ``project``), a page of them, and their projects' titles."""
    session = get_session()
    page = paginate(session, jobs.jobs_statement(current_user, project), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    return {"page": page, "titles": jobs.project_titles(session, page.items)}


def queue(form, project=None):
    """Create the report job and hand it to the runner; the message says whether it is still being prepared."""
    session = get_session()
    fund = get_fund(session) or abort(404)
    job = runner.queue(current_app._get_current_object(), session, actor(), current_user.user, fund=fund,
                       project=project, audience=form.audience.data, period=period_of(form),
                       language=report_language(form), claims_in_progress=form.claims_in_progress.data)
    if job.status != JobStatus.DONE:
        flash(_("Your report is being prepared."), "success")
    return job


def job_url(job):
    return url_for(".job", token=job.token)


# A project's reports ------------------------------------------------------------------------------


def render_project_page(project, form):
    return render_template("reports/project_reports.html", project=project, form=form, **jobs_page(project))


@project_route("report.view")
def project_reports(project):
    """The project's report options (preview, PDF) and the reports this user prepared."""
    return render_project_page(project, options_form(project))


@project_route("report.view")
def project_report_request(project):
    """The options form posted: "Preview" goes to the HTML preview, "PDF" prepares the report."""
    form = options_form(project)
    if request.form.get("action") != PDF and form.validate_on_submit():
        return redirect(url_for(".project_preview", slug=project.slug, **preview_arguments(form)))
    return form_page(form, "reports/project_reports.html", lambda form: queue(form, project), job_url,
                     project=project, **jobs_page(project))


@project_route("report.view")
def project_preview(project):
    """The report as HTML in the browser: the same templates as the PDF."""
    form = options_form(project, PreviewOptionsForm, formdata=request.args)
    if not form.validate():
        return render_project_page(project, form)
    session = get_session()
    requester = jobs.requester_for(session, current_user.user)
    with force_locale(report_language(form)):
        report = project_report(session, project, form.audience.data, requester, period_of(form),
                                claims_in_progress=form.claims_in_progress.data)
        audit_preview(session, report, project)
        return render.project_html(report, render.Mode.PREVIEW,
                                   back_url=url_for(".project_reports", slug=project.slug),
                                   pdf_form_url=url_for(".project_report_request", slug=project.slug),
                                   pdf_form_fields={**preview_arguments(form), "action": PDF})


def audit_preview(session, report, project=None):
    """A preview shows stories and outcomes: audit it as a read naming them, with the break-the-glass reason when
    that is how."""
    grant = None
    if project is not None and report.story_ids and current_user.role == Role.ADMIN:
        grant = break_glass.active_grant(session, current_user.user, project)
    record(session, actor(), "read", "report_preview", None, project_id=project.id if project else None,
           reason=grant.reason if grant else None,
           details={"audience": report.meta.audience, "kind": report.meta.kind, "stories": sorted(report.story_ids),
                    "outcomes": sorted(report.outcome_ids)})


# The portfolio ------------------------------------------------------------------------------------


def render_reports_page(form):
    return render_template("reports/reports.html", form=form, **jobs_page())


@requires("report.files")
def reports():
    """The user's reports across projects, and (for staff and donors) the portfolio report options."""
    return render_reports_page(options_form() if current_user.can("report.portfolio") else None)


@requires("report.portfolio")
def portfolio_report_request():
    form = options_form()
    if request.form.get("action") != PDF and form.validate_on_submit():
        return redirect(url_for(".portfolio_preview", **preview_arguments(form)))
    return form_page(form, "reports/reports.html", queue, job_url, **jobs_page())


@requires("report.portfolio")
def portfolio_preview():
    form = options_form(form_class=PreviewOptionsForm, formdata=request.args)
    if not form.validate():
        return render_reports_page(form)
    session = get_session()
    fund = get_fund(session) or abort(404)
    with force_locale(report_language(form)):
        report = portfolio_report(session, fund, form.audience.data,
                                  jobs.requester_for(session, current_user.user), period_of(form),
                                  claims_in_progress=form.claims_in_progress.data)
        audit_preview(session, report)
        return render.portfolio_html(report, render.Mode.PREVIEW, back_url=url_for(".reports"),
                                     pdf_form_url=url_for(".portfolio_report_request"),
                                     pdf_form_fields={**preview_arguments(form), "action": PDF})


# Jobs and files -----------------------------------------------------------------------------------


def job_or_404(token):
    job = jobs.get_job(get_session(), token)
    if job is None or not jobs.may_see(current_user, job):
        abort(404)
    return downloads.bring_up_to_date(job)


def request_again(job):
    """Where the "try again" button posts, and the options it sends: those of ``job``."""
    fields = {"audience": job.audience.value, "language": job.language, "action": PDF}
    if job.claims_in_progress:
        fields["claims_in_progress"] = "y"
    if job.period_start:
        fields["period_from"] = job.period_start.isoformat()
    if job.period_end:
        fields["period_to"] = job.period_end.isoformat()
    if job.project_id is None:
        return url_for(".portfolio_report_request"), fields
    return url_for(".project_report_request", slug=get_session().get(Project, job.project_id).slug), fields


@requires("report.files")
def job(token):
    """The job's progress (refreshing itself while it is queued or running), why it failed, or its download."""
    report_job = job_or_404(token)
    titles = jobs.project_titles(get_session(), [report_job])
    again_url, again_fields = request_again(report_job) if report_job.is_finished else (None, {})
    return render_template("reports/job.html", job=report_job, title=titles.get(report_job.project_id),
                           refresh=None if report_job.is_finished else REFRESH_SECONDS,
                           progress=progress(report_job),
                           failure=_(report_job.error) if report_job.error else "", again_form=ConfirmForm(),
                           revocation=downloads.revocation(report_job),
                           again_url=again_url, again_fields=again_fields)


@requires("report.files")
def download(token):
    """The file, as an attachment, to its requester (or M&E staff); an expired or revoked link answers 410."""
    report_job = job_or_404(token)
    if report_job.status in downloads.GONE:
        return render_template("reports/job.html", job=report_job, title=None, refresh=None,
                               revocation=downloads.revocation(report_job)), 410
    return downloads.file_response(report_job) or abort(404)
