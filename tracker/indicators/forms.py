from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from tracker.indicators.services import MEASURE_LABELS
from tracker.indicators.services import breakdown_field
from tracker.indicators.services import breakdown_keys
from tracker.toc.forms import coerce_optional_int
from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices

VALUE_HINT = _l("A number; use a dot for decimals, e.g. 42.5.")


def coerce_direction(value):
    return value not in (False, "0", "false", "False")


class IndicatorForm(VersionedForm):
    node_id = SelectField(_l("Result measured"), coerce=coerce_optional_int, validators=[InputRequired()],
                          description=_l("The node of the theory of change whose achievement this indicator shows."))
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(300)])
    definition = TextAreaField(_l("Definition"), validators=[Optional(), MaxLength(5000)],
                               description=_l("What is counted or described, for whom, and how it is calculated."))
    means_of_verification = TextAreaField(_l("Means of verification"), validators=[Optional(), MaxLength(5000)],
                                          description=_l("Where the value comes from, e.g. helpline case records."))
    measure = SelectField(_l("Measure"), choices=choices(MEASURE_LABELS.items()), default="unit",
                          description=_l("IATI indicator measure. Qualitative indicators hold narratives, not "
                                         "numbers."))
    ascending = SelectField(_l("Direction"), coerce=coerce_direction, default=True, choices=choices([
        (True, _l("Higher is better (ascending)")), (False, _l("Lower is better (descending)"))]))
    unit = StringField(_l("Unit"), validators=[Optional(), MaxLength(60)],
                       description=_l("E.g. children, reports or days; the per cent sign for a percentage."))
    baseline_year = IntegerField(_l("Baseline year"), validators=[Optional(), NumberRange(min=1990, max=2100)])
    baseline_date = DateField(_l("Baseline date"), validators=[Optional()],
                              description=_l("Optional: the day the baseline was measured, within the baseline "
                                             "year."))
    baseline_value = StringField(_l("Baseline value"), description=VALUE_HINT,
                                 validators=[Optional(), MaxLength(40)])
    baseline_comment = TextAreaField(_l("Baseline comment"), validators=[Optional(), MaxLength(5000)],
                                     description=_l("For a qualitative indicator, the baseline narrative."))
    dimensions = TextAreaField(
        _l("Disaggregation"), validators=[Optional(), MaxLength(2000)],
        description=_l("One dimension per line: its name, a colon, then its values separated by commas, e.g. "
                       "“sex: female, male” or “age band: 10-12, 13-17”."),
    )
    public = BooleanField(
        _l("Publish in the fund's IATI data"),
        description=_l("IATI data is public: anyone can read it. When ticked, this indicator's title, definition, "
                       "unit, baseline, targets and approved actuals (with their comments and disaggregation) "
                       "and the result it measures are published in the fund's IATI file. Drafts and values "
                       "awaiting review never are. Tick it only when none of that text could identify a child, "
                       "a family or a staff member."),
    )


class PeriodForm(VersionedForm):
    start_date = DateField(_l("Period start"), validators=[InputRequired()])
    end_date = DateField(_l("Period end"), validators=[InputRequired()])
    target_value = StringField(_l("Target"), description=VALUE_HINT, validators=[Optional(), MaxLength(40)])
    target_comment = TextAreaField(_l("Target comment"), validators=[Optional(), MaxLength(5000)],
                                   description=_l("For a qualitative indicator, the intended change."))
    target_breakdown_partial = BooleanField(
        _l("The breakdown covers only part of the target"),
        description=_l("Tick when the groups are not meant to add up to the total."))

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data <= self.start_date.data:
            raise ValidationError(_l("The period must end after it starts: the end date is on or before the start "
                                     "date."))


class ActualForm(VersionedForm):
    value = StringField(_l("Actual value"), description=VALUE_HINT, validators=[Optional(), MaxLength(40)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), MaxLength(5000)],
                            description=_l("How the value was obtained and anything a reader needs to interpret it. "
                                           "For a qualitative indicator, the narrative of what changed."))
    breakdown_partial = BooleanField(
        _l("The breakdown covers only part of the total"),
        description=_l("Tick when some were not recorded by group (e.g. sex not asked at one event); say which in "
                       "the comment. Otherwise each group's values must add up to the total."))


class ReviewForm(Form):
    note = TextAreaField(_l("Review note"), validators=[Optional(), MaxLength(5000)],
                         description=_l("Required when returning the actual: say what needs to change."))


def with_breakdown(form_class, indicator, **kwargs):
    """Build ``form_class`` with one value field per ``(dimension, category)`` of the indicator."""
    keys = breakdown_keys(indicator)
    if not keys:
        return form_class(**kwargs)
    fields = {breakdown_field(index): StringField(f"{dimension}: {category}",
                                                  validators=[Optional(), MaxLength(40)])
              for index, (dimension, category) in enumerate(keys)}
    return type(form_class.__name__, (form_class,), fields)(**kwargs)


def breakdown_form_fields(form, indicator):
    """The breakdown fields of a form built by :func:`with_breakdown`, grouped by dimension."""
    grouped = []
    for index, (dimension, _category) in enumerate(breakdown_keys(indicator)):
        if not grouped or grouped[-1][0] != dimension:
            grouped.append((dimension, []))
        grouped[-1][1].append(form[breakdown_field(index)])
    return grouped
