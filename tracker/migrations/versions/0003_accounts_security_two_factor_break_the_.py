"""accounts security: two-factor, break the glass, append-only audit

Login sessions open before this revision have no ``verified_at``, so everyone logs
in again (and administrators and M&E staff set up two-factor authentication).
The triggers at the end make the audit trail append-only in the database itself.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:00:29.206358
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types

APPEND_ONLY_MESSAGE = "audit_entry is append-only"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_entry_no_{operation.lower()} BEFORE {operation} ON audit_entry
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
    for operation in ("UPDATE", "DELETE")
]

POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$""",
    """CREATE TRIGGER audit_entry_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_entry
        FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
        FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
]


def create_append_only_triggers():
    statements = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_TRIGGERS
    for statement in statements:
        op.execute(statement)


def drop_append_only_triggers():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update_or_delete ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('used_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_code_code_hash'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('totp_credential',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_totp_credential_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_totp_credential'))
    )
    op.create_table('break_glass_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_break_glass_grant_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_break_glass_grant_revoked_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_break_glass_grant_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass_grant'))
    )
    with op.batch_alter_table('break_glass_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_break_glass_grant_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_grant_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_break_glass_grant_user_project', ['user_id', 'project_id', 'expires_at'], unique=False)

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_actor_email_at', ['actor_email', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_ip_at', ['ip', 'at'], unique=False)

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', tracker.db_types.UTCDateTime(), nullable=True))

    create_append_only_triggers()


def downgrade():
    drop_append_only_triggers()
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('verified_at')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_ip_at')
        batch_op.drop_index('ix_audit_entry_actor_email_at')

    with op.batch_alter_table('break_glass_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_break_glass_grant_user_project')
        batch_op.drop_index(batch_op.f('ix_break_glass_grant_project_id'))
        batch_op.drop_index(batch_op.f('ix_break_glass_grant_created_at'))

    op.drop_table('break_glass_grant')
    op.drop_table('totp_credential')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
