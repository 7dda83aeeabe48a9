"""Substantiation as an invariant: the standing follows the verdicts wherever the outcome is shown or moved."""

from datetime import date

import pytest

from tests.api_support import assert_problem
from tests.factories import TEST_ACTOR
from tracker.common.errors import ValidationFailed
from tracker.outcomes import services
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.summary import Standing

DISAGREE = {"verdict_contribution": "disagree", "comment": "The national helpline campaign did most of it."}


@pytest.fixture
def project(factory, session):
    project = factory.project("thai-referrals", title="Referral pathways in Chiang Mai", countries=["TH"])
    session.commit()
    return project


def verdict_form(person, **overrides):
    return {"substantiator_id": str(person.id), "verdict_description": "fully_agree",
            "verdict_significance": "fully_agree", "verdict_contribution": "fully_agree", "comment": "",
            "given_on": "2023-06-01", **overrides}


def move(session, outcome, target):
    return services.change_outcome_status(session, TEST_ACTOR, outcome, target, outcome.version)


def test_me_staff_cannot_record_verdicts_dated_before_the_change_they_judge(client, factory, login, session, submit,
                                                                          project):
    outcome = factory.outcome(project, status="substantiation_pending", change_date=date(2023, 3, 1))
    person = factory.substantiator(project, "Lecturer in social work")
    login(factory.user("me"))
    url = f"/projects/{project.slug}/outcomes/{outcome.id}/substantiations/new"

    response = submit(url, verdict_form(person, given_on="2023-02-14", comment="Seen at the February meeting."))

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "cannot predate the change they judge (2023-03-01)" in html
    assert "Seen at the February meeting." in html
    assert outcome.substantiations == []


def test_the_api_refuses_verdicts_dated_before_the_change_with_a_field_message(api_as, factory, session, project):
    outcome = factory.outcome(project, status="substantiation_pending", change_date=date(2023, 3, 1))
    person = factory.substantiator(project)
    api = api_as(factory.user("me"))
    body = {"substantiator_id": person.id, "verdict_description": "fully_agree", "verdict_significance": "fully_agree",
            "verdict_contribution": "fully_agree", "given_on": "2023-02-14"}

    refused = assert_problem(api.post(f"/api/v1/projects/{project.slug}/outcomes/{outcome.id}/substantiations",
                                      json=body), 422)
    accepted = api.post(f"/api/v1/projects/{project.slug}/outcomes/{outcome.id}/substantiations",
                        json={**body, "given_on": "2023-06-01"})

    assert [error["field"] for error in refused["errors"]] == ["given_on"]
    assert accepted.status_code == 201 and accepted.get_json()["substantiation"] == "substantiated"


def test_the_change_date_cannot_move_after_verdicts_already_given(factory, session, project):
    outcome = factory.outcome(project, status="substantiated", change_date=date(2023, 3, 1))
    values = {"harvest_id": outcome.harvest_id, "description": outcome.description,
              "social_actor": outcome.social_actor, "significance": outcome.significance,
              "contribution": outcome.contribution, "change_type": "practice", "change_date": date(2023, 9, 1),
              "date_precision": "month"}

    with pytest.raises(ValidationFailed) as refused:
        services.update_outcome(session, TEST_ACTOR, project, outcome, values, outcome.version)

    assert [field for field, _message in refused.value.reasons] == ["change_date"]


@pytest.mark.both_backends
def test_an_open_disagreement_blocks_substantiated_until_me_staff_acknowledge_it(client, factory, login, session,
                                                                                 submit, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    factory.substantiation(project, outcome)
    verdict = factory.substantiation(project, outcome, **DISAGREE)
    login(factory.user("me", display_name="Mai Tran"))
    session.commit()

    with pytest.raises(ValidationFailed, match="acknowledge the disagreement"):
        move(session, outcome, OutcomeStatus.SUBSTANTIATED)
    url = f"/projects/{project.slug}/outcomes/{outcome.id}/substantiations/{verdict.id}/acknowledge"
    without_reason = submit(url, {"reason": "  "})
    acknowledged = submit(url, {"reason": "The referrals began before the campaign."})
    session.expire_all()
    move(session, outcome, OutcomeStatus.SUBSTANTIATED)
    session.commit()

    assert without_reason.status_code == 200 and "Say why the outcome stands" in without_reason.get_data(as_text=True)
    assert acknowledged.status_code == 302
    page = client.get(f"/projects/{project.slug}/outcomes/{outcome.id}").get_data(as_text=True)
    assert "Substantiated with disagreement" in page
    assert "acknowledged by Mai Tran" in page and "The referrals began before the campaign." in page


def test_grantees_cannot_acknowledge_a_disagreement(client, factory, login, session, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    verdict = factory.substantiation(project, outcome, **DISAGREE)
    login(factory.user("grantee", projects=[project]))

    url = f"/projects/{project.slug}/outcomes/{outcome.id}/substantiations/{verdict.id}/acknowledge"
    assert client.get(url).status_code == 404


def test_an_outcome_confirmed_only_by_people_with_a_stake_in_the_project_is_not_independently_substantiated(
        factory, session, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    factory.substantiation(project, outcome, factory.substantiator(project, "Project officer", is_independent=False))

    with pytest.raises(ValidationFailed, match="independent substantiator"):
        move(session, outcome, OutcomeStatus.SUBSTANTIATED)
    assert services.outcome_standing(outcome) is Standing.NOT_INDEPENDENT


def test_a_substantiated_outcome_whose_substantiator_turns_out_not_independent_is_flagged_not_left_standing(
        client, factory, login, session, project):
    outcome = factory.outcome(project, status="substantiated")
    person = outcome.substantiations[0].substantiator
    services.save_substantiator(session, TEST_ACTOR, project, {
        "name": person.name, "expertise": person.expertise, "is_independent": False}, person, person.version)
    login(factory.user("donor"))

    listed = client.get(f"/projects/{project.slug}/outcomes").get_data(as_text=True)
    shown = client.get(f"/projects/{project.slug}/outcomes/{outcome.id}").get_data(as_text=True)

    assert "Not independently substantiated" in listed and "Not independently substantiated" in shown


@pytest.mark.both_backends
def test_rewording_shows_verdicts_on_an_earlier_wording_until_the_substantiator_judges_the_new_one(
        factory, session, project):
    outcome = factory.outcome(project, status="substantiated")
    person = outcome.substantiations[0].substantiator
    values = {"harvest_id": outcome.harvest_id, "description": outcome.description + " It also covers Lamphun.",
              "social_actor": outcome.social_actor, "significance": outcome.significance,
              "contribution": outcome.contribution, "change_type": "practice", "change_date": outcome.change_date,
              "date_precision": "month"}

    services.update_outcome(session, TEST_ACTOR, project, outcome, values, outcome.version)
    reworded = services.outcome_standing(outcome)
    factory.substantiation(project, outcome, person, given_on=date(2023, 7, 1))

    assert reworded is Standing.EARLIER_WORDING
    assert services.outcome_standing(outcome) is Standing.SUBSTANTIATED
    assert [item.given_on for item in outcome.substantiations] == [date(2023, 7, 1)]


def test_the_api_gives_each_outcome_its_derived_substantiation(api_as, factory, session, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    factory.substantiation(project, outcome, **DISAGREE)
    api = api_as(factory.user("me"))

    body = api.get(f"/api/v1/projects/{project.slug}/outcomes/{outcome.id}").get_json()

    assert body["status"] == "substantiation_pending"
    assert body["substantiation"] == "disagreement_not_acknowledged"
    assert body["substantiations"][0]["acknowledged_by"] is None


def test_the_report_states_each_outcomes_standing_and_counts_only_what_the_verdicts_substantiate(
        client, factory, login, session, project):
    factory.outcome(project, status="substantiated")
    outcome = factory.outcome(project, status="substantiation_pending")
    verdict = factory.substantiation(project, outcome, **DISAGREE)
    factory.substantiation(project, outcome)
    factory.acknowledge(project, outcome, verdict, reason="The referrals began before the campaign.",
                        by="Mai Tran")
    factory.advance_outcome(outcome, "substantiated")
    login(factory.user("donor"))

    html = client.get(f"/projects/{project.slug}/reports/preview?audience=donor").get_data(as_text=True)

    assert "2 substantiated · 1 substantiated with disagreement" in " ".join(html.split())
    assert "Substantiated with disagreement (acknowledged by Mai Tran: “The referrals began before the campaign.”)" \
        in " ".join(html.split())
    assert "all fully agree" not in html


def test_the_internal_report_quotes_every_substantiator_and_the_donor_report_leaves_out_flagged_comments(
        client, factory, login, session, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    factory.substantiation(project, outcome, comment="The referral log I keep confirms it.")
    factory.substantiation(project, outcome, comment="Ask Somchai Jaidee at somchai@example.org for the files.")
    factory.advance_outcome(outcome, "substantiated")
    login(factory.user("me"))

    internal = client.get(f"/projects/{project.slug}/reports/preview?audience=internal").get_data(as_text=True)
    donor = client.get(f"/projects/{project.slug}/reports/preview?audience=donor").get_data(as_text=True)

    assert "The referral log I keep confirms it." in internal and "somchai@example.org" in internal
    assert "The referral log I keep confirms it." in donor and "somchai@example.org" not in donor
    assert "1 substantiator's comment is left out: the personal-data review found details" in donor
