"""Helpers between WTForms and the domain's ValidationFailed errors."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import SelectChoice


class Form(FlaskForm):
    """Base form: CSRF-protected by Flask-WTF."""


class VersionedForm(Form):
    """A form that edits a versioned record; carries the version the user loaded."""

    version = HiddenField()


def apply_errors(form, error):
    """Put a ValidationFailed's reasons onto the matching fields (or the form as a whole)."""
    for field_name, message in error.reasons:
        field = getattr(form, field_name, None) if field_name else None
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def choices(pairs):
    """Turn ``(value, label)`` pairs into WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
