"""Small facts about the current request that many views need: page number, language, role, filters."""

from flask import request
from flask_babel import get_locale
from flask_login import current_user

from tracker.auth.permissions import Role
from tracker.common.pagination import clamp_page_number


def page_number():
    """The ``?page=`` asked for, clamped to a page that can exist."""
    return clamp_page_number(request.args.get("page"))


def language():
    """The reader's language code, e.g. ``"fr"``."""
    return str(get_locale() or "en")


def is_donor():
    return current_user.is_authenticated and current_user.role == Role.DONOR


def filter_value(field):
    """A validated filter field's value, or ``None`` when it is empty or invalid (an invalid filter filters nothing)."""
    return None if field.errors else (field.data or None)
