"""claims may start as their question alone

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 03:17:33.117169
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contribution_claim', schema=None) as batch_op:
        batch_op.alter_column('outcome_node_id',
               existing_type=sa.INTEGER(),
               nullable=True)



def downgrade():
    with op.batch_alter_table('contribution_claim', schema=None) as batch_op:
        batch_op.alter_column('outcome_node_id',
               existing_type=sa.INTEGER(),
               nullable=False)

