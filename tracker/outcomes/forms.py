from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import AnyOf
from wtforms.validators import InputRequired
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from tracker.outcomes import smart
from tracker.outcomes.labels import choices_for
from tracker.outcomes.models import ActorKind
from tracker.outcomes.models import ChangeType
from tracker.outcomes.models import DatePrecision
from tracker.outcomes.models import HarvestStep
from tracker.outcomes.models import Intention
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.models import Valence
from tracker.outcomes.models import Verdict
from tracker.web.forms import CheckboxListField
from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices

LONG_TEXT = 20_000


class HarvestForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(200)],
                        description=_l("E.g. \"Mid-term harvest 2023\"."))
    period_start = DateField(_l("Period starts"), validators=[InputRequired()])
    period_end = DateField(_l("Period ends"), validators=[InputRequired()])
    questions = TextAreaField(
        _l("Harvest questions"), validators=[InputRequired(), MaxLength(LONG_TEXT)],
        description=_l("The questions the harvest answers, one per line, e.g. \"Which duty-bearers changed how they "
                       "respond to children who report online abuse?\""))
    intended_uses = TextAreaField(_l("Intended users and uses"), validators=[Optional(), MaxLength(LONG_TEXT)],
                                  description=_l("Who will use the findings, and for what."))
    step = SelectField(_l("Outcome Harvesting step reached"), choices=choices(choices_for(HarvestStep)),
                       default=HarvestStep.DESIGN.value)

    def validate_period_end(self, field):
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError(_l("The period must not end before it starts."))


class OutcomeForm(VersionedForm):
    harvest_id = SelectField(_l("Harvest"), coerce=int, validators=[InputRequired()])
    description = TextAreaField(
        _l("Outcome description"), validators=[InputRequired(), MaxLength(LONG_TEXT)],
        description=_l("Who changed what, when and where, in a sentence or two that someone who does not know the "
                       "project can understand."))
    social_actor = StringField(
        _l("Social actor"), validators=[Optional(), MaxLength(300)],
        description=_l("The organisation or role that changed, e.g. \"Da Nang Department of Labour, Invalids and "
                       "Social Affairs\" or \"school principals in Hai Chau district\". Never a private person."))
    social_actor_kind = RadioField(_l("The social actor is"), choices=choices(choices_for(ActorKind)),
                                   default=ActorKind.ORGANISATION.value)
    change_agent = StringField(_l("Change agent"), validators=[Optional(), MaxLength(300)],
                               description=_l("Who influenced the change: the project team or a partner."))
    change_date = DateField(_l("Date of the change"), validators=[Optional()])
    date_precision = SelectField(
        _l("Precision of the date"), choices=choices(choices_for(DatePrecision)), default=DatePrecision.MONTH.value,
        description=_l("For a month or a year, any day within it will do."))
    country_code = SelectField(_l("Country"), validators=[Optional()])
    area = StringField(_l("Area"), validators=[Optional(), MaxLength(200)],
                       description=_l("Province, district or city."))
    significance = TextAreaField(_l("Significance"), validators=[Optional(), MaxLength(LONG_TEXT)],
                                 description=_l("Why the change matters for children's safety online."))
    contribution = TextAreaField(_l("Contribution"), validators=[Optional(), MaxLength(LONG_TEXT)],
                                 description=_l("How the project plausibly influenced the change: who did what."))
    sources = TextAreaField(_l("Sources"), validators=[Optional(), MaxLength(LONG_TEXT)],
                            description=_l("Documents and informants (by role) that show the change."))
    change_type = SelectField(_l("Type of change"), choices=choices(choices_for(ChangeType)),
                              validators=[InputRequired()])
    intention = RadioField(_l("Intended or unintended"), choices=choices(choices_for(Intention)),
                           default=Intention.INTENDED.value)
    valence = RadioField(_l("Positive or negative"), choices=choices(choices_for(Valence)),
                         default=Valence.POSITIVE.value)
    toc_node_ids = CheckboxListField(_l("Theory-of-change elements"), coerce=int, validators=[Optional()],
                                     description=_l("The results this outcome relates to: tick as many as apply."))
    smart_specific = BooleanField(_l("Specific"), description=_l(smart.CRITERIA[0].question))
    smart_measurable = BooleanField(_l("Measurable"), description=_l(smart.CRITERIA[1].question))
    smart_achieved = BooleanField(_l("Achieved"), description=_l(smart.CRITERIA[2].question))
    smart_relevant = BooleanField(_l("Relevant"), description=_l(smart.CRITERIA[3].question))
    smart_timely = BooleanField(_l("Timely"), description=_l(smart.CRITERIA[4].question))

    def smart_fields(self):
        return [self[f"smart_{key}"] for key in smart.KEYS]

    def values(self):
        """The form's data as the service expects it."""
        data = dict(self.data)
        data["smart_checks"] = {key: data.pop(f"smart_{key}") for key in smart.KEYS}
        data["toc_node_ids"] = data.get("toc_node_ids") or []
        return data

    @classmethod
    def data_from(cls, outcome):
        data = {name: getattr(outcome, name) for name in (
            "harvest_id", "description", "social_actor", "change_agent", "change_date", "country_code", "area",
            "significance", "contribution", "sources")}
        data.update({name: getattr(outcome, name).value for name in (
            "social_actor_kind", "date_precision", "change_type", "intention", "valence")})
        data.update({f"smart_{key}": bool(outcome.smart_checks.get(key)) for key in smart.KEYS})
        data["toc_node_ids"] = [node.id for node in outcome.toc_nodes]
        data["version"] = outcome.version
        return data


class StatusForm(VersionedForm):
    target = HiddenField(validators=[InputRequired(), AnyOf([status.value for status in OutcomeStatus])])


class SubstantiatorForm(VersionedForm):
    name = StringField(_l("Name or role"), validators=[InputRequired(), MaxLength(200)],
                       description=_l("As the project knows them, e.g. \"Head of the district child-protection "
                                      "board\"."))
    organisation = StringField(_l("Organisation"), validators=[Optional(), MaxLength(200)])
    expertise = TextAreaField(_l("Expertise"), validators=[InputRequired(), MaxLength(2000)],
                              description=_l("What makes them knowledgeable about the outcomes."))
    is_independent = BooleanField(_l("Independent of the project"),
                                  description=_l("Tick if they have no stake in the project's success."),
                                  default=True)


VERDICT_CHOICES = choices(choices_for(Verdict))


class SubstantiationForm(Form):
    substantiator_id = SelectField(_l("Substantiator"), coerce=int, validators=[InputRequired()])
    verdict_description = RadioField(_l("On the description"), choices=VERDICT_CHOICES, validators=[InputRequired()])
    verdict_significance = RadioField(_l("On the significance"), choices=VERDICT_CHOICES,
                                      validators=[InputRequired()])
    verdict_contribution = RadioField(_l("On the contribution"), choices=VERDICT_CHOICES,
                                      validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), MaxLength(LONG_TEXT)],
                            description=_l("In the substantiator's words; required when they disagree."))
    given_on = DateField(_l("Date of the verdicts"), validators=[InputRequired()])


class AcknowledgementForm(Form):
    reason = TextAreaField(
        _l("Why the outcome stands despite the disagreement"), validators=[InputRequired(), MaxLength(LONG_TEXT)],
        description=_l("E.g. \"Two independent substantiators confirmed the contribution; the dissent concerns the "
                       "date, which the sources settle.\" Shown with the outcome in pages and reports."))


class OutcomeFilterForm(Form):
    """The outcome list's GET filters; invalid values are ignored."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    harvest = SelectField(_l("Harvest"), coerce=int, validators=[Optional()])
    change_type = SelectField(_l("Type of change"), validators=[Optional()])
    valence = SelectField(_l("Positive or negative"), validators=[Optional()])
    intention = SelectField(_l("Intended or unintended"), validators=[Optional()])
