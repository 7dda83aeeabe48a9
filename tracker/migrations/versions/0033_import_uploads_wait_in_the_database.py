"""import uploads wait in the database between their steps

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 13:40:00

Creates ``import_upload``: an upload waiting between the import steps, its content a ``stored_file``. Uploads
still waiting in ``instance/imports/`` are not moved (they expire within ``IMPORT_UPLOAD_MINUTES``): their
uploaders upload the file again; delete that folder once the upgraded instance runs.
"""

import sqlalchemy as sa
from alembic import op

import tracker.db_types
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('suffix', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=True),
    sa.Column('mapping_name', sa.String(length=120), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('content_key', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_import_upload_project_id_project'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_import_upload_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_import_upload_token'))
    )
    op.create_index(op.f('ix_import_upload_created_at'), 'import_upload', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_import_upload_created_at'), table_name='import_upload')
    op.drop_table('import_upload')
