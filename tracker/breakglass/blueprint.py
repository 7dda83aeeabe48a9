"""The URL rules of breakglass: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.breakglass import views

bp = Blueprint("breakglass", __name__)

bp.add_url_rule("/projects/<slug>/break-glass", view_func=views.request_access, methods=["GET", "POST"])
bp.add_url_rule("/admin/break-glass", view_func=views.register, methods=["GET"])
bp.add_url_rule("/admin/break-glass/<int:grant_id>/revoke", view_func=views.revoke, methods=["POST"])


def init_app(app):
    app.register_blueprint(bp)
