"""The URL rules of portfolio: the one place that maps its addresses to its views."""

from flask import Blueprint

from tracker.portfolio import views

bp = Blueprint("portfolio", __name__)

bp.add_url_rule("/portfolio", view_func=views.overview, methods=["GET"])
bp.add_url_rule("/projects/<slug>", view_func=views.project_detail, methods=["GET"])
bp.add_url_rule("/projects/new", view_func=views.project_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/edit", view_func=views.project_edit, methods=["GET", "POST"])
bp.add_url_rule("/organisations", view_func=views.organisations, methods=["GET"])
bp.add_url_rule("/organisations/new",
    view_func=views.organisation_form_view, methods=["GET", "POST"], defaults={"organisation_id": None})
bp.add_url_rule("/organisations/<int:organisation_id>/edit",
    view_func=views.organisation_form_view, methods=["GET", "POST"])
bp.add_url_rule("/fund/settings", view_func=views.fund_settings, methods=["GET", "POST"])
bp.add_url_rule("/fund/pillars", view_func=views.pillars, methods=["GET"])
bp.add_url_rule("/fund/pillars/new",
    view_func=views.pillar_form_view, methods=["GET", "POST"], defaults={"pillar_id": None})
bp.add_url_rule("/fund/pillars/<int:pillar_id>/edit", view_func=views.pillar_form_view, methods=["GET", "POST"])


def init_app(app):
    app.register_blueprint(bp)
