"""audit entries cannot be replaced

SQLite's ``INSERT OR REPLACE`` (and ``REPLACE INTO``) deletes the row it conflicts with without firing
delete triggers unless ``recursive_triggers`` is on (:mod:`tracker.db` turns it on for every
connection); this trigger refuses such an insert before anything happens, whatever the connection's
settings. PostgreSQL needs no trigger: an upsert's update is refused by the update trigger, and the app's
own role has no UPDATE privilege on the table (:mod:`tracker.db_roles`).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 05:00:00
"""

from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

NO_REPLACE = """CREATE TRIGGER audit_entry_no_replace BEFORE INSERT ON audit_entry
    WHEN EXISTS (SELECT 1 FROM audit_entry WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END"""


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(NO_REPLACE)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_replace")
