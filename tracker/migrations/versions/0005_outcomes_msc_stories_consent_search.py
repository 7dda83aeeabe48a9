"""outcomes, msc stories, consent, search

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:34:36.662317
"""

import sqlalchemy as sa
from alembic import op
import tracker.db_types
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Full-text search (see tracker/db_search.py). Written out here so that this
# migration stays what it was when it ran, whatever the application code becomes.
# SQLite: FTS5 external-content tables kept in sync by triggers. A later migration
# that rebuilds outcome, story or story_translation in batch mode drops these
# triggers and must re-create them (tests/test_search.py checks they exist at head).
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE outcome_fts USING fts5(description, social_actor, significance, contribution, content='outcome', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    'CREATE TRIGGER outcome_fts_after_insert AFTER INSERT ON outcome BEGIN INSERT INTO outcome_fts(rowid, description, social_actor, significance, contribution) VALUES (new.id, new.description, new.social_actor, new.significance, new.contribution); END',
    "CREATE TRIGGER outcome_fts_after_delete AFTER DELETE ON outcome BEGIN INSERT INTO outcome_fts(outcome_fts, rowid, description, social_actor, significance, contribution) VALUES ('delete', old.id, old.description, old.social_actor, old.significance, old.contribution); END",
    "CREATE TRIGGER outcome_fts_after_update AFTER UPDATE ON outcome BEGIN INSERT INTO outcome_fts(outcome_fts, rowid, description, social_actor, significance, contribution) VALUES ('delete', old.id, old.description, old.social_actor, old.significance, old.contribution); INSERT INTO outcome_fts(rowid, description, social_actor, significance, contribution) VALUES (new.id, new.description, new.social_actor, new.significance, new.contribution); END",
    "INSERT INTO outcome_fts(outcome_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE story_fts USING fts5(title, what_happened, why_significant, content='story', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    'CREATE TRIGGER story_fts_after_insert AFTER INSERT ON story BEGIN INSERT INTO story_fts(rowid, title, what_happened, why_significant) VALUES (new.id, new.title, new.what_happened, new.why_significant); END',
    "CREATE TRIGGER story_fts_after_delete AFTER DELETE ON story BEGIN INSERT INTO story_fts(story_fts, rowid, title, what_happened, why_significant) VALUES ('delete', old.id, old.title, old.what_happened, old.why_significant); END",
    "CREATE TRIGGER story_fts_after_update AFTER UPDATE ON story BEGIN INSERT INTO story_fts(story_fts, rowid, title, what_happened, why_significant) VALUES ('delete', old.id, old.title, old.what_happened, old.why_significant); INSERT INTO story_fts(rowid, title, what_happened, why_significant) VALUES (new.id, new.title, new.what_happened, new.why_significant); END",
    "INSERT INTO story_fts(story_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE story_translation_fts USING fts5(title, what_happened, why_significant, content='story_translation', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    'CREATE TRIGGER story_translation_fts_after_insert AFTER INSERT ON story_translation BEGIN INSERT INTO story_translation_fts(rowid, title, what_happened, why_significant) VALUES (new.id, new.title, new.what_happened, new.why_significant); END',
    "CREATE TRIGGER story_translation_fts_after_delete AFTER DELETE ON story_translation BEGIN INSERT INTO story_translation_fts(story_translation_fts, rowid, title, what_happened, why_significant) VALUES ('delete', old.id, old.title, old.what_happened, old.why_significant); END",
    "CREATE TRIGGER story_translation_fts_after_update AFTER UPDATE ON story_translation BEGIN INSERT INTO story_translation_fts(story_translation_fts, rowid, title, what_happened, why_significant) VALUES ('delete', old.id, old.title, old.what_happened, old.why_significant); INSERT INTO story_translation_fts(rowid, title, what_happened, why_significant) VALUES (new.id, new.title, new.what_happened, new.why_significant); END",
    "INSERT INTO story_translation_fts(story_translation_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    'DROP TRIGGER IF EXISTS outcome_fts_after_insert',
    'DROP TRIGGER IF EXISTS outcome_fts_after_delete',
    'DROP TRIGGER IF EXISTS outcome_fts_after_update',
    'DROP TABLE IF EXISTS outcome_fts',
    'DROP TRIGGER IF EXISTS story_fts_after_insert',
    'DROP TRIGGER IF EXISTS story_fts_after_delete',
    'DROP TRIGGER IF EXISTS story_fts_after_update',
    'DROP TABLE IF EXISTS story_fts',
    'DROP TRIGGER IF EXISTS story_translation_fts_after_insert',
    'DROP TRIGGER IF EXISTS story_translation_fts_after_delete',
    'DROP TRIGGER IF EXISTS story_translation_fts_after_update',
    'DROP TABLE IF EXISTS story_translation_fts',
]
# PostgreSQL: GIN expression indexes; the models declare the same indexes (ddl_if postgresql).
POSTGRES_SEARCH_INDEXES = [
    ('ix_outcome_search', 'outcome', "to_tsvector('english'::regconfig, (((((COALESCE(description, ''::text) || ' '::text) || COALESCE(social_actor, ''::character varying)::text) || ' '::text) || COALESCE(significance, ''::text)) || ' '::text) || COALESCE(contribution, ''::text))"),
    ('ix_story_search', 'story', "to_tsvector('english'::regconfig, (((COALESCE(title, ''::character varying)::text || ' '::text) || COALESCE(what_happened, ''::text)) || ' '::text) || COALESCE(why_significant, ''::text))"),
    ('ix_story_translation_search', 'story_translation', "to_tsvector('english'::regconfig, (((COALESCE(title, ''::character varying)::text || ' '::text) || COALESCE(what_happened, ''::text)) || ' '::text) || COALESCE(why_significant, ''::text))"),
]


def create_search():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        for name, table, expression in POSTGRES_SEARCH_INDEXES:
            op.create_index(name, table, [sa.text(expression)], postgresql_using="gin")


def drop_search():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    else:
        for name, table, _expression in POSTGRES_SEARCH_INDEXES:
            op.drop_index(name, table_name=table)


def upgrade():
    op.create_table('consent_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('storyteller_consent', sa.Boolean(), nullable=False),
    sa.Column('guardian_consent', sa.Boolean(), nullable=False),
    sa.Column('child_assent', sa.Boolean(), nullable=False),
    sa.Column('obtained_on', sa.Date(), nullable=True),
    sa.Column('form_name', sa.String(length=200), nullable=False),
    sa.Column('form_version', sa.String(length=40), nullable=False),
    sa.Column('scope_internal', sa.Boolean(), nullable=False),
    sa.Column('scope_donor', sa.Boolean(), nullable=False),
    sa.Column('scope_public', sa.Boolean(), nullable=False),
    sa.Column('named', sa.Boolean(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_consent_record_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_record'))
    )
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.create_index('ix_consent_record_sharing', ['scope_donor', 'complete'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_record_withdrawn_on'), ['withdrawn_on'], unique=False)

    op.create_table('harvest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('intended_uses', sa.Text(), nullable=False),
    sa.Column('step', sa.Enum('design', 'gather', 'engage', 'substantiate', 'analyse', 'support_use', name='harveststep', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_harvest_period_in_order')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_harvest_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest'))
    )
    with op.batch_alter_table('harvest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_project_id'), ['project_id'], unique=False)

    op.create_table('msc_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='cyclestatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_msc_cycle_period_in_order')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_msc_cycle_fund_id_fund'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_msc_cycle_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msc_cycle'))
    )
    with op.batch_alter_table('msc_cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_msc_cycle_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_msc_cycle_project_id'), ['project_id'], unique=False)

    op.create_table('substantiator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('expertise', sa.Text(), nullable=False),
    sa.Column('is_independent', sa.Boolean(), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_substantiator_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_substantiator')),
    sa.UniqueConstraint('project_id', 'name', name='uq_substantiator_project_name')
    )
    with op.batch_alter_table('substantiator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_substantiator_project_id'), ['project_id'], unique=False)

    op.create_table('msc_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['msc_cycle.id'], name=op.f('fk_msc_domain_cycle_id_msc_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msc_domain')),
    sa.UniqueConstraint('cycle_id', 'name', name='uq_msc_domain_cycle_name')
    )
    with op.batch_alter_table('msc_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_msc_domain_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('msc_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['msc_cycle.id'], name=op.f('fk_msc_level_cycle_id_msc_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msc_level')),
    sa.UniqueConstraint('cycle_id', 'ordinal', name='uq_msc_level_cycle_ordinal')
    )
    with op.batch_alter_table('msc_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_msc_level_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('harvest_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('social_actor', sa.String(length=300), nullable=False),
    sa.Column('social_actor_kind', sa.Enum('organisation', 'role_type', name='actorkind', native_enum=False, length=16), nullable=False),
    sa.Column('change_agent', sa.String(length=300), nullable=False),
    sa.Column('change_date', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.Enum('day', 'month', 'year', name='dateprecision', native_enum=False, length=16), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('area', sa.String(length=200), nullable=False),
    sa.Column('significance', sa.Text(), nullable=False),
    sa.Column('contribution', sa.Text(), nullable=False),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('change_type', sa.Enum('behaviour', 'relationship', 'action', 'policy', 'practice', name='changetype', native_enum=False, length=16), nullable=False),
    sa.Column('intention', sa.Enum('intended', 'unintended', name='intention', native_enum=False, length=16), nullable=False),
    sa.Column('valence', sa.Enum('positive', 'negative', name='valence', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('draft', 'formulated', 'substantiation_pending', 'substantiated', 'analysed', name='outcomestatus', native_enum=False), nullable=False),
    sa.Column('smart_checks', sa.JSON(), nullable=False),
    sa.Column('wording_revision', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_outcome_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['harvest_id'], ['harvest.id'], name=op.f('fk_outcome_harvest_id_harvest'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_outcome_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome'))
    )
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_change_type'), ['change_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_country_code'), ['country_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_harvest_id'), ['harvest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_intention'), ['intention'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_outcome_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_valence'), ['valence'], unique=False)

    op.create_table('msc_panel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('method', sa.Enum('vote', 'scoring', 'consensus', name='panelmethod', native_enum=False, length=16), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('met_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['level_id'], ['msc_level.id'], name=op.f('fk_msc_panel_level_id_msc_level'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_msc_panel_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msc_panel'))
    )
    with op.batch_alter_table('msc_panel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_msc_panel_level_id'), ['level_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_msc_panel_project_id'), ['project_id'], unique=False)

    op.create_table('outcome_toc_node',
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['toc_node.id'], name=op.f('fk_outcome_toc_node_node_id_toc_node'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcome.id'], name=op.f('fk_outcome_toc_node_outcome_id_outcome'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('outcome_id', 'node_id', name=op.f('pk_outcome_toc_node'))
    )
    with op.batch_alter_table('outcome_toc_node', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_toc_node_node_id'), ['node_id'], unique=False)

    op.create_table('story',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('why_significant', sa.Text(), nullable=False),
    sa.Column('events_when', sa.String(length=120), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('place_shareable', sa.Boolean(), nullable=False),
    sa.Column('collector', sa.String(length=200), nullable=False),
    sa.Column('collected_on', sa.Date(), nullable=False),
    sa.Column('storyteller_pseudonym', sa.String(length=80), nullable=False),
    sa.Column('storyteller_category', sa.Enum('child', 'young_person', 'parent_caregiver', 'teacher', 'professional', 'community_member', 'other', name='storytellercategory', native_enum=False), nullable=False),
    sa.Column('age_band', sa.Enum('under_10', '10_12', '13_15', '16_17', '18_24', '25_39', '40_59', '60_plus', 'not_recorded', name='ageband', native_enum=False, length=16), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('safeguarding_status', sa.Enum('pending', 'approved', 'restricted', name='safeguardingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('safeguarding_reviewer_id', sa.Integer(), nullable=True),
    sa.Column('safeguarding_note', sa.Text(), nullable=False),
    sa.Column('safeguarding_reviewed_at', tracker.db_types.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consent_id'], ['consent_record.id'], name=op.f('fk_story_consent_id_consent_record')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_story_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['msc_cycle.id'], name=op.f('fk_story_cycle_id_msc_cycle')),
    sa.ForeignKeyConstraint(['domain_id'], ['msc_domain.id'], name=op.f('fk_story_domain_id_msc_domain')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_story_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['safeguarding_reviewer_id'], ['user_account.id'], name=op.f('fk_story_safeguarding_reviewer_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story')),
    sa.UniqueConstraint('consent_id', name=op.f('uq_story_consent_id'))
    )
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_country_code'), ['country_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_language'), ['language'], unique=False)
        batch_op.create_index('ix_story_project_cycle', ['project_id', 'cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_safeguarding_status'), ['safeguarding_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_storyteller_category'), ['storyteller_category'], unique=False)

    op.create_table('substantiation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('substantiator_id', sa.Integer(), nullable=False),
    sa.Column('verdict_description', sa.Enum('fully_agree', 'partially_agree', 'disagree', name='verdict', native_enum=False, length=16), nullable=False),
    sa.Column('verdict_significance', sa.Enum('fully_agree', 'partially_agree', 'disagree', name='verdict', native_enum=False, length=16), nullable=False),
    sa.Column('verdict_contribution', sa.Enum('fully_agree', 'partially_agree', 'disagree', name='verdict', native_enum=False, length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('wording_revision', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcome.id'], name=op.f('fk_substantiation_outcome_id_outcome'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_substantiation_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['substantiator_id'], ['substantiator.id'], name=op.f('fk_substantiation_substantiator_id_substantiator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_substantiation')),
    sa.UniqueConstraint('outcome_id', 'substantiator_id', name='uq_substantiation_outcome_substantiator')
    )
    with op.batch_alter_table('substantiation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_substantiation_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_substantiation_substantiator_id'), ['substantiator_id'], unique=False)

    op.create_table('msc_selection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.Column('selected', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('dissent', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("NOT selected OR reasons <> ''", name=op.f('ck_msc_selection_reasons_when_selected')),
    sa.ForeignKeyConstraint(['domain_id'], ['msc_domain.id'], name=op.f('fk_msc_selection_domain_id_msc_domain')),
    sa.ForeignKeyConstraint(['panel_id'], ['msc_panel.id'], name=op.f('fk_msc_selection_panel_id_msc_panel'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_msc_selection_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_msc_selection_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msc_selection')),
    sa.UniqueConstraint('panel_id', 'story_id', name='uq_msc_selection_panel_story')
    )
    with op.batch_alter_table('msc_selection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_msc_selection_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_msc_selection_panel_id'), ['panel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_msc_selection_selected'), ['selected'], unique=False)
        batch_op.create_index(batch_op.f('ix_msc_selection_story_id'), ['story_id'], unique=False)

    op.create_table('msc_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=300), nullable=False),
    sa.Column('verifier', sa.String(length=200), nullable=False),
    sa.Column('result', sa.Enum('confirmed', 'partly_confirmed', 'not_confirmed', name='verificationresult', native_enum=False), nullable=False),
    sa.Column('verified_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_msc_verification_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_msc_verification_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msc_verification'))
    )
    with op.batch_alter_table('msc_verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_msc_verification_story_id'), ['story_id'], unique=False)

    op.create_table('story_toc_node',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['toc_node.id'], name=op.f('fk_story_toc_node_node_id_toc_node'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_story_toc_node_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', 'node_id', name=op.f('pk_story_toc_node'))
    )
    with op.batch_alter_table('story_toc_node', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_toc_node_node_id'), ['node_id'], unique=False)

    op.create_table('story_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('why_significant', sa.Text(), nullable=False),
    sa.Column('translator_note', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_story_translation_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_translation')),
    sa.UniqueConstraint('story_id', 'language', name='uq_story_translation_story_language')
    )
    with op.batch_alter_table('story_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_translation_story_id'), ['story_id'], unique=False)

    op.create_table('msc_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('storyteller', 'lower_level', name='feedbackkind', native_enum=False, length=16), nullable=False),
    sa.Column('recipients', sa.String(length=300), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=120), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['msc_selection.id'], name=op.f('fk_msc_feedback_decision_id_msc_selection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_msc_feedback_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_msc_feedback'))
    )
    with op.batch_alter_table('msc_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_msc_feedback_decision_id'), ['decision_id'], unique=False)
    create_search()


def downgrade():
    drop_search()
    with op.batch_alter_table('msc_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_msc_feedback_decision_id'))

    op.drop_table('msc_feedback')
    with op.batch_alter_table('story_translation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_translation_story_id'))

    op.drop_table('story_translation')
    with op.batch_alter_table('story_toc_node', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_toc_node_node_id'))

    op.drop_table('story_toc_node')
    with op.batch_alter_table('msc_verification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_msc_verification_story_id'))

    op.drop_table('msc_verification')
    with op.batch_alter_table('msc_selection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_msc_selection_story_id'))
        batch_op.drop_index(batch_op.f('ix_msc_selection_selected'))
        batch_op.drop_index(batch_op.f('ix_msc_selection_panel_id'))
        batch_op.drop_index(batch_op.f('ix_msc_selection_domain_id'))

    op.drop_table('msc_selection')
    with op.batch_alter_table('substantiation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_substantiation_substantiator_id'))
        batch_op.drop_index(batch_op.f('ix_substantiation_outcome_id'))

    op.drop_table('substantiation')
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_storyteller_category'))
        batch_op.drop_index(batch_op.f('ix_story_safeguarding_status'))
        batch_op.drop_index(batch_op.f('ix_story_project_id'))
        batch_op.drop_index('ix_story_project_cycle')
        batch_op.drop_index(batch_op.f('ix_story_language'))
        batch_op.drop_index(batch_op.f('ix_story_domain_id'))
        batch_op.drop_index(batch_op.f('ix_story_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_story_country_code'))

    op.drop_table('story')
    with op.batch_alter_table('outcome_toc_node', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_toc_node_node_id'))

    op.drop_table('outcome_toc_node')
    with op.batch_alter_table('msc_panel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_msc_panel_project_id'))
        batch_op.drop_index(batch_op.f('ix_msc_panel_level_id'))

    op.drop_table('msc_panel')
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_valence'))
        batch_op.drop_index(batch_op.f('ix_outcome_status'))
        batch_op.drop_index('ix_outcome_project_status')
        batch_op.drop_index(batch_op.f('ix_outcome_project_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_intention'))
        batch_op.drop_index(batch_op.f('ix_outcome_harvest_id'))
        batch_op.drop_index(batch_op.f('ix_outcome_country_code'))
        batch_op.drop_index(batch_op.f('ix_outcome_change_type'))

    op.drop_table('outcome')
    with op.batch_alter_table('msc_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_msc_level_cycle_id'))

    op.drop_table('msc_level')
    with op.batch_alter_table('msc_domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_msc_domain_cycle_id'))

    op.drop_table('msc_domain')
    with op.batch_alter_table('substantiator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_substantiator_project_id'))

    op.drop_table('substantiator')
    with op.batch_alter_table('msc_cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_msc_cycle_project_id'))
        batch_op.drop_index(batch_op.f('ix_msc_cycle_fund_id'))

    op.drop_table('msc_cycle')
    with op.batch_alter_table('harvest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_project_id'))

    op.drop_table('harvest')
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_record_withdrawn_on'))
        batch_op.drop_index('ix_consent_record_sharing')

    op.drop_table('consent_record')
