"""The review queue of actuals: what a reviewer needs beside each item, and "approve and go to the next"."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tracker.audit.services import Actor
from tracker.indicators import services
from tracker.indicators.models import ActualStatus
from tracker.indicators.models import PeriodActual
from tracker.indicators.rules import previous_reported

QUEUE = "/indicators/review"


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline", title="Aselo helpline platform")
    session.commit()
    return project


@pytest.fixture
def reviewer(factory, session):
    user = factory.user("me", display_name="Fund M&E officer")
    session.commit()
    return user


def as_actor(user):
    return Actor(user_id=user.id, email=user.email, role=str(user.role))


def actual_url(project, period):
    return f"/projects/{project.slug}/indicators/{period.indicator_id}/periods/{period.id}/actual"


def submit_actual(session, project, period, value, actor=TEST_ACTOR, **breakdown):
    indicator = period.indicator
    return services.save_actual(session, actor, project, indicator, period, {"value": value, **breakdown},
                                submit=True)


def approve(session, project, period, approver):
    services.review_actual(session, approver, project, period, approve=True)


def approve_next(client, project, period):
    token = csrf_from(client.get(actual_url(project, period)).get_data(as_text=True))
    return client.post(actual_url(project, period) + "/review", data={"csrf_token": token,
                                                                       "action": "approve_next", "note": ""})


def status(session, period):
    session.expire_all()
    return session.scalar(sa.select(PeriodActual.status).where(PeriodActual.period_id == period.id))


def test_each_item_shows_its_target_the_previous_approved_value_and_the_breakdown(
        client, factory, login, session, project, reviewer):
    indicator = factory.indicator(project, title="Girls and boys who reached a counsellor",
                                  dimensions="sex: girls, boys")
    last_year = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31), target="8000")
    this_year = factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31), target="9500")
    submit_actual(session, project, last_year, "7300", breakdown_0="4100", breakdown_1="3200")
    approve(session, project, last_year, as_actor(reviewer))
    submit_actual(session, project, this_year, "9120", breakdown_0="5020", breakdown_1="4100")
    session.commit()
    login(reviewer)

    text = " ".join(client.get(QUEUE).get_data(as_text=True).split())

    row = text[text.index("Girls and boys who reached a counsellor"):]
    row = row[:row.index("</tr>")]
    assert "9,500 contacts" in row and "9,120 contacts" in row
    assert "sex: girls 5,020 contacts" in row and "sex: boys 4,100 contacts" in row
    assert "7,300 contacts" in row and "2022" in row


def test_an_item_without_an_earlier_approved_value_says_so(client, factory, login, session, project,
                                                         reviewer):
    period = factory.period(factory.indicator(project), target="100")
    submit_actual(session, project, period, "40")
    session.commit()
    login(reviewer)

    assert "none yet" in client.get(QUEUE).get_data(as_text=True)


def test_approve_and_go_to_the_next_opens_the_next_item_in_the_queue(client, factory, login, session, project,
                                                                    reviewer):
    periods = [factory.period(factory.indicator(project), target="100") for _ in range(3)]
    for period in periods:
        submit_actual(session, project, period, "60")
    session.commit()
    login(reviewer)

    first = approve_next(client, project, periods[0])
    second = approve_next(client, project, periods[1])
    last = approve_next(client, project, periods[2])

    assert first.headers["Location"].endswith(actual_url(project, periods[1]))
    assert second.headers["Location"].endswith(actual_url(project, periods[2]))
    assert last.headers["Location"].endswith(QUEUE)
    assert [status(session, period) for period in periods] == [ActualStatus.APPROVED] * 3


def test_approve_and_go_to_the_next_skips_the_reviewers_own_submissions(client, factory, login, session,
                                                                       project, reviewer):
    theirs, mine, later = (factory.period(factory.indicator(project), target="100") for _ in range(3))
    submit_actual(session, project, theirs, "10")
    submit_actual(session, project, mine, "20", actor=as_actor(reviewer))
    submit_actual(session, project, later, "30")
    session.commit()
    login(reviewer)

    response = approve_next(client, project, theirs)

    assert response.headers["Location"].endswith(actual_url(project, later))
    assert status(session, mine) == ActualStatus.SUBMITTED


def test_the_queue_marks_the_reviewers_own_submission_and_its_page_offers_no_approval(
        client, factory, login, session, project, reviewer):
    mine = factory.period(factory.indicator(project, title="Schools with a safeguarding lead"), target="12")
    submit_actual(session, project, mine, "9", actor=as_actor(reviewer))
    session.commit()
    login(reviewer)

    queue = client.get(QUEUE).get_data(as_text=True)
    page = client.get(actual_url(project, mine)).get_data(as_text=True)

    assert "yours: someone else approves it" in queue
    assert "Approve and go to the next" not in page and 'value="approve_next"' not in page


def test_the_previous_value_is_the_nearest_earlier_approved_one(factory, session, project, reviewer):
    indicator = factory.indicator(project)
    periods = [factory.period(indicator, date(year, 1, 1), date(year, 12, 31)) for year in (2021, 2022, 2023, 2024)]
    submit_actual(session, project, periods[0], "50")
    approve(session, project, periods[0], as_actor(reviewer))
    submit_actual(session, project, periods[1], "70")
    session.refresh(indicator)

    earlier, reported = previous_reported(periods[3], indicator.periods)

    assert earlier.id == periods[0].id and reported.value == 50
