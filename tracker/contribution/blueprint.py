"""The URL rules of contribution: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.contribution import map_views
from tracker.contribution import views
from tracker.contribution.tracing import views as tracing_views
from tracker.web.project_tabs import register_project_tab

bp = Blueprint("contribution", __name__)

bp.add_url_rule("/projects/<slug>/claims", view_func=views.claim_list, methods=["GET"])
bp.add_url_rule("/projects/<slug>/claims/new", view_func=views.claim_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>", view_func=views.claim_detail, methods=["GET"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/edit", view_func=views.claim_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/step", view_func=views.claim_step, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/delete", view_func=views.claim_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/explanations/new",
    view_func=views.explanation_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/explanations/<int:explanation_id>/edit",
    view_func=views.explanation_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/explanations/<int:explanation_id>/delete",
    view_func=views.explanation_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/explanations/<int:explanation_id>/evidence",
    view_func=views.explanation_evidence, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/explanation-evidence/<int:link_id>/delete",
    view_func=views.explanation_evidence_delete, methods=["POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/story", view_func=views.story, methods=["GET"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/story/<int:number>",
    view_func=views.story_revision, methods=["GET"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/story/edit",
    view_func=views.story_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/evidence-map", view_func=map_views.evidence_map, methods=["GET"])
bp.add_url_rule("/evidence-coverage", view_func=map_views.coverage_page, methods=["GET"])
bp.add_url_rule("/fund/confidence-bands", view_func=map_views.bands, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/tracing", view_func=tracing_views.tracing_page, methods=["GET"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/tracing/components/new",
    view_func=tracing_views.component_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/tracing/components/<int:component_id>/edit",
    view_func=tracing_views.component_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/tracing/components/<int:component_id>/delete",
    view_func=tracing_views.component_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/tracing/components/<int:component_id>/evidence/new",
    view_func=tracing_views.ct_evidence_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/tracing/evidence/<int:ct_evidence_id>/edit",
    view_func=tracing_views.ct_evidence_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/claims/<int:claim_id>/tracing/evidence/<int:ct_evidence_id>/delete",
    view_func=tracing_views.ct_evidence_delete, methods=["GET", "POST"])


def init_app(app):
    app.register_blueprint(bp)
    register_project_tab(app, "contribution.claim_list", _l("Contribution"), "contribution.view", 50)
    register_project_tab(app, "contribution.evidence_map", _l("Evidence map"), "contribution.view", 60)
