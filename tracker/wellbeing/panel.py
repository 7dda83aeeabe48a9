"""The wellbeing panel's figures for the signed-in reader: what a page that includes
``templates/wellbeing/_panel.html`` passes to its ``wellbeing_panel`` macro.

It takes no user id: whoever is signed in sees their own figures, and no one else's can be asked for.
"""

from flask_login import current_user

from tracker.db import get_session
from tracker.db_types import utcnow
from tracker.wellbeing import services


def own_exposure():
    return services.exposure_for(get_session(), current_user.id, utcnow().date())
