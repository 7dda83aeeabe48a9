"""contribution tracing: append-only revisions of Se, α, observations and priors; tests named in their direction

Every tracing input that exists at this revision gets one first revision (its current value, with the time it
was recorded), so that the history of every item starts somewhere. Stored steps of disconfirming evidence
(Se < α) are renamed by the test they amount to against the component (see ``bayes.classify``).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 05:20:00.000000
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "ct_revision is append-only"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER ct_revision_no_{operation.lower()} BEFORE {operation} ON ct_revision
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
    for operation in ("UPDATE", "DELETE")
]

POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION ct_revision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$""",
    """CREATE TRIGGER ct_revision_no_update_or_delete BEFORE UPDATE OR DELETE ON ct_revision
        FOR EACH ROW EXECUTE FUNCTION ct_revision_append_only()""",
    """CREATE TRIGGER ct_revision_no_truncate BEFORE TRUNCATE ON ct_revision
        FOR EACH STATEMENT EXECUTE FUNCTION ct_revision_append_only()""",
]

FIRST_REASON = "Value when revisions started to be kept"
# Every input's first revision: its value when revisions started to be kept (bound as :reason).
INSERT_REVISION = """INSERT INTO ct_revision (claim_id, component_id, ct_evidence_id, field, old_value, new_value,
                                 reason, changed_by_id, changed_by, changed_at)"""
FIRST_PRIORS = """SELECT c.claim_id, c.id, NULL, 'prior', NULL, CAST(c.prior AS VARCHAR(32)), :reason, NULL,
               'migration 0019', c.created_at FROM ct_component c"""
FIRST_ITEM_VALUES = """SELECT c.claim_id, c.id, e.id, :field, NULL, CAST(e.{column} AS VARCHAR(32)), :reason, NULL,
               'migration 0019', e.recorded_at FROM ct_evidence e JOIN ct_component c ON c.id = e.component_id"""
ITEM_INPUTS = ("sensitivity", "type1_error", "observed")


def first_revisions():
    """The statements that record every existing input's value as its first revision."""
    yield sa.text(INSERT_REVISION + " " + FIRST_PRIORS).bindparams(reason=FIRST_REASON)
    for column in ITEM_INPUTS:
        select_values = FIRST_ITEM_VALUES.replace("{column}", column)  # a fixed column name, never input
        yield sa.text(INSERT_REVISION + " " + select_values).bindparams(field=column, reason=FIRST_REASON)


# Disconfirming evidence (Se < α) is named by the test it amounts to against the component: Se and α swap roles.
RENAME_DISCONFIRMING_TESTS = """UPDATE ct_step SET test_type = CASE
        WHEN type1_error >= 0.8 AND sensitivity <= 0.2 THEN 'doubly_decisive'
        WHEN type1_error >= 0.8 THEN 'hoop'
        WHEN sensitivity <= 0.2 THEN 'smoking_gun'
        ELSE 'straw_in_the_wind' END
    WHERE sensitivity < type1_error"""
# Before 0019 the test was named from Se and α as they stand, whatever the direction.
RESTORE_UNDIRECTED_TESTS = """UPDATE ct_step SET test_type = CASE
        WHEN sensitivity >= 0.8 AND type1_error <= 0.2 THEN 'doubly_decisive'
        WHEN sensitivity >= 0.8 THEN 'hoop'
        WHEN type1_error <= 0.2 THEN 'smoking_gun'
        ELSE 'straw_in_the_wind' END
    WHERE sensitivity < type1_error"""


def create_append_only_triggers():
    statements = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_TRIGGERS
    for statement in statements:
        op.execute(statement)


def drop_append_only_triggers():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ct_revision_no_update")
        op.execute("DROP TRIGGER IF EXISTS ct_revision_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS ct_revision_no_truncate ON ct_revision")
        op.execute("DROP TRIGGER IF EXISTS ct_revision_no_update_or_delete ON ct_revision")
        op.execute("DROP FUNCTION IF EXISTS ct_revision_append_only()")


def upgrade():
    op.create_table('ct_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('ct_evidence_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('old_value', sa.String(length=32), nullable=True),
    sa.Column('new_value', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_by', sa.String(length=254), nullable=False),
    sa.Column('changed_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_revision'))
    )
    with op.batch_alter_table('ct_revision', schema=None) as batch_op:
        batch_op.create_index('ix_ct_revision_component_evidence', ['component_id', 'ct_evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_revision_claim_id'), ['claim_id'], unique=False)
    for statement in first_revisions():
        op.execute(statement)
    op.execute(RENAME_DISCONFIRMING_TESTS)
    create_append_only_triggers()


def downgrade():
    drop_append_only_triggers()
    op.execute(RESTORE_UNDIRECTED_TESTS)
    with op.batch_alter_table('ct_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ct_revision_claim_id'))
        batch_op.drop_index('ix_ct_revision_component_evidence')

    op.drop_table('ct_revision')
