"""report jobs and the stories each report file holds

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 03:18:15.476901
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('kind', sa.Enum('project', 'portfolio', name='reportkind', native_enum=False, length=16), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('internal', 'donor', name='audience', native_enum=False, length=16), nullable=False),
    sa.Column('format', sa.Enum('pdf', 'html', name='reportformat', native_enum=False, length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', 'revoked', 'expired', name='jobstatus', native_enum=False, length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('started_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('finished_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('expires_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('file_name', sa.String(length=80), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=False),
    sa.CheckConstraint('period_start IS NULL OR period_end IS NULL OR period_start <= period_end', name=op.f('ck_report_job_period_in_order')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_report_job_fund_id_fund'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_report_job_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_id'], ['user_account.id'], name=op.f('fk_report_job_requester_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_job')),
    sa.UniqueConstraint('token', name=op.f('uq_report_job_token'))
    )
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_job_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_job_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_job_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_report_job_requester_created', ['requester_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_job_status'), ['status'], unique=False)

    op.create_table('report_job_story',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['report_job.id'], name=op.f('fk_report_job_story_job_id_report_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'story_id', name=op.f('pk_report_job_story'))
    )
    with op.batch_alter_table('report_job_story', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_job_story_story_id'), ['story_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_job_story', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_job_story_story_id'))

    op.drop_table('report_job_story')
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_job_status'))
        batch_op.drop_index('ix_report_job_requester_created')
        batch_op.drop_index(batch_op.f('ix_report_job_project_id'))
        batch_op.drop_index(batch_op.f('ix_report_job_fund_id'))
        batch_op.drop_index(batch_op.f('ix_report_job_expires_at'))

    op.drop_table('report_job')
