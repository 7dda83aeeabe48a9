from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import Regexp

from tracker.iati import codes as codes
from tracker.iati import services
from tracker.web.forms import MaxLength
from tracker.web.forms import VersionedForm
from tracker.web.forms import choices

ORGANISATION_REF = Regexp(codes.ORGANISATION_REF.pattern, message=_l(
    "Write the registration agency's code, a hyphen and the number it issued, in capitals and without spaces, "
    "e.g. XM-DAC-41122."))

ORGANISATION_TYPE_LABELS = {
    "10": _l("Government"), "11": _l("Local government"), "15": _l("Other public sector"),
    "21": _l("International NGO"), "22": _l("National NGO"), "23": _l("Regional NGO"),
    "24": _l("Partner-country-based NGO"), "30": _l("Public–private partnership"), "40": _l("Multilateral"),
    "60": _l("Foundation"), "70": _l("Private sector"), "71": _l("Private sector in provider country"),
    "72": _l("Private sector in aid recipient country"), "73": _l("Private sector in third country"),
    "80": _l("Academic, training and research"), "90": _l("Other"),
}


class IatiSettingsForm(VersionedForm):
    """The fund as IATI reporting organisation (used with ``prefix="iati"`` beside the fund form)."""

    reporting_org_ref = StringField(
        _l("Reporting organisation identifier"), validators=[InputRequired(), MaxLength(100), ORGANISATION_REF],
        description=_l("The fund's IATI organisation identifier: the registration agency's code, a hyphen and the "
                       "number it issued, e.g. XM-DAC-41122 or GB-CHC-1234567. Every project's IATI identifier "
                       "must begin with it and a hyphen."))
    reporting_org_name = StringField(_l("Reporting organisation name"),
                                     validators=[InputRequired(), MaxLength(200)])
    reporting_org_type = SelectField(_l("Reporting organisation type"), validators=[InputRequired()],
                                     choices=choices(ORGANISATION_TYPE_LABELS.items()),
                                     description=_l("Its IATI OrganisationType."))
    default_sector = SelectField(
        _l("Sector"), validators=[InputRequired()],
        # DAC purpose codes and their official (English) names, as the IATI Sector codelist gives them.
        choices=choices((code, f"{code} – {name}") for code, name in codes.DAC_SECTORS.items()),
        default=codes.DEFAULT_SECTOR,
        description=_l("The OECD DAC 5-digit purpose code of the fund's activities. 15160 Human rights covers "
                       "programmes protecting children's rights."))
    language = SelectField(_l("Language of the texts"), validators=[InputRequired()], default="en",
                           # A callable: pycountry reads its languages when the form is shown, not at app start.
                           choices=lambda: choices(codes.language_choices()))


def settings_form(session, fund, formdata=None):
    """The IATI part of the fund settings page, filled from the stored settings or sensible defaults."""
    settings = services.get_settings(session, fund)
    if settings is not None:
        data = {**services.settings_values(settings), "version": settings.version}
    else:
        data = {"reporting_org_name": fund.name, "reporting_org_type": "60"}
    return IatiSettingsForm(prefix="iati", data=data, formdata=formdata)
