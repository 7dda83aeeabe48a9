"""Helpers between WTForms and the domain's ValidationFailed errors."""

from uuid import uuid4

from flask import request
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField
from wtforms import SelectChoice
from wtforms import SelectMultipleField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from tracker.common.messages import translate
from tracker.web.submissions import FIELD as SUBMISSION_FIELD


class MaxLength(Length):
    """A length limit that refuses over-long text with a message saying the limit; the form keeps the text.

    No ``maxlength`` attribute: a browser would silently cut pasted text at the limit.
    """

    def __init__(self, limit, message=None):
        super().__init__(max=limit, message=message or _l("Keep this under %(max)d characters."))
        self.field_flags = {}


class Form(FlaskForm):
    """Base form: CSRF-protected by Flask-WTF, and saved at most once per submission.

    :meth:`hidden_tag` adds a random submission id (kept when the form is shown
    again with errors) that :mod:`tracker.web.submissions` uses against double posts.
    """

    def hidden_tag(self, *fields):
        tags = super().hidden_tag(*fields)
        if not self.meta.csrf:
            return tags
        name = f"{self._prefix}{SUBMISSION_FIELD}"
        value = request.form.get(name) or uuid4().hex
        # Markup.format escapes both values.
        return tags + Markup('<input type="hidden" name="{}" value="{}">').format(name, value)  # nosec B704


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes, not a Ctrl-click list box; the form macro adds a text filter.

    The macro renders it as a fieldset (its label as the legend); a static script filters the list, which
    works in full without it.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConfirmForm(Form):
    """A confirmation step with nothing to fill in but the CSRF token."""


class VersionedForm(Form):
    """A form that edits a versioned record; carries the version the user loaded."""

    version = HiddenField()


def apply_errors(form, error):
    """Put a ValidationFailed's reasons onto the matching fields (or the form as a whole), in the reader's language."""
    for field_name, message in error.reasons:
        message = translated(message)
        field = getattr(form, field_name, None) if field_name else None
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def translated(message):
    """A domain message (a :class:`tracker.common.messages.Message`, a lazy string or text) in the reader's language."""
    translations = get_translations()
    return translate(message, translations.ugettext, translations.ungettext)


def error_text(error):
    """A user error in the reader's language: a ValidationFailed's reasons, or the message it was raised with."""
    reasons = getattr(error, "reasons", None)
    if reasons:
        return "; ".join(str(translated(message)) for _field, message in reasons)
    return str(translated(error.args[0])) if error.args else str(error)


def choices(pairs):
    """Turn ``(value, label)`` pairs into WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
