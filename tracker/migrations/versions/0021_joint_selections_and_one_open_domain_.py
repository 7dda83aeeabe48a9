"""joint selections and one open domain per cycle

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 04:53:06.858875
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('msc_domain', schema=None) as batch_op:
        batch_op.create_index('uq_msc_domain_one_open_per_cycle', ['cycle_id'], unique=True, sqlite_where=sa.text('is_open'), postgresql_where=sa.text('is_open'))

    with op.batch_alter_table('msc_selection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joint_reason', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('msc_selection', schema=None) as batch_op:
        batch_op.drop_column('joint_reason')

    with op.batch_alter_table('msc_domain', schema=None) as batch_op:
        batch_op.drop_index('uq_msc_domain_one_open_per_cycle', sqlite_where=sa.text('is_open'), postgresql_where=sa.text('is_open'))

