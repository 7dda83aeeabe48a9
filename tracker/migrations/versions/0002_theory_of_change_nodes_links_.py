"""theory of change: nodes, links, assumptions, versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:48:08.740795
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('toc_node',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('activity', 'output', 'short_term_outcome', 'intermediate_outcome', 'long_term_outcome', 'impact', name='nodelevel', native_enum=False), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('sphere', sa.Enum('control', 'influence', name='sphere', native_enum=False, length=16), nullable=False),
    sa.Column('is_precondition', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_toc_node_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toc_node'))
    )
    with op.batch_alter_table('toc_node', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_toc_node_project_id'), ['project_id'], unique=False)

    op.create_table('toc_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('frozen_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('frozen_by_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['user_account.id'], name=op.f('fk_toc_version_frozen_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_toc_version_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toc_version')),
    sa.UniqueConstraint('project_id', 'number', name='uq_toc_version_project_number')
    )
    with op.batch_alter_table('toc_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_toc_version_project_id'), ['project_id'], unique=False)

    op.create_table('external_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['toc_node.id'], name=op.f('fk_external_factor_node_id_toc_node'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_factor'))
    )
    with op.batch_alter_table('external_factor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_factor_node_id'), ['node_id'], unique=False)

    op.create_table('toc_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('cause_id', sa.Integer(), nullable=False),
    sa.Column('effect_id', sa.Integer(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('cause_id <> effect_id', name=op.f('ck_toc_link_not_a_self_loop')),
    sa.ForeignKeyConstraint(['cause_id'], ['toc_node.id'], name=op.f('fk_toc_link_cause_id_toc_node'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['effect_id'], ['toc_node.id'], name=op.f('fk_toc_link_effect_id_toc_node'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_toc_link_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toc_link')),
    sa.UniqueConstraint('cause_id', 'effect_id', name='uq_toc_link_cause_effect')
    )
    with op.batch_alter_table('toc_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_toc_link_cause_id'), ['cause_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_toc_link_effect_id'), ['effect_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_toc_link_project_id'), ['project_id'], unique=False)

    op.create_table('assumption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('untested', 'supported', 'partly_supported', 'not_supported', name='assumptionstatus', native_enum=False), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['toc_link.id'], name=op.f('fk_assumption_link_id_toc_link'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assumption'))
    )
    with op.batch_alter_table('assumption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assumption_link_id'), ['link_id'], unique=False)



def downgrade():
    with op.batch_alter_table('assumption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assumption_link_id'))

    op.drop_table('assumption')
    with op.batch_alter_table('toc_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_toc_link_project_id'))
        batch_op.drop_index(batch_op.f('ix_toc_link_effect_id'))
        batch_op.drop_index(batch_op.f('ix_toc_link_cause_id'))

    op.drop_table('toc_link')
    with op.batch_alter_table('external_factor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_factor_node_id'))

    op.drop_table('external_factor')
    with op.batch_alter_table('toc_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_toc_version_project_id'))

    op.drop_table('toc_version')
    with op.batch_alter_table('toc_node', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_toc_node_project_id'))

    op.drop_table('toc_node')
