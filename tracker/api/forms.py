from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from tracker.api.tokens import MAX_DAYS
from tracker.api.tokens import MAX_NAME
from tracker.auth.passwords import MAX_LENGTH
from tracker.web.forms import Form
from tracker.web.forms import MaxLength


class NewTokenForm(Form):
    name = StringField(_l("What will use the token?"), validators=[InputRequired(), MaxLength(MAX_NAME)],
                       description=_l("For example “Kobo sync” or “Donor dashboard”, so you can tell tokens apart."))
    days = IntegerField(_l("Expires after (days)"), validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)],
                        description=_l("Leave empty for a token that lasts until you revoke it."))
    password = PasswordField(_l("Your password"), validators=[InputRequired(), MaxLength(MAX_LENGTH)],
                             description=_l("A token can do everything your account can, so confirm it is you."))


class RevokeTokenForm(Form):
    pass
