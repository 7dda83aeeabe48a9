"""Frozen versions of a theory of change, their comparison, and the fund's names for the levels."""

from flask import abort
from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.db_types import as_id
from tracker.portfolio.services import get_fund
from tracker.toc import graph
from tracker.toc import presentation
from tracker.toc import services
from tracker.toc.diagram import Style
from tracker.toc.display import diagram
from tracker.toc.display import labels_for
from tracker.toc.display import render_picture_page
from tracker.toc.display import status_labels
from tracker.toc.display import svg_response
from tracker.toc.forms import CompareForm
from tracker.toc.forms import FreezeForm
from tracker.toc.forms import LevelLabelsForm
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import requires
from tracker.web.forms import choices
from tracker.web.pages import form_page
from tracker.web.requests import page_number

WORKING = "working"
ADDED = Style(fill="#e3f4e8", stroke="#1e6b3a", width=3, label=_l("Added"))
CHANGED = Style(fill="#fff4d6", stroke="#8a5a00", width=3, label=_l("Changed"))


# Versions ----------------------------------------------------------------------------------


@project_route("toc.view")
def versions(project):
    session = get_session()
    page = paginate(session, services.versions_statement(project), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    authors = services.user_names(session, [version.frozen_by_id for version in page.items])
    return render_template("toc/versions.html", project=project, page=page, authors=authors,
                           working_number=services.version_count(session, project) + 1)


@project_route("toc.edit")
def freeze(project):
    session = get_session()

    def freeze_now(form):
        version = services.freeze_version(session, actor(), project, form.label.data)
        flash(_("Froze version %(number)d “%(label)s”. Later edits make up the next working version.",
                number=version.number, label=version.label), "success")

    return form_page(FreezeForm(), "toc/freeze.html", freeze_now, url_for(".versions", slug=project.slug),
                     project=project, number=services.version_count(session, project) + 1)


def version_or_404(project, number):
    return services.get_version(get_session(), project, number) or abort(404)


@project_route("toc.view")
def version_detail(project, number):
    session = get_session()
    version = version_or_404(project, number)
    picture = presentation.picture(version.snapshot, labels_for(project))
    heading = _("Version %(number)d “%(label)s”", number=version.number, label=version.label)
    svg = diagram(picture, project, heading, id_prefix=f"v{version.number}") if not picture.is_empty else None
    return render_picture_page("toc/version.html", project, picture, version=version, svg=svg,
                               author=services.user_names(session, [version.frozen_by_id]).get(version.frozen_by_id))


@project_route("toc.view")
def version_diagram_download(project, number):
    version = version_or_404(project, number)
    picture = presentation.picture(version.snapshot, labels_for(project))
    heading = _("Version %(number)d “%(label)s”", number=version.number, label=version.label)
    return svg_response(diagram(picture, project, heading, id_prefix=f"v{version.number}"),
                        f"{project.slug}-theory-of-change-v{version.number}.svg")


def compare_choices(version_list):
    return [(WORKING, _("Working version"))] + [
        (str(version.number), _("Version %(number)d “%(label)s”", number=version.number, label=version.label))
        for version in version_list]


def side(session, project, key):
    """Return ``(snapshot, name)`` for a version number or the working graph, or None."""
    if key == WORKING:
        return services.snapshot(session, project), _("the working version")
    number = as_id(key)
    version = services.get_version(session, project, number) if number else None
    if version is None:
        return None
    return version.snapshot, _("version %(number)d “%(label)s”", number=version.number, label=version.label)


def diff_shading(diff):
    node_styles = {item["id"]: ADDED for item in diff.added_nodes}
    node_styles.update({change.new["id"]: CHANGED for change in diff.changed_nodes})
    link_styles = {item["id"]: ADDED for item in diff.added_links}
    link_styles.update({change.new["id"]: CHANGED for change in diff.changed_links})
    return {"node_styles": node_styles, "link_styles": link_styles, "legend": (ADDED, CHANGED)}


@project_route("toc.view")
def compare(project):
    session = get_session()
    version_list = services.all_versions(session, project)
    form = CompareForm(request.args)
    form.old.choices = form.new.choices = choices(compare_choices(version_list))
    default_old = str(version_list[0].number) if version_list else WORKING
    old = side(session, project, form.old.data or default_old)
    new = side(session, project, form.new.data or WORKING)
    if old is None or new is None:
        abort(404)
    form.old.data, form.new.data = form.old.data or default_old, form.new.data or WORKING
    diff = graph.diff_snapshots(old[0], new[0])
    labels = labels_for(project)
    picture = presentation.picture(new[0], labels)
    svg = None
    if not picture.is_empty:
        svg = diagram(picture, project, _("Changes from %(old)s to %(new)s", old=old[1], new=new[1]),
                      id_prefix="compare", **diff_shading(diff))
    names = {node["id"]: node["title"] for snapshot in (old[0], new[0]) for node in snapshot["nodes"]}
    return render_template("toc/compare.html", project=project, form=form, diff=diff, old_name=old[1],
                           new_name=new[1], names=names, labels=labels, svg=svg, has_versions=bool(version_list),
                           status_labels=status_labels())


# Fund settings: level labels ---------------------------------------------------------------


@requires("fund.manage")
def level_labels():
    session = get_session()
    fund = get_fund(session) or abort(404)
    defaults = {level.value: str(label) for level, label in services.DEFAULT_LEVEL_LABELS.items()}

    def own_labels():
        current = services.level_labels(session, fund.id)
        return {level: label if label != defaults[level] else "" for level, label in current.items()}

    form = LevelLabelsForm(data={**own_labels(), "version": fund.version})
    form.label_fields()
    return form_page(form, "toc/level_labels.html",
                     lambda form: services.save_level_labels(session, actor(), fund, form.data, form.version.data),
                     url_for(".level_labels"), saved=_("Theory-of-change level names saved."),
                     stored=lambda: (own_labels(), fund.version), fund=fund)
