"""Reports never drop material silently: one section, "What this report leaves out", says what and why."""

from datetime import date

import pytest

from tests.factories import TEST_ACTOR
from tracker.auth.permissions import Role
from tracker.msc import selection as msc_selection
from tracker.reports import render
from tracker.reports.models import Audience
from tracker.reports.omissions import Omission
from tracker.reports.omissions import Omitted
from tracker.reports.omissions import left_out
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import Withheld
from tracker.reports.project import project_report
from tracker.reports.scope import Period
from tracker.reports.scope import Requester

STAFF = Requester("M&E officer", Role.ME)
YEAR_2023 = Period(date(2023, 1, 1), date(2023, 12, 31))


@pytest.fixture
def project(factory, session):
    project = factory.project()
    session.flush()
    return project


def report_for(session, project, audience, period=None):
    session.flush()
    return project_report(session, project, audience, STAFF, period)


def kinds(entries):
    return {entry.kind: entry for entry in entries}


def test_a_report_with_nothing_left_out_has_an_empty_list():
    assert left_out(Withheld()) == []


def test_the_entries_come_in_reading_order_with_their_reasons_most_frequent_first():
    withheld = Withheld(stories={"withdrawn": 1, "restricted": 2}, provisional=1, undated_outcomes=3,
                        claims_in_progress=2)

    assert left_out(withheld) == [
        Omission(Omitted.UNDATED_OUTCOMES, 3),
        Omission(Omitted.WITHHELD_STORIES, 3, (("restricted", 2), ("withdrawn", 1))),
        Omission(Omitted.CLAIMS_IN_PROGRESS, 2),
        Omission(Omitted.VALUES_AWAITING_REVIEW, 1),
    ]


@pytest.mark.both_backends
def test_undated_outcomes_outside_a_period_are_counted_rather_than_vanishing(factory, session, project):
    harvest = factory.harvest(project)
    factory.outcome(project, harvest, change_date=date(2023, 3, 1), status="substantiated")
    factory.outcome(project, harvest, change_date=None, status="substantiated")
    factory.outcome(project, harvest, change_date=None)

    for audience in Audience:
        report = report_for(session, project, audience, YEAR_2023)
        assert kinds(report.withheld.left_out)[Omitted.UNDATED_OUTCOMES].count == 2


def test_a_report_on_the_whole_project_includes_undated_outcomes_and_lists_none_as_left_out(
        factory, session, project):
    undated = factory.outcome(project, factory.harvest(project), change_date=None, status="substantiated")

    report = report_for(session, project, Audience.DONOR)

    assert [entry.id for entry in report.section.figures.outcomes] == [undated.id]
    assert Omitted.UNDATED_OUTCOMES not in kinds(report.withheld.left_out)


def test_withheld_stories_are_counted_by_reason_in_the_donor_report(factory, session, project):
    cycle = factory.cycle(project)
    factory.story(project, cycle, safeguarding="restricted", title="Restricted SENTINEL-LO-1")
    factory.story(project, cycle, consent={"scope_donor": False}, safeguarding="approved")

    report = report_for(session, project, Audience.DONOR)

    entry = kinds(report.withheld.left_out)[Omitted.WITHHELD_STORIES]
    assert entry.count == 2 and dict(entry.reasons) == {"restricted": 1, "no_donor_scope": 1}


def test_selected_stories_whose_facts_are_not_confirmed_are_counted_by_verification_state(
        factory, session, project):
    cycle = factory.cycle(project)
    panel = factory.panel(cycle)
    stories = [factory.story(project, cycle, safeguarding="approved") for _ in range(3)]
    for story in stories:
        factory.decision(panel, story, joint_reason="The panel chose all three: each shows a different way children "
                                                    "reached the helpline.")
    check = {"method": "Call to the school counsellor", "verifier": "Field officer", "verified_on": date(2023, 8, 1)}
    msc_selection.record_verification(session, TEST_ACTOR, stories[0], {**check, "result": "confirmed"})
    msc_selection.record_verification(session, TEST_ACTOR, stories[1], {**check, "result": "not_confirmed"})

    report = report_for(session, project, Audience.DONOR)

    entry = kinds(report.withheld.left_out)[Omitted.UNVERIFIED_STORIES]
    assert entry.count == 2 and dict(entry.reasons) == {"not_confirmed": 1, "pending": 1}


def test_the_latest_verification_decides_a_storys_state(factory, session, project):
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved")
    factory.decision(factory.panel(cycle), story)
    check = {"method": "Call", "verifier": "Field officer"}
    msc_selection.record_verification(session, TEST_ACTOR, story, {**check, "result": "not_confirmed",
                                                                   "verified_on": date(2023, 8, 1)})
    msc_selection.record_verification(session, TEST_ACTOR, story, {**check, "result": "confirmed",
                                                                   "verified_on": date(2023, 9, 1)})

    report = report_for(session, project, Audience.INTERNAL)

    assert Omitted.UNVERIFIED_STORIES not in kinds(report.withheld.left_out)


def test_the_portfolio_report_adds_up_what_its_projects_leave_out(factory, session, project):
    other = factory.project(title="Second project")
    for each in (project, other):
        factory.outcome(each, factory.harvest(each), change_date=None)
    session.flush()

    report = portfolio_report(session, factory.fund(), Audience.DONOR, STAFF, YEAR_2023)

    assert kinds(report.withheld.left_out)[Omitted.UNDATED_OUTCOMES].count == 2


def test_claims_in_progress_left_out_by_the_report_have_their_own_entry():
    assert left_out(Withheld(claims_in_progress=1)) == [Omission(Omitted.CLAIMS_IN_PROGRESS, 1)]


# The section as readers see it -----------------------------------------------------------------


def test_the_donor_report_says_how_many_outcomes_and_stories_it_leaves_out_and_why_without_titles(
        app, factory, session, project):
    harvest = factory.harvest(project)
    factory.outcome(project, harvest, change_date=None, title="Undated SENTINEL-LO-2", status="substantiated")
    cycle = factory.cycle(project)
    factory.story(project, cycle, safeguarding="restricted", title="Restricted SENTINEL-LO-3",
                  collected_on=date(2023, 5, 1))

    with app.test_request_context():
        html = render.html_for(report_for(session, project, Audience.DONOR, YEAR_2023), render.Mode.FILE)

    section = html.split('id="left-out"', 1)[1].split("</section>", 1)[0]
    assert "What this report leaves out" in section
    assert "1 outcome has no date of change, so it cannot be placed in the reporting period" in section
    assert "1 story is withheld: restricted" in " ".join(section.split())
    assert "SENTINEL" not in html


def test_the_section_says_so_when_nothing_is_left_out(app, session, project):
    with app.test_request_context():
        html = render.html_for(report_for(session, project, Audience.INTERNAL), render.Mode.FILE)

    assert "Nothing within the reporting period is left out of this report." in html
    assert '<a href="#left-out">' in html
