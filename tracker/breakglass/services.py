"""Open, find, list and revoke break-the-glass grants. Every change is audited in the same transaction."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.breakglass.models import BreakGlassGrant
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.db_types import utcnow

DEFAULT_DURATION = timedelta(hours=3)
MIN_REASON = 20
MAX_REASON = 1000


def active_grant(session, user, project, now=None):
    """Return the user's latest unrevoked, unexpired grant for ``project``, or None."""
    now = now or utcnow()
    return session.scalars(
        sa.select(BreakGlassGrant)
        .where(BreakGlassGrant.user_id == user.id, BreakGlassGrant.project_id == project.id,
               BreakGlassGrant.story_id.is_(None), BreakGlassGrant.expires_at > now,
               BreakGlassGrant.revoked_at.is_(None))
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    ).first()


def active_grants(session, user, now=None):
    """``{project id: grant}`` of the active grants ``user`` holds, the latest per project (one query)."""
    now = now or utcnow()
    grants = session.scalars(
        sa.select(BreakGlassGrant)
        .where(BreakGlassGrant.user_id == user.id, BreakGlassGrant.story_id.is_(None),
               BreakGlassGrant.expires_at > now, BreakGlassGrant.revoked_at.is_(None))
        .order_by(BreakGlassGrant.expires_at)
    )
    return {grant.project_id: grant for grant in grants}


def granted_project_ids(session, user, now=None):
    """The ids of the projects ``user`` holds an active grant for (one query)."""
    return set(active_grants(session, user, now))


def active_story_grant(session, user, story, now=None):
    """Return the user's unrevoked, unexpired grant to read sealed ``story``, or None."""
    now = now or utcnow()
    return session.scalars(
        sa.select(BreakGlassGrant)
        .where(BreakGlassGrant.user_id == user.id, BreakGlassGrant.story_id == story.id,
               BreakGlassGrant.expires_at > now, BreakGlassGrant.revoked_at.is_(None))
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    ).first()


def open_grant(session, actor, user, project, reason, duration=DEFAULT_DURATION, story=None):
    """Give ``user`` access to ``project``'s sensitive records (or only to sealed ``story`` of it) for
    ``duration``, for the stated ``reason``."""
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise ValidationFailed.on("reason", N_("Explain in at least %(count)d characters why you need this access.",
                                                        count=MIN_REASON))
    if len(reason) > MAX_REASON:
        raise ValidationFailed.on("reason", N_("Keep the reason under %(count)d characters.", count=MAX_REASON))
    now = utcnow()
    grant = BreakGlassGrant(user_id=user.id, project_id=project.id, reason=reason, created_at=now,
                            expires_at=now + duration, story_id=story.id if story is not None else None)
    session.add(grant)
    session.flush()
    object_type, object_id = ("story", story.id) if story is not None else ("project", project.id)
    record(session, actor, "break_glass", object_type, object_id, project_id=project.id, reason=reason,
           details={"grant": grant.id, "expires_at": grant.expires_at.isoformat()})
    return grant


def revoke_grant(session, actor, grant):
    """End a grant now; ending one that is already over changes nothing."""
    if not grant.is_active(utcnow()):
        return grant
    grant.revoked_at = utcnow()
    grant.revoked_by_id = actor.user_id
    session.add(grant)
    session.flush()
    record(session, actor, "update", "break_glass_grant", grant.id, project_id=grant.project_id,
           details={"fields": ["revoked_at"]})
    return grant


def get_grant(session, grant_id):
    return session.get(BreakGlassGrant, grant_id)


def list_grants(active_only=False, now=None):
    """Grants with their user and project, newest first (for :func:`tracker.common.pagination.paginate`)."""
    statement = (
        sa.select(BreakGlassGrant)
        .options(selectinload(BreakGlassGrant.user), selectinload(BreakGlassGrant.project))
        .order_by(BreakGlassGrant.created_at.desc(), BreakGlassGrant.id.desc())
    )
    if active_only:
        statement = statement.where(BreakGlassGrant.expires_at > (now or utcnow()),
                                    BreakGlassGrant.revoked_at.is_(None))
    return statement
