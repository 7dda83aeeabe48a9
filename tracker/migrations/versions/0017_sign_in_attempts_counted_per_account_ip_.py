"""sign-in attempts counted per account, IP and token

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 02:50:18.466249
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempt_count',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=254), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('window_ends_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'subject', name=op.f('pk_attempt_count'))
    )
    with op.batch_alter_table('attempt_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_count_window_ends_at'), ['window_ends_at'], unique=False)


def downgrade():
    with op.batch_alter_table('attempt_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_count_window_ends_at'))

    op.drop_table('attempt_count')
