"""notification preferences and the log of notifications sent

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 12:10:00
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Enum('immediately', 'daily', 'never', name='frequency', native_enum=False,
                                   length=16), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_notification_preference_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preference'))
    )
    op.create_table('notification_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('todo_key', sa.String(length=200), nullable=False),
    sa.Column('sent_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_notification_sent_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_sent')),
    sa.UniqueConstraint('user_id', 'todo_key', name='uq_notification_sent_user_key')
    )
    with op.batch_alter_table('notification_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_sent_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notification_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_sent_user_id'))
    op.drop_table('notification_sent')
    op.drop_table('notification_preference')
