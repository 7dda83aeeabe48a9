"""The export form: who the file is for, which records, which format."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from tracker.exports.tabular import DONOR
from tracker.exports.tabular import INTERNAL
from tracker.web.forms import Form
from tracker.web.forms import choices

AUDIENCE_LABELS = {
    INTERNAL: _l("The team: everything you may see"),
    DONOR: _l("Donors: de-identified"),
}


class ExportForm(Form):
    audience = RadioField(_l("Who is the file for?"), validators=[InputRequired()],
                          description=_l("The donor version holds only stories with consent to donor reporting "
                                         "that passed the safeguarding review, de-identified, and substantiated "
                                         "outcomes without their sources. Donors always get this version."))
    sheets = SelectMultipleField(_l("Records to export"),
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                 description=_l("Each becomes a sheet of the workbook, or a CSV file."))
    file_format = RadioField(_l("Format"), default="xlsx", validators=[InputRequired()], choices=choices([
        ("xlsx", _l("Excel workbook (.xlsx), one sheet per kind of record")),
        ("csv", _l("CSV (UTF-8): one file, or a ZIP of files when you choose several kinds of record")),
    ]))

    def validate_sheets(self, field):
        # Not InputRequired: that would mark every checkbox required, i.e. all of them to be ticked.
        if not field.data:
            raise ValidationError(_l("Choose at least one kind of record."))

    def configure(self, audiences, sheets):
        self.audience.choices = choices((audience, AUDIENCE_LABELS[audience]) for audience in audiences)
        if self.audience.data is None:
            self.audience.data = audiences[-1]
        self.sheets.choices = choices((name, title) for name, title, _description in sheets)
        if not self.is_submitted() and not self.sheets.data:
            self.sheets.data = [name for name, _title, _description in sheets]
        return self
