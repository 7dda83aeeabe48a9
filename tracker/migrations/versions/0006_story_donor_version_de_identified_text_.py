"""story donor version: de-identified text approved by a reviewer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 02:07:26.404929
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

STORY_SEARCH_TRIGGERS = (
    'CREATE TRIGGER story_fts_after_insert AFTER INSERT ON story BEGIN INSERT INTO story_fts(rowid, title, '
    'what_happened, why_significant) VALUES (new.id, new.title, new.what_happened, new.why_significant); END',
    "CREATE TRIGGER story_fts_after_delete AFTER DELETE ON story BEGIN INSERT INTO story_fts(story_fts, rowid, "
    "title, what_happened, why_significant) VALUES ('delete', old.id, old.title, old.what_happened, "
    "old.why_significant); END",
    "CREATE TRIGGER story_fts_after_update AFTER UPDATE ON story BEGIN INSERT INTO story_fts(story_fts, rowid, "
    "title, what_happened, why_significant) VALUES ('delete', old.id, old.title, old.what_happened, "
    "old.why_significant); INSERT INTO story_fts(rowid, title, what_happened, why_significant) VALUES (new.id, "
    "new.title, new.what_happened, new.why_significant); END",
    "INSERT INTO story_fts(story_fts) VALUES ('rebuild')",
)


def upgrade():
    op.create_table('story_donor_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('why_significant', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_story_donor_text_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_donor_text')),
    sa.UniqueConstraint('story_id', 'language', name='uq_story_donor_text_story_language')
    )
    with op.batch_alter_table('story_donor_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_donor_text_story_id'), ['story_id'], unique=False)

    # ADD COLUMN, never a batch rebuild: rebuilding ``story`` on SQLite would drop its search triggers.
    op.add_column('story', sa.Column('donor_version_approved_at', tracker.db_types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_column('donor_version_approved_at')
    if op.get_bind().dialect.name == 'sqlite':
        # The batch rebuild of ``story`` dropped the search triggers of migration 0005: put them back.
        for statement in STORY_SEARCH_TRIGGERS:
            op.execute(statement)

    with op.batch_alter_table('story_donor_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_donor_text_story_id'))

    op.drop_table('story_donor_text')
