"""portfolio reports are rendered in parts and stitched

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_part',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('front', 'project', 'back', name='partkind', native_enum=False, length=16,
                              create_constraint=False), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('story_ids', sa.JSON(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['report_job.id'], name=op.f('fk_report_part_job_id_report_job'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'index', name=op.f('pk_report_part'))
    )
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts_total', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('parts_done', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.drop_column('parts_done')
        batch_op.drop_column('parts_total')
    op.drop_table('report_part')
