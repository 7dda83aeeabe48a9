"""The URL rules of audit: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.audit import cli
from tracker.audit import views

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

bp.add_url_rule("", view_func=views.log, methods=["GET"])
bp.add_url_rule("/export", view_func=views.export, methods=["POST"])

# The access overview and its alerts: administrators and the data-protection lead.
insight_bp = Blueprint("insight", __name__, url_prefix="/audit")

insight_bp.add_url_rule("/insight", view_func=views.insight_overview, endpoint="overview", methods=["GET"])
insight_bp.add_url_rule("/insight/export", view_func=views.insight_export, endpoint="export", methods=["POST"])
insight_bp.add_url_rule("/alerts", view_func=views.alert_list, endpoint="alerts", methods=["GET"])
insight_bp.add_url_rule("/alerts/<int:alert_id>", view_func=views.alert_detail, endpoint="alert_detail",
                        methods=["GET"])
insight_bp.add_url_rule("/alerts/<int:alert_id>/close", view_func=views.alert_close, endpoint="alert_close",
                        methods=["POST"])


def init_app(app):
    app.register_blueprint(bp)
    app.register_blueprint(insight_bp)
    cli.init_app(app)
