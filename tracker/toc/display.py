"""What the theory-of-change pages share with each other and with the evidence map and indicator pages:
the diagram with its words, the structural findings as sentences, the fund's level names, the SVG download.
"""

from flask import Response
from flask import render_template
from flask_babel import gettext as _

from tracker.common.svg import rendered_svg
from tracker.db import get_session
from tracker.toc import graph
from tracker.toc import presentation
from tracker.toc import services


def labels_for(project):
    return services.level_labels(get_session(), project.fund_id)


def diagram_words():
    return {
        "control": _("Within the project's sphere of control"),
        "influence": _("Sphere of influence (beyond the ceiling of accountability)"),
        "precondition": _("Precondition"),
        "assumptions": _("Numbered marker: assumptions on that link, listed with the diagram"),
    }


def status_labels():
    return {status.value: str(label) for status, label in services.ASSUMPTION_STATUS_LABELS.items()}


def diagram(picture, project, heading, id_prefix="toc", **shading):
    """The SVG markup of ``picture``.

    The renderer escapes every text node and attribute value it writes (see
    :mod:`tracker.toc.diagram`), so its output is safe to place in the page as is.
    """
    description = _("%(nodes)d results in %(levels)d levels joined by %(links)d causal links; "
                    "the pathways and assumptions are listed below the diagram.",
                    nodes=len(picture.nodes), levels=len(picture.levels), links=len(picture.links))
    svg = presentation.diagram_svg(picture, title=_("%(heading)s: %(project)s", heading=heading,
                                                    project=project.title),
                                   description=description, words=diagram_words(), status_labels=status_labels(),
                                   id_prefix=id_prefix, **shading)
    return rendered_svg(svg)


def finding_messages(picture):
    """Turn the graph module's findings into sentences, each with the node it is about."""
    messages = []
    for finding in picture.findings:
        titles = [picture.title(node_id) for node_id in finding.node_ids]
        first = finding.node_ids[0] if finding.node_ids else None
        if finding.kind == graph.ORPHAN:
            text = _("“%(title)s” is not linked to anything.", title=titles[0])
        elif finding.kind == graph.UNREACHED_OUTCOME:
            text = _("No activity leads to the outcome “%(title)s”.", title=titles[0])
        elif finding.kind == graph.NO_PATH_TO_IMPACT:
            text = _("The activity “%(title)s” has no path to the impact.", title=titles[0])
        elif finding.kind == graph.SKIPS_LEVELS:
            text = _("The link “%(cause)s” → “%(effect)s” skips more than one level: is a step missing?",
                     cause=titles[0], effect=titles[1])
        elif finding.kind == graph.RUNS_BACKWARDS:
            text = _("The link “%(cause)s” → “%(effect)s” runs from a higher level to a lower one.",
                     cause=titles[0], effect=titles[1])
        elif finding.kind == graph.NO_ACTIVITY:
            text = _("There is no activity yet: add what the project does.")
        else:
            text = _("There is no impact yet: add the long-term change the project contributes to.")
        messages.append((text, first))
    return messages


def render_picture_page(template, project, picture, **context):
    return render_template(template, project=project, picture=picture, findings=finding_messages(picture),
                           status_labels=status_labels(), **context)


def svg_response(svg, filename):
    """The SVG as a file to download."""
    response = Response(str(svg), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
