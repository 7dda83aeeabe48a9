"""The URL rules of auth: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.auth import views

bp = Blueprint("auth", __name__)

bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/login/verify", view_func=views.verify, methods=["GET", "POST"])
bp.add_url_rule("/login/enrol", view_func=views.enrol, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/account", view_func=views.account, methods=["GET", "POST"])
bp.add_url_rule("/account/two-factor", view_func=views.account_two_factor, methods=["GET", "POST"])
bp.add_url_rule("/account/two-factor/recovery-codes", view_func=views.new_recovery_codes, methods=["POST"])
bp.add_url_rule("/account/two-factor/off", view_func=views.turn_off_two_factor, methods=["POST"])


def init_app(app):
    app.register_blueprint(bp)
