"""The demo's wellbeing panel: the M&E officer has chosen a note threshold and has read distressing stories
today, so their panel (``/account/wellbeing``) shows the note with the fund's support contacts.

The month of reading before it comes from :mod:`tracker.audit.seeding`. Today's reads come from the
documentation addresses 198.51.100.0/24, which also mark them as loaded: loading twice adds nothing.
"""


import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.db_types import utcnow
from tracker.msc.models import Story
from tracker.wellbeing.models import ReaderSetting
from tracker.wellbeing.services import DISTRESSING

READER = "me@example.org"
THRESHOLD = 10
ADDRESS = "198.51.100.7"


def load(session, _actor, context):
    reader = context["users"].get(READER)
    if reader is None or session.scalar(sa.select(AuditEntry.id).where(AuditEntry.ip == ADDRESS).limit(1)):
        return
    if session.get(ReaderSetting, reader.id) is None:
        session.add(ReaderSetting(user_id=reader.id, note_threshold=THRESHOLD))
    stories = session.execute(sa.select(Story.id, Story.project_id).where(Story.distress_level.in_(DISTRESSING))
                              .order_by(Story.id)).all()
    now = utcnow()
    since = now.replace(hour=0, minute=0, second=0, microsecond=0)
    step = (now - since) / (len(stories) + 1)
    rows = [{"at": since + step * number, "actor_id": reader.id, "actor_email": reader.email,
             "actor_role": reader.role.value, "action": "read", "object_type": "story",
             "object_id": str(story_id), "project_id": project_id, "ip": ADDRESS, "reason": None, "details": None}
            for number, (story_id, project_id) in enumerate(stories, start=1)]
    if rows:
        session.execute(sa.insert(AuditEntry.__table__), rows)
    session.flush()
