"""report parts keep their layout, and the front part is numbered in a step of its own

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 15:00:00

``report_part`` gains ``anchors`` and ``bookmarks`` (read from the part's PDF once, when it is rendered; empty
for parts rendered before this version, which the stitch reads then), ``numbered`` (the front part carries the
page numbers of its contents), ``furniture`` (the running heads and page numbers of every page, rendered with
them) and ``evidence_cited`` (the entries of Annex A, counted then).
"""

import sqlalchemy as sa
from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_part', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anchors', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('bookmarks', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('numbered', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('furniture', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('evidence_cited', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('report_part', schema=None) as batch_op:
        batch_op.drop_column('evidence_cited')
        batch_op.drop_column('furniture')
        batch_op.drop_column('numbered')
        batch_op.drop_column('bookmarks')
        batch_op.drop_column('anchors')
