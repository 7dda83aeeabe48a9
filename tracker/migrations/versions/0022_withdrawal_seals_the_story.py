"""withdrawal seals the story; break-the-glass grants for one sealed story

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 05:20:00.000000

Stories whose consent was withdrawn before this revision are sealed here too: their text, pseudonym,
translations and donor version move into ``sealed_story`` (recorded by nobody known) and their row keeps
empty texts, as :func:`tracker.msc.sealing.seal` does from now on.
"""

import sqlalchemy as sa
from alembic import op

import tracker.db_types

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

STORY_FIELDS = ("title", "what_happened", "why_significant", "storyteller_pseudonym", "events_when", "place",
                "collector", "safeguarding_note")
TRANSLATION_FIELDS = ("language", "title", "what_happened", "why_significant", "translator_note")
DONOR_TEXT_FIELDS = ("language", "title", "what_happened", "why_significant")


def upgrade():
    op.create_table('sealed_story',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('sealed_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.Column('sealed_by_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['sealed_by_id'], ['user_account.id'], name=op.f('fk_sealed_story_sealed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_sealed_story_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', name=op.f('pk_sealed_story'))
    )
    with op.batch_alter_table('break_glass_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('story_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_break_glass_grant_story_id'), ['story_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_break_glass_grant_story_id_story'), 'story', ['story_id'], ['id'], ondelete='CASCADE')
    seal_stories_withdrawn_before()


def seal_stories_withdrawn_before():
    connection = op.get_bind()
    story = sa.table('story', sa.column('id'), sa.column('consent_id'), sa.column('place_shareable'),
                     sa.column('donor_version_approved_at'), *(sa.column(name) for name in STORY_FIELDS))
    consent = sa.table('consent_record', sa.column('id'), sa.column('withdrawn_on'))
    translation = sa.table('story_translation', sa.column('story_id'), *(sa.column(name) for name in TRANSLATION_FIELDS))
    donor_text = sa.table('story_donor_text', sa.column('story_id'), *(sa.column(name) for name in DONOR_TEXT_FIELDS))
    sealed = sa.table('sealed_story', sa.column('story_id'), sa.column('sealed_at', tracker.db_types.UTCDateTime()),
                      sa.column('sealed_by_id'),
                      sa.column('content', sa.JSON()))
    rows = connection.execute(sa.select(story).join(consent, consent.c.id == story.c.consent_id)
                              .where(consent.c.withdrawn_on.is_not(None))).mappings().all()
    for row in rows:
        content = {
            "story": {name: row[name] for name in STORY_FIELDS},
            "translations": [dict(item) for item in connection.execute(
                sa.select(*(translation.c[name] for name in TRANSLATION_FIELDS))
                .where(translation.c.story_id == row["id"])).mappings()],
            "donor_texts": [dict(item) for item in connection.execute(
                sa.select(*(donor_text.c[name] for name in DONOR_TEXT_FIELDS))
                .where(donor_text.c.story_id == row["id"])).mappings()],
        }
        connection.execute(sealed.insert().values(story_id=row["id"], sealed_at=tracker.db_types.utcnow(),
                                                  sealed_by_id=None, content=content))
        connection.execute(translation.delete().where(translation.c.story_id == row["id"]))
        connection.execute(donor_text.delete().where(donor_text.c.story_id == row["id"]))
        connection.execute(story.update().where(story.c.id == row["id"]).values(
            place_shareable=False, donor_version_approved_at=None, **{name: "" for name in STORY_FIELDS}))


def downgrade():
    with op.batch_alter_table('break_glass_grant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_break_glass_grant_story_id_story'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_break_glass_grant_story_id'))
        batch_op.drop_column('story_id')

    op.drop_table('sealed_story')
