"""The URL rules of exports: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.exports import cli
from tracker.exports import views
from tracker.web.project_tabs import register_project_tab

bp = Blueprint("tabular_export", __name__)

bp.add_url_rule("/projects/<slug>/export", view_func=views.project_export, methods=["GET", "POST"])
bp.add_url_rule("/export", view_func=views.portfolio_export, methods=["GET", "POST"])


def init_app(app):
    app.register_blueprint(bp)
    register_project_tab(app, "tabular_export.project_export", _l("Export"), "export.view", 80)
    cli.init_app(app)
