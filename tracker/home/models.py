"""The data version: one number that every committed change to the fund's records raises.

The homes cache their figures per audience under this number (:mod:`tracker.home.cache`), so a change made by
any worker process is seen by every other at its next request: each request reads the number with one cheap
query instead of trusting an in-process flag. Changes that no home counts (the audit trail, login sessions,
throttle counters, tokens, report jobs, accounts) do not raise it, or the cache would be emptied by every
sign-in.
"""

from itertools import chain

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import SQLModel

# The one row of ``data_version``.
ROW_ID = 1
# Tables whose changes no cached home figure reads.
UNCOUNTED_TABLES = frozenset({
    "audit_entry", "audit_alert", "login_session", "attempt_count", "api_token", "report_job",
    "user_account", "membership", "totp_credential", "recovery_code", "break_glass_grant", "data_version",
})
CHANGED = "tracker.home.data_changed"


class DataVersion(SQLModel, table=True):
    __tablename__ = "data_version"

    id: int = Field(default=ROW_ID, primary_key=True)
    version: int = Field(default=0)


def current_version(session):
    """The data version now (0 on a database without the row)."""
    return session.scalar(sa.select(DataVersion.version).where(DataVersion.id == ROW_ID)) or 0


def counts_for_homes(table_name):
    return table_name not in UNCOUNTED_TABLES


@sa.event.listens_for(sa.orm.Session, "before_flush")
def note_changed_records(session, _context, _instances):
    records = chain(session.new, session.dirty, session.deleted)
    if any(counts_for_homes(sa.inspect(record).mapper.local_table.name) for record in records):
        session.info[CHANGED] = True


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def note_bulk_statements(state):
    """Bulk INSERT/UPDATE/DELETE statements (imports, the benchmark's builder) bypass the flush."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is None or counts_for_homes(getattr(table, "name", "")):
            state.session.info[CHANGED] = True


@sa.event.listens_for(sa.orm.Session, "before_commit")
def raise_data_version(session):
    """In the committing transaction itself, so the new number and the change become visible together.

    ``before_commit`` runs before the commit's own flush, so the pending changes are flushed (and noted) first.
    """
    session.flush()
    if session.info.pop(CHANGED, False):
        session.execute(sa.update(DataVersion).where(DataVersion.id == ROW_ID)
                        .values(version=DataVersion.version + 1))


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def forget_rolled_back_changes(session):
    session.info.pop(CHANGED, None)
