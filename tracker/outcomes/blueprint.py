"""The URL rules of outcomes: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.outcomes import labels
from tracker.outcomes import views
from tracker.web.project_tabs import register_project_tab

bp = Blueprint("outcomes", __name__)

bp.add_url_rule("/projects/<slug>/outcomes", view_func=views.outcome_list, methods=["GET"])
bp.add_url_rule("/projects/<slug>/outcomes/new", view_func=views.outcome_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/outcomes/<int:outcome_id>", view_func=views.outcome_detail, methods=["GET"])
bp.add_url_rule("/projects/<slug>/outcomes/<int:outcome_id>/edit",
    view_func=views.outcome_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/outcomes/<int:outcome_id>/status", view_func=views.outcome_status, methods=["POST"])
bp.add_url_rule("/projects/<slug>/outcomes/<int:outcome_id>/substantiations/new",
    view_func=views.substantiation_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/outcomes/<int:outcome_id>/substantiations/<int:substantiation_id>/acknowledge",
    view_func=views.acknowledgement_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/harvests", view_func=views.harvest_list, methods=["GET"])
bp.add_url_rule("/projects/<slug>/harvests/new",
    view_func=views.harvest_form, methods=["GET", "POST"], defaults={"harvest_id": None})
bp.add_url_rule("/projects/<slug>/harvests/<int:harvest_id>/edit",
    view_func=views.harvest_form, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/substantiators", view_func=views.substantiator_list, methods=["GET"])
bp.add_url_rule("/projects/<slug>/substantiators/new",
    view_func=views.substantiator_form, methods=["GET", "POST"], defaults={"substantiator_id": None})
bp.add_url_rule("/projects/<slug>/substantiators/<int:substantiator_id>/edit",
    view_func=views.substantiator_form, methods=["GET", "POST"])


def init_app(app):
    app.register_blueprint(bp)
    register_project_tab(app, "outcomes.outcome_list", _l("Outcomes"), "outcome.view", 30)
    app.jinja_env.filters["change_date"] = labels.change_date
