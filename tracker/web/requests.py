"""Small facts about the current request that many views need: page number, ids, language, role, filters."""

from flask import request
from flask_babel import get_locale
from flask_login import current_user

from tracker.auth.permissions import Role
from tracker.common.pagination import clamp_page_number
from tracker.db_types import as_id


def page_number():
    """The ``?page=`` asked for, clamped to a page that can exist."""
    return clamp_page_number(request.args.get("page"))


def id_argument(name):
    """The record id in ``?name=``, or None when there is none or it is a number no record can have."""
    return as_id(request.args.get(name))


def language():
    """The reader's language code, e.g. ``"fr"``."""
    return str(get_locale() or "en")


def is_donor():
    return current_user.is_authenticated and current_user.role == Role.DONOR


def filter_value(field):
    """A validated filter field's value, or ``None`` when it is empty or invalid (an invalid filter filters nothing)."""
    return None if field.errors else (field.data or None)
