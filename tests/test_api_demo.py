"""The API on the loaded demo portfolio: a donor token gets exactly what the donor rule allows, de-identified."""

import pytest
import sqlalchemy as sa

from tracker.auth.models import User
from tracker.msc.models import Story
from tracker.msc.sharing import donor_visible_story_ids
from tracker.outcomes.sharing import donor_visible_outcomes
from tracker.portfolio.models import Project


@pytest.fixture
def engine(demo_engine):
    """Every test here runs on the loaded demo portfolio, inside a rolled-back transaction."""
    return demo_engine


def demo_user(session, role):
    return session.scalars(sa.select(User).where(User.role == role).order_by(User.id)).first()


def all_items(api, path):
    items, next_path = [], f"{path}?per_page=200"
    while next_path:
        body = api.get(next_path).get_json()
        items += body["items"]
        next_path = body["next"]
    return items


def test_a_donor_token_gets_exactly_the_donor_rules_stories_of_every_demo_project(api_as, session):
    api = api_as(demo_user(session, "donor"))
    projects = session.scalars(sa.select(Project)).all()
    allowed = set(session.scalars(donor_visible_story_ids(projects[0].fund_id)))
    originals = {story.id: story.what_happened for story in session.scalars(sa.select(Story))}

    listed = [item["id"] for project in projects for item in all_items(api, f"/api/v1/projects/{project.slug}/stories")]

    assert allowed and sorted(listed) == sorted(allowed)
    for story_id in sorted(allowed)[:5]:
        body = api.get(f"/api/v1/stories/{story_id}").get_json()
        assert body["internal"] is None and body["what_happened"]
        restricted = [text for other, text in originals.items() if other not in allowed]
        assert not any(text and text in str(body) for text in restricted)


def test_a_donor_token_gets_exactly_the_substantiated_demo_outcomes(api_as, session):
    api = api_as(demo_user(session, "donor"))
    projects = session.scalars(sa.select(Project)).all()
    allowed = set(session.scalars(donor_visible_outcomes(projects[0].fund_id).with_only_columns(
        sa.literal_column("outcome.id"))))

    listed = [item for project in projects for item in all_items(api, f"/api/v1/projects/{project.slug}/outcomes")]

    assert allowed and {item["id"] for item in listed} == allowed
    assert all(item["sources"] is None for item in listed)


def test_the_demo_theories_of_change_come_out_whole(api_as, session):
    api = api_as(demo_user(session, "me"))

    for project in session.scalars(sa.select(Project)):
        body = api.get(f"/api/v1/projects/{project.slug}/toc").get_json()
        ids = {node["id"] for node in body["nodes"]}
        assert all(link["from"] in ids and link["to"] in ids for link in body["links"]), project.slug
