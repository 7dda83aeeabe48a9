"""The URL rules of iati: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.iati import cli
from tracker.iati import views

bp = Blueprint("iati", __name__)

bp.add_url_rule("/iati", view_func=views.overview, methods=["GET"])
bp.add_url_rule("/iati.xml", view_func=views.portfolio_download, methods=["GET"])
bp.add_url_rule("/projects/<slug>/iati.xml", view_func=views.project_download, methods=["GET"])
bp.add_url_rule("/fund/settings/iati", view_func=views.settings_save, methods=["POST"])


def init_app(app):
    app.register_blueprint(bp)
    cli.init_app(app)
