"""The URL rules of evidence: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.evidence import views
from tracker.web.project_tabs import register_project_tab

bp = Blueprint("evidence", __name__)

bp.add_url_rule("/projects/<slug>/evidence", view_func=views.evidence_list, methods=["GET"])
bp.add_url_rule("/projects/<slug>/evidence/new", view_func=views.evidence_create, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/evidence/<int:item_id>", view_func=views.evidence_detail, methods=["GET"])
bp.add_url_rule("/projects/<slug>/evidence/<int:item_id>/attach", view_func=views.evidence_attach, methods=["POST"])
bp.add_url_rule("/projects/<slug>/evidence/attachments/<int:attachment_id>/delete",
    view_func=views.attachment_delete, methods=["POST"])
bp.add_url_rule("/projects/<slug>/evidence/<int:item_id>/edit", view_func=views.evidence_edit, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/evidence/<int:item_id>/delete",
    view_func=views.evidence_delete, methods=["GET", "POST"])
bp.add_url_rule("/projects/<slug>/evidence/<int:item_id>/download", view_func=views.evidence_download, methods=["GET"])


def init_app(app):
    app.register_blueprint(bp)
    register_project_tab(app, "evidence.evidence_list", _l("Evidence"), "evidence.view", 55)
