"""claims: sufficiency of the causal package, a reason for strong below 0.5, influencing factors with their own
fields, and donor reports that may list claims in progress

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 05:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contribution_claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sufficiency', sa.Enum('sufficient', 'not_sufficient', 'not_yet_known',
                                                             name='sufficiency', native_enum=False,
                                                             create_constraint=False, length=16),
                                      nullable=False, server_default='not_yet_known'))
        batch_op.add_column(sa.Column('low_tracing_reason', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('contribution_claim', schema=None) as batch_op:
        batch_op.alter_column('sufficiency', server_default=None)
        batch_op.alter_column('low_tracing_reason', server_default=None)

    # Influencing factors recorded so far keep their status; their influence is not recorded yet (NULL).
    with op.batch_alter_table('alternative_explanation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('influence', sa.Enum('enabled', 'hindered', 'both', name='factorinfluence',
                                                           native_enum=False, create_constraint=False, length=16),
                                      nullable=True))
        batch_op.add_column(sa.Column('accounted_for', sa.Text(), nullable=False, server_default=''))
        batch_op.alter_column('status', existing_type=sa.String(length=16), nullable=True)
    with op.batch_alter_table('alternative_explanation', schema=None) as batch_op:
        batch_op.alter_column('accounted_for', server_default=None)

    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claims_in_progress', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.alter_column('claims_in_progress', server_default=None)


def downgrade():
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.drop_column('claims_in_progress')
    op.execute("UPDATE alternative_explanation SET status = 'plausible' WHERE status IS NULL")
    with op.batch_alter_table('alternative_explanation', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_column('accounted_for')
        batch_op.drop_column('influence')
    with op.batch_alter_table('contribution_claim', schema=None) as batch_op:
        batch_op.drop_column('low_tracing_reason')
        batch_op.drop_column('sufficiency')
