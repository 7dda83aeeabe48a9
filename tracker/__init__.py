"""Evidence Tracker: outcomes, stories and contribution evidence for child-online-safety funds."""

import os
from pathlib import Path

from flask import Flask

PACKAGE = Path(__file__).resolve().parent


def data_folder(name):
    """``templates``, ``static`` or ``seeds``: beside the package in a source checkout (and an editable install),
    inside it once installed from a wheel (setup.py copies them there)."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


def create_app(test_config=None):
    """Build the application; ``test_config`` overrides every other setting."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or None,
        template_folder=data_folder("templates"),
        static_folder=data_folder("static"),
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
    from tracker.queue import celery_init_app
    from tracker.web import access
    from tracker.web import errors
    from tracker.web import headers
    from tracker.web import i18n
    from tracker.web import logs
    from tracker.web import project_tabs
    from tracker.web import routing
    from tracker.web import submissions
    from tracker.web import templating
    from tracker.web import transaction

    logs.init_app(app)
    db.init_app(app)
    celery_init_app(app)
    routing.init_app(app)
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
    # Last, so that it runs first after the view: it decides what the request's work becomes.
    transaction.init_app(app)


def register_blueprints(app):
    """Register every area: each ``<area>/blueprint.py`` maps its URLs and adds its tab and commands."""
    from tracker import api
    from tracker.admin import blueprint as admin
    from tracker.audit import blueprint as audit
    from tracker.auth import blueprint as auth
    from tracker.bench import commands as bench
    from tracker.breakglass import blueprint as breakglass
    from tracker.contribution import blueprint as contribution
    from tracker.evidence import blueprint as evidence
    from tracker.exports import blueprint as exports
    from tracker.home import blueprint as home
    from tracker.iati import blueprint as iati
    from tracker.imports import blueprint as imports
    from tracker.inbox import blueprint as inbox
    from tracker.indicators import blueprint as indicators
    from tracker.msc import blueprint as msc
    from tracker.outcomes import blueprint as outcomes
    from tracker.portfolio import blueprint as portfolio
    from tracker.reports import blueprint as reports
    from tracker.search import blueprint as search
    from tracker.toc import blueprint as toc
    from tracker.web.health import bp as health
    from tracker.wellbeing import blueprint as wellbeing

    app.register_blueprint(health)
    for area in (auth, home, portfolio, admin, audit, breakglass, search, toc, indicators,
                 outcomes, msc, evidence, contribution, iati, exports, imports, reports, inbox, wellbeing, api,
                 bench):
        area.init_app(app)
