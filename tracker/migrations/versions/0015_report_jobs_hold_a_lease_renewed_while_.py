"""report jobs hold a lease renewed while they run

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 02:13:33.137775
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', tracker.db_types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
