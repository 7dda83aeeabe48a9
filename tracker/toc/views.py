"""Theory-of-change pages: the diagram with its text alternative and the editing forms (versions: version_views)."""

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.common.svg import rendered_svg
from tracker.db import get_session
from tracker.indicators import services as indicator_services
from tracker.toc import graph
from tracker.toc import presentation
from tracker.toc import services
from tracker.toc.attachments import node_attachments
from tracker.toc.forms import AssumptionForm
from tracker.toc.forms import ExternalFactorForm
from tracker.toc.forms import LinkForm
from tracker.toc.forms import NodeForm
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.conflicts import render_conflict
from tracker.web.forms import ConfirmForm
from tracker.web.forms import apply_errors

# Shared helpers ----------------------------------------------------------------------------


def labels_for(project):
    return services.level_labels(get_session(), project.fund_id)


def node_or_404(project, node_id):
    return services.get_node(get_session(), project, node_id) or abort(404)


def link_or_404(project, link_id):
    return services.get_link(get_session(), project, link_id) or abort(404)


def toc_url(project):
    return url_for("toc.overview", slug=project.slug)


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


# The theory of change ----------------------------------------------------------------------


@project_route("toc.view")
def overview(project):
    session = get_session()
    picture = presentation.picture(services.snapshot(session, project), labels_for(project))
    latest = services.latest_version(session, project)
    changed = latest is not None and not graph.diff_snapshots(latest.snapshot, picture.snapshot).is_empty
    svg = diagram(picture, project, _("Theory of change")) if not picture.is_empty else None
    return render_picture_page("toc/overview.html", project, picture, svg=svg, latest=latest,
                               changed_since_latest=changed)


def svg_response(svg, filename):
    response = Response(str(svg), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@project_route("toc.view")
def diagram_download(project):
    picture = presentation.picture(services.snapshot(get_session(), project), labels_for(project))
    return svg_response(diagram(picture, project, _("Theory of change")), f"{project.slug}-theory-of-change.svg")


# Nodes -------------------------------------------------------------------------------------


def node_form(project, **kwargs):
    return NodeForm(**kwargs).set_level_choices(labels_for(project))


def node_values(node):
    return {name: getattr(node, name) for name in services.NODE_FIELDS}


@project_route("toc.edit")
def node_create(project):
    session = get_session()
    level = request.args.get("level") if request.args.get("level") in graph.LEVELS else "activity"
    sphere = "control" if level in ("activity", "output") else "influence"
    form = node_form(project, data={"level": level, "sphere": sphere})
    if form.validate_on_submit():
        try:
            node = services.create_node(session, actor(), project, form.data)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Added “%(title)s”.", title=node.title), "success")
            return redirect(url_for(".node_detail", slug=project.slug, node_id=node.id))
    return render_template("toc/node_form.html", project=project, form=form, node=None)


@project_route("toc.view")
def node_detail(project, node_id):
    session = get_session()
    node = node_or_404(project, node_id)
    links = services.links_of(session, node)
    ends = {n.id: n for n in services.load_nodes(session, project)}
    return render_template(
        "toc/node.html", project=project, node=node, labels=labels_for(project), ends=ends,
        incoming=[link for link in links if link.effect_id == node.id],
        outgoing=[link for link in links if link.cause_id == node.id],
        indicators=indicator_services.indicators_for_node(session, node),
        attached=services.describe_attachments(node_attachments(session, [node.id])[node.id]),
        sphere_labels=services.SPHERE_LABELS,
    )


@project_route("toc.edit")
def node_edit(project, node_id):
    session = get_session()
    node = node_or_404(project, node_id)
    form = node_form(project, data={**node_values(node), "version": node.version})
    if form.validate_on_submit():
        try:
            services.update_node(session, actor(), project, node, form.data, form.version.data)
            session.commit()
        except (EditConflict, StaleDataError):
            session.rollback()
            return render_conflict("toc/node_form.html", form, node_values(node), node.version, project=project,
                                   node=node)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("Saved “%(title)s”.", title=node.title), "success")
            return redirect(url_for(".node_detail", slug=project.slug, node_id=node.id))
    return render_template("toc/node_form.html", project=project, form=form, node=node)


@project_route("toc.edit")
def node_delete(project, node_id):
    session = get_session()
    node = node_or_404(project, node_id)
    links = services.links_of(session, node)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_node(session, actor(), project, node)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Deleted “%(title)s” and its %(count)d links.", title=node.title, count=len(links)), "success")
            return redirect(toc_url(project))
    return render_template(
        "confirm_delete.html", project=project, form=form, thing=node.title,
        heading=_("Delete “%(title)s”?", title=node.title),
        consequences=[_("Its %(count)d links, with their assumptions, are deleted too.", count=len(links)),
                      _("Frozen versions, if any, keep it; only the working version loses it.")],
        blockers=[] if form.errors else services.node_deletion_blockers(session, node, links),
        cancel=url_for(".node_detail", slug=project.slug, node_id=node.id),
    )


# External factors and assumptions: one small form each --------------------------------------


def small_form(project, form, save, done, back, heading):
    """Validate ``form``, ``save(form.data)``, commit and go ``back``; or show the form with its errors."""
    if form.validate_on_submit():
        try:
            save(form.data)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            get_session().commit()
            flash(done, "success")
            return redirect(back)
    return render_template("toc/simple_form.html", project=project, form=form, heading=heading, cancel=back)


def confirm_deletion(project, delete, done, back, thing, heading):
    """Show the confirmation page; on a confirmed POST, ``delete()``, commit and go ``back``."""
    form = ConfirmForm()
    if form.validate_on_submit():
        delete()
        get_session().commit()
        flash(done, "success")
        return redirect(back)
    return render_template("confirm_delete.html", project=project, form=form, thing=thing, heading=heading,
                           consequences=[], cancel=back)


def node_url(project, node_id):
    return url_for(".node_detail", slug=project.slug, node_id=node_id)


@project_route("toc.edit")
def factor_create(project, node_id):
    node = node_or_404(project, node_id)
    return small_form(project, ExternalFactorForm(),
                      lambda values: services.add_factor(get_session(), actor(), project, node, values),
                      _("External factor added."), node_url(project, node.id),
                      _("External factor on “%(title)s”", title=node.title))


def factor_or_404(project, factor_id):
    return services.get_factor(get_session(), project, factor_id) or abort(404)


@project_route("toc.edit")
def factor_edit(project, factor_id):
    factor = factor_or_404(project, factor_id)
    return small_form(project, ExternalFactorForm(obj=factor),
                      lambda values: services.update_factor(get_session(), actor(), project, factor, values),
                      _("External factor saved."), node_url(project, factor.node_id),
                      _("External factor on “%(title)s”", title=factor.node.title))


@project_route("toc.edit")
def factor_delete(project, factor_id):
    factor = factor_or_404(project, factor_id)
    return confirm_deletion(project, lambda: services.delete_factor(get_session(), actor(), project, factor),
                            _("External factor deleted."), node_url(project, factor.node_id), factor.text,
                            _("Delete this external factor?"))


# Links -------------------------------------------------------------------------------------


def link_form(project, **kwargs):
    """A link form whose selects list the project's nodes grouped by level."""
    labels = labels_for(project)
    form = LinkForm(**kwargs)
    options = [SelectChoice("", _("Choose a result"))] + [
        SelectChoice(node.id, node.title, optgroup=labels[str(node.level)])
        for node in services.load_nodes(get_session(), project)]
    form.cause_id.choices = form.effect_id.choices = options
    return form


def link_values(link):
    return {name: getattr(link, name) for name in services.LINK_FIELDS}


@project_route("toc.edit")
def link_create(project):
    session = get_session()
    form = link_form(project, data={"cause_id": request.args.get("cause", type=int),
                                    "effect_id": request.args.get("effect", type=int)})
    if form.validate_on_submit():
        try:
            link = services.create_link(session, actor(), project, form.data)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Link added. Add the assumptions it rests on."), "success")
            return redirect(url_for(".link_detail", slug=project.slug, link_id=link.id))
    return render_template("toc/link_form.html", project=project, form=form, link=None)


@project_route("toc.view")
def link_detail(project, link_id):
    session = get_session()
    link = link_or_404(project, link_id)
    ends = {node.id: node for node in (services.get_node(session, project, link.cause_id),
                                        services.get_node(session, project, link.effect_id))}
    return render_template("toc/link.html", project=project, link=link, cause=ends[link.cause_id],
                           effect=ends[link.effect_id], labels=labels_for(project), status_labels=status_labels())


@project_route("toc.edit")
def link_edit(project, link_id):
    session = get_session()
    link = link_or_404(project, link_id)
    form = link_form(project, data={**link_values(link), "version": link.version})
    if form.validate_on_submit():
        try:
            services.update_link(session, actor(), project, link, form.data, form.version.data)
            session.commit()
        except (EditConflict, StaleDataError):
            session.rollback()
            return render_conflict("toc/link_form.html", form, link_values(link), link.version, project=project,
                                   link=link)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("Link saved."), "success")
            return redirect(url_for(".link_detail", slug=project.slug, link_id=link.id))
    return render_template("toc/link_form.html", project=project, form=form, link=link)


def link_name(session, project, link):
    cause = services.get_node(session, project, link.cause_id)
    effect = services.get_node(session, project, link.effect_id)
    return f"{cause.title} → {effect.title}"


@project_route("toc.edit")
def link_delete(project, link_id):
    session = get_session()
    link = link_or_404(project, link_id)
    name = link_name(session, project, link)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_link(session, actor(), project, link)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Deleted the link %(name)s.", name=name), "success")
            return redirect(toc_url(project))
    return render_template(
        "confirm_delete.html", project=project, form=form, thing=name,
        heading=_("Delete the link %(name)s?", name=name),
        consequences=[_("Its %(count)d assumptions are deleted too.", count=len(link.assumptions))],
        blockers=[] if form.errors else services.link_deletion_blockers(session, link),
        cancel=url_for(".link_detail", slug=project.slug, link_id=link.id),
    )


# Assumptions -------------------------------------------------------------------------------


def link_url(project, link_id):
    return url_for(".link_detail", slug=project.slug, link_id=link_id)


@project_route("toc.edit")
def assumption_create(project, link_id):
    session = get_session()
    link = link_or_404(project, link_id)
    return small_form(project, AssumptionForm(),
                      lambda values: services.add_assumption(session, actor(), project, link, values),
                      _("Assumption added."), link_url(project, link.id),
                      _("Assumption on %(name)s", name=link_name(session, project, link)))


def assumption_or_404(project, assumption_id):
    return services.get_assumption(get_session(), project, assumption_id) or abort(404)


@project_route("toc.edit")
def assumption_edit(project, assumption_id):
    session = get_session()
    assumption = assumption_or_404(project, assumption_id)
    return small_form(project, AssumptionForm(obj=assumption),
                      lambda values: services.update_assumption(session, actor(), project, assumption, values),
                      _("Assumption saved."), link_url(project, assumption.link_id),
                      _("Assumption on %(name)s", name=link_name(session, project, assumption.link)))


@project_route("toc.edit")
def assumption_delete(project, assumption_id):
    assumption = assumption_or_404(project, assumption_id)
    return confirm_deletion(project, lambda: services.delete_assumption(get_session(), actor(), project, assumption),
                            _("Assumption deleted."), link_url(project, assumption.link_id), assumption.text,
                            _("Delete this assumption?"))


