"""Jinja filters and globals: templates ask, Python decides."""

from flask import request
from flask import url_for
from flask_babel import format_date
from flask_babel import format_decimal
from flask_babel import format_time
from flask_babel import get_locale
from flask_babel import gettext
from flask_login import current_user

from tracker.auth.permissions import ROLE_LABELS
from tracker.auth.permissions import Role
from tracker.common.countries import country_name
from tracker.common.sizes import size_text
from tracker.web.forms import translated
from tracker.web.project_tabs import visible_tabs
from tracker.web.visibility import evidence_title


def localised_country(code):
    return country_name(code, current_language())


def money(amount, currency):
    return f"{currency} {format_decimal(amount, format='#,##0')}"


def file_size(size):
    """E.g. "52 B" or "1,5 kB" (the number in the reader's locale)."""
    return size_text(size, format_decimal)


def role_label(role):
    return gettext(ROLE_LABELS[Role(role)])


def url_with(**changes):
    """The current URL with some query arguments replaced (for filters and pagination)."""
    arguments = request.args.to_dict()
    arguments.update({key: value for key, value in changes.items()})
    arguments = {key: value for key, value in arguments.items() if value not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **arguments)


def current_language():
    return str(get_locale() or "en")


def project_tabs(project):
    return visible_tabs(current_user, project)


def can(permission, project=None):
    return current_user.is_authenticated and current_user.can(permission, project)


def story_title(story):
    """A story's title, or what stands in for it once withdrawal sealed the story (its text is gone)."""
    return story.title or gettext("Withdrawn story: its text is sealed")


def date_shown(value):
    """Every date the app shows, on screen and in reports, in the one style of the reader's language.

    The locale's medium style ("Dec 6, 2026", "6 déc. 2026") never reads as an ambiguous "12/6/26".
    """
    return format_date(value, "medium")


def time_shown(value):
    """A moment with its time zone ("Dec 6, 2026, 2:05 PM UTC"): an expiry or a log time is never ambiguous.

    The date part is ``date_shown``'s, joined to the time the way the reader's language joins them.
    """
    moment = f"{format_time(value, 'short')} {format_time(value, 'z')}"
    return get_locale().datetime_formats["medium"].replace("{1}", date_shown(value)).replace("{0}", moment)


def init_app(app):
    app.jinja_env.filters.update(
        story_title=story_title,
        country=localised_country,
        money=money,
        date=date_shown,
        filesize=file_size,
        datetime=time_shown,
        number=format_decimal,
        role_label=role_label,
        translated=translated,
    )
    app.jinja_env.globals.update(can=can, url_with=url_with, current_language=current_language,
                                 project_tabs=project_tabs, evidence_title=evidence_title)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
