"""The reader's language: their own setting, else the one they picked on the login page, else the browser's.

Anonymous visitors switch language with a plain link (``?lang=fr``); the choice is kept in a cookie so that
it survives the next pages (and the login form's POST) without any JavaScript.
"""

from flask import current_app
from flask import has_request_context
from flask import request
from flask_login import current_user

from tracker.common.messages import use_translations
from tracker.web.forms import translated

QUERY_ARGUMENT = "lang"
COOKIE = "language"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Each language under its own name, so that readers find theirs whatever the page's language.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}


def chosen_language():
    """The language picked with the switcher: in this request's link, else in the cookie; None if none is valid."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (request.args.get(QUERY_ARGUMENT), request.cookies.get(COOKIE)):
        if candidate in languages:
            return candidate
    return None


def select_locale():
    """Commands (e.g. ``flask export``) run outside any request and get the default language."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return (chosen_language() or request.accept_languages.best_match(languages)
            or current_app.config["BABEL_DEFAULT_LOCALE"])


def remember_choice(response):
    """Keep the language picked with ``?lang=`` for the following requests."""
    language = request.args.get(QUERY_ARGUMENT)
    if language in current_app.config["LANGUAGES"] and request.cookies.get(COOKIE) != language:
        response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def language_links():
    """``(code, name)`` of every language the switcher offers."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


def init_app(app):
    use_translations(translated)
    app.after_request(remember_choice)
    app.jinja_env.globals.update(language_links=language_links)
