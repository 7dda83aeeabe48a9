"""imports: mappings, batches, imported source ids

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 02:08:35.818554
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('outcomes', 'stories', name='importkind', native_enum=False, length=16), nullable=False),
    sa.Column('source', sa.String(length=160), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('mapping_name', sa.String(length=120), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_import_batch_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_import_batch_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index('ix_import_batch_project_created', ['project_id', 'created_at'], unique=False)

    op.create_table('import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('outcomes', 'stories', name='importkind', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_import_mapping_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_import_mapping_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mapping')),
    sa.UniqueConstraint('project_id', 'kind', 'name', name='uq_import_mapping_project_kind_name')
    )
    with op.batch_alter_table('import_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_mapping_project_id'), ['project_id'], unique=False)

    op.create_table('imported_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=160), nullable=False),
    sa.Column('source_id', sa.String(length=255), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_imported_record_batch_id_import_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_imported_record_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_record')),
    sa.UniqueConstraint('project_id', 'source', 'source_id', name='uq_imported_record_project_source_id')
    )
    with op.batch_alter_table('imported_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_record_batch_id'), ['batch_id'], unique=False)



def downgrade():
    with op.batch_alter_table('imported_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_record_batch_id'))

    op.drop_table('imported_record')
    with op.batch_alter_table('import_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_mapping_project_id'))

    op.drop_table('import_mapping')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_import_batch_project_created')

    op.drop_table('import_batch')
