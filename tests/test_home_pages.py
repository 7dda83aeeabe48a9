"""Each role lands on its own home at ``/``, sees only its audience's figures, and the home's queries do not grow
with the data."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tracker.auth import services as auth_services
from tracker.home.models import current_version
from tracker.portfolio.models import ProjectCountry

HEADINGS = {
    "grantee": "My projects",
    "me": "Review queues and portfolio health",
    "donor": "Portfolio dashboard",
    "admin": "Accounts and access",
}


def page(client, url="/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def grow(factory, projects, *, countries=("TH",)):
    """``projects`` projects, each with an outcome per status, stories in several states, an indicator with an
    approved and a submitted actual, and evidence: enough variety that every home counts something."""
    cycle = factory.cycle()
    made = []
    for number in range(projects):
        project = factory.project(countries=countries, budget=100000 + number,
                                  currency="GBP" if number % 2 else "USD")
        harvest = factory.harvest(project)
        for status in ("draft", "substantiation_pending", "substantiated"):
            factory.outcome(project, harvest, status=status)
        factory.story(project, cycle, safeguarding="approved")
        factory.story(project, cycle)
        factory.story(project, cycle, consent={"scope_donor": False}, safeguarding="approved")
        indicator = factory.indicator(project)
        first = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31))
        second = factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31))
        factory.actual(indicator, first, "80")
        factory.actual(indicator, second, "120", approve=False)
        made.append(project)
    factory.session.commit()
    return made


@pytest.mark.parametrize("role", sorted(HEADINGS))
def test_each_role_lands_on_its_own_home(client, login, factory, session, role):
    project = factory.project()
    user = factory.user(role, projects=[project] if role == "grantee" else ())
    session.commit()
    login(user)

    assert f"<h1>{HEADINGS[role]}" in page(client)


def test_the_portfolio_list_moved_to_its_own_address(client, login, factory, session):
    project = factory.project(title="Safer chats in Chiang Rai")
    login(factory.user("me"))
    session.commit()

    listing = page(client, "/portfolio")

    assert "Safer chats in Chiang Rai" in listing and 'action="/reports/portfolio"' in listing
    assert f'href="/projects/{project.slug}"' in listing


def test_the_grantee_home_shows_progress_of_their_own_projects_only(client, login, factory, session):
    mine, other = grow(factory, 2)
    login(factory.user("grantee", projects=[mine]))
    session.commit()

    home = page(client)

    assert mine.title in home and other.title not in home
    assert "Awaiting safeguarding review" in home
    # The latest period's actual (120 submitted against 100) is shown as provisional.
    assert "120 %" in home and "provisional" in home


def test_the_me_home_counts_each_review_queue_and_links_to_it(client, login, factory, session):
    grow(factory, 2)
    login(factory.user("me"))
    session.commit()

    home = page(client)

    assert 'href="/indicators/review"' in home
    assert 'href="/msc/stories?safeguarding=pending"' in home
    assert "Outcomes awaiting substantiation" in home


def test_the_donor_home_draws_the_map_and_the_charts_each_with_its_table(client, login, factory, session):
    grow(factory, 2, countries=("TH", "KH"))
    login(factory.user("donor"))
    session.commit()

    home = page(client)

    assert home.count('role="img"') >= 3
    assert "<script" not in home and "xlink:href" not in home
    assert "Cambodia" in home and "Thailand" in home
    assert "<caption>Grants per country" in home
    # Budgets per currency, never added up.
    assert "USD 100,000" in home and "GBP 100,001" in home and "200,001" not in home


def test_the_donor_home_with_its_map_weighs_less_than_120_kb(client, login, factory, session):
    grow(factory, 2, countries=("TH", "KH"))
    login(factory.user("donor"))
    session.commit()

    assert len(page(client).encode()) < 120_000


def test_donors_count_only_donor_material(client, login, factory, session):
    project = factory.project(countries=("VN",))
    cycle = factory.cycle(domains=("Shared domain", "Secret domain"))
    factory.story(project, cycle, cycle.domains[0], safeguarding="approved")
    # Planted: without consent for donors, and not yet reviewed; a draft outcome; an unapproved actual.
    factory.story(project, cycle, cycle.domains[1], consent={"scope_donor": False}, safeguarding="approved")
    factory.story(project, cycle, cycle.domains[1])
    factory.outcome(project, status="draft", change_type="policy")
    factory.outcome(project, status="substantiated", change_type="behaviour")
    # Evidence donors may not see: an indicator result whose actual awaits review, and a working note.
    link = factory.toc_link(project, factory.toc_node(project, "output"),
                            factory.toc_node(project, "short_term_outcome"))
    indicator = factory.indicator(project)
    period = factory.period(indicator)
    factory.actual(indicator, period, "70", approve=False)
    factory.evidence(project, "indicator_result", supports=[link], strength="strong", period_id=period.id)
    factory.evidence(project, supports=[link], strength="strong")
    login(factory.user("donor"))
    session.commit()

    home = page(client)

    assert "Shared domain" in home and "Secret domain" not in home
    assert "Behaviour" in home and "Policy" not in home
    evidence = home[home.index('id="evidence-title"'):home.index('id="stories-title"')]
    assert "Nothing to count yet." in evidence and "Technology tools" not in evidence


def test_a_change_committed_elsewhere_is_seen_at_the_next_request_through_the_data_version(
        client, login, factory, session):
    grow(factory, 1)
    login(factory.user("donor"))
    session.commit()
    before = current_version(session)
    page(client)

    # Committed outside the app that cached the figures, as by another worker process.
    factory.project(countries=("LA",))
    session.commit()

    assert current_version(session) > before
    assert "Laos" in page(client)


def test_signing_in_does_not_empty_the_cache(client, login, factory, session):
    grow(factory, 1)
    session.commit()
    before = current_version(session)

    login(factory.user("donor"))

    assert current_version(session) == before


@pytest.mark.both_backends
@pytest.mark.parametrize("role", sorted(HEADINGS))
def test_each_home_runs_as_many_queries_on_more_data(client, login, factory, session, count_queries, role):
    projects = grow(factory, 1)
    user = factory.user(role, projects=projects if role == "grantee" else ())
    session.commit()
    login(user)
    with count_queries() as small:
        page(client)

    more = grow(factory, 4, countries=("TH", "KH", "VN"))
    for _other in range(3):
        factory.user(role)
    if role == "grantee":
        auth_services.set_memberships(session, TEST_ACTOR, user, [project.id for project in projects + more])
    session.commit()
    with count_queries() as large:
        page(client)

    assert large.count == small.count, (small.statements, large.statements)


def test_bulk_statements_raise_the_data_version_and_rolled_back_changes_do_not(factory, session):
    project = factory.project()
    session.commit()
    before = current_version(session)

    session.execute(sa.insert(ProjectCountry), [{"project_id": project.id, "country_code": "MY"}])
    session.commit()
    assert current_version(session) == before + 1

    factory.project()
    session.rollback()
    session.commit()
    assert current_version(session) == before + 1
