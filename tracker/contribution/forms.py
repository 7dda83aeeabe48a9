from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Optional

from tracker.contribution import rules
from tracker.contribution.models import ClaimLevel
from tracker.contribution.models import ExplanationKind
from tracker.contribution.models import ExplanationStatus
from tracker.contribution.models import Necessity
from tracker.contribution.models import QualitativeConfidence
from tracker.contribution.models import Sufficiency
from tracker.contribution.services import CONFIDENCE_LABELS
from tracker.contribution.services import EXPLANATION_KIND_LABELS
from tracker.contribution.services import EXPLANATION_STATUS_LABELS
from tracker.contribution.services import INFLUENCE_LABELS
from tracker.contribution.services import LEVEL_LABELS
from tracker.contribution.services import NECESSITY_LABELS
from tracker.contribution.services import STEP_LABELS
from tracker.contribution.services import SUFFICIENCY_LABELS
from tracker.contribution.tracing.services import OBSERVATION_LABELS
from tracker.evidence.services import STRENGTH_LABELS
from tracker.toc.forms import coerce_optional_int
from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices

LONG_TEXT = 20_000


class ClaimForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(200)],
                        description=_l("A short name for the claim, e.g. “Chat channels brought children to "
                                       "counsellors”."))
    question = TextAreaField(
        _l("Cause–effect question"), validators=[InputRequired(), MaxLength(LONG_TEXT)],
        description=_l("The question the analysis answers, e.g. “Did the project contribute to more children being "
                       "referred to services, and how?”"))
    claim_text = TextAreaField(_l("Claim"), validators=[InputRequired(), MaxLength(LONG_TEXT)],
                               description=_l("What the project claims to have contributed, and to whom."))
    outcome_node_id = SelectField(_l("The result the claim is about"), coerce=coerce_optional_int,
                                  validators=[InputRequired()],
                                  description=_l("An outcome or the impact in the project's theory of change; the "
                                                 "pathway ends there."))
    level = SelectField(_l("Level of the claim"), choices=choices(LEVEL_LABELS.items()),
                        default=ClaimLevel.DIRECT_INFLUENCE.value)
    causal_package = TextAreaField(
        _l("Causal package"), validators=[Optional(), MaxLength(LONG_TEXT)],
        description=_l("What else had to be present for the result: other actors, policies, resources, conditions."))
    necessity = RadioField(_l("Was the project a necessary part of the package?"),
                           choices=choices(NECESSITY_LABELS.items()), default=Necessity.NOT_YET_KNOWN.value)
    sufficiency = RadioField(_l("Was the causal package sufficient for the result?"),
                             choices=choices(SUFFICIENCY_LABELS.items()), default=Sufficiency.NOT_YET_KNOWN.value,
                             description=_l("The project is usually one necessary part of a package that was "
                                            "enough, together, to bring the result about (an INUS cause)."))
    confidence = SelectField(
        _l("Confidence in the claim"), choices=choices(CONFIDENCE_LABELS.items()),
        default=QualitativeConfidence.NOT_ASSESSED.value,
        description=_l("The team's judgement. Strong needs every assumption on the pathway supported or partly "
                       "supported, no alternative explanation still plausible, and a contribution-tracing "
                       "confidence of at least 0.5 unless you record why below."))
    low_tracing_reason = TextAreaField(
        _l("Why strong although contribution tracing is below 0.5"), validators=[Optional(), MaxLength(LONG_TEXT)],
        description=_l("Only when the team judges the claim strong while tracing puts it below 0.5: the reason is "
                       "shown in reports beside the figure."))

    def set_choices(self, nodes, links, level_labels):
        """Offer the claimable results and the project's links (named "cause → effect") in every pathway slot."""
        self.outcome_node_id.choices = choices([("", _l("Choose a result"))] + [
            (node.id, f"{node.title} ({level_labels.get(str(node.level), node.level)})") for node in nodes])
        options = choices([("", _l("(none)"))] + list(links))
        for field in self.pathway_fields():
            field.choices = options
        return self

    def pathway_fields(self):
        return [self[f"link_{number}"] for number in range(1, rules.MAX_PATHWAY_LINKS + 1)]

    def values(self):
        data = {name: self[name].data for name in ("title", "question", "claim_text", "outcome_node_id", "level",
                                                   "causal_package", "necessity", "sufficiency", "confidence",
                                                   "low_tracing_reason")}
        data["pathway"] = [field.data for field in self.pathway_fields()]
        return data


for _number in range(1, rules.MAX_PATHWAY_LINKS + 1):
    setattr(ClaimForm, f"link_{_number}", SelectField(
        _l("Link %(number)d", number=_number), coerce=coerce_optional_int, validators=[Optional()],
        description=_l("The first link starts from what the project does.") if _number == 1 else ""))
del _number


class StepForm(VersionedForm):
    step = SelectField(_l("Move the claim to"), choices=choices(STEP_LABELS.items()))


class ExplanationForm(VersionedForm):
    kind = RadioField(_l("Kind"), choices=choices(EXPLANATION_KIND_LABELS.items()),
                      default=ExplanationKind.ALTERNATIVE_EXPLANATION.value)
    text = TextAreaField(_l("Description"), validators=[InputRequired(), MaxLength(LONG_TEXT)],
                         description=_l("Another cause that could explain the result, or a factor that helped or "
                                        "hindered it."))
    status = SelectField(_l("Status (alternative explanations)"), choices=choices(EXPLANATION_STATUS_LABELS.items()),
                         default=ExplanationStatus.PLAUSIBLE.value,
                         description=_l("Whether the rival explanation is ruled out, partly explains the result, or "
                                        "is still plausible."))
    influence = RadioField(_l("Effect on the result (influencing factors)"),
                           choices=choices(INFLUENCE_LABELS.items()), validate_choice=False)
    accounted_for = TextAreaField(_l("How the analysis took it into account (influencing factors)"),
                                  validators=[Optional(), MaxLength(LONG_TEXT)],
                                  description=_l("E.g. counted in the causal package, measured separately, or "
                                                 "a reason the claim stops short of a result."))
    note = TextAreaField(_l("Assessment"), validators=[Optional(), MaxLength(LONG_TEXT)],
                         description=_l("Why it is ruled out, partly explains the result, or remains plausible; "
                                        "for a factor, what is known about it."))
    external_factor_id = SelectField(_l("External factor in the theory of change"), coerce=coerce_optional_int,
                                     validators=[Optional()])


class ExplanationEvidenceForm(Form):
    evidence_id = SelectField(_l("Evidence item"), coerce=coerce_optional_int, validators=[InputRequired()])
    strength = SelectField(_l("Strength"), choices=choices(STRENGTH_LABELS.items()))
    note = TextAreaField(_l("Note"), validators=[Optional(), MaxLength(LONG_TEXT)],
                         description=_l("What this evidence says about the explanation."))


class StoryForm(Form):
    based_on = HiddenField()
    narrative = TextAreaField(
        _l("Contribution story"), validators=[InputRequired(), MaxLength(100_000)],
        description=_l("The causal narrative: how the project contributed along the pathway, the evidence for each "
                       "step, what else played a part, and how confident the team is."))
    change_note = StringField(_l("What changed in this revision"), validators=[Optional(), MaxLength(300)])


class ComponentForm(VersionedForm):
    entity = StringField(_l("Entity"), validators=[InputRequired(), MaxLength(200)],
                         description=_l("Who or what acts, e.g. “Childline Thailand's counsellors”."))
    activity = TextAreaField(_l("Activity"), validators=[InputRequired(), MaxLength(LONG_TEXT)],
                             description=_l("What the entity does in the mechanism, e.g. “answer chat contacts within "
                                            "five minutes”."))
    prior = StringField(_l("Prior confidence"), default="0.5", validators=[Optional(), MaxLength(40)],
                        description=_l("Strictly between 0 and 1; 0.5 (no lean either way) is the convention."))
    reason = TextAreaField(
        _l("Reason for changing the prior"), validators=[Optional(), MaxLength(LONG_TEXT)],
        description=_l("Needed when you change the prior of an existing component; kept with the change."))


class CtEvidenceForm(VersionedForm):
    description = TextAreaField(_l("Evidence sought"), validators=[InputRequired(), MaxLength(LONG_TEXT)],
                                description=_l("What would be observed if the component holds."))
    sensitivity = StringField(
        _l("Sensitivity (Se)"), validators=[MaxLength(40)],
        description=_l("P(evidence | component true): how likely you would find it if the component holds. "
                       "Strictly between 0 and 1."))
    type1_error = StringField(
        _l("Type I error (α)"), validators=[MaxLength(40)],
        description=_l("P(evidence | component false): how likely you would find it anyway if the component does "
                       "not hold. Strictly between 0 and 1."))
    observed = RadioField(_l("Was it found?"), choices=choices(OBSERVATION_LABELS.items()), default="pending")
    rationale = TextAreaField(_l("Why these probabilities"), validators=[Optional(), MaxLength(LONG_TEXT)])
    evidence_id = SelectField(_l("Evidence item (optional)"), coerce=coerce_optional_int, validators=[Optional()],
                              description=_l("The document, note or record this rests on."))
    reason = TextAreaField(
        _l("Reason for the change"), validators=[Optional(), MaxLength(LONG_TEXT)],
        description=_l("Needed when you change Se, α or whether it was found; kept with the change."))
    confirm_disconfirming = BooleanField(_l("Save it as disconfirming evidence: finding it lowers the confidence"))


class BandsForm(VersionedForm):
    """The fund's verbal confidence scale; its version is the fund's."""

    bands = TextAreaField(
        _l("Verbal scale"), validators=[Optional(), MaxLength(5000)],
        description=_l("One band per line: the lower bound, then the words, e.g. “0.50 more confident than not”. "
                       "The first band starts at 0. Leave empty to use the default scale."))
