"""verdict acknowledgements, four eyes on actuals, partial breakdowns

Existing actuals take their submitter from their history (the last "submitted" event), and an approved copy
the submitter of the value that was approved. Verdicts start unacknowledged: a disagreement recorded before
this revision counts once M&E staff acknowledge it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 04:52:49.425844
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator_period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_breakdown_partial', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('period_actual', schema=None) as batch_op:
        batch_op.add_column(sa.Column('breakdown_partial', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_breakdown_partial', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_period_actual_approved_submitted_by_id_user_account'), 'user_account', ['approved_submitted_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_period_actual_submitted_by_id_user_account'), 'user_account', ['submitted_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('substantiation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_name', sa.String(length=254), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('acknowledged_at', tracker.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledgement', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_substantiation_acknowledged_by_id_user_account'), 'user_account', ['acknowledged_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('substantiation', schema=None) as batch_op:
        batch_op.alter_column('acknowledged_by_name', server_default=None)
        batch_op.alter_column('acknowledgement', server_default=None)
    op.execute(SUBMITTERS)
    op.execute(APPROVED_SUBMITTERS)


SUBMITTERS = """
UPDATE period_actual SET submitted_by_id = (
    SELECT actor_id FROM actual_event WHERE actual_event.actual_id = period_actual.id AND action = 'submitted'
    ORDER BY actual_event.id DESC LIMIT 1)
"""
APPROVED_SUBMITTERS = """
UPDATE period_actual SET approved_submitted_by_id = (
    SELECT submitted.actor_id FROM actual_event AS submitted
    WHERE submitted.actual_id = period_actual.id AND submitted.action = 'submitted'
      AND submitted.id < (SELECT MAX(approved.id) FROM actual_event AS approved
                          WHERE approved.actual_id = period_actual.id AND approved.action = 'approved')
    ORDER BY submitted.id DESC LIMIT 1)
WHERE approved_at IS NOT NULL
"""


def downgrade():
    with op.batch_alter_table('substantiation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_substantiation_acknowledged_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('acknowledgement')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('acknowledged_by_name')
        batch_op.drop_column('acknowledged_by_id')

    with op.batch_alter_table('period_actual', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_period_actual_submitted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_period_actual_approved_submitted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('approved_breakdown_partial')
        batch_op.drop_column('approved_submitted_by_id')
        batch_op.drop_column('submitted_by_id')
        batch_op.drop_column('breakdown_partial')

    with op.batch_alter_table('indicator_period', schema=None) as batch_op:
        batch_op.drop_column('target_breakdown_partial')

