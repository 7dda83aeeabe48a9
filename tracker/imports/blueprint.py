"""The URL rules of imports: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.imports import cli
from tracker.imports import views
from tracker.web.project_tabs import register_project_tab

bp = Blueprint("imports", __name__)

bp.add_url_rule("/projects/<slug>/import", view_func=views.start, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/import/<token>/mapping", view_func=views.mapping, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/import/<token>/preview", view_func=views.preview, methods=["GET"])
bp.add_url_rule("/projects/<slug>/import/<token>/commit", view_func=views.commit, methods=["POST"])
bp.add_url_rule("/projects/<slug>/import/<token>/cancel", view_func=views.cancel, methods=["POST"])
bp.add_url_rule("/projects/<slug>/import/template/<kind>.xlsx", view_func=views.download_template, methods=["GET"])
bp.add_url_rule("/projects/<slug>/import/batches/<int:batch_id>", view_func=views.batch, methods=["GET"])
bp.add_url_rule("/projects/<slug>/import/mappings/<int:template_id>/delete",
    view_func=views.delete_template, methods=["POST"])


def init_app(app):
    app.register_blueprint(bp)
    register_project_tab(app, "imports.start", _l("Import"), "import.run", 85)
    cli.init_app(app)
