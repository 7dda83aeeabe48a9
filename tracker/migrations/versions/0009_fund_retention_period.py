"""fund retention period

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 02:42:17.116391
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.drop_column('retention_months')

