"""The report options: audience (staff and grantees choose; donors get the donor report) and reporting period."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import RadioField
from wtforms import SelectField
from wtforms.validators import InputRequired
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from tracker.reports.models import Audience
from tracker.web.forms import Form
from tracker.web.forms import choices
from tracker.web.i18n import LANGUAGE_NAMES

AUDIENCE_LABELS = {
    Audience.DONOR: _l("Donors: only consented, safeguarded, de-identified material"),
    Audience.INTERNAL: _l("Internal: everything you may see (not for donors)"),
}
PREVIEW, PDF = "preview", "pdf"


def language_choices(languages):
    return choices((code, LANGUAGE_NAMES.get(code, code)) for code in languages)


def audience_choices(audiences):
    return choices((audience.value, AUDIENCE_LABELS[audience]) for audience in audiences)


class ReportOptionsForm(Form):
    """Audience and period of a report; ``action`` says whether to preview it or prepare the PDF."""

    audience = RadioField(_l("Audience"), validators=[InputRequired(_l("Choose who the report is for."))])
    period_from = DateField(_l("Period from"), validators=[Optional()],
                            description=_l("Leave both dates empty for the whole project."))
    period_to = DateField(_l("Period to"), validators=[Optional()])
    claims_in_progress = BooleanField(
        _l("List claims still in progress as “work in progress”"),
        description=_l("Donor reports state as conclusions only the contribution claims that reached step 4 "
                       "(the contribution story). By default the others are left out and counted; tick this to "
                       "list them, clearly labelled as work in progress."))
    # Optional so that preview links made before the choice existed still work: they get the reader's language.
    language = SelectField(_l("Report language"), validators=[Optional()],
                           description=_l("Headings, labels, dates and numbers; stories and outcomes keep the "
                                          "language they were written in."))

    def validate_period_to(self, field):
        if field.data and self.period_from.data and field.data < self.period_from.data:
            raise ValidationError(_l("The period must end on or after the day it starts."))


class PreviewOptionsForm(ReportOptionsForm):
    """The same options read from a preview link (a GET): no CSRF token."""

    class Meta:
        csrf = False
