"""The demo import: a Kobo-shaped workbook imported into the Thailand helpline project through the services."""

from datetime import date

import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tracker.imports import seeding
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportMapping
from tracker.msc.models import Story
from tracker.seeding import DEFAULT_SEED_DIR


def demo_context(factory, session):
    project = factory.project("thailand-helpline", countries=("TH",))
    factory.cycle(project, title="Childline Thailand counsellors' MSC 2024", period_start=date(2024, 1, 1),
                  period_end=date(2024, 12, 31), domains=("Counselling practice", "Working with partners"))
    grantee = factory.user("grantee", email="grantee@example.org", projects=[project])
    session.commit()
    return {"seed_dir": DEFAULT_SEED_DIR, "projects": {project.slug: project}, "users": {grantee.email: grantee}}


def test_the_demo_import_loads_once_with_its_saved_mapping(factory, session):
    context = demo_context(factory, session)

    seeding.load(session, TEST_ACTOR, context)
    seeding.load(session, TEST_ACTOR, context)
    session.commit()

    batch = session.scalar(sa.select(ImportBatch))
    stories = list(session.scalars(sa.select(Story).order_by(Story.id)))
    assert session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 1
    assert batch.created_count == 3 and batch.mapping_name == "Kobo counsellor story form v1"
    assert batch.created_by_id == context["users"]["grantee@example.org"].id
    assert session.scalar(sa.select(ImportMapping.name)) == "Kobo counsellor story form v1"
    assert [story.language for story in stories] == ["th", "en", "en"]
    assert [len(story.translations) for story in stories] == [1, 0, 0]
    assert [story.consent.complete for story in stories] == [True, True, False]
