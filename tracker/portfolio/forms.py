from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms import DecimalField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import URL
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices

SLUG = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lowercase letters, digits and single hyphens."))
NO_SPACES = Regexp(r"^[^\s/&|?]+$", message=_l("No spaces or the characters / & | ?"))

# IATI OrganisationType codes used by the fund's partners.
ORGANISATION_TYPES = choices([
    ("10", _l("Government")),
    ("21", _l("International NGO")),
    ("22", _l("National NGO")),
    ("23", _l("Regional NGO")),
    ("40", _l("Multilateral")),
    ("60", _l("Foundation")),
    ("70", _l("Private sector")),
    ("80", _l("Academic, training and research")),
    ("90", _l("Other")),
])


class ProjectForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(200)])
    slug = StringField(
        _l("Short name"),
        description=_l("Used in web addresses, e.g. thailand-helpline. Lowercase letters, digits and hyphens."),
        validators=[InputRequired(), Length(min=3, max=60), SLUG],
    )
    organisation_id = SelectField(_l("Grantee organisation"), coerce=int, validators=[InputRequired()])
    pillar_id = SelectField(_l("Pillar"), coerce=int, validators=[InputRequired()])
    countries = SelectMultipleField(
        _l("Countries"),
        description=_l("Hold Ctrl (or Cmd) to choose several."),
        validators=[InputRequired(message=_l("Choose at least one country."))],
    )
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    budget = DecimalField(_l("Budget"), places=2, validators=[InputRequired(), NumberRange(min=0)])
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    iati_identifier = StringField(
        _l("IATI activity identifier"),
        description=_l("Optional. The reporting organisation's identifier, a hyphen, then the activity's own code."),
        validators=[Optional(), MaxLength(150), NO_SPACES],
    )
    summary = TextAreaField(_l("Summary"), validators=[Optional(), MaxLength(5000)])

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date must not be before the start date."))


class PortfolioFilterForm(Form):
    """The portfolio's GET filters; invalid values are ignored rather than refused."""

    class Meta:
        csrf = False

    q = StringField(_l("Search titles and summaries"), validators=[Optional(), MaxLength(100)])
    pillar = SelectField(_l("Pillar"), coerce=int, validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    organisation = SelectField(_l("Grantee"), coerce=int, validators=[Optional()])


class OrganisationForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), MaxLength(200)])
    short_name = StringField(_l("Short name or acronym"), validators=[Optional(), MaxLength(40)])
    org_type = SelectField(_l("Type"), choices=ORGANISATION_TYPES, default="22")
    iati_ref = StringField(
        _l("IATI organisation identifier"),
        description=_l("Optional, e.g. XM-DAC-41122 for UNICEF."),
        validators=[Optional(), MaxLength(100), NO_SPACES],
    )
    country_code = SelectField(_l("Country of registration"), validators=[Optional()])
    website = StringField(_l("Website"), validators=[Optional(), MaxLength(300), URL(require_tld=True)])


class FundForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), MaxLength(200)])
    slug = StringField(_l("Short name"), validators=[InputRequired(), MaxLength(60), SLUG])
    description = TextAreaField(_l("Description"), validators=[Optional(), MaxLength(5000)])
    retention_months = IntegerField(
        _l("Keep stories for (months after a project ends)"),
        description=_l("After this, stories, their translations and donor versions, outcome sources and "
                       "substantiators' names are erased for good, keeping only an audit record. Leave empty "
                       "to keep them until you decide."),
        validators=[Optional(), NumberRange(min=1, max=600)])
    wellbeing_support = TextAreaField(
        _l("Support for staff who read distressing stories"),
        description=_l("Who staff can turn to, and how: counselling service, peer support, the safeguarding lead. "
                       "Shown to a reader only in their own wellbeing note, when they have read more distressing "
                       "material in a week than the amount they chose."),
        validators=[Optional(), MaxLength(2000)])


class PillarForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), MaxLength(120)])
    key = StringField(_l("Key"), description=_l("Lowercase letters, digits and hyphens."),
                      validators=[InputRequired(), MaxLength(40), SLUG])
    description = TextAreaField(_l("Description"), validators=[Optional(), MaxLength(2000)])
    position = IntegerField(_l("Position in lists"), default=0, validators=[Optional(), NumberRange(min=0, max=99)])
