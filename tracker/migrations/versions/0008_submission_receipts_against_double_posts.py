"""submission receipts against double posts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 02:25:48.171500
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submission_receipt',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_receipt'))
    )
    with op.batch_alter_table('submission_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_receipt_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_receipt_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('submission_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_receipt_user_id'))
        batch_op.drop_index(batch_op.f('ix_submission_receipt_created_at'))

    op.drop_table('submission_receipt')
