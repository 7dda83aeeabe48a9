"""Evidence Tracker: outcomes, stories and contribution evidence for child-online-safety funds."""

import os

from flask import Flask


def create_app(test_config=None):
    """Build the application; ``test_config`` overrides every other setting."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or None,
        template_folder="../templates",
        static_folder="../static",
    )
    from tracker import config

    config.configure(app, test_config)
    configure_extensions(app)
    register_blueprints(app)
    from tracker import cli

    cli.init_app(app)
    return app


def configure_extensions(app):
    from flask_babel import Babel
    from flask_wtf.csrf import CSRFProtect

    from tracker import db
    from tracker.auth.passwords import make_hasher
    from tracker.web import access
    from tracker.web import errors
    from tracker.web import headers
    from tracker.web import i18n
    from tracker.web import project_tabs
    from tracker.web import submissions
    from tracker.web import templating

    db.init_app(app)
    CSRFProtect(app)
    Babel(app, locale_selector=i18n.select_locale)
    app.extensions["tracker.hasher"] = make_hasher(
        app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"], app.config["ARGON2_PARALLELISM"]
    )
    access.init_app(app)
    i18n.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    project_tabs.init_app(app)
    submissions.init_app(app)


def register_blueprints(app):
    """Register the blueprints; each feature area's ``init_app`` adds its own blueprint, tab and commands."""
    from tracker import api
    from tracker import bench
    from tracker.admin.views import bp as admin
    from tracker.audit.views import bp as audit
    from tracker.auth.views import bp as auth
    from tracker.breakglass.views import bp as breakglass
    from tracker.contribution import views as contribution_views
    from tracker.evidence import views as evidence_views
    from tracker.exports import views as tabular_views
    from tracker.iati import views as iati_views
    from tracker.imports import views as import_views
    from tracker.indicators import views as indicator_views
    from tracker.msc import cycle_views as msc_views
    from tracker.msc import story_views as story_views
    from tracker.outcomes import views as outcome_views
    from tracker.portfolio.views import bp as portfolio
    from tracker.reports import views as report_views
    from tracker.search import views as search_views
    from tracker.toc import views as toc_views
    from tracker.web.health import bp as health

    for blueprint in (auth, portfolio, admin, audit, breakglass, health, msc_views.bp, search_views.bp):
        app.register_blueprint(blueprint)
    for area in (toc_views, indicator_views, outcome_views, story_views, evidence_views, contribution_views,
                 iati_views, tabular_views, import_views, api, report_views, bench):
        area.init_app(app)
