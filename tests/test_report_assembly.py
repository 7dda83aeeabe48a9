"""Report assembly: plain data per audience, withheld material counted with reasons, numbered evidence."""

from datetime import date

import pytest

from tests.factories import TEST_ACTOR
from tracker.auth.permissions import Role
from tracker.msc import services as story_services
from tracker.outcomes import services as outcome_services
from tracker.outcomes.summary import Standing
from tracker.reports import records
from tracker.reports.models import Audience
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report
from tracker.reports.references import References
from tracker.reports.references import ranges
from tracker.reports.scope import Period
from tracker.reports.scope import Requester

STAFF = Requester("M&E officer", Role.ME)


def chain(factory, project):
    """A claim along activity → output → short-term outcome → intermediate outcome, and its links, at step 4
    (donor reports state only such claims)."""
    return factory.assessed_claim(project)


def shared_story(factory, project, cycle, **values):
    """A story donors may see (complete consent, donor scope, approved, donor version), selected by a panel."""
    story = factory.story(project, cycle, safeguarding="approved", **values)
    factory.decision(factory.panel(cycle), story)
    return story


@pytest.fixture
def project(factory, session):
    project = factory.project()
    session.flush()
    return project


def report_for(session, project, audience, requester=STAFF, period=None):
    session.flush()
    return project_report(session, project, audience, requester, period)


def all_text(report):
    """Every string the donor-facing data holds (the texts a template could print)."""
    found = []

    def walk(value, depth=0):
        if depth > 12:
            return
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                walk(item, depth + 1)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name), depth + 1)

    walk(report.section)
    walk(report.references)
    return "\n".join(found)


# Stories -----------------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_a_donor_report_shows_only_donor_visible_stories_and_counts_the_others_with_their_reason(
        factory, session, project):
    cycle = factory.cycle(project)
    shown = shared_story(factory, project, cycle)
    no_scope = factory.story(project, cycle, consent={"scope_donor": False}, safeguarding="approved")
    withdrawn = factory.story(project, cycle, safeguarding="approved")
    story_services.withdraw_consent(session, TEST_ACTOR, withdrawn, date(2023, 6, 1), "", withdrawn.consent.version)
    factory.story(project, cycle, safeguarding="restricted")
    factory.story(project, cycle)

    report = report_for(session, project, Audience.DONOR)

    assert [story.id for story in report.section.stories] == [shown.id]
    assert dict(report.withheld.stories) == {"no_donor_scope": 1, "withdrawn": 1, "restricted": 1,
                                             "safeguarding_pending": 1}
    assert no_scope.id not in report.story_ids and report.story_ids == {shown.id}


def test_donors_read_the_approved_de_identified_version_never_the_story_itself(factory, session, project):
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved", donor_version=False,
                          what_happened="Minh from Hai Chau school told me about the messages.")
    factory.donor_version(story, {"en": {"title": story.title, "what_happened": "[name] told me about the messages.",
                                         "why_significant": story.why_significant}})
    factory.decision(factory.panel(cycle), story)

    report = report_for(session, project, Audience.DONOR)

    assert report.section.stories[0].text.what_happened == "[name] told me about the messages."
    assert "Hai Chau school" not in all_text(report)


def test_internal_reports_never_show_restricted_or_withdrawn_stories(factory, session, project):
    cycle = factory.cycle(project)
    restricted = factory.story(project, cycle, safeguarding="approved", title="Restricted story RS-1")
    factory.decision(factory.panel(cycle), restricted)
    story_services.review_safeguarding(session, TEST_ACTOR, restricted, {"status": "restricted",
                                                                         "note": "Identifies the school."},
                                       restricted.version)
    withdrawn = factory.story(project, cycle, title="Withdrawn story WS-1")
    factory.decision(factory.panel(cycle), withdrawn)
    story_services.withdraw_consent(session, TEST_ACTOR, withdrawn, date(2023, 6, 1), "", withdrawn.consent.version)

    report = report_for(session, project, Audience.INTERNAL)

    assert report.section.stories == []
    assert dict(report.withheld.stories) == {"restricted": 1, "withdrawn": 1}
    assert "RS-1" not in all_text(report) and "WS-1" not in all_text(report)


def test_an_internal_report_shows_selected_stories_with_their_panels_reasons_and_dissent(factory, session, project):
    cycle = factory.cycle(project)
    story = factory.story(project, cycle)
    factory.decision(factory.panel(cycle), story, reasons="It shows a child finding help.", dissent="One doubted it.")
    factory.story(project, cycle)

    section = report_for(session, project, Audience.INTERNAL).section

    assert [(selection.reasons, selection.dissent) for selection in section.stories[0].selections] == [
        ("It shows a child finding help.", "One doubted it.")]
    assert section.figures.other_stories == 1


def test_donor_reports_leave_out_the_panels_dissent(factory, session, project):
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved")
    factory.decision(factory.panel(cycle), story, dissent="One member thought the story too identifying.")

    section = report_for(session, project, Audience.DONOR).section

    assert section.stories[0].selections[0].dissent == ""


def test_an_administrator_gets_stories_in_an_internal_report_only_after_breaking_the_glass(factory, session, project):
    cycle = factory.cycle(project)
    factory.decision(factory.panel(cycle), factory.story(project, cycle))
    admin = Requester("Admin", Role.ADMIN)

    without = report_for(session, project, Audience.INTERNAL, admin)
    granted = report_for(session, project, Audience.INTERNAL,
                         Requester("Admin", Role.ADMIN, break_glass_project_ids=frozenset({project.id})))

    assert without.section.stories == [] and dict(without.withheld.stories) == {"outside_access": 1}
    assert len(granted.section.stories) == 1


def test_a_grantee_gets_the_stories_of_their_own_project_in_an_internal_report(factory, session, project):
    cycle = factory.cycle(project)
    factory.decision(factory.panel(cycle), factory.story(project, cycle))
    grantee = Requester("Grantee", Role.GRANTEE, member_project_ids=frozenset({project.id}))

    assert len(report_for(session, project, Audience.INTERNAL, grantee).section.stories) == 1


# Outcomes and indicators --------------------------------------------------------------------------


@pytest.mark.both_backends
def test_donors_get_substantiated_outcomes_only_and_the_others_are_counted(factory, session, project):
    harvest = factory.harvest(project)
    shown = factory.outcome(project, harvest, status="substantiated")
    factory.outcome(project, harvest, status="formulated")
    factory.outcome(project, harvest)

    report = report_for(session, project, Audience.DONOR)

    assert [entry.id for entry in report.section.figures.outcomes] == [shown.id]
    assert dict(report.withheld.outcomes) == {"not_substantiated": 2}


def test_outcomes_are_grouped_by_type_of_change_and_donors_never_see_substantiators_names(factory, session, project):
    harvest = factory.harvest(project)
    factory.outcome(project, harvest, status="substantiated", change_type="policy")
    outcome = factory.outcome(project, harvest, status="substantiation_pending", change_type="practice")
    verdict = factory.substantiation(project, outcome, factory.substantiator(project, "Ms Officer Sentinel"),
                                     verdict_contribution="disagree", comment="Others did it.")
    factory.acknowledge(project, outcome, verdict)
    factory.advance_outcome(outcome, "substantiated")

    report = report_for(session, project, Audience.DONOR)

    assert [change_type for change_type, _entries in report.section.outcome_groups] == ["policy", "practice"]
    assert "Ms Officer Sentinel" not in all_text(report)
    assert report.section.outcome_groups[1][1][0].substantiation.has_disagreement


def test_key_figures_count_an_outcome_as_substantiated_only_when_its_verdicts_do(factory, session, project):
    factory.outcome(project, status="substantiated")
    flagged = factory.outcome(project, status="substantiated")
    [verdict] = flagged.substantiations
    person = verdict.substantiator
    outcome_services.save_substantiator(session, TEST_ACTOR, project, {
        "name": person.name, "expertise": person.expertise, "is_independent": False}, person, person.version)

    figures = report_for(session, project, Audience.DONOR).section.figures

    assert len(figures.substantiated) == 1
    assert figures.substantiation_notes == [(Standing.NOT_INDEPENDENT, 1)]


def test_internal_reports_carry_every_substantiators_comment(factory, session, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    factory.substantiation(project, outcome, comment="Confirmed by the referral log I keep.")
    factory.substantiation(project, outcome, verdict_significance="partially_agree",
                           comment="Significant, though only in two districts.")
    factory.advance_outcome(outcome, "substantiated")

    [entry] = report_for(session, project, Audience.INTERNAL).section.figures.outcomes

    assert [comment for _who, comment in entry.substantiation.comments] == [
        "Confirmed by the referral log I keep.", "Significant, though only in two districts."]


def test_donor_reports_leave_out_comments_the_personal_data_review_flags_and_say_so(factory, session, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    factory.substantiation(project, outcome, comment="Confirmed by the referral log.")
    factory.substantiation(project, outcome, comment="Call me on 0812 345 678 for the case files.")
    factory.advance_outcome(outcome, "substantiated")

    [entry] = report_for(session, project, Audience.DONOR).section.figures.outcomes

    assert [comment for _who, comment in entry.substantiation.comments] == ["Confirmed by the referral log."]
    assert entry.substantiation.withheld_comments == 1
    assert "0812 345 678" not in " ".join(all_text(report_for(session, project, Audience.DONOR)))


def test_donor_reports_show_approved_indicator_values_and_internal_reports_mark_submitted_ones_provisional(
        factory, session, project):
    indicator = factory.indicator(project)
    approved = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31))
    factory.actual(indicator, approved, "80")
    submitted = factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31))
    factory.actual(indicator, submitted, "95", approve=False)

    donor = report_for(session, project, Audience.DONOR).section.indicators[0]
    internal = report_for(session, project, Audience.INTERNAL).section.indicators[0]

    assert [(period.actual, period.provisional) for period in donor.periods] == [(80, False), (None, False)]
    assert donor.withheld_provisional == 1
    assert [(period.actual, period.provisional) for period in internal.periods] == [(80, False), (95, True)]


# The reporting period -----------------------------------------------------------------------------


def test_the_period_leaves_out_outcomes_stories_indicator_periods_and_evidence_outside_it(factory, session, project):
    harvest = factory.harvest(project)
    inside = factory.outcome(project, harvest, change_date=date(2023, 3, 1))
    factory.outcome(project, harvest, change_date=date(2021, 3, 1))
    cycle = factory.cycle(project)
    factory.decision(factory.panel(cycle), factory.story(project, cycle, collected_on=date(2021, 5, 2)))
    indicator = factory.indicator(project)
    factory.period(indicator, date(2021, 1, 1), date(2021, 12, 31))
    kept = factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31))
    claim, links = chain(factory, project)
    factory.evidence(project, supports=links[:1], collected_on=date(2021, 2, 1), title="Old note")
    factory.evidence(project, supports=links[:1], collected_on=date(2023, 2, 1), title="New note")

    period = Period(date(2023, 1, 1), date(2023, 12, 31))
    section = report_for(session, project, Audience.INTERNAL, period=period).section

    assert [entry.id for entry in section.figures.outcomes] == [inside.id]
    assert section.stories == [] and section.figures.other_stories == 0
    assert [period.id for period in section.indicators[0].periods] == [kept.id]
    assert [use.title for use in section.claims[0].pathway[0].evidence.uses] == ["New note"]


def test_a_period_must_not_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(date(2023, 2, 1), date(2023, 1, 1))


# Evidence --------------------------------------------------------------------------------------------


def test_donor_reports_withhold_team_working_material_and_count_it_on_the_claim(factory, session, project):
    claim, links = chain(factory, project)
    outcome = factory.outcome(project, status="substantiated")
    factory.evidence(project, "outcome", supports=links[:1], outcome_id=outcome.id, strength="strong")
    factory.evidence(project, supports=links[:1], title="Interview note EV-SENTINEL")

    report = report_for(session, project, Audience.DONOR)
    link = report.section.claims[0].pathway[0]

    assert [use.strength for use in link.evidence.uses] == ["strong"] and link.evidence.withheld == 1
    assert report.section.claims[0].withheld == 1
    assert dict(report.withheld.evidence) == {"working_material": 1}
    assert "EV-SENTINEL" not in all_text(report)


def test_evidence_resting_on_a_story_that_is_no_longer_shareable_is_withheld(factory, session, project):
    claim, links = chain(factory, project)
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved", title="Story SENTINEL-EV")
    factory.evidence(project, "story", supports=links[:1], story_id=story.id)
    story_services.withdraw_consent(session, TEST_ACTOR, story, date(2023, 6, 1), "", story.consent.version)

    for audience in Audience:
        report = report_for(session, project, audience)
        assert report.section.claims[0].pathway[0].evidence.withheld == 1
        assert "SENTINEL-EV" not in all_text(report)


def test_one_record_keeps_one_number_wherever_it_is_cited(factory, session, project):
    claim, links = chain(factory, project)
    outcome = factory.outcome(project, status="substantiated")
    item = factory.evidence(project, "outcome", supports=links[:2], outcome_id=outcome.id)
    component = factory.component(project, claim)
    factory.ct_evidence(project, component, evidence_id=item.id)

    report = report_for(session, project, Audience.DONOR)
    claim_entry = report.section.claims[0]

    outcome_ref = report.section.figures.outcome_refs[0]
    assert claim_entry.pathway[0].evidence.refs == claim_entry.pathway[1].evidence.refs == [outcome_ref]
    assert claim_entry.components[0].steps[0].ref == outcome_ref
    assert [reference.number for reference in report.references] == list(range(1, len(report.references) + 1))


def test_references_are_numbered_in_order_of_first_citation():
    references = References()
    first = references.cite(("outcome", 7), lambda: ("outcome", "Seven", {}, ""))
    second = references.cite(("story", 2), lambda: ("story", "Two", {}, ""))

    assert (first.number, second.number, references.cite(("outcome", 7), None).number) == (1, 2, 1)
    assert first.anchor == "ev-1"


def test_reference_numbers_are_compressed_into_runs():
    assert ranges([9, 1, 2, 3, 7, 10, 2]) == [(1, 3), (7, 7), (9, 10)]


# Claims and the theory of change -----------------------------------------------------------------------


def test_a_claim_carries_its_tracing_confidence_band_and_weakest_component(factory, session, project):
    claim, links = chain(factory, project)
    strong = factory.component(project, claim, entity="Counsellors")
    factory.ct_evidence(project, strong, sensitivity=0.9, type1_error=0.05)
    weak = factory.component(project, claim, entity="Social workers")
    factory.ct_evidence(project, weak, sensitivity=0.6, type1_error=0.5, observed="not_found")

    entry = report_for(session, project, Audience.DONOR).section.claims[0]

    assert entry.confidence == min(component.confidence for component in entry.components)
    assert [component.entity for component in entry.components if component.weakest] == ["Social workers"]
    assert entry.band


def test_gaps_are_claimed_links_without_evidence_in_this_report(factory, session, project):
    claim, links = chain(factory, project)
    factory.evidence(project, supports=links[:1])

    donor = report_for(session, project, Audience.DONOR).section.toc
    internal = report_for(session, project, Audience.INTERNAL).section.toc

    assert len(donor.gaps) == 3 and len(internal.gaps) == 2
    assert internal.link_strengths == {links[0].id: "moderate"}


def test_assembly_needs_no_flask_application_context(app, factory, session, project):
    factory.outcome(project, status="substantiated")
    session.flush()

    report = project_report(session, project, Audience.DONOR, STAFF)

    assert report.title == project.title and len(report.references) == 1


def test_donors_may_only_request_the_donor_report():
    donor = Requester("Donor", Role.DONOR)
    grantee = Requester("Grantee", Role.GRANTEE, member_project_ids=frozenset({1}))

    assert donor.may_request(Audience.DONOR, 1) and not donor.may_request(Audience.INTERNAL, 1)
    assert grantee.may_request(Audience.INTERNAL, 1) and not grantee.may_request(Audience.INTERNAL, 2)


# The portfolio ---------------------------------------------------------------------------------------


def test_the_portfolio_report_groups_projects_by_pillar_and_country_and_synthesises_them(factory, session):
    thai = factory.project(countries=("TH",), pillar="technology-tools")
    both = factory.project(countries=("TH", "VN"), pillar="networks-systems")
    factory.outcome(thai, status="substantiated", change_type="policy")
    factory.outcome(both, status="substantiated", change_type="policy", social_actor="Commune officers")
    session.flush()

    report = portfolio_report(session, factory.fund(), Audience.DONOR, STAFF)

    assert [(group.name, group.outcomes) for group in report.countries] == [("TH", 2), ("VN", 1)]
    assert sorted(group.name for group in report.pillars) == ["Networks & systems", "Technology tools"]
    assert report.synthesis.outcomes_by_type == [("policy", 2)]
    assert report.totals["outcomes"] == 2 and len(report.references) == 2


def test_the_key_figures_compare_target_and_actual_of_the_same_period(factory, session, project):
    indicator = factory.indicator(project)
    reported = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31), target="200")
    factory.actual(indicator, reported, "150")
    factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31), target="9000")

    [entry] = report_for(session, project, Audience.DONOR).section.indicators

    assert (entry.latest.target, entry.latest.actual) == (200, 150)
    assert entry.latest_progress.percent == 75


def test_donors_read_an_evidence_items_own_title_and_summary_through_the_personal_data_finder(factory, project):
    item = factory.evidence(project, title="Interview with Nguyen Thi Lan, aged 14, from Hoa Vang",
                            summary="She can be reached on 0912 345 678.")

    kind, title, facts, _project = records.item_reference(item, donor=True)

    assert title == "Interview with [name], [age and place]"
    assert facts["summary"] == "She can be reached on [phone number]."
    assert records.item_reference(item)[1] == item.title
