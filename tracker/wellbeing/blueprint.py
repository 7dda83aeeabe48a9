"""The URL rules of wellbeing: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.wellbeing import views

bp = Blueprint("wellbeing", __name__)

# No rule takes a user id: the page is always the signed-in reader's own.
bp.add_url_rule("/account/wellbeing", view_func=views.own_wellbeing, methods=["GET", "POST"])


def init_app(app):
    app.register_blueprint(bp)
