"""toc level labels, indicators, periods and reviewed actuals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:56:42.895709
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('toc_level_label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('activity', 'output', 'short_term_outcome', 'intermediate_outcome', 'long_term_outcome', 'impact', name='nodelevel', native_enum=False), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_toc_level_label_fund_id_fund'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toc_level_label')),
    sa.UniqueConstraint('fund_id', 'level', name='uq_toc_level_label_fund_level')
    )
    with op.batch_alter_table('toc_level_label', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_toc_level_label_fund_id'), ['fund_id'], unique=False)

    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('means_of_verification', sa.Text(), nullable=False),
    sa.Column('measure', sa.Enum('unit', 'percentage', 'nominal', 'ordinal', 'qualitative', name='indicatormeasure', native_enum=False, length=16), nullable=False),
    sa.Column('ascending', sa.Boolean(), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=True),
    sa.Column('baseline_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('baseline_comment', sa.Text(), nullable=False),
    sa.Column('dimensions', sa.JSON(), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['toc_node.id'], name=op.f('fk_indicator_node_id_toc_node')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_indicator_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_node_id'), ['node_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_project_id'), ['project_id'], unique=False)

    op.create_table('indicator_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('target_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('target_comment', sa.Text(), nullable=False),
    sa.Column('target_breakdown', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_date < end_date', name=op.f('ck_indicator_period_starts_before_it_ends')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_period_indicator_id_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_period'))
    )
    with op.batch_alter_table('indicator_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_period_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('period_actual',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'approved', 'returned', name='actualstatus', native_enum=False, length=16), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('approved_value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('approved_comment', sa.Text(), nullable=True),
    sa.Column('approved_breakdown', sa.JSON(), nullable=True),
    sa.Column('approved_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_period_actual_approved_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['period_id'], ['indicator_period.id'], name=op.f('fk_period_actual_period_id_indicator_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_period_actual_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_actual')),
    sa.UniqueConstraint('period_id', name=op.f('uq_period_actual_period_id'))
    )
    with op.batch_alter_table('period_actual', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_actual_status'), ['status'], unique=False)

    op.create_table('actual_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actual_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('saved', 'submitted', 'approved', 'returned', name='actualaction', native_enum=False, length=16), nullable=False),
    sa.Column('at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=254), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_actual_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['actual_id'], ['period_actual.id'], name=op.f('fk_actual_event_actual_id_period_actual'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actual_event'))
    )
    with op.batch_alter_table('actual_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actual_event_actual_id'), ['actual_id'], unique=False)



def downgrade():
    with op.batch_alter_table('actual_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actual_event_actual_id'))

    op.drop_table('actual_event')
    with op.batch_alter_table('period_actual', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_actual_status'))

    op.drop_table('period_actual')
    with op.batch_alter_table('indicator_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_period_indicator_id'))

    op.drop_table('indicator_period')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_project_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_node_id'))

    op.drop_table('indicator')
    with op.batch_alter_table('toc_level_label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_toc_level_label_fund_id'))

    op.drop_table('toc_level_label')
