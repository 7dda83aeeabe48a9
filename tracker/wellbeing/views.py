from flask import url_for
from flask_babel import gettext as _

from tracker.db import get_session
from tracker.web.access import actor
from tracker.web.access import requires
from tracker.web.pages import form_page
from tracker.wellbeing import services
from tracker.wellbeing.forms import ThresholdForm
from tracker.wellbeing.panel import own_exposure
from tracker.wellbeing.rules import MIN_READERS


@requires("account.self")
def own_wellbeing():
    """The signed-in reader's own panel and threshold. There is no other person's version of this page."""
    session = get_session()
    form = ThresholdForm(data={"note_threshold": services.own_threshold(session, actor().user_id)})
    return form_page(form, "wellbeing/own.html",
                     lambda form: services.save_threshold(session, actor(), form.note_threshold.data),
                     url_for(".own_wellbeing"), saved=_("Your wellbeing setting is saved."),
                     context_for=lambda form: {"form": form, "exposure": own_exposure(),
                                               "min_readers": MIN_READERS})
