"""IATI publishing settings, public indicators, baseline date

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 01:44:18.586384
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('iati_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('reporting_org_ref', sa.String(length=100), nullable=False),
    sa.Column('reporting_org_name', sa.String(length=200), nullable=False),
    sa.Column('reporting_org_type', sa.String(length=2), nullable=False),
    sa.Column('default_sector', sa.String(length=5), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_iati_settings_fund_id_fund'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_iati_settings')),
    sa.UniqueConstraint('fund_id', name='uq_iati_settings_fund')
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('public')
        batch_op.drop_column('baseline_date')

    op.drop_table('iati_settings')
