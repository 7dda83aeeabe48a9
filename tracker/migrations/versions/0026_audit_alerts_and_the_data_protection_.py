"""audit alerts and the data-protection lead

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 05:37:45.982884
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signal', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=254), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('period_start', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('period_end', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('entry_ids', sa.Text(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('raised_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='alertstatus', native_enum=False, length=16), nullable=False),
    sa.Column('closed_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_alert')),
    sa.UniqueConstraint('signal', 'subject', 'period_start', name='uq_audit_alert_pattern')
    )
    with op.batch_alter_table('audit_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_alert_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_alert_signal'), ['signal'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_alert_status'), ['status'], unique=False)

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_insight', ['action', 'at', 'object_type', 'actor_id', 'project_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_data_protection_lead', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('is_data_protection_lead')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_insight')

    with op.batch_alter_table('audit_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_alert_status'))
        batch_op.drop_index(batch_op.f('ix_audit_alert_signal'))
        batch_op.drop_index(batch_op.f('ix_audit_alert_raised_at'))

    op.drop_table('audit_alert')
