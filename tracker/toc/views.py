"""Theory-of-change pages: the diagram with its text alternative and the editing forms (versions: version_views)."""

from flask import abort
from flask import flash
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from tracker.db import get_session
from tracker.indicators import services as indicator_services
from tracker.toc import graph
from tracker.toc import presentation
from tracker.toc import services
from tracker.toc.attachments import node_attachments
from tracker.toc.display import diagram
from tracker.toc.display import labels_for
from tracker.toc.display import render_picture_page
from tracker.toc.display import status_labels
from tracker.toc.display import svg_response
from tracker.toc.forms import AssumptionForm
from tracker.toc.forms import ExternalFactorForm
from tracker.toc.forms import LinkForm
from tracker.toc.forms import NodeForm
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.conflicts import stored_record
from tracker.web.pages import delete_page
from tracker.web.pages import form_page
from tracker.web.requests import id_argument
from tracker.web.visibility import visible_record_ids

# Shared helpers ----------------------------------------------------------------------------


def node_or_404(project, node_id):
    return services.get_node(get_session(), project, node_id) or abort(404)


def link_or_404(project, link_id):
    return services.get_link(get_session(), project, link_id) or abort(404)


def toc_url(project):
    return url_for("toc.overview", slug=project.slug)


def node_url(project, node_id):
    return url_for(".node_detail", slug=project.slug, node_id=node_id)


def link_url(project, link_id):
    return url_for(".link_detail", slug=project.slug, link_id=link_id)


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

    def add(form):
        node = services.create_node(session, actor(), project, form.data)
        flash(_("Added “%(title)s”.", title=node.title), "success")
        return node

    return form_page(form, "toc/node_form.html", add, lambda node: node_url(project, node.id),
                     project=project, node=None)


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
        attached=services.describe_attachments(
            node_attachments(session, [node.id], visible_record_ids(session, project.fund_id))[node.id]),
        sphere_labels=services.SPHERE_LABELS,
    )


@project_route("toc.edit")
def node_edit(project, node_id):
    session = get_session()
    node = node_or_404(project, node_id)
    form = node_form(project, data={**node_values(node), "version": node.version})

    def save(form):
        services.update_node(session, actor(), project, node, form.data, form.version.data)
        flash(_("Saved “%(title)s”.", title=node.title), "success")

    return form_page(form, "toc/node_form.html", save, node_url(project, node.id),
                     stored=lambda: (node_values(node), node.version), project=project, node=node)


@project_route("toc.edit")
def node_delete(project, node_id):
    session = get_session()
    node = node_or_404(project, node_id)
    links = services.links_of(session, node)
    return delete_page(
        lambda: services.delete_node(session, actor(), project, node), toc_url(project),
        deleted=_("Deleted “%(title)s” and its %(count)d links.", title=node.title, count=len(links)),
        thing=node.title, heading=_("Delete “%(title)s”?", title=node.title),
        consequences=[_("Its %(count)d links, with their assumptions, are deleted too.", count=len(links)),
                      _("Frozen versions, if any, keep it; only the working version loses it.")],
        blockers=services.node_deletion_blockers(session, node, links), cancel=node_url(project, node.id),
        project=project)


# External factors ----------------------------------------------------------------------------


@project_route("toc.edit")
def factor_create(project, node_id):
    node = node_or_404(project, node_id)
    back = node_url(project, node.id)
    return form_page(ExternalFactorForm(), "toc/simple_form.html",
                     lambda form: services.add_factor(get_session(), actor(), project, node, form.data), back,
                     saved=_("External factor added."), project=project, cancel=back,
                     heading=_("External factor on “%(title)s”", title=node.title))


def factor_or_404(project, factor_id):
    return services.get_factor(get_session(), project, factor_id) or abort(404)


@project_route("toc.edit")
def factor_edit(project, factor_id):
    factor = factor_or_404(project, factor_id)
    back = node_url(project, factor.node_id)
    form = ExternalFactorForm(obj=factor)
    return form_page(form, "toc/simple_form.html",
                     lambda form: services.update_factor(get_session(), actor(), project, factor, form.data,
                                                         form.version.data), back,
                     saved=_("External factor saved."), stored=stored_record(factor, form), project=project,
                     cancel=back, heading=_("External factor on “%(title)s”", title=factor.node.title))


@project_route("toc.edit")
def factor_delete(project, factor_id):
    factor = factor_or_404(project, factor_id)
    back = node_url(project, factor.node_id)
    return delete_page(lambda: services.delete_factor(get_session(), actor(), project, factor), back,
                       deleted=_("External factor deleted."), thing=factor.text,
                       heading=_("Delete this external factor?"), cancel=back, project=project)


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
    form = link_form(project, data={"cause_id": id_argument("cause"),
                                    "effect_id": id_argument("effect")})
    return form_page(form, "toc/link_form.html",
                     lambda form: services.create_link(session, actor(), project, form.data),
                     lambda link: link_url(project, link.id), saved=_("Link added. Add the assumptions it rests on."),
                     project=project, link=None)


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
    return form_page(form, "toc/link_form.html",
                     lambda form: services.update_link(session, actor(), project, link, form.data, form.version.data),
                     link_url(project, link.id), saved=_("Link saved."),
                     stored=lambda: (link_values(link), link.version), project=project, link=link)


def link_name(session, project, link):
    cause = services.get_node(session, project, link.cause_id)
    effect = services.get_node(session, project, link.effect_id)
    return f"{cause.title} → {effect.title}"


@project_route("toc.edit")
def link_delete(project, link_id):
    session = get_session()
    link = link_or_404(project, link_id)
    name = link_name(session, project, link)
    return delete_page(
        lambda: services.delete_link(session, actor(), project, link), toc_url(project),
        deleted=_("Deleted the link %(name)s.", name=name), thing=name,
        heading=_("Delete the link %(name)s?", name=name),
        consequences=[_("Its %(count)d assumptions are deleted too.", count=len(link.assumptions))],
        blockers=services.link_deletion_blockers(session, link), cancel=link_url(project, link.id),
        project=project)


# Assumptions -------------------------------------------------------------------------------


@project_route("toc.edit")
def assumption_create(project, link_id):
    session = get_session()
    link = link_or_404(project, link_id)
    back = link_url(project, link.id)
    return form_page(AssumptionForm(), "toc/simple_form.html",
                     lambda form: services.add_assumption(session, actor(), project, link, form.data), back,
                     saved=_("Assumption added."), project=project, cancel=back,
                     heading=_("Assumption on %(name)s", name=link_name(session, project, link)))


def assumption_or_404(project, assumption_id):
    return services.get_assumption(get_session(), project, assumption_id) or abort(404)


@project_route("toc.edit")
def assumption_edit(project, assumption_id):
    session = get_session()
    assumption = assumption_or_404(project, assumption_id)
    back = link_url(project, assumption.link_id)
    form = AssumptionForm(obj=assumption)
    return form_page(form, "toc/simple_form.html",
                     lambda form: services.update_assumption(session, actor(), project, assumption, form.data,
                                                             form.version.data), back,
                     saved=_("Assumption saved."), stored=stored_record(assumption, form), project=project,
                     cancel=back,
                     heading=_("Assumption on %(name)s", name=link_name(session, project, assumption.link)))


@project_route("toc.edit")
def assumption_delete(project, assumption_id):
    assumption = assumption_or_404(project, assumption_id)
    back = link_url(project, assumption.link_id)
    return delete_page(lambda: services.delete_assumption(get_session(), actor(), project, assumption), back,
                       deleted=_("Assumption deleted."), thing=assumption.text,
                       heading=_("Delete this assumption?"), cancel=back, project=project)
