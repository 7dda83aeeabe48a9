from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from tracker.evidence.services import KIND_LABELS
from tracker.evidence.services import STRENGTH_LABELS
from tracker.toc.forms import coerce_optional_int
from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices

LONG_TEXT = 50_000


class EvidenceForm(VersionedForm):
    """One form for every kind of evidence; the page shows the fields of the kind being recorded."""

    title = StringField(_l("Title"), validators=[Optional(), MaxLength(300)])
    summary = TextAreaField(_l("What it shows"), validators=[Optional(), MaxLength(LONG_TEXT)])
    source = StringField(_l("Source"), validators=[Optional(), MaxLength(300)],
                         description=_l("Where it comes from, by role or organisation, never a private person's "
                                        "name, e.g. “Key-informant interview, provincial child-protection officer”."))
    collected_on = DateField(_l("Collected on"), validators=[Optional()])
    url = StringField(_l("Web address"), validators=[Optional(), MaxLength(2000)],
                      description=_l("A link starting with http:// or https://."))
    outcome_id = SelectField(_l("Outcome"), coerce=coerce_optional_int, validators=[Optional()], choices=[])
    story_id = SelectField(_l("Story"), coerce=coerce_optional_int, validators=[Optional()], choices=[],
                           description=_l("Only stories whose storytellers agreed to their internal use, and which "
                                          "safeguarding has not restricted, can serve as evidence."))
    period_id = SelectField(_l("Indicator result"), coerce=coerce_optional_int, validators=[Optional()], choices=[],
                            description=_l("A period's approved actual (or a submitted one, marked provisional)."))
    file = FileField(_l("File"))
    target = SelectField(_l("Supports"), validators=[Optional()],
                         description=_l("Optional: the link or assumption this evidence supports. You can attach it "
                                        "to more later."))
    strength = SelectField(_l("Strength"), choices=choices(STRENGTH_LABELS.items()), default="moderate")
    note = TextAreaField(_l("Why it supports it"), validators=[Optional(), MaxLength(LONG_TEXT)])


class AttachForm(Form):
    target = SelectField(_l("Supports"), validators=[Optional()])
    strength = SelectField(_l("Strength"), choices=choices(STRENGTH_LABELS.items()), default="moderate")
    note = TextAreaField(_l("Why it supports it"), validators=[Optional(), MaxLength(LONG_TEXT)])


class EvidenceFilterForm(Form):
    class Meta:
        csrf = False

    words = StringField(_l("Title or source contains"), validators=[Optional(), MaxLength(200)])
    kind = SelectField(_l("Kind"), validators=[Optional()],
                       choices=choices([("", _l("All kinds")), *KIND_LABELS.items()]))
    attached = SelectField(_l("Supports"), validators=[Optional()],
                           choices=choices([("", _l("Attached or not")),
                                            ("yes", _l("Attached to a link or an assumption")),
                                            ("no", _l("Not attached yet"))]))
