"""reader wellbeing: distressing-content level, readers' own setting, support contacts

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 12:10:00
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.add_column(sa.Column('distress_level', sa.Enum('none', 'some', 'severe', name='distresslevel',
                                                                native_enum=False, length=16), nullable=True))

    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wellbeing_support', sa.Text(), nullable=False, server_default=''))

    op.create_table('reader_wellbeing',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('note_threshold', sa.Integer(), nullable=True),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reader_wellbeing_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reader_wellbeing'))
    )


def downgrade():
    op.drop_table('reader_wellbeing')

    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.drop_column('wellbeing_support')

    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_column('distress_level')
