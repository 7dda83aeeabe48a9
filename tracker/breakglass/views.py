from datetime import timedelta

from flask import abort
from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.breakglass import services
from tracker.breakglass.forms import BreakGlassForm
from tracker.breakglass.forms import RevokeForm
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import requires
from tracker.web.access import safe_next
from tracker.web.pages import action
from tracker.web.pages import form_page
from tracker.web.requests import page_number
from tracker.web.templating import time_shown


def duration():
    return timedelta(hours=current_app.config["BREAK_GLASS_HOURS"])


@project_route("break_glass.request")
def request_access(project):
    """Ask for time-limited access to the project's sensitive records, giving a reason."""
    session = get_session()
    target = safe_next(request.args.get("next")) or url_for("portfolio.project_detail", slug=project.slug)
    grant = services.active_grant(session, current_user.user, project)
    form = BreakGlassForm()
    context = {"project": project, "grant": grant, "target": target, "hours": current_app.config["BREAK_GLASS_HOURS"]}
    if grant is not None:
        return render_template("breakglass/request.html", form=form, **context)

    def open_grant(form):
        grant = services.open_grant(session, actor(), current_user.user, project, form.reason.data, duration())
        flash(_("You have access to the sensitive records of this project until %(time)s. "
                "Every record you open is recorded with your reason.",
                time=time_shown(grant.expires_at)), "info")

    return form_page(form, "breakglass/request.html", open_grant, target, **context)


@requires("audit.view")
def register():
    """Every break-the-glass grant, newest first; active ones can be ended early."""
    session = get_session()
    active_only = request.args.get("show") == "active"
    page = paginate(session, services.list_grants(active_only=active_only), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    return render_template("breakglass/register.html", page=page, active_only=active_only, now=utcnow(),
                           revoke=RevokeForm())


@requires("audit.view")
def revoke(grant_id):
    session = get_session()
    grant = services.get_grant(session, grant_id) or abort(404)
    return action(RevokeForm(), lambda form: services.revoke_grant(session, actor(), grant), url_for(".register"),
                  done=_("Access ended."))
