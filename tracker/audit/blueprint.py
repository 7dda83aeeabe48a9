"""The URL rules of audit: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.audit import views

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

bp.add_url_rule("", view_func=views.log, methods=["GET"])
bp.add_url_rule("/export", view_func=views.export, methods=["POST"])


def init_app(app):
    app.register_blueprint(bp)
