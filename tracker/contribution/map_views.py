"""The evidence map of a project, the fund's evidence coverage per ToC level, and the verbal confidence scale."""

from flask import abort
from flask import current_app
from flask import url_for
from flask_babel import gettext as _

from tracker.contribution import coverage
from tracker.contribution import evidence_map as mapping
from tracker.contribution.display import context
from tracker.contribution.display import render
from tracker.contribution.forms import BandsForm
from tracker.contribution.tracing import bayes as tracing
from tracker.contribution.tracing import services as tracing_services
from tracker.db import get_session
from tracker.portfolio.services import get_fund
from tracker.toc import services as toc_services
from tracker.toc.display import diagram
from tracker.toc.display import status_labels
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import requires
from tracker.web.pages import form_page
from tracker.web.requests import page_number


def shading_words():
    return {"strong": _("Strong evidence"), "moderate": _("Moderate evidence"), "weak": _("Weak evidence"),
            "gap": _("On a claimed pathway, no evidence yet (a gap)")}


@project_route("contribution.view")
def evidence_map(project):
    """The project's ToC diagram shaded by the strength of evidence, its text alternative and the gaps."""
    session = get_session()
    data = coverage.project_map(session, project)
    svg = None
    if not data.picture.is_empty:
        node_styles, link_styles, legend = mapping.shading(data.picture.graph, data.link_strengths,
                                                                data.claimed, shading_words())
        svg = diagram(data.picture, project, _("Evidence map"), id_prefix="evidence-map", node_styles=node_styles,
                      link_styles=link_styles, legend=legend)
    return render("contribution/evidence_map.html", project, data=data, svg=svg, words=shading_words(),
                  status_labels=status_labels())


@requires("contribution.coverage")
def coverage_page():
    """Evidence coverage per ToC level across the fund's projects, and the projects with the most gaps."""
    session = get_session()
    fund = get_fund(session) or abort(404)
    levels = coverage.coverage_by_level(session, fund.id)
    page = coverage.project_coverage_page(session, fund.id, page_number(), current_app.config["ITEMS_PER_PAGE"])
    return render("contribution/coverage.html", None, fund=fund, levels=levels,
                  total=mapping.coverage_total(levels), page=page,
                  level_labels=toc_services.level_labels(session, fund.id))


@requires("contribution.bands")
def bands():
    """The fund's verbal scale for contribution-tracing confidence."""
    session = get_session()
    fund = get_fund(session) or abort(404)
    current = tracing_services.fund_bands(session, fund.id)
    form = BandsForm(data={"bands": tracing_services.bands_as_text(current), "version": fund.version})

    def stored():
        return {"bands": tracing_services.bands_as_text(tracing_services.fund_bands(session, fund.id))}, fund.version

    return form_page(form, "contribution/bands.html",
                     lambda form: tracing_services.save_bands(session, actor(), fund, form.bands.data,
                                                              form.version.data),
                     url_for(".bands"), saved=_("Verbal confidence scale saved."),
                     stored=stored,
                     **context(None, fund=fund, scale=tracing.scale_rows(current),
                               is_default=current == tracing.DEFAULT_BANDS,
                               default=tracing.DEFAULT_BANDS))
