import wtforms
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import FieldList
from wtforms import FormField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from tracker.msc.labels import choices_for
from tracker.msc.languages import language_choices
from tracker.msc.models import AgeBand
from tracker.msc.models import CycleStatus
from tracker.msc.models import DistressLevel
from tracker.msc.models import FeedbackKind
from tracker.msc.models import PanelMethod
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import StorytellerCategory
from tracker.msc.models import VerificationResult
from tracker.msc.services import MAX_STORY_TEXT
from tracker.web.forms import CheckboxListField
from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices

STORY_TEXT = Length(max=MAX_STORY_TEXT, message=_l("Keep this text under 50,000 characters."))
NOTE = MaxLength(20_000)


def language_select(label, **kwargs):
    return SelectField(label, choices=choices([("", _l("Choose a language")), *language_choices()]), **kwargs)


class StoryForm(VersionedForm):
    domain_id = SelectField(_l("Cycle and domain of change"), coerce=int, validators=[InputRequired()],
                            description=_l("The domain the storyteller's change belongs to; \"any other change\" "
                                           "if none fits."))
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(300)],
                        description=_l("A short title in the story's own language."))
    language = language_select(_l("Language the story is written in"), validators=[InputRequired()])
    what_happened = TextAreaField(
        _l("What happened"), validators=[InputRequired(), STORY_TEXT],
        description=_l("In the storyteller's own words and language. Leave out names, schools, addresses and anything "
                       "else that could identify a child."))
    why_significant = TextAreaField(
        _l("Why this change is significant to the storyteller"), validators=[InputRequired(), STORY_TEXT])
    events_when = StringField(_l("When it happened"), validators=[Optional(), MaxLength(120)],
                              description=_l("As precisely as the storyteller said, e.g. \"early 2021\"."))
    country_code = SelectField(_l("Country"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Optional(), MaxLength(200)],
                        description=_l("District or city; shown to donors only if the safeguarding review allows."))
    collector = StringField(_l("Collected by"), validators=[InputRequired(), MaxLength(200)],
                            description=_l("Role and organisation, e.g. \"Village volunteer, World Vision Vietnam\"."))
    collected_on = DateField(_l("Collected on"), validators=[InputRequired()])
    storyteller_pseudonym = StringField(
        _l("Storyteller's pseudonym"), validators=[InputRequired(), MaxLength(80)],
        description=_l("Never the real name. The pseudonym is all donors ever see of who told the story."))
    storyteller_category = SelectField(
        _l("The storyteller is a"), validators=[InputRequired()], choices=choices(choices_for(StorytellerCategory)),
        description=_l("Professionals include counsellors, social workers, police, prosecutors and health workers."))
    age_band = SelectField(_l("Age band"), choices=choices(choices_for(AgeBand)), default=AgeBand.NOT_RECORDED.value)
    toc_node_ids = CheckboxListField(_l("Theory-of-change elements"), coerce=int, validators=[Optional()],
                                     description=_l("The results this story relates to: tick as many as apply."))

    STORY_FIELDS = ("domain_id", "title", "language", "what_happened", "why_significant", "events_when",
                    "country_code", "place", "collector", "collected_on", "storyteller_pseudonym",
                    "storyteller_category", "age_band", "toc_node_ids")

    @classmethod
    def data_from(cls, story):
        data = {name: getattr(story, name) for name in cls.STORY_FIELDS if name != "toc_node_ids"}
        data["storyteller_category"] = story.storyteller_category.value
        data["age_band"] = story.age_band.value
        data["toc_node_ids"] = [node.id for node in story.toc_nodes]
        return data


class ConsentFields:
    """The consent record's fields, shared by the new-story form and the consent form."""

    storyteller_consent = BooleanField(_l("The storyteller consented"),
                                       description=_l("For an adult or a young person of 18 or over."))
    guardian_consent = BooleanField(_l("A parent or guardian consented"), description=_l("Required for a child."))
    child_assent = BooleanField(_l("The child gave their own assent"), description=_l("Required for a child, "
                                                                                      "in addition to the guardian."))
    obtained_on = DateField(_l("Consent obtained on"), validators=[Optional()])
    form_name = StringField(_l("Consent form"), validators=[Optional(), MaxLength(200)],
                            description=_l("E.g. \"MSC story consent and assent form\"."))
    form_version = StringField(_l("Form version"), validators=[Optional(), MaxLength(40)])
    scope_internal = BooleanField(_l("Internal learning"),
                                  description=_l("The project and the fund's M&E team may read and discuss it."))
    scope_donor = BooleanField(_l("Donor reporting"),
                               description=_l("A de-identified version may appear in reports to donors."))
    scope_public = BooleanField(_l("Public"),
                                description=_l("A de-identified version may be published (includes donor reporting)."))
    named = BooleanField(_l("The storyteller agreed to be named in public material"),
                         description=_l("The tracker still stores only the pseudonym."))

    CONSENT_FIELDS = ("storyteller_consent", "guardian_consent", "child_assent", "obtained_on", "form_name",
                      "form_version", "scope_internal", "scope_donor", "scope_public", "named")

    def consent_values(self):
        return {name: self[name].data for name in self.CONSENT_FIELDS}


class NewStoryForm(ConsentFields, StoryForm):
    """A new story: its text and, always, its consent record."""


class ConsentForm(ConsentFields, VersionedForm):
    @classmethod
    def data_from(cls, consent):
        return {name: getattr(consent, name) for name in cls.CONSENT_FIELDS} | {"version": consent.version}


class WithdrawalForm(VersionedForm):
    withdrawn_on = DateField(_l("Consent withdrawn on"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), NOTE],
                         description=_l("How the withdrawal was received; no personal details."))


class DonorTextForm(wtforms.Form):
    """The donor version of the story's text in one language (nested: the outer form carries CSRF)."""

    language = HiddenField()
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(300)])
    what_happened = TextAreaField(_l("What happened"), validators=[InputRequired(), MaxLength(MAX_STORY_TEXT)])
    why_significant = TextAreaField(_l("Why it is significant to the storyteller"),
                                    validators=[InputRequired(), MaxLength(MAX_STORY_TEXT)])
    # Shown with the original language only (the service says when they are needed).
    events_when = StringField(_l("When it happened"), validators=[Optional(), MaxLength(120)])
    pseudonym = StringField(_l("Storyteller's pseudonym"), validators=[Optional(), MaxLength(80)])


class DonorVersionForm(VersionedForm):
    texts = FieldList(FormField(DonorTextForm))
    remaining_checked = BooleanField(
        _l("I checked every highlighted item that remains in the text: it identifies no one"))

    def texts_by_language(self):
        return {entry.form.language.data: {name: entry.form[name].data for name in
                                           ("title", "what_happened", "why_significant", "events_when", "pseudonym")}
                for entry in self.texts}


class SafeguardingForm(VersionedForm):
    status = RadioField(_l("Safeguarding decision"), choices=choices(choices_for(SafeguardingStatus)),
                        validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), NOTE],
                         description=_l("Required when restricting: what makes sharing unsafe."))
    place_shareable = BooleanField(_l("Donors may see the place, not only the country"),
                                   description=_l("Only when the place cannot identify the storyteller."))
    # Optional: a review sent without a level (older clients, the import) keeps the proposed one.
    distress_level = RadioField(_l("Distressing content"), choices=choices(choices_for(DistressLevel)),
                                validators=[Optional()],
                                description=_l("How hard the story is to read. Colleagues see how much distressing "
                                               "material they have read, for their own wellbeing."))


class TranslationForm(VersionedForm):
    language = language_select(_l("Language of the translation"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(300)])
    what_happened = TextAreaField(_l("What happened"), validators=[InputRequired(), STORY_TEXT])
    why_significant = TextAreaField(_l("Why this change is significant to the storyteller"),
                                    validators=[InputRequired(), STORY_TEXT])
    translator_note = TextAreaField(_l("Translator's note"), validators=[Optional(), NOTE],
                                    description=_l("Who translated (role), and any choice of words worth knowing."))


class StoryFilterForm(Form):
    """GET filters of the story lists; invalid values are ignored."""

    class Meta:
        csrf = False

    project = SelectField(_l("Project"), coerce=int, validators=[Optional()])
    cycle = SelectField(_l("Cycle"), coerce=int, validators=[Optional()])
    consent = SelectField(_l("Consent"), validators=[Optional()])
    safeguarding = SelectField(_l("Safeguarding"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])


class CycleForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(200)],
                        description=_l("E.g. \"Fund-wide MSC cycle 2023–24\"."))
    project_id = SelectField(_l("Project"), coerce=int, validators=[Optional()],
                             description=_l("Leave at \"the whole fund\" for a fund-level cycle open to every "
                                            "project."))
    period_start = DateField(_l("Reporting period starts"), validators=[InputRequired()])
    period_end = DateField(_l("Reporting period ends"), validators=[InputRequired()])
    description = TextAreaField(_l("Purpose and instructions"), validators=[Optional(), NOTE])
    status = SelectField(_l("Status"), choices=choices(choices_for(CycleStatus)), default=CycleStatus.OPEN.value)
    levels = TextAreaField(_l("Selection levels"), validators=[Optional(), MaxLength(2000)],
                           description=_l("One per line, lowest first, e.g. Project, Country, Fund."))

    def validate_period_end(self, field):
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError(_l("The reporting period must not end before it starts."))


class DomainForm(VersionedForm):
    name = StringField(_l("Domain of change"), validators=[InputRequired(), MaxLength(120)])
    definition = TextAreaField(_l("Definition"), validators=[Optional(), NOTE],
                               description=_l("What kinds of change belong here, in words storytellers understand."))


class LevelForm(Form):
    name = StringField(_l("New level above the current top level"), validators=[InputRequired(), MaxLength(120)])


class PanelForm(Form):
    level_id = SelectField(_l("Selection level"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Panel name"), validators=[InputRequired(), MaxLength(200)])
    method = SelectField(_l("Method"), choices=choices(choices_for(PanelMethod)), validators=[InputRequired()])
    members = TextAreaField(_l("Members"), validators=[InputRequired(), MaxLength(4000)],
                            description=_l("One per line: role and organisation."))
    project_id = SelectField(_l("Only stories of the project"), coerce=int, validators=[Optional()])
    country_code = SelectField(_l("Only stories from the country"), validators=[Optional()])
    met_on = DateField(_l("Met on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), NOTE])


class DecisionForm(VersionedForm):
    selected = RadioField(_l("The panel's decision"), coerce=int, validators=[InputRequired()],
                          choices=choices([(1, _l("Selected as most significant")), (0, _l("Not selected"))]))
    reasons = TextAreaField(_l("Reasons"), validators=[Optional(), NOTE],
                            description=_l("Required for a selection: in full sentences, why this story is the most "
                                           "significant. They are attached to the story and fed back."))
    dissent = TextAreaField(_l("Dissent"), validators=[Optional(), NOTE],
                            description=_l("Who disagreed (by role) and why, if anyone did."))
    joint_reason = TextAreaField(_l("Reason for a joint selection"), validators=[Optional(), NOTE],
                                 description=_l("A panel selects one story per domain. Only if it selects a second "
                                                "story in this domain: why the two are selected together."))
    decided_on = DateField(_l("Decided on"), validators=[InputRequired()])
    # Set by the confirmation page that lists the higher selections undone with this one.
    undo_higher = HiddenField()


class FeedbackForm(Form):
    kind = RadioField(_l("Feedback"), choices=choices(choices_for(FeedbackKind)), validators=[InputRequired()])
    recipients = StringField(_l("Sent to"), validators=[InputRequired(), MaxLength(300)],
                             description=_l("Roles, e.g. \"the storyteller, through the village volunteer\"."))
    channel = StringField(_l("How"), validators=[Optional(), MaxLength(120)],
                          description=_l("E.g. in person, letter, meeting."))
    sent_on = DateField(_l("Sent on"), validators=[InputRequired()])
    content = TextAreaField(_l("What it said"), validators=[InputRequired(), NOTE])


class VerificationForm(Form):
    method = StringField(_l("Method"), validators=[InputRequired(), MaxLength(300)],
                         description=_l("E.g. \"follow-up visit with the club facilitator\"."))
    verifier = StringField(_l("Verified by"), validators=[InputRequired(), MaxLength(200)],
                           description=_l("Role and organisation."))
    result = RadioField(_l("Result"), choices=choices(choices_for(VerificationResult)), validators=[InputRequired()])
    verified_on = DateField(_l("Verified on"), validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), NOTE])
