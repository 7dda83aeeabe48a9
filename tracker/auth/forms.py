from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length

from tracker.auth.passwords import MAX_LENGTH
from tracker.auth.passwords import MIN_LENGTH
from tracker.inbox.models import Frequency
from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices

LANGUAGE_CHOICES = choices([("", _l("Browser default")), ("en", "English"), ("fr", "Français"), ("es", "Español")])
PASSWORD_HINT = _l("At least %(min)d characters. A few unrelated words make a strong, memorable password.",
                   min=MIN_LENGTH)

MEMBERSHIP_HINT = _l("Grantees see only these projects. Hold Ctrl (or Cmd) to choose several.")


class LoginForm(Form):
    email = EmailField(_l("Email address"), validators=[InputRequired(), MaxLength(254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), MaxLength(MAX_LENGTH)])


class LogoutForm(Form):
    pass


def new_password_field(label):
    return PasswordField(label, description=PASSWORD_HINT,
                         validators=[InputRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)])


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = new_password_field(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[InputRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


class PreferencesForm(Form):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    notifications = RadioField(_l("E-mails about your to-dos"), choices=choices([
        (Frequency.IMMEDIATELY.value, _l("Immediately, when something new is waiting for you")),
        (Frequency.DAILY.value, _l("One digest a day")),
        (Frequency.NEVER.value, _l("Never (the inbox still lists them)"))]),
        description=_l("E-mails name what kind of to-do is waiting and link to it: never a story, an outcome or a "
                       "person."))


class UserCreateForm(Form):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Email(), MaxLength(254)])
    display_name = StringField(_l("Name"), validators=[InputRequired(), MaxLength(120)])
    role = SelectField(_l("Role"), validators=[InputRequired(message=_l("Choose the role of the new account."))])
    password = new_password_field(_l("Initial password"))
    projects = SelectMultipleField(_l("Project memberships"), coerce=int, description=MEMBERSHIP_HINT)


class UserEditForm(VersionedForm):
    display_name = StringField(_l("Name"), validators=[InputRequired(), MaxLength(120)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    is_active = BooleanField(_l("Account active"), description=_l("Deactivating ends the user's sessions at once."))
    is_data_protection_lead = BooleanField(
        _l("Data-protection lead"),
        description=_l("Reads the access overview of the audit trail and its alerts. Only for an administrator "
                       "or M&E account."))
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    projects = SelectMultipleField(_l("Project memberships"), coerce=int, description=MEMBERSHIP_HINT)


class PasswordResetForm(Form):
    password = new_password_field(_l("New password"))


class SecondFactorForm(Form):
    code = StringField(
        _l("Authentication code"),
        description=_l("The 6-digit code from your authenticator app, or one of your recovery codes."),
        validators=[InputRequired(), MaxLength(40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class EnrolForm(Form):
    code = StringField(
        _l("Code from the app"),
        description=_l("After adding the account, type the 6 digits the app shows."),
        validators=[InputRequired(), MaxLength(12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class PasswordConfirmForm(Form):
    password = PasswordField(_l("Your password"), validators=[InputRequired(), MaxLength(MAX_LENGTH)])


class ResetTwoFactorForm(Form):
    pass
