from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from tracker.web.forms import Form
from tracker.web.forms import MaxLength


class AuditFilterForm(Form):
    """The audit page's GET filters; a filter with an error is left out rather than refused."""

    class Meta:
        csrf = False

    actor = StringField(_l("Person (email address)"), validators=[Optional(), MaxLength(254)],
                        description=_l("The whole address, e.g. admin@example.org."))
    action = SelectField(_l("Action"), validators=[Optional()])
    object_type = SelectField(_l("Record type"), validators=[Optional()])
    project = SelectField(_l("Project"), coerce=int, validators=[Optional()])
    date_from = DateField(_l("From (UTC)"), validators=[Optional()])
    date_to = DateField(_l("To (UTC)"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class ExportForm(Form):
    """A POST with a CSRF token: an export is an audited act, not a link a page can trigger."""


class InsightFilterForm(Form):
    """The access overview's GET filters; an invalid filter is left out (the default period applies)."""

    class Meta:
        csrf = False

    date_from = DateField(_l("From (UTC)"), validators=[Optional()])
    date_to = DateField(_l("To (UTC)"), validators=[Optional()])
    person = SelectField(_l("Person"), coerce=int, validators=[Optional()])
    project = SelectField(_l("Project"), coerce=int, validators=[Optional()])
    kind = SelectField(_l("Record kind"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class CloseAlertForm(Form):
    note = TextAreaField(_l("Closing note"), validators=[InputRequired(), MaxLength(2000)],
                         description=_l("What you found or did. The note stays with the alert, which is never "
                                        "deleted; closing it is recorded in the audit log."))
