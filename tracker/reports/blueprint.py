"""The URL rules of reports: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.reports import cli
from tracker.reports import runner
from tracker.reports import views
from tracker.web.project_tabs import register_project_tab

bp = Blueprint("reports", __name__)

bp.add_url_rule("/projects/<slug>/reports", view_func=views.project_reports, methods=["GET"])
bp.add_url_rule("/projects/<slug>/reports", view_func=views.project_report_request, methods=["POST"])
bp.add_url_rule("/projects/<slug>/reports/preview", view_func=views.project_preview, methods=["GET"])
bp.add_url_rule("/reports", view_func=views.reports, methods=["GET"])
bp.add_url_rule("/reports/portfolio", view_func=views.portfolio_report_request, methods=["POST"])
bp.add_url_rule("/reports/portfolio/preview", view_func=views.portfolio_preview, methods=["GET"])
bp.add_url_rule("/reports/<token>", view_func=views.job, methods=["GET"])
bp.add_url_rule("/reports/<token>/download", view_func=views.download, methods=["GET"])


def init_app(app):
    app.register_blueprint(bp)
    app.before_request(runner.start_on_first_request)
    register_project_tab(app, "reports.project_reports", _l("Reports"), "report.view", 70)
    app.jinja_env.globals.update(report_options_form=views.options_form)
    cli.init_app(app)
