"""The user's language: their own setting, else what the browser asks for (the default outside a request)."""

from flask import current_app
from flask import has_request_context
from flask import request
from flask_login import current_user


def select_locale():
    """Commands (e.g. ``flask export``) run outside any request and get the default language."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
