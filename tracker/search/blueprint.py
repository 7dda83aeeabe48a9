"""The URL rules of search: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.search import views

bp = Blueprint("search", __name__)

bp.add_url_rule("/search", view_func=views.search, methods=["GET"])


def init_app(app):
    app.register_blueprint(bp)
