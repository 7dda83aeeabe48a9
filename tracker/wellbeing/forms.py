from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from tracker.web.forms import Form
from tracker.wellbeing.rules import THRESHOLD_RANGE


class ThresholdForm(Form):
    note_threshold = IntegerField(
        _l("Show me a note when I have read this many distressing stories in a week"),
        description=_l("Leave it empty if you would rather not see the note. Only you see this number."),
        validators=[Optional(), NumberRange(min=THRESHOLD_RANGE[0], max=THRESHOLD_RANGE[1])])
