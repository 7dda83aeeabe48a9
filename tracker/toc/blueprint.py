"""The URL rules of toc: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.toc import version_views
from tracker.toc import views
from tracker.web.project_tabs import register_project_tab

bp = Blueprint("toc", __name__)

bp.add_url_rule("/projects/<slug>/toc", view_func=views.overview, methods=["GET"])
bp.add_url_rule("/projects/<slug>/toc/diagram.svg", view_func=views.diagram_download, methods=["GET"])
bp.add_url_rule("/projects/<slug>/toc/nodes/new", view_func=views.node_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/nodes/<int:node_id>", view_func=views.node_detail, methods=["GET"])
bp.add_url_rule("/projects/<slug>/toc/nodes/<int:node_id>/edit", view_func=views.node_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/nodes/<int:node_id>/delete", view_func=views.node_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/nodes/<int:node_id>/factors/new",
    view_func=views.factor_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/factors/<int:factor_id>/edit",
    view_func=views.factor_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/factors/<int:factor_id>/delete",
    view_func=views.factor_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/links/new", view_func=views.link_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/links/<int:link_id>", view_func=views.link_detail, methods=["GET"])
bp.add_url_rule("/projects/<slug>/toc/links/<int:link_id>/edit", view_func=views.link_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/links/<int:link_id>/delete", view_func=views.link_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/links/<int:link_id>/assumptions/new",
    view_func=views.assumption_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/assumptions/<int:assumption_id>/edit",
    view_func=views.assumption_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/assumptions/<int:assumption_id>/delete",
    view_func=views.assumption_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/versions", view_func=version_views.versions, methods=["GET"])
bp.add_url_rule("/projects/<slug>/toc/freeze", view_func=version_views.freeze, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/toc/versions/<int:number>", view_func=version_views.version_detail, methods=["GET"])
bp.add_url_rule("/projects/<slug>/toc/versions/<int:number>/diagram.svg",
    view_func=version_views.version_diagram_download, methods=["GET"])
bp.add_url_rule("/projects/<slug>/toc/compare", view_func=version_views.compare, methods=["GET"])
bp.add_url_rule("/fund/toc-levels", view_func=version_views.level_labels, methods=["GET", "POST"])


def init_app(app):
    app.register_blueprint(bp)
    register_project_tab(app, "toc.overview", _l("Theory of change"), "toc.view", 10)
