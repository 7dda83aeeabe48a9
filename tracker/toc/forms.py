from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from tracker.toc.models import NodeLevel
from tracker.toc.services import ASSUMPTION_STATUS_LABELS
from tracker.toc.services import DEFAULT_LEVEL_LABELS
from tracker.toc.services import SPHERE_LABELS
from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices


def coerce_optional_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class NodeForm(VersionedForm):
    title = StringField(_l("Title"), description=_l("A short statement of the result, e.g. “Counsellors answer "
                                                    "children on chat within five minutes”."),
                        validators=[InputRequired(), MaxLength(300)])
    level = SelectField(_l("Level"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), MaxLength(5000)])
    sphere = SelectField(
        _l("Ceiling of accountability"),
        choices=choices(SPHERE_LABELS.items()),
        description=_l("Results the project delivers itself lie within its sphere of control; results it can "
                       "only influence lie beyond its ceiling of accountability."),
    )
    is_precondition = BooleanField(
        _l("Precondition"),
        description=_l("Must be brought about for the results above it to happen (unlike an assumption, which is "
                       "believed to hold already)."),
    )
    position = IntegerField(_l("Order within its level"), default=0,
                            description=_l("Lower numbers come first when the diagram has a choice."),
                            validators=[Optional(), NumberRange(min=0, max=999)])

    def set_level_choices(self, labels):
        self.level.choices = choices((level.value, labels[level.value]) for level in NodeLevel)
        return self


class LinkForm(VersionedForm):
    cause_id = SelectField(_l("Cause"), coerce=coerce_optional_int, validators=[InputRequired()])
    effect_id = SelectField(_l("Effect"), coerce=coerce_optional_int, validators=[InputRequired()],
                            description=_l("The result that the cause contributes to."))
    rationale = TextAreaField(_l("Rationale"), description=_l("Why the cause is expected to lead to the effect."),
                              validators=[Optional(), MaxLength(5000)])

    def validate_effect_id(self, field):
        if field.data is not None and field.data == self.cause_id.data:
            raise ValidationError(_l("A node cannot cause itself: choose a different effect."))


class AssumptionForm(VersionedForm):
    text = TextAreaField(_l("Assumption"), description=_l("A condition believed to hold for this link to work."),
                         validators=[InputRequired(), MaxLength(2000)])
    status = SelectField(_l("Status"), choices=choices(ASSUMPTION_STATUS_LABELS.items()), default="untested")
    note = TextAreaField(_l("Note"), description=_l("What the evidence says about it so far."),
                         validators=[Optional(), MaxLength(5000)])


class ExternalFactorForm(VersionedForm):
    text = TextAreaField(_l("External factor"),
                         description=_l("Something outside the project that helps or hinders this result: other "
                                        "actors, policy, context, risks."),
                         validators=[InputRequired(), MaxLength(2000)])


class FreezeForm(Form):
    label = StringField(_l("Version name"), description=_l("E.g. Baseline, Midline, Endline or Revised after review."),
                        validators=[InputRequired(), MaxLength(120)])


class CompareForm(Form):
    class Meta:
        csrf = False

    old = SelectField(_l("Compare"), validators=[Optional()])
    new = SelectField(_l("with"), validators=[Optional()])


class LevelLabelsForm(VersionedForm):
    """The fund's names for the result levels; its version is the fund's."""

    activity = StringField(validators=[Optional(), MaxLength(80)])
    output = StringField(validators=[Optional(), MaxLength(80)])
    short_term_outcome = StringField(validators=[Optional(), MaxLength(80)])
    intermediate_outcome = StringField(validators=[Optional(), MaxLength(80)])
    long_term_outcome = StringField(validators=[Optional(), MaxLength(80)])
    impact = StringField(validators=[Optional(), MaxLength(80)])

    def label_fields(self):
        """Name each field after its default label; leaving it empty keeps that default."""
        for level in NodeLevel:
            field = self[level.value]
            field.label.text = str(DEFAULT_LEVEL_LABELS[level])
            field.description = _l("Leave empty to use “%(label)s”.", label=DEFAULT_LEVEL_LABELS[level])
        return self
