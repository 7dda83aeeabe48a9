"""versions on every record an edit form changes (optimistic locking)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 09:00:00.000000

Existing rows start at version 1, the columns' server default. It stays: SQLite can drop a default only by
rebuilding the table, which would also drop the full-text search triggers of ``story_translation``.
The fund's ``updated_at`` starts at its ``created_at``.
"""

import sqlalchemy as sa
from alembic import op

import tracker.db_types

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

VERSIONED = ('story_translation', 'assumption', 'external_factor', 'substantiator', 'alternative_explanation',
             'msc_domain', 'msc_selection', 'ct_component', 'ct_evidence', 'organisation', 'pillar', 'fund')

# Dropping a column rebuilds the table on SQLite, without its triggers: the search triggers of 0005 come back.
STORY_TRANSLATION_TRIGGERS = (
    'CREATE TRIGGER story_translation_fts_after_insert AFTER INSERT ON story_translation BEGIN INSERT INTO story_translation_fts(rowid, title, what_happened, why_significant) VALUES (new.id, new.title, new.what_happened, new.why_significant); END',
    "CREATE TRIGGER story_translation_fts_after_delete AFTER DELETE ON story_translation BEGIN INSERT INTO story_translation_fts(story_translation_fts, rowid, title, what_happened, why_significant) VALUES ('delete', old.id, old.title, old.what_happened, old.why_significant); END",
    "CREATE TRIGGER story_translation_fts_after_update AFTER UPDATE ON story_translation BEGIN INSERT INTO story_translation_fts(story_translation_fts, rowid, title, what_happened, why_significant) VALUES ('delete', old.id, old.title, old.what_happened, old.why_significant); INSERT INTO story_translation_fts(rowid, title, what_happened, why_significant) VALUES (new.id, new.title, new.what_happened, new.why_significant); END",
)


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=True))
    op.execute("UPDATE fund SET updated_at = created_at")
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=tracker.db_types.UTCDateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
    if op.get_bind().dialect.name == 'sqlite':
        for statement in STORY_TRANSLATION_TRIGGERS:
            op.execute(statement)
