"""The URL rules of msc: the one place that maps its addresses to its views."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.msc import cycle_views
from tracker.msc import labels
from tracker.msc import story_views
from tracker.msc.languages import direction
from tracker.msc.languages import language_name
from tracker.web.project_tabs import register_project_tab

stories = Blueprint("stories", __name__)
cycles = Blueprint("msc", __name__, url_prefix="/msc")

stories.add_url_rule("/projects/<slug>/stories", view_func=story_views.story_list, methods=["GET"])
stories.add_url_rule("/projects/<slug>/stories/new", view_func=story_views.story_create, methods=["GET", "POST"])
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>/edit",
    view_func=story_views.story_edit, methods=["GET", "POST"])
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>", view_func=story_views.story_detail, methods=["GET"])
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>/consent",
    view_func=story_views.consent_edit, methods=["GET", "POST"])
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>/sealed", view_func=story_views.sealed_text,
                     methods=["GET", "POST"])
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>/consent/withdraw",
    view_func=story_views.consent_withdraw, methods=["GET", "POST"])
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>/safeguarding",
    view_func=story_views.safeguarding_review, methods=["GET", "POST"])
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>/donor-version",
    view_func=story_views.donor_version_review, methods=["GET", "POST"])
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>/translations/new",
    view_func=story_views.translation_form, methods=["GET", "POST"], defaults={"translation_id": None})
stories.add_url_rule("/projects/<slug>/stories/<int:story_id>/translations/<int:translation_id>/edit",
    view_func=story_views.translation_form, methods=["GET", "POST"])
cycles.add_url_rule("/stories", view_func=cycle_views.story_list, methods=["GET"])
cycles.add_url_rule("/cycles", view_func=cycle_views.cycle_list, methods=["GET"])
cycles.add_url_rule("/cycles/new", view_func=cycle_views.cycle_create, methods=["GET", "POST"])
cycles.add_url_rule("/cycles/<int:cycle_id>/edit", view_func=cycle_views.cycle_edit, methods=["GET", "POST"])
cycles.add_url_rule("/cycles/<int:cycle_id>", view_func=cycle_views.cycle_detail, methods=["GET"])
cycles.add_url_rule("/cycles/<int:cycle_id>/levels", view_func=cycle_views.level_add, methods=["POST"])
cycles.add_url_rule("/cycles/<int:cycle_id>/domains/new",
    view_func=cycle_views.domain_form, methods=["GET", "POST"], defaults={"domain_id": None})
cycles.add_url_rule("/cycles/<int:cycle_id>/domains/<int:domain_id>/edit",
    view_func=cycle_views.domain_form, methods=["GET", "POST"])
cycles.add_url_rule("/cycles/<int:cycle_id>/meta-monitoring", view_func=cycle_views.meta_monitoring, methods=["GET"])
cycles.add_url_rule("/cycles/<int:cycle_id>/panels/new", view_func=cycle_views.panel_create, methods=["GET", "POST"])
cycles.add_url_rule("/panels/<int:panel_id>", view_func=cycle_views.panel_detail, methods=["GET"])
cycles.add_url_rule("/panels/<int:panel_id>/stories/<int:story_id>/decision",
    view_func=cycle_views.decision_form, methods=["GET", "POST"])
cycles.add_url_rule("/feedback", view_func=cycle_views.feedback_owed, methods=["GET"])
cycles.add_url_rule("/selections/<int:decision_id>/feedback",
    view_func=cycle_views.feedback_form, methods=["GET", "POST"])
cycles.add_url_rule("/stories/<int:story_id>/verification",
    view_func=cycle_views.verification_form, methods=["GET", "POST"])


def init_app(app):
    app.register_blueprint(stories)
    app.register_blueprint(cycles)
    register_project_tab(app, "stories.story_list", _l("Stories"), "story.view", 40)
    app.jinja_env.filters.update(label=labels.label, language_name=language_name, text_direction=direction)
