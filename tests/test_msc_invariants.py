"""MSC method rules as invariants, as the M&E team, panels and donors meet them.

One story per domain per panel unless the panel records a joint selection; a decision higher levels built on
is undone only together with them; verification states, of which only "confirmed" counts as verified, shown
beside every selection donors see; the open domain is a flag, not a name.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tracker.audit.models import AuditEntry
from tracker.common.errors import ValidationFailed
from tracker.msc import rules
from tracker.msc import selection as panels
from tracker.msc import services
from tracker.msc.models import Domain
from tracker.msc.models import VerificationResult
from tracker.msc.models import VerificationState

JOINT = "The panel could not separate the two stories: both show a school acting on a child's report together."


@pytest.fixture
def project(factory, session):
    project = factory.project("viet-nam-networks", countries=["VN"])
    session.commit()
    return project


@pytest.fixture
def cycle(factory, session):
    return factory.cycle(levels=("Country", "Region", "Fund"))


def verify(session, story, result, day=date(2023, 12, 1)):
    return panels.record_verification(session, TEST_ACTOR, story, {
        "method": "Follow-up visit with the club facilitator", "verifier": "M&E officer, secretariat",
        "result": result, "verified_on": day})


def decision_values(decision, **changes):
    return {"selected": decision.selected, "reasons": decision.reasons, "dissent": decision.dissent,
            "joint_reason": decision.joint_reason, "decided_on": decision.decided_on, **changes}


# One story per domain ------------------------------------------------------------------------------------


def test_a_panel_cannot_select_a_second_story_in_a_domain_without_a_joint_selection_reason(
        factory, session, project, cycle):
    panel = factory.panel(cycle)
    first = factory.story(project, cycle, title="The cup of coffee")
    factory.decision(panel, first)

    with pytest.raises(ValidationFailed) as raised:
        factory.decision(panel, factory.story(project, cycle))

    assert raised.value.reasons[0][0] == "joint_reason"
    assert "The cup of coffee" in str(raised.value.reasons[0][1].params["titles"])


def test_a_joint_selection_with_its_reason_is_recorded(factory, session, project, cycle):
    panel = factory.panel(cycle)
    factory.decision(panel, factory.story(project, cycle))

    second = factory.decision(panel, factory.story(project, cycle), joint_reason=JOINT)

    assert second.selected and second.joint_reason == JOINT


def test_one_selection_per_domain_leaves_other_domains_and_other_panels_free(factory, session, project, cycle):
    panel, other_panel = factory.panel(cycle), factory.panel(cycle)
    story = factory.story(project, cycle)
    factory.decision(panel, story)

    factory.decision(panel, factory.story(project, cycle, cycle.domains[1]))
    factory.decision(other_panel, story)


def test_the_panel_form_asks_for_the_joint_selection_reason_and_keeps_the_reasons_typed(
        client, factory, login, session, submit, project, cycle):
    panel = factory.panel(cycle)
    factory.decision(panel, factory.story(project, cycle))
    second = factory.story(project, cycle)
    login(factory.user("me"))
    session.commit()

    response = submit(f"/msc/panels/{panel.id}/stories/{second.id}/decision", {
        "selected": "1", "reasons": "A teacher acted at once and the child was safe within the week.",
        "dissent": "", "joint_reason": "", "decided_on": "2023-07-20"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200 and 'id="joint_reason-error"' in html and 'id="already-selected"' in html
    assert "A teacher acted at once and the child was safe within the week." in html


def test_donors_read_why_a_selection_was_joint(client, factory, login, api_as, session, project, cycle):
    panel = factory.panel(cycle)
    factory.decision(panel, factory.story(project, cycle, safeguarding="approved"))
    story = factory.story(project, cycle, safeguarding="approved")
    factory.decision(panel, story, joint_reason=JOINT)
    donor = factory.user("donor")
    login(donor)
    session.commit()

    html = client.get(f"/projects/{project.slug}/stories/{story.id}").get_data(as_text=True)
    api = api_as(donor).get(f"/api/v1/stories/{story.id}").get_json()

    assert "Joint selection" in html and "both show a school acting" in html
    assert api["selections"][0]["joint_reason"] == JOINT


# Undoing a selection higher levels built on -----------------------------------------------------------


def three_levels_selected(factory, project, cycle, story=None):
    story = story or factory.story(project, cycle, title="The cup of coffee")
    country = factory.decision(factory.panel(cycle, 1, name="Viet Nam country panel"), story)
    region = factory.decision(factory.panel(cycle, 2, name="Mekong regional panel"), story)
    fund = factory.decision(factory.panel(cycle, 3, name="Fund panel"), story)
    return story, country, region, fund


def test_undoing_a_selection_higher_levels_built_on_needs_confirmation(factory, session, project, cycle):
    _story, country, region, fund = three_levels_selected(factory, project, cycle)

    with pytest.raises(ValidationFailed) as raised:
        panels.update_decision(session, TEST_ACTOR, country, decision_values(country, selected=False, reasons=""),
                               country.version)

    assert "Mekong regional panel, Fund panel" in str(raised.value.reasons[0][1].params["panels"])
    assert country.selected and region.selected and fund.selected


def test_a_confirmed_undo_takes_the_higher_selections_with_it_and_is_audited(factory, session, project, cycle):
    story, country, region, fund = three_levels_selected(factory, project, cycle)

    panels.update_decision(session, TEST_ACTOR, country, decision_values(country, selected=False), country.version,
                           undo_higher=True)

    assert (country.selected, region.selected, fund.selected) == (False, False, False)
    undone = session.scalars(sa.select(AuditEntry.object_id).where(AuditEntry.action == "unselect")
                             .order_by(AuditEntry.id)).all()
    assert undone == [str(region.id), str(fund.id)]
    assert panels.donor_selections(session, story) == []


def test_undoing_a_middle_level_keeps_the_levels_below(factory, session, project, cycle):
    _story, country, region, fund = three_levels_selected(factory, project, cycle)

    panels.update_decision(session, TEST_ACTOR, region, decision_values(region, selected=False), region.version,
                           undo_higher=True)

    assert (country.selected, region.selected, fund.selected) == (True, False, False)


def test_a_higher_selection_stands_while_another_panel_below_still_passes_the_story_up(
        factory, session, project, cycle):
    story, country, region, fund = three_levels_selected(factory, project, cycle)
    factory.decision(factory.panel(cycle, 1, name="Child-protection thematic panel"), story)

    panels.update_decision(session, TEST_ACTOR, country, decision_values(country, selected=False), country.version)

    assert (country.selected, region.selected, fund.selected) == (False, True, True)


def test_a_selection_cannot_be_undone_once_feedback_about_a_higher_one_was_sent(factory, session, project, cycle):
    _story, country, _region, fund = three_levels_selected(factory, project, cycle)
    panels.record_feedback(session, TEST_ACTOR, fund, {
        "kind": "storyteller", "recipients": "The storyteller, through the facilitator",
        "content": "Your story was chosen by the fund.", "sent_on": date(2023, 12, 1)})

    with pytest.raises(ValidationFailed) as raised:
        panels.update_decision(session, TEST_ACTOR, country, decision_values(country, selected=False),
                               country.version, undo_higher=True)

    assert "Fund panel" in str(raised.value.reasons[0][1].params["panels"])


def test_the_panel_page_lists_the_higher_selections_on_one_confirmation_page(
        client, factory, login, session, submit, project, cycle):
    story, country, region, fund = three_levels_selected(factory, project, cycle)
    login(factory.user("me"))
    session.commit()
    url = f"/msc/panels/{country.panel_id}/stories/{story.id}/decision"
    values = {"selected": "0", "reasons": country.reasons, "dissent": "", "joint_reason": "",
              "decided_on": "2023-11-20", "version": str(country.version)}

    confirmation = submit(url, values)
    html = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200 and 'id="undone-selections"' in html
    assert "Mekong regional panel" in html and "Fund panel" in html
    session.expire_all()
    assert session.get(type(fund), fund.id).selected

    done = submit(url, {**values, "undo_higher": "1"})

    assert done.status_code == 302
    session.expire_all()
    assert [session.get(type(item), item.id).selected for item in (country, region, fund)] == [False, False, False]


# Verification ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("results, state, verified", [
    ([], VerificationState.PENDING, False),
    ([VerificationResult.CONFIRMED], VerificationState.CONFIRMED, True),
    ([VerificationResult.PARTLY_CONFIRMED], VerificationState.PARTLY_CONFIRMED, False),
    ([VerificationResult.NOT_CONFIRMED], VerificationState.NOT_CONFIRMED, False),
    ([VerificationResult.CONFIRMED, VerificationResult.NOT_CONFIRMED], VerificationState.NOT_CONFIRMED, False),
])
def test_not_confirmed_never_counts_as_verified(results, state, verified):
    assert rules.verification_state(results) is state
    assert rules.counts_as_verified(state) is verified


def test_meta_monitoring_counts_a_not_confirmed_top_level_story_as_unverified(factory, session, project, cycle):
    story, *_decisions = three_levels_selected(factory, project, cycle)
    verify(session, story, "not_confirmed")

    figures = panels.meta_monitoring(session, services.get_cycle(session, factory.fund(), cycle.id))

    assert (figures.top_selected, figures.verified_selected) == (1, 0)
    assert dict(figures.per_verification)[VerificationState.NOT_CONFIRMED] == 1


def test_donors_see_a_not_confirmed_selection_with_its_verification_result(client, factory, login, api_as, session,
                                                                           project, cycle):
    story = factory.story(project, cycle, safeguarding="approved")
    factory.decision(factory.panel(cycle), story)
    verify(session, story, "not_confirmed")
    donor = factory.user("donor")
    login(donor)
    session.commit()

    html = client.get(f"/projects/{project.slug}/stories/{story.id}").get_data(as_text=True)
    api = api_as(donor).get(f"/api/v1/stories/{story.id}").get_json()

    assert "Why panels selected this story" in html and "Verification: not confirmed" in html
    assert api["verification"] == "not_confirmed"


def test_a_donor_report_shows_a_pending_selection_with_its_state(client, factory, login, session, project, cycle):
    story = factory.story(project, cycle, safeguarding="approved")
    factory.decision(factory.panel(cycle), story)
    login(factory.user("me"))
    session.commit()

    html = client.get(f"/projects/{project.slug}/reports/preview?audience=donor").get_data(as_text=True)

    assert "Why panels selected this story" in html and "Verification pending" in html


def test_a_story_no_panel_selected_carries_no_verification_state(api_as, factory, session, project, cycle):
    story = factory.story(project, cycle, safeguarding="approved")

    assert api_as(factory.user("donor")).get(f"/api/v1/stories/{story.id}").get_json()["verification"] is None


# The open domain ------------------------------------------------------------------------------------------


def open_domain(cycle):
    return next(domain for domain in cycle.domains if domain.is_open)


def test_renaming_the_open_domain_keeps_it_open_for_stories_and_imports(factory, session, project, cycle):
    domain = open_domain(cycle)

    services.save_domain(session, TEST_ACTOR, cycle, {"name": "Other changes that matter", "definition": ""},
                         domain, domain.version)

    session.refresh(cycle)
    assert domain.is_open and [item.is_open for item in cycle.domains] == [False, False, False, True]
    assert factory.story(project, cycle, domain).domain.is_open


def test_a_named_domain_cannot_take_the_open_domains_meaning(factory, session, cycle):
    with pytest.raises(ValidationFailed) as raised:
        services.save_domain(session, TEST_ACTOR, cycle, {"name": "Other", "definition": ""})

    assert raised.value.reasons[0][0] == "name"


@pytest.mark.both_backends
def test_the_database_keeps_one_open_domain_per_cycle(factory, session, cycle):
    with pytest.raises(sa.exc.IntegrityError):
        with session.begin_nested():
            session.add(Domain(cycle_id=cycle.id, name="A second open domain", is_open=True))



def test_a_donor_reports_key_figures_say_how_many_selected_stories_were_confirmed(client, factory, login, session,
                                                                                  project, cycle):
    confirmed, unconfirmed = (factory.story(project, cycle, domain, safeguarding="approved")
                              for domain in cycle.domains[:2])
    panel = factory.panel(cycle)
    factory.decision(panel, confirmed)
    factory.decision(panel, unconfirmed)
    verify(session, confirmed, "confirmed")
    verify(session, unconfirmed, "not_confirmed")
    login(factory.user("me"))
    session.commit()

    html = client.get(f"/projects/{project.slug}/reports/preview?audience=donor").get_data(as_text=True)

    assert "Verification: 1 pending" not in html
    assert "Verification: 0 pending, 1 confirmed, 0 partly confirmed, 1 not confirmed" in html


def test_grantees_still_see_the_renamed_open_domain_as_any_other_change(client, factory, login, session, project,
                                                                        cycle):
    domain = open_domain(cycle)
    services.save_domain(session, TEST_ACTOR, cycle, {"name": "Beyond the named domains", "definition": ""},
                         domain, domain.version)
    login(factory.user("grantee", projects=[project]))
    session.commit()

    html = client.get(f"/projects/{project.slug}/stories/new").get_data(as_text=True)

    assert "Beyond the named domains (open domain: any other change)" in html
