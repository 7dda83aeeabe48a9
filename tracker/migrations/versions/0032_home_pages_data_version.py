"""the data version that the home pages' cache is keyed on

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 12:10:00
"""

import sqlalchemy as sa
from alembic import op
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('data_version')
