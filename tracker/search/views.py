"""The search page: one box, results for outcomes and stories, each limited to what the user may see."""

from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.db import get_session
from tracker.msc.models import Story
from tracker.msc.sharing import deidentify
from tracker.msc.sharing import stories_visible_to
from tracker.outcomes.models import Outcome
from tracker.outcomes.sharing import donor_view
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.portfolio import services as portfolio_services
from tracker.search import services
from tracker.web.access import record_shown
from tracker.web.access import requires
from tracker.web.access import sensitive_scope
from tracker.web.requests import is_donor
from tracker.web.requests import page_number


def loader_options(kind):
    """Loader options per kind, so that a page of results costs a fixed number of queries.

    Built per request: building them at import would configure every mapper when the app starts.
    """
    if kind == "outcome":
        return (selectinload(Outcome.project),)
    return (selectinload(Story.project), selectinload(Story.domain), selectinload(Story.cycle),
            selectinload(Story.translations), selectinload(Story.donor_texts))


@requires("search.use")
def search():
    session = get_session()
    fund = portfolio_services.get_fund(session) or abort(404)
    text = request.args.get("q", "")
    kind = request.args.get("kind", "outcome")
    kind = kind if kind in services.KINDS else "outcome"
    role, donor = current_user.role, is_donor()
    visible = {"outcome": outcomes_visible_to(role, sensitive_scope(session, "outcome.view"), fund.id),
               "story": stories_visible_to(role, sensitive_scope(session, "story.view"), fund.id)}
    results = services.search(session, visible, text, kind, page_number(), current_app.config["ITEMS_PER_PAGE"],
                              loader_options(kind), donor=donor) if text.strip() else None
    if results is not None:
        record_shown(session, kind, f"{kind}.view", [hit.record for hit in results.hits], "search")
    if results is not None and donor:
        shown = deidentify if kind == "story" else donor_view
        for hit in results.hits:
            hit.record = shown(hit.record)
    return render_template("search/search.html", text=text, kind=kind, results=results, donor=donor)
