"""The demo's month of reading: the access overview shows it and the signals flag its one planted anomaly."""

import pytest
import sqlalchemy as sa

from tracker.audit import rules
from tracker.audit.models import AuditAlert
from tracker.auth.models import User


@pytest.fixture
def engine(demo_engine):
    """Every test here runs on the loaded demo portfolio, inside a rolled-back transaction."""
    return demo_engine


def demo_user(session, email):
    return session.scalars(sa.select(User).where(User.email == email)).one()


def test_the_demo_flags_only_the_m_and_e_officers_late_evening_reads(session):
    alerts = session.scalars(sa.select(AuditAlert)).all()

    assert {alert.subject for alert in alerts} == {"me@example.org"}
    assert {alert.signal for alert in alerts} == {rules.SPIKE, rules.OFF_HOURS, rules.MANY_PROJECTS}
    assert len({alert.period_start for alert in alerts}) == 1


def test_the_demo_administrator_is_the_data_protection_lead(session):
    assert demo_user(session, "admin@example.org").is_data_protection_lead
    assert not demo_user(session, "me@example.org").is_data_protection_lead


def test_the_demo_lead_sees_a_month_of_reading_and_the_open_alerts(client, login, session):
    login(demo_user(session, "admin@example.org"))

    page = client.get("/audit/insight").get_data(as_text=True)

    assert "me@example.org" in page and "grantee@example.org" in page and "3 open alerts" in page
