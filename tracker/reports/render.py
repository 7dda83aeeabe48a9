"""Render an assembled report with the app's Jinja templates: the HTML preview, an HTML file, and the PDF.

The same templates (``templates/reports/``) and macros serve all three; only the way static files are
addressed differs. For the PDF they point into :data:`tracker.reports.pdf.STATIC_BASE_URL`, which the
restricted fetcher serves from ``static/`` and nothing else; for a saved HTML file the stylesheet is
embedded. Charts and the theory of change are the app's own vector SVG, drawn in the shipped fonts.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask import render_template
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from tracker.common.svg import rendered_svg
from tracker.contribution import evidence_map
from tracker.contribution import services as contribution_services
from tracker.contribution.tracing import services as tracing_services
from tracker.evidence.services import KIND_LABELS
from tracker.evidence.services import STRENGTH_LABELS
from tracker.indicators.chart import Baseline
from tracker.indicators.chart import ChartPeriod
from tracker.indicators.chart import render_progress_svg
from tracker.indicators.services import MEASURE_LABELS
from tracker.msc.labels import LABELS as MSC_LABELS
from tracker.msc.labels import SHARING_REASONS
from tracker.msc.models import VerificationResult
from tracker.msc.models import VerificationState
from tracker.reports.references import ranges
from tracker.toc import presentation
from tracker.toc import services as toc_services

REPORT_FONTS = "Report Sans, Report Sans Khmer, Report Sans Thai"
SVG_FONT = re.compile(r'(<svg\b[^>]*?\bfont-family=)"[^"]*"')
STYLESHEETS = ("css/report-fonts.css", "css/report.css")
PART_STYLESHEETS = ("css/report-part.css",)


class Mode:
    """How the document addresses its stylesheets: inside the app (preview), for WeasyPrint, or as one file."""

    PREVIEW = "preview"
    PDF = "pdf"
    FILE = "file"


def static_dir():
    return Path(current_app.static_folder)


def in_report_fonts(svg):
    """Draw an SVG in the shipped fonts only (the renderers name host fonts such as Helvetica)."""
    return SVG_FONT.sub(lambda match: f'{match.group(1)}"{REPORT_FONTS}"', svg, count=1)


def terms():
    """``{vocabulary: {value: words}}`` for the values the report data carries as plain strings."""
    vocabularies = {
        "claim_level": contribution_services.LEVEL_LABELS,
        "necessity": contribution_services.NECESSITY_LABELS,
        "sufficiency": contribution_services.SUFFICIENCY_LABELS,
        "influence": contribution_services.INFLUENCE_LABELS,
        "ca_step": contribution_services.STEP_LABELS,
        "confidence": contribution_services.CONFIDENCE_LABELS,
        "explanation_kind": contribution_services.EXPLANATION_KIND_LABELS,
        "explanation_status": contribution_services.EXPLANATION_STATUS_LABELS,
        "assumption_status": toc_services.ASSUMPTION_STATUS_LABELS,
        "test_type": tracing_services.TEST_LABELS,
        "observed": tracing_services.OBSERVATION_LABELS,
        "tracing_input": tracing_services.REVISED_FIELD_LABELS,
        "measure": MEASURE_LABELS,
        "strength": STRENGTH_LABELS,
        "evidence_kind": KIND_LABELS,
        "story_reason": {**SHARING_REASONS, **internal_story_reasons()},
        "outcome_reason": {"not_substantiated": _("not yet substantiated"),
                           "outside_access": _("outside your access: administrators read outcomes only by breaking "
                                               "the glass")},
        "evidence_reason": evidence_reasons(),
        "verification_state": {VerificationState.PENDING: _("Not yet verified"),
                               **{result: MSC_LABELS[result] for result in VerificationResult}},
    }
    return {name: {str(key): str(value) for key, value in words.items()} for name, words in vocabularies.items()}


def internal_story_reasons():
    return {
        "outside_access": _("Outside your access: administrators read stories only by breaking the glass"),
        "no_internal_scope": _("No consent to internal use"),
    }


def evidence_reasons():
    return {
        "working_material": _("Team working material (documents, web links, interview and observation notes) is "
                              "not shared with donors"),
        "story_not_shareable": _("The story it rests on may not be shown in this report"),
        "outcome_not_substantiated": _("The outcome it rests on is not yet substantiated"),
        "outcome_not_shown": _("The outcome it rests on is not in this report"),
        "result_not_approved": _("The indicator result is not yet approved"),
        "result_not_reviewed": _("The indicator result is still a draft"),
    }


def term(vocabulary, value, table=None):
    words = (table or {}).get(vocabulary, {})
    return words.get(str(value), str(value)) if value is not None else ""


# Figures -----------------------------------------------------------------------------------------


def strength_words():
    return {"strong": _("Strong evidence"), "moderate": _("Moderate evidence"), "weak": _("Weak evidence"),
            "gap": _("On a claimed pathway, no evidence in this report (a gap)")}


def diagram_words():
    return {
        "control": _("Within the project's sphere of control"),
        "influence": _("Sphere of influence (beyond the ceiling of accountability)"),
        "precondition": _("Precondition"),
        "assumptions": _("Numbered marker: assumptions on that link, listed in the text"),
    }


def toc_svg(section, project_title, id_prefix):
    """The theory of change shaded by the strongest evidence this report shows on each link."""
    node_styles, link_styles, legend = evidence_map.shading(section.picture.graph, section.link_strengths,
                                                            section.claimed, strength_words())
    status = {key: str(value) for key, value in toc_services.ASSUMPTION_STATUS_LABELS.items()}
    svg = presentation.diagram_svg(
        section.picture, title=_("Theory of change with evidence: %(project)s", project=project_title),
        description=_("%(nodes)d results joined by %(links)d causal links, shaded by the strongest evidence in this "
                      "report; the links and their evidence are listed in the table that follows.",
                      nodes=len(section.picture.nodes), links=len(section.picture.links)),
        words=diagram_words(), status_labels=status, node_styles=node_styles, link_styles=link_styles,
        legend=legend, id_prefix=id_prefix)
    return rendered_svg(in_report_fonts(svg))


def chart_label(period):
    if period.start.year == period.end.year and period.start.month == 1 and period.end.month == 12:
        return str(period.start.year)
    return f"{format_date(period.start, 'MMM y')} – {format_date(period.end, 'MMM y')}"


def indicator_svg(entry, id_prefix):
    """The indicator's progress chart, or None for qualitative indicators and indicators without numbers."""
    if entry.measure == "qualitative" or not any(period.target is not None or period.actual is not None
                                                 for period in entry.periods):
        return None
    periods = [ChartPeriod(chart_label(period), float(period.target) if period.target is not None else None,
                           float(period.actual) if period.actual is not None else None, period.provisional)
               for period in entry.periods]
    baseline = None
    if entry.baseline_value is not None:
        baseline = Baseline(_("Baseline %(year)s", year=entry.baseline_year or ""), float(entry.baseline_value))
    svg = render_progress_svg(
        periods, title=_("Progress: %(indicator)s", indicator=entry.title),
        description=_("Targets and actuals per period; the same figures are in the table."), baseline=baseline,
        unit=entry.unit, percentage=entry.measure == "percentage",
        words={"target": _("Target"), "actual": _("Actual (approved)"),
               "provisional": _("Actual (provisional: awaiting review)"), "none": _("no value")},
        id_prefix=id_prefix)
    return rendered_svg(in_report_fonts(svg))


@dataclass(frozen=True)
class Figures:
    """The SVG markup of one project's figures, rendered before the template runs."""

    toc: object
    indicators: dict


def project_figures(section, prefix):
    toc = toc_svg(section.toc, section.project.title, f"{prefix}-toc") if section.toc else None
    charts = {entry.id: indicator_svg(entry, f"{prefix}-indicator-{entry.id}") for entry in section.indicators}
    return Figures(toc, charts)


# Documents ---------------------------------------------------------------------------------------


def stylesheet_urls(mode, names=STYLESHEETS):
    if mode == Mode.PDF:
        from tracker.reports import pdf  # WeasyPrint: loaded when a PDF is made, not at app start

        return [pdf.static_url(name) for name in names]
    if mode == Mode.PREVIEW:
        return [url_for("static", filename=name) for name in names]
    return []


def embedded_css(mode):
    """For a saved HTML file: the report stylesheet itself (fonts stay out; the reader's own fonts are used)."""
    if mode != Mode.FILE:
        return ""
    return (static_dir() / "css" / "report.css").read_text(encoding="utf-8")


def context(report, mode, **extra):
    table = terms()
    return {
        "report": report, "meta": report.meta, "mode": mode, "stylesheets": stylesheet_urls(mode),
        "embedded_css": embedded_css(mode), "references": report.references, "ranges": ranges,
        "term": lambda vocabulary, value: term(vocabulary, value, table), **extra,
    }


def project_html(report, mode=Mode.PDF, **extra):
    """The project report as one HTML document."""
    figures = project_figures(report.section, f"p{report.section.project.id}")
    return render_template("reports/project.html", figures=figures, **context(report, mode, **extra))


def portfolio_html(report, mode=Mode.PDF, **extra):
    """The portfolio report as one HTML document (one-page summaries carry no figures)."""
    return render_template("reports/portfolio.html", **context(report, mode, **extra))


def portfolio_part_html(report, part):
    """One part of the portfolio report for WeasyPrint (:mod:`tracker.reports.parts`): its pages draw no running
    heads nor page numbers (the stitch lays them over), and its links into other parts are kept for the stitch."""
    from tracker.reports import stitch  # pypdf: loaded when a PDF is made, not at app start

    values = {**context(report, Mode.PDF, part=part), "stylesheets": []}  # given parsed: see part_pdf_bytes
    return stitch.linked_across_parts(render_template("reports/portfolio.html", **values))


def furniture_html(fund_name, chapters):
    """The running heads and page numbers of a stitched report of fund ``fund_name``: one page per page,
    ``chapters`` as :func:`tracker.reports.stitch.chapters` gives them."""
    return render_template("reports/furniture.html", title=fund_name, fund=fund_name, chapters=chapters,
                           stylesheets=[])


def html_for(report, mode=Mode.PDF, **extra):
    return (portfolio_html if report.meta.kind == "portfolio" else project_html)(report, mode, **extra)


def pdf_bytes(html):
    from tracker.reports import pdf  # WeasyPrint: loaded when a PDF is made, not at app start

    return pdf.render_pdf(html, static_dir())


def part_pdf_bytes(html):
    """A part of a report rendered in parts, with the stylesheets parsed once for all the parts."""
    from tracker.reports import pdf  # WeasyPrint: loaded when a PDF is made, not at app start

    return pdf.render_pdf(html, static_dir(), stylesheets=(*STYLESHEETS, *PART_STYLESHEETS))


def furniture_pdf_bytes(html):
    """The furniture of a report rendered in parts, without tags: the stitch marks its drawing as artifacts."""
    from tracker.reports import pdf  # WeasyPrint: loaded when a PDF is made, not at app start

    return pdf.render_pdf(html, static_dir(), variant=None, stylesheets=STYLESHEETS)
