"""``/``: the signed-in user's home for their role."""

from datetime import datetime

from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.permissions import Role
from tracker.auth.permissions import scoped_project_ids
from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.evidence.services import STRENGTH_LABELS
from tracker.home import services
from tracker.home.cache import cached
from tracker.inbox.display import todo_groups
from tracker.outcomes.models import OutcomeStatus
from tracker.portfolio.services import get_fund
from tracker.web.access import requires
from tracker.wellbeing.panel import own_exposure

# Where each M&E queue is worked through (None: no list page of its own yet).
QUEUE_PAGES = {
    "actuals": ("indicators.review_queue", {}),
    "safeguarding": ("msc.story_list", {"safeguarding": "pending"}),
    "donor_versions": ("msc.story_list", {"safeguarding": "approved"}),
    "substantiation": None,
    "feedback": ("msc.feedback_owed", {}),
    "claims": ("contribution.coverage_page", {}),
}


@requires("portfolio.view")
def home():
    session = get_session()
    fund = get_fund(session)
    if fund is None:
        return render_template("portfolio/no_fund.html")
    return HOMES[Role(current_user.role)](session, fund)


def personal(session):
    """What a home shows its reader alone: their to-dos and their own reading of distressing stories."""
    return {"todo_groups": todo_groups(session, current_user.user), "wellbeing": own_exposure()}


def grantee_home(session, fund):
    project_ids = tuple(sorted(scoped_project_ids(current_user.role, "project.view", current_user.project_ids)))
    projects = cached(session, ("grantee", fund.id, project_ids),
                      lambda: services.grantee_progress(session, project_ids))
    return render_template("home/grantee.html", fund=fund, projects=projects, story_states=services.STORY_STATES,
                           outcome_statuses=list(OutcomeStatus), **personal(session))


def me_home(session, fund):
    today = utcnow().date()
    queues = cached(session, ("me-queues", fund.id), lambda: services.review_queues(session, fund))
    health = cached(session, ("me-health", fund.id, today), lambda: services.portfolio_health(session, fund, today))
    return render_template("home/me.html", fund=fund, health=health,
                           queues=[(item, queue_page(item.key), age_in_days(item.oldest, today)) for item in queues],
                           **personal(session))


def queue_page(key):
    page = QUEUE_PAGES[key]
    return url_for(page[0], **page[1]) if page else None


def age_in_days(oldest, today):
    if oldest is None:
        return None
    return (today - (oldest.date() if isinstance(oldest, datetime) else oldest)).days


def donor_home(session, fund):
    figures = cached(session, ("donor", fund.id), lambda: services.donor_figures(session, fund))
    words = {str(strength): word for strength, word in STRENGTH_LABELS.items()}
    evidence_rows = [(_("%(pillar)s: %(strength)s", pillar=pillar, strength=words[strength]), count)
                     for pillar, strengths in figures["evidence_by_pillar"] for strength, count in strengths.items()]
    return render_template("home/donor.html", fund=fund, figures=figures, strength_words=words,
                           evidence_rows=evidence_rows)


def admin_home(session, fund):
    now = utcnow()
    return render_template("home/admin.html", fund=fund, accounts=services.account_figures(session),
                           grants=services.active_grants(session, now), **personal(session))


HOMES = {Role.GRANTEE: grantee_home, Role.ME: me_home, Role.DONOR: donor_home, Role.ADMIN: admin_home}

