"""The URL rules of indicators: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.indicators import views
from tracker.web.project_tabs import register_project_tab

bp = Blueprint("indicators", __name__)

bp.add_url_rule("/projects/<slug>/indicators", view_func=views.index, methods=["GET"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>", view_func=views.progress, methods=["GET"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>/chart.svg",
    view_func=views.chart_download, methods=["GET"])
bp.add_url_rule("/projects/<slug>/indicators/new", view_func=views.indicator_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>/edit",
    view_func=views.indicator_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>/delete",
    view_func=views.indicator_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>/periods/new",
    view_func=views.period_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>/periods/<int:period_id>/edit",
    view_func=views.period_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>/periods/<int:period_id>/delete",
    view_func=views.period_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>/periods/<int:period_id>/actual",
    view_func=views.actual, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/indicators/<int:indicator_id>/periods/<int:period_id>/actual/review",
    view_func=views.review, methods=["POST"])
bp.add_url_rule("/indicators/review", view_func=views.review_queue, methods=["GET"])


def init_app(app):
    app.register_blueprint(bp)
    register_project_tab(app, "indicators.index", _l("Indicators"), "indicator.view", 20)
