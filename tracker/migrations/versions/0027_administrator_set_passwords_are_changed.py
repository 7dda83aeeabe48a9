"""administrator-set passwords are changed at first login

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 06:56:00
"""

import sqlalchemy as sa
from alembic import op
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
