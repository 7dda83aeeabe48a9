from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length

from tracker.breakglass.services import MAX_REASON
from tracker.breakglass.services import MIN_REASON
from tracker.web.forms import Form


class BreakGlassForm(Form):
    reason = TextAreaField(
        _l("Why do you need to open this project's sensitive records?"),
        description=_l("For example: the safeguarding lead asked me to check a story reported as identifying a "
                       "child. Other administrators see this reason, and it is kept with every record you open."),
        validators=[InputRequired(), Length(min=MIN_REASON, max=MAX_REASON, message=_l(
            "Explain in %(min)d to %(max)d characters why you need this access.", min=MIN_REASON, max=MAX_REASON))],
    )


class SealedTextForm(Form):
    reason = TextAreaField(
        _l("Why do you need this story's sealed text?"),
        description=_l("For example: a safeguarding referral to the child-protection service needs what the child "
                       "told us. The reason is kept with every reading, and the access ends by itself."),
        validators=[InputRequired(), Length(min=MIN_REASON, max=MAX_REASON, message=_l(
            "Explain in %(min)d to %(max)d characters why you need this access.", min=MIN_REASON, max=MAX_REASON))],
    )


class RevokeForm(Form):
    pass
