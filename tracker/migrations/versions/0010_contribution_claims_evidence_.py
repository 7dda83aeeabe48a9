"""contribution claims, evidence, contribution tracing

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 02:11:25.443076
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('confidence_band',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('lower_bound', sa.Float(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.CheckConstraint('lower_bound >= 0 AND lower_bound < 1', name=op.f('ck_confidence_band_lower_bound_in_range')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_confidence_band_fund_id_fund'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confidence_band')),
    sa.UniqueConstraint('fund_id', 'lower_bound', name='uq_confidence_band_fund_lower_bound')
    )
    with op.batch_alter_table('confidence_band', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confidence_band_fund_id'), ['fund_id'], unique=False)

    op.create_table('contribution_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('claim_text', sa.Text(), nullable=False),
    sa.Column('outcome_node_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('minimalist', 'direct_influence', 'indirect_influence', name='claimlevel', native_enum=False), nullable=False),
    sa.Column('causal_package', sa.Text(), nullable=False),
    sa.Column('necessity', sa.Enum('necessary', 'not_necessary', 'not_yet_known', name='necessity', native_enum=False, length=16), nullable=False),
    sa.Column('step', sa.Enum('set_out_question', 'postulate_toc', 'gather_evidence', 'assemble_story', 'seek_evidence', 'revise_story', name='castep', native_enum=False), nullable=False),
    sa.Column('confidence', sa.Enum('not_assessed', 'weak', 'moderate', 'strong', name='qualitativeconfidence', native_enum=False, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_contribution_claim_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outcome_node_id'], ['toc_node.id'], name=op.f('fk_contribution_claim_outcome_node_id_toc_node')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_contribution_claim_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution_claim'))
    )
    with op.batch_alter_table('contribution_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_claim_outcome_node_id'), ['outcome_node_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_claim_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_contribution_claim_project_step', ['project_id', 'step'], unique=False)

    op.create_table('alternative_explanation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('influencing_factor', 'alternative_explanation', name='explanationkind', native_enum=False), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('ruled_out', 'partly', 'plausible', name='explanationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('external_factor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['contribution_claim.id'], name=op.f('fk_alternative_explanation_claim_id_contribution_claim'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['external_factor_id'], ['external_factor.id'], name=op.f('fk_alternative_explanation_external_factor_id_external_factor'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alternative_explanation'))
    )
    with op.batch_alter_table('alternative_explanation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alternative_explanation_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alternative_explanation_external_factor_id'), ['external_factor_id'], unique=False)

    op.create_table('claim_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['contribution_claim.id'], name=op.f('fk_claim_link_claim_id_contribution_claim'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['toc_link.id'], name=op.f('fk_claim_link_link_id_toc_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_link')),
    sa.UniqueConstraint('claim_id', 'link_id', name='uq_claim_link_claim_link'),
    sa.UniqueConstraint('claim_id', 'position', name='uq_claim_link_claim_position')
    )
    with op.batch_alter_table('claim_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_link_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_link_link_id'), ['link_id'], unique=False)

    op.create_table('contribution_story',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('step', sa.Enum('set_out_question', 'postulate_toc', 'gather_evidence', 'assemble_story', 'seek_evidence', 'revise_story', name='castep', native_enum=False), nullable=False),
    sa.Column('change_note', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=254), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_contribution_story_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['claim_id'], ['contribution_claim.id'], name=op.f('fk_contribution_story_claim_id_contribution_claim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution_story')),
    sa.UniqueConstraint('claim_id', 'number', name='uq_contribution_story_claim_number')
    )
    with op.batch_alter_table('contribution_story', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_story_claim_id'), ['claim_id'], unique=False)

    op.create_table('ct_component',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=200), nullable=False),
    sa.Column('activity', sa.Text(), nullable=False),
    sa.Column('prior', sa.Float(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('confidence > 0 AND confidence < 1', name=op.f('ck_ct_component_confidence_in_range')),
    sa.CheckConstraint('prior > 0 AND prior < 1', name=op.f('ck_ct_component_prior_in_range')),
    sa.ForeignKeyConstraint(['claim_id'], ['contribution_claim.id'], name=op.f('fk_ct_component_claim_id_contribution_claim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_component')),
    sa.UniqueConstraint('claim_id', 'position', name='uq_ct_component_claim_position')
    )
    with op.batch_alter_table('ct_component', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_component_claim_id'), ['claim_id'], unique=False)

    op.create_table('evidence_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('outcome', 'story', 'indicator_result', 'document', 'web_link', 'interview', 'observation', name='evidencekind', native_enum=False), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('collected_on', sa.Date(), nullable=True),
    sa.Column('outcome_id', sa.Integer(), nullable=True),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('period_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_evidence_item_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcome.id'], name=op.f('fk_evidence_item_outcome_id_outcome'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['period_id'], ['indicator_period.id'], name=op.f('fk_evidence_item_period_id_indicator_period'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_evidence_item_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_evidence_item_story_id_story'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_item'))
    )
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_item_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_item_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_item_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_evidence_item_project_kind', ['project_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_item_story_id'), ['story_id'], unique=False)

    op.create_table('ct_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('sensitivity', sa.Float(), nullable=False),
    sa.Column('type1_error', sa.Float(), nullable=False),
    sa.Column('observed', sa.Enum('found', 'not_found', 'pending', name='observation', native_enum=False, length=16), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('sensitivity > 0 AND sensitivity < 1', name=op.f('ck_ct_evidence_sensitivity_in_range')),
    sa.CheckConstraint('type1_error > 0 AND type1_error < 1', name=op.f('ck_ct_evidence_type1_error_in_range')),
    sa.ForeignKeyConstraint(['component_id'], ['ct_component.id'], name=op.f('fk_ct_evidence_component_id_ct_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_item.id'], name=op.f('fk_ct_evidence_evidence_id_evidence_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_ct_evidence_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_evidence')),
    sa.UniqueConstraint('component_id', 'position', name='uq_ct_evidence_component_position')
    )
    with op.batch_alter_table('ct_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_evidence_component_id'), ['component_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_evidence_evidence_id'), ['evidence_id'], unique=False)

    op.create_table('evidence_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('assumption_id', sa.Integer(), nullable=True),
    sa.Column('strength', sa.Enum('strong', 'moderate', 'weak', name='strength', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(link_id IS NULL) <> (assumption_id IS NULL)', name=op.f('ck_evidence_attachment_one_target')),
    sa.ForeignKeyConstraint(['assumption_id'], ['assumption.id'], name=op.f('fk_evidence_attachment_assumption_id_assumption'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_evidence_attachment_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_item.id'], name=op.f('fk_evidence_attachment_evidence_id_evidence_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['toc_link.id'], name=op.f('fk_evidence_attachment_link_id_toc_link'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_attachment')),
    sa.UniqueConstraint('evidence_id', 'assumption_id', name='uq_evidence_attachment_evidence_assumption'),
    sa.UniqueConstraint('evidence_id', 'link_id', name='uq_evidence_attachment_evidence_link')
    )
    with op.batch_alter_table('evidence_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_attachment_assumption_id'), ['assumption_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_attachment_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_attachment_link_id'), ['link_id'], unique=False)

    op.create_table('explanation_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('explanation_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('strength', sa.Enum('strong', 'moderate', 'weak', name='strength', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_explanation_evidence_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_item.id'], name=op.f('fk_explanation_evidence_evidence_id_evidence_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['explanation_id'], ['alternative_explanation.id'], name=op.f('fk_explanation_evidence_explanation_id_alternative_explanation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_explanation_evidence')),
    sa.UniqueConstraint('explanation_id', 'evidence_id', name='uq_explanation_evidence_explanation_evidence')
    )
    with op.batch_alter_table('explanation_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_explanation_evidence_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_explanation_evidence_explanation_id'), ['explanation_id'], unique=False)

    op.create_table('ct_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('ct_evidence_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('observed', sa.Enum('found', 'not_found', 'pending', name='observation', native_enum=False, length=16), nullable=False),
    sa.Column('sensitivity', sa.Float(), nullable=False),
    sa.Column('type1_error', sa.Float(), nullable=False),
    sa.Column('test_type', sa.Enum('hoop', 'smoking_gun', 'doubly_decisive', 'straw_in_the_wind', name='evidencetest', native_enum=False), nullable=False),
    sa.Column('prior', sa.Float(), nullable=False),
    sa.Column('posterior', sa.Float(), nullable=False),
    sa.Column('computed_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['ct_component.id'], name=op.f('fk_ct_step_component_id_ct_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ct_evidence_id'], ['ct_evidence.id'], name=op.f('fk_ct_step_ct_evidence_id_ct_evidence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ct_step')),
    sa.UniqueConstraint('component_id', 'position', name='uq_ct_step_component_position')
    )
    with op.batch_alter_table('ct_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ct_step_component_id'), ['component_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ct_step_ct_evidence_id'), ['ct_evidence_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ct_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ct_step_ct_evidence_id'))
        batch_op.drop_index(batch_op.f('ix_ct_step_component_id'))

    op.drop_table('ct_step')
    with op.batch_alter_table('explanation_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_explanation_evidence_explanation_id'))
        batch_op.drop_index(batch_op.f('ix_explanation_evidence_evidence_id'))

    op.drop_table('explanation_evidence')
    with op.batch_alter_table('evidence_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_attachment_link_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_attachment_evidence_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_attachment_assumption_id'))

    op.drop_table('evidence_attachment')
    with op.batch_alter_table('ct_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ct_evidence_evidence_id'))
        batch_op.drop_index(batch_op.f('ix_ct_evidence_component_id'))

    op.drop_table('ct_evidence')
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_item_story_id'))
        batch_op.drop_index('ix_evidence_item_project_kind')
        batch_op.drop_index(batch_op.f('ix_evidence_item_project_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_item_period_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_item_outcome_id'))

    op.drop_table('evidence_item')
    with op.batch_alter_table('ct_component', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ct_component_claim_id'))

    op.drop_table('ct_component')
    with op.batch_alter_table('contribution_story', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_story_claim_id'))

    op.drop_table('contribution_story')
    with op.batch_alter_table('claim_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_link_link_id'))
        batch_op.drop_index(batch_op.f('ix_claim_link_claim_id'))

    op.drop_table('claim_link')
    with op.batch_alter_table('alternative_explanation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alternative_explanation_external_factor_id'))
        batch_op.drop_index(batch_op.f('ix_alternative_explanation_claim_id'))

    op.drop_table('alternative_explanation')
    with op.batch_alter_table('contribution_claim', schema=None) as batch_op:
        batch_op.drop_index('ix_contribution_claim_project_step')
        batch_op.drop_index(batch_op.f('ix_contribution_claim_project_id'))
        batch_op.drop_index(batch_op.f('ix_contribution_claim_outcome_node_id'))

    op.drop_table('contribution_claim')
    with op.batch_alter_table('confidence_band', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confidence_band_fund_id'))

    op.drop_table('confidence_band')
