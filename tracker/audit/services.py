"""Write audit entries inside the caller's transaction, so an action and its record stand or fall together."""

import json
from dataclasses import dataclass

from tracker.audit.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or the command line."""

    user_id: int | None
    email: str
    role: str
    ip: str | None = None

    @classmethod
    def command_line(cls, label="cli"):
        return cls(user_id=None, email=label, role="system")


def record(session, actor, action, object_type, object_id=None, *, project_id=None,
           reason=None, details=None):
    """Add an audit entry to ``session`` and flush it with the action it describes.

    ``details`` must not hold sensitive free text: record field names, not values.
    """
    entry = AuditEntry(
        actor_id=actor.user_id,
        actor_email=actor.email,
        actor_role=actor.role,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        project_id=project_id,
        ip=actor.ip,
        reason=reason,
        details=None if details is None else json.dumps(details, sort_keys=True, default=str),
    )
    session.add(entry)
    session.flush()
    return entry


def changed_fields(obj, values):
    """Return the names of the fields whose value in ``values`` differs from ``obj``'s."""
    return sorted(name for name, value in values.items() if getattr(obj, name) != value)
