"""The demo's wellbeing panel: levels on the demo's stories, support contacts, and a reader whose note is due."""

import pytest
import sqlalchemy as sa

from tracker.auth.models import User
from tracker.msc.models import DistressLevel
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story


@pytest.fixture
def engine(demo_engine):
    """Every test here runs on the loaded demo portfolio, inside a rolled-back transaction."""
    return demo_engine


def demo_user(session, email):
    return session.scalars(sa.select(User).where(User.email == email)).one()


def test_every_reviewed_demo_story_has_a_level_and_some_are_distressing(session):
    reviewed = session.scalars(sa.select(Story).where(Story.safeguarding_status != SafeguardingStatus.PENDING)).all()
    levels = {story.distress_level for story in reviewed}
    assert None not in levels
    assert {DistressLevel.SOME, DistressLevel.SEVERE} <= levels


def test_the_demo_m_and_e_officer_sees_their_note_with_the_funds_support_contacts(client, login, session):
    login(demo_user(session, "me@example.org"))
    page = client.get("/account/wellbeing").get_data(as_text=True)
    assert "This week is above your usual amount." in page
    assert "Staff care line" in page


def test_the_demo_lead_sees_the_staff_aggregate_or_why_not(client, login, session):
    login(demo_user(session, "admin@example.org"))
    page = client.get("/audit/insight").get_data(as_text=True)
    assert "Distressing reading across staff" in page
