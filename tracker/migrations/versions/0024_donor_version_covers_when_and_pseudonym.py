"""The donor version covers when it happened and the storyteller's pseudonym

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-07 05:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('story_donor_text', schema=None) as batch_op:
        batch_op.add_column(sa.Column('events_when', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('pseudonym', sa.String(length=80), server_default='', nullable=False))
    # Versions approved before this revision were approved with the story's own values shown to donors:
    # they keep showing those values until the next review.
    op.execute("UPDATE story_donor_text SET events_when = (SELECT story.events_when FROM story "
               "WHERE story.id = story_donor_text.story_id AND story.language = story_donor_text.language), "
               "pseudonym = (SELECT story.storyteller_pseudonym FROM story "
               "WHERE story.id = story_donor_text.story_id AND story.language = story_donor_text.language) "
               "WHERE EXISTS (SELECT 1 FROM story WHERE story.id = story_donor_text.story_id "
               "AND story.language = story_donor_text.language)")


def downgrade():
    with op.batch_alter_table('story_donor_text', schema=None) as batch_op:
        batch_op.drop_column('pseudonym')
        batch_op.drop_column('events_when')
