"""Write audit entries inside the caller's transaction, so an action and its record stand or fall together."""

import json
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.audit.models import AuditAlert
from tracker.audit.models import AuditEntry
from tracker.db_types import utcnow


class AppendOnlyViolation(RuntimeError):
    """Code tried to change or delete an audit entry: a programming error, never allowed."""


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


def record_each(session, actor, action, object_type, object_ids, *, project_id=None, details=None):
    """Like :func:`record` for several objects at once, in one INSERT (a page of reads costs one statement)."""
    rows = [{"at": utcnow(), "actor_id": actor.user_id, "actor_email": actor.email, "actor_role": actor.role,
             "action": action, "object_type": object_type, "object_id": str(object_id), "project_id": project_id,
             "ip": actor.ip, "reason": None,
             "details": None if details is None else json.dumps(details, sort_keys=True, default=str)}
            for object_id in object_ids]
    if rows:
        session.execute(sa.insert(AuditEntry.__table__), rows)


@dataclass(frozen=True)
class Shown:
    """Records of one project that one list page, search result page or export showed together."""

    project_id: int | None
    object_ids: tuple
    reason: str | None = None
    grant_id: int | None = None


def record_shown(session, actor, object_type, shown, *, where):
    """Audit that ``where`` (a list, search result page, export or API list) showed these records.

    One ``read`` entry per record, so that "who read this story?" finds list and
    search reads as it finds detail pages, all in one INSERT. A read through a
    break-the-glass grant carries the grant's reason and id.
    """
    rows = [{"at": utcnow(), "actor_id": actor.user_id, "actor_email": actor.email, "actor_role": actor.role,
             "action": "read", "object_type": object_type, "object_id": str(object_id),
             "project_id": item.project_id, "ip": actor.ip, "reason": item.reason,
             "details": json.dumps({"shown_in": where,
                                    **({"break_glass_grant": item.grant_id} if item.grant_id else {})},
                                   sort_keys=True)}
            for item in shown for object_id in item.object_ids]
    if rows:
        session.execute(sa.insert(AuditEntry.__table__), rows)


def changed_fields(obj, values):
    """Return the names of the fields whose value in ``values`` differs from ``obj``'s."""
    return sorted(name for name, value in values.items() if getattr(obj, name) != value)


@sa.event.listens_for(Session, "before_flush")
def refuse_changed_audit_entries(session, _flush_context, _instances):
    """The ORM half of the append-only rule: a changed or deleted audit entry never reaches the database."""
    changed = [entry for entry in session.dirty if isinstance(entry, AuditEntry) and session.is_modified(entry)]
    deleted = [entry for entry in session.deleted if isinstance(entry, AuditEntry)]
    if changed or deleted:
        raise AppendOnlyViolation("audit entries can only be added, never changed or deleted")
    if any(isinstance(alert, AuditAlert) for alert in session.deleted):
        raise AppendOnlyViolation("alerts are closed with a note, never deleted")


@sa.event.listens_for(Session, "do_orm_execute")
def refuse_bulk_audit_changes(state):
    """Also refuse ``session.execute(update(AuditEntry))`` and ``delete(AuditEntry)``."""
    if (state.is_update or state.is_delete) and any(
            mapper.class_ is AuditEntry for mapper in state.all_mappers):
        raise AppendOnlyViolation("audit entries can only be added, never changed or deleted")
    if state.is_delete and any(mapper.class_ is AuditAlert for mapper in state.all_mappers):
        raise AppendOnlyViolation("alerts are closed with a note, never deleted")


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page filters on; None means "any". Dates are UTC days, both inclusive."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    project_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self):
        return {name: value.isoformat() if isinstance(value, date) else value
                for name, value in vars(self).items() if value not in (None, "")}


def start_of_day(day):
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_statement(filters):
    """The entries matching ``filters``, newest first; every filter has an index."""
    statement = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.actor:
        statement = statement.where(AuditEntry.actor_email == filters.actor.strip().lower())
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.object_type:
        statement = statement.where(AuditEntry.object_type == filters.object_type)
    if filters.project_id:
        statement = statement.where(AuditEntry.project_id == filters.project_id)
    if filters.date_from:
        statement = statement.where(AuditEntry.at >= start_of_day(filters.date_from))
    if filters.date_to:
        statement = statement.where(AuditEntry.at < start_of_day(filters.date_to + timedelta(days=1)))
    return statement


def distinct_values(session, column):
    return list(session.scalars(sa.select(column).distinct().order_by(column)))


def recorded_actions(session):
    return distinct_values(session, AuditEntry.action)


def recorded_object_types(session):
    return distinct_values(session, AuditEntry.object_type)
