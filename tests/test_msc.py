"""MSC selection: cycles and domains, panels, decisions with reasons, feedback owed, verification, meta-monitoring."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tracker.common.errors import ValidationFailed
from tracker.msc import selection as panels
from tracker.msc import services
from tracker.msc.models import FeedbackKind
from tracker.msc.models import SelectionDecision

REASONS = "The panel chose it because a child found help through a trained peer and the network responded."
FEEDBACK = {"recipients": "The storyteller, through the facilitator", "content": "Your story was chosen.",
            "sent_on": date(2023, 12, 1), "channel": "In person"}


@pytest.fixture
def project(factory, session):
    project = factory.project("viet-nam-networks", countries=["VN"])
    session.commit()
    return project


@pytest.fixture
def cycle(factory, session):
    return factory.cycle(levels=("Country", "Fund"))


def test_a_new_cycle_always_has_an_open_any_other_change_domain(factory, session):
    cycle = factory.cycle(domains=("Safer behaviour",))

    assert [(domain.name, domain.is_open) for domain in cycle.domains] == [
        ("Safer behaviour", False), ("Any other change", True)]


def test_me_staff_open_a_cycle_with_its_levels(client, factory, login, session, submit):
    factory.fund()
    login(factory.user("me"))
    session.commit()

    response = submit("/msc/cycles/new", {"title": "Fund-wide cycle 2024", "project_id": "0",
                                          "period_start": "2024-01-01", "period_end": "2024-12-31",
                                          "status": "open", "levels": "Project\nCountry\nFund", "description": ""})

    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Any other change" in html and "Country" in html and "The whole fund" in html


def test_grantees_and_donors_cannot_open_the_selection_pages(client, factory, login, session, cycle):
    for role in ("grantee", "donor"):
        login(factory.user(role))
        for url in ("/msc/cycles", "/msc/cycles/new", f"/msc/cycles/{cycle.id}", "/msc/feedback",
                    f"/msc/cycles/{cycle.id}/meta-monitoring"):
            assert client.get(url).status_code == 404, (role, url)


def test_a_selection_without_reasons_is_refused(factory, session, project, cycle):
    story = factory.story(project, cycle)
    panel = factory.panel(cycle)

    for reasons in ("", "Good."):
        with pytest.raises(ValidationFailed) as raised:
            factory.decision(panel, story, reasons=reasons)
        assert raised.value.reasons[0][0] == "reasons"
    assert session.scalar(sa.select(sa.func.count()).select_from(SelectionDecision)) == 0


def test_the_panel_form_refuses_a_selection_without_reasons_and_keeps_the_dissent(client, factory, login, session,
                                                                                  submit, project, cycle):
    story = factory.story(project, cycle)
    panel = factory.panel(cycle)
    login(factory.user("me"))
    session.commit()

    response = submit(f"/msc/panels/{panel.id}/stories/{story.id}/decision", {
        "selected": "1", "reasons": "", "dissent": "The observer preferred the teacher's story.",
        "decided_on": "2023-07-20"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200 and 'id="reasons-error"' in html
    assert "The observer preferred the teacher&#39;s story." in html


@pytest.mark.both_backends
def test_the_database_also_refuses_a_selection_without_reasons(factory, session, project, cycle):
    story = factory.story(project, cycle)
    panel = factory.panel(cycle)

    with pytest.raises(sa.exc.IntegrityError):
        with session.begin_nested():
            session.add(SelectionDecision(panel_id=panel.id, story_id=story.id, domain_id=story.domain_id,
                                          selected=True, reasons="", decided_on=date(2023, 7, 1)))


def test_a_selection_with_reasons_and_dissent_is_recorded(factory, session, project, cycle):
    story = factory.story(project, cycle)

    decision = factory.decision(factory.panel(cycle), story, reasons=REASONS,
                                dissent="One member preferred the Thai story.")

    assert decision.selected and decision.dissent == "One member preferred the Thai story."


def test_a_higher_level_considers_only_stories_selected_below(factory, session, project, cycle):
    chosen, passed_over = factory.story(project, cycle), factory.story(project, cycle)
    country = factory.panel(cycle, 1)
    factory.decision(country, chosen)
    factory.decision(country, passed_over, selected=False, reasons="")
    fund = factory.panel(cycle, 2)

    candidates = [story for _domain, items in panels.panel_board(session, fund) for story, _decision in items]

    assert candidates == [chosen]
    with pytest.raises(ValidationFailed):
        factory.decision(fund, passed_over)


def test_a_panel_scoped_to_a_country_sees_only_that_countrys_stories(factory, session, project, cycle):
    local = factory.story(project, cycle)
    factory.story(factory.project(countries=["TH"]), cycle)

    board = panels.panel_board(session, factory.panel(cycle, country_code="VN"))

    assert [story for _domain, items in board for story, _ in items] == [local]


def test_restricted_stories_are_not_before_any_panel(factory, session, project, cycle):
    story = factory.story(project, cycle, safeguarding="restricted")

    with pytest.raises(ValidationFailed):
        factory.decision(factory.panel(cycle), story)


def test_feedback_becomes_owed_after_a_selection(factory, session, project, cycle):
    fund = factory.fund()
    story = factory.story(project, cycle)
    assert session.scalar(panels.owed_feedback_count(fund)) == 0

    decision = factory.decision(factory.panel(cycle), story)

    assert session.scalars(panels.owed_feedback_statement(fund)).all() == [decision]


def test_the_lowest_level_owes_feedback_only_to_the_storyteller(factory, session, project, cycle):
    country = factory.decision(factory.panel(cycle, 1), factory.story(project, cycle))

    assert panels.owed_kinds(country) == [FeedbackKind.STORYTELLER]
    with pytest.raises(ValidationFailed) as raised:
        panels.record_feedback(session, TEST_ACTOR, country, {**FEEDBACK, "kind": "lower_level"})
    assert raised.value.reasons[0][0] == "kind"


def test_a_higher_level_owes_feedback_to_the_storyteller_and_the_level_below(factory, session, project, cycle):
    story = factory.story(project, cycle)
    factory.decision(factory.panel(cycle, 1), story)

    fund_level = factory.decision(factory.panel(cycle, 2), story)

    assert panels.owed_kinds(fund_level) == [FeedbackKind.STORYTELLER, FeedbackKind.LOWER_LEVEL]


def test_recording_feedback_settles_what_is_owed(factory, session, project, cycle):
    fund = factory.fund()
    story = factory.story(project, cycle)
    country = factory.decision(factory.panel(cycle, 1), story)
    decision = factory.decision(factory.panel(cycle, 2), story)
    panels.record_feedback(session, TEST_ACTOR, country, {**FEEDBACK, "kind": "storyteller"})

    panels.record_feedback(session, TEST_ACTOR, decision, {**FEEDBACK, "kind": "storyteller"})
    assert panels.owed_kinds(decision) == [FeedbackKind.LOWER_LEVEL]

    panels.record_feedback(session, TEST_ACTOR, decision, {**FEEDBACK, "kind": "lower_level"})
    assert session.scalar(panels.owed_feedback_count(fund)) == 0


def test_a_story_not_selected_owes_no_feedback(factory, session, project, cycle):
    factory.decision(factory.panel(cycle), factory.story(project, cycle), selected=False, reasons="")

    assert session.scalar(panels.owed_feedback_count(factory.fund())) == 0


def test_feedback_cannot_predate_the_selection(factory, session, project, cycle):
    decision = factory.decision(factory.panel(cycle), factory.story(project, cycle))

    with pytest.raises(ValidationFailed) as raised:
        panels.record_feedback(session, TEST_ACTOR, decision, {
            "kind": "storyteller", "recipients": "Storyteller", "content": "Chosen.", "sent_on": date(2023, 1, 1)})

    assert raised.value.reasons[0][0] == "sent_on"


def test_the_pending_feedback_page_lists_what_is_owed(client, factory, login, session, submit, project, cycle):
    story = factory.story(project, cycle, title="The cup of coffee")
    factory.decision(factory.panel(cycle, 1), story)
    decision = factory.decision(factory.panel(cycle, 2), story)
    login(factory.user("me"))
    session.commit()

    listing = client.get("/msc/feedback").get_data(as_text=True)
    response = submit(f"/msc/selections/{decision.id}/feedback", {
        "kind": "storyteller", "recipients": "The storyteller, through the village volunteer",
        "channel": "In person", "sent_on": "2023-12-01", "content": "Your story was chosen because ..."},
        page=f"/msc/selections/{decision.id}/feedback?kind=storyteller")

    assert "The cup of coffee" in listing and "To the storyteller" in listing and "To the level below" in listing
    assert response.status_code == 302
    after = client.get("/msc/feedback").get_data(as_text=True)
    assert "To the level below" in after
    assert after.count("To the storyteller") == 1  # still owed by the country panel, settled by the fund panel


def test_only_selected_stories_can_be_verified(client, factory, login, session, submit, project, cycle):
    selected, other = factory.story(project, cycle), factory.story(project, cycle)
    factory.decision(factory.panel(cycle), selected)
    login(factory.user("me"))
    session.commit()

    assert client.get(f"/msc/stories/{other.id}/verification").status_code == 404
    response = submit(f"/msc/stories/{selected.id}/verification", {
        "method": "Follow-up visit with the club facilitator", "verifier": "M&E officer, secretariat",
        "result": "confirmed", "verified_on": "2023-12-05", "notes": ""})
    assert response.status_code == 302
    assert "Confirmed" in client.get(f"/projects/{project.slug}/stories/{selected.id}").get_data(as_text=True)


def test_meta_monitoring_page_shows_the_figures_of_a_known_cycle(client, factory, login, session, project, cycle):
    thai = factory.project(countries=["TH"])
    domains = cycle.domains
    a = factory.story(project, cycle, domains[0], language="vi", storyteller_category="child", age_band="13_15")
    b = factory.story(project, cycle, domains[0], language="en")
    c = factory.story(thai, cycle, domains[1], language="th", storyteller_category="teacher", age_band="25_39")
    factory.story(thai, cycle, domains[2], language="en", safeguarding="restricted")
    country, fund = factory.panel(cycle, 1), factory.panel(cycle, 2)
    factory.decision(country, a)
    factory.decision(country, c)
    factory.decision(country, b, selected=False, reasons="")
    factory.decision(fund, a)
    panels.record_verification(session, TEST_ACTOR, a, {"method": "Follow-up", "verifier": "M&E officer",
                                                        "result": "confirmed", "verified_on": date(2023, 12, 1)})
    login(factory.user("me"))
    session.commit()

    figures = panels.meta_monitoring(session, services.get_cycle(session, factory.fund(), cycle.id))
    html = client.get(f"/msc/cycles/{cycle.id}/meta-monitoring").get_data(as_text=True)

    assert (figures.total, figures.eligible, figures.top_selected, figures.verified_selected) == (4, 3, 1, 1)
    assert [(level.considered, level.selected) for level in figures.per_level] == [(3, 2), (2, 1)]
    assert figures.feedback_owed == 4 and dict(figures.per_language) == {"en": 2, "vi": 1, "th": 1}
    assert figures.per_domain[:3] == [(domains[0].name, 2), (domains[1].name, 1), (domains[2].name, 1)]
    assert '<span class="figure" id="verified-share">100 %</span>' in html
    assert '<span class="figure" id="feedback-owed">4</span>' in html
    assert "67 %" in html  # 2 of the 3 eligible stories selected at the country level
