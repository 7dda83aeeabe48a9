"""The URL rules of admin: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.admin import views

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.add_url_rule("/users", view_func=views.users, methods=["GET"])
bp.add_url_rule("/users/new", view_func=views.user_create, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>/edit", view_func=views.user_edit, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>/password", view_func=views.user_password, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/two-factor/reset", view_func=views.user_two_factor_reset, methods=["POST"])


def init_app(app):
    app.register_blueprint(bp)
