"""Outcome Harvesting in the application: harvests, outcomes, the substantiation gate, verdicts, donors."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tracker.audit.models import AuditEntry
from tracker.common.errors import ValidationFailed
from tracker.outcomes import services
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import OutcomeStatus
from tracker.toc.attachments import node_attachments
from tracker.toc.models import TocNode


@pytest.fixture
def project(factory, session):
    project = factory.project("viet-nam-networks", title="Community networks in Da Nang", countries=["VN"])
    session.commit()
    return project


def outcome_form(harvest, **overrides):
    return {
        "harvest_id": str(harvest.id),
        "change_type": "practice",
        "description": "From March 2021 commune officers in 14 communes referred online abuse cases within 48 hours.",
        "social_actor": "Commune child-protection officers",
        "social_actor_kind": "role_type",
        "change_agent": "World Vision Vietnam",
        "change_date": "2021-03-15",
        "date_precision": "month",
        "country_code": "VN",
        "area": "Hòa Vang district",
        "significance": "",
        "contribution": "",
        "sources": "",
        "intention": "intended",
        "valence": "positive",
        "smart_specific": "y",
        **overrides,
    }


def test_grantee_records_an_outcome_as_a_draft(client, factory, login, session, submit, project):
    harvest = factory.harvest(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()

    response = submit(f"/projects/{project.slug}/outcomes/new", outcome_form(harvest))

    assert response.status_code == 302
    outcome = session.scalar(sa.select(Outcome))
    assert outcome.status is OutcomeStatus.DRAFT and outcome.smart_checks["specific"] is True
    assert outcome.change_date == date(2021, 3, 1)  # month precision keeps only the month
    assert response.headers["Location"] == f"/projects/{project.slug}/outcomes/{outcome.id}"


def test_a_missing_description_is_a_field_error_and_the_text_is_kept(client, factory, login, session, submit,
                                                                      project):
    harvest = factory.harvest(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()

    response = submit(f"/projects/{project.slug}/outcomes/new",
                      outcome_form(harvest, description="", significance="Children get care within two days."))
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'id="description-error"' in html
    assert "Children get care within two days." in html
    assert session.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 0


def test_a_private_persons_name_as_social_actor_is_refused(client, factory, login, session, submit, project):
    harvest = factory.harvest(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()

    response = submit(f"/projects/{project.slug}/outcomes/new", outcome_form(harvest, social_actor="Mr Tran Van Nam"))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'id="social_actor-error">\s*<span>Name an organisation or a role', html)


def test_the_form_prompts_with_the_smart_checklist(client, factory, login, session, project):
    factory.harvest(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()

    html = client.get(f"/projects/{project.slug}/outcomes/new").get_data(as_text=True)

    for criterion in ("Specific", "Measurable", "Achieved", "Relevant", "Timely"):
        assert f">{criterion}</label>" in html
    assert "who changed what, when and where?" in html


def test_the_outcome_form_sends_you_to_start_a_harvest_first(client, factory, login, session, project):
    login(factory.user("grantee", projects=[project]))

    response = client.get(f"/projects/{project.slug}/outcomes/new")

    assert response.headers["Location"] == f"/projects/{project.slug}/harvests/new"


def test_sending_to_substantiation_without_the_gate_fields_is_refused(client, factory, login, session, project):
    outcome = factory.outcome(project, significance="", contribution="", status="formulated")
    login(factory.user("grantee", projects=[project]))
    session.commit()
    page = client.get(f"/projects/{project.slug}/outcomes/{outcome.id}").get_data(as_text=True)

    response = client.post(f"/projects/{project.slug}/outcomes/{outcome.id}/status", follow_redirects=True,
                           data={"csrf_token": csrf_from(page), "version": outcome.version,
                                 "target": "substantiation_pending"})
    html = response.get_data(as_text=True)

    assert "Explain why the change is significant before sending the outcome to substantiation." in html
    assert "Explain how the project contributed before sending the outcome to substantiation." in html
    session.refresh(outcome)
    assert outcome.status is OutcomeStatus.FORMULATED


def test_a_complete_outcome_goes_to_substantiation(client, factory, login, session, project):
    outcome = factory.outcome(project, status="formulated")
    login(factory.user("grantee", projects=[project]))
    session.commit()
    page = client.get(f"/projects/{project.slug}/outcomes/{outcome.id}").get_data(as_text=True)

    client.post(f"/projects/{project.slug}/outcomes/{outcome.id}/status",
                data={"csrf_token": csrf_from(page), "version": outcome.version, "target": "substantiation_pending"})

    session.refresh(outcome)
    assert outcome.status is OutcomeStatus.SUBSTANTIATION_PENDING


def test_the_gate_also_holds_in_the_service(factory, session, project):
    outcome = factory.outcome(project, contribution="", status="formulated")

    with pytest.raises(ValidationFailed) as raised:
        services.change_outcome_status(session, TEST_ACTOR, outcome, "substantiation_pending", outcome.version)

    assert [field for field, _ in raised.value.reasons] == ["contribution"]


def test_an_outcome_under_substantiation_cannot_lose_its_gate_fields(factory, session, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    values = {name: getattr(outcome, name) for name in ("harvest_id", "description", "social_actor", "change_date",
                                                        "country_code", "area", "sources", "change_agent")}

    with pytest.raises(ValidationFailed) as raised:
        services.update_outcome(session, TEST_ACTOR, project, outcome,
                                {**values, "change_type": "practice", "significance": "", "contribution": "x"},
                                outcome.version)

    assert [field for field, _ in raised.value.reasons] == ["significance"]


def test_a_grantee_cannot_mark_an_outcome_substantiated(client, factory, login, session, project):
    outcome = factory.outcome(project, status="substantiation_pending")
    factory.substantiation(project, outcome)
    login(factory.user("grantee", projects=[project]))
    session.commit()
    page = client.get(f"/projects/{project.slug}/outcomes/{outcome.id}").get_data(as_text=True)

    assert "Mark as substantiated" not in page
    response = client.post(f"/projects/{project.slug}/outcomes/{outcome.id}/status",
                           data={"csrf_token": csrf_from(page), "version": outcome.version, "target": "substantiated"})
    assert response.status_code == 404
    session.refresh(outcome)
    assert outcome.status is OutcomeStatus.SUBSTANTIATION_PENDING


def test_me_staff_record_verdicts_and_a_disagreement_needs_a_comment(client, factory, login, session, submit,
                                                                     project):
    outcome = factory.outcome(project, status="substantiation_pending")
    person = factory.substantiator(project, "Lecturer in social work")
    login(factory.user("me"))
    session.commit()
    url = f"/projects/{project.slug}/outcomes/{outcome.id}/substantiations/new"
    data = {"substantiator_id": str(person.id), "verdict_description": "fully_agree",
            "verdict_significance": "fully_agree", "verdict_contribution": "disagree", "comment": "",
            "given_on": "2023-06-01"}

    refused = submit(url, data)
    accepted = submit(url, {**data, "comment": "The national programme trained the officers too."})

    assert refused.status_code == 200 and "must say why" in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    html = client.get(f"/projects/{project.slug}/outcomes/{outcome.id}").get_data(as_text=True)
    assert "Disagreement not yet acknowledged" in html and "The national programme trained the officers too." in html


def test_verdicts_wait_until_the_outcome_is_sent_to_substantiation(factory, session, project):
    outcome = factory.outcome(project, status="draft")

    with pytest.raises(ValidationFailed):
        factory.substantiation(project, outcome)


def test_rewording_a_substantiated_outcome_sends_it_back_and_keeps_earlier_verdicts(factory, session, project):
    outcome = factory.outcome(project, status="substantiated")
    values = {name: getattr(outcome, name) for name in ("harvest_id", "social_actor", "change_date", "country_code",
                                                        "area", "sources", "change_agent", "significance",
                                                        "contribution")}

    reworded = {**values, "change_type": "practice", "description": "A reworded description of the change."}

    services.update_outcome(session, TEST_ACTOR, project, outcome, reworded, outcome.version)

    assert outcome.status is OutcomeStatus.SUBSTANTIATION_PENDING
    assert services.substantiation_summary(outcome).earlier_wording == 1


def test_a_stale_edit_shows_both_versions(client, factory, login, session, project):
    outcome = factory.outcome(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()
    page = client.get(f"/projects/{project.slug}/outcomes/{outcome.id}/edit").get_data(as_text=True)
    outcome.area = "Changed by a colleague"
    session.commit()

    response = client.post(f"/projects/{project.slug}/outcomes/{outcome.id}/edit", data={
        **outcome_form(outcome.harvest, area="My own edit"), "csrf_token": csrf_from(page), "version": "1"})

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Changed by a colleague" in html and 'value="My own edit"' in html


def test_toc_nodes_of_another_project_are_refused(factory, session, project):
    other = factory.project()
    foreign = TocNode(project_id=other.id, level="output", title="Another project's output")
    session.add(foreign)
    session.flush()

    with pytest.raises(ValidationFailed) as raised:
        factory.outcome(project, toc_node_ids=[foreign.id])

    assert raised.value.reasons[0][0] == "toc_node_ids"


def test_outcomes_attached_to_a_toc_node_are_counted_for_its_deletion_check(factory, session, project):
    node = TocNode(project_id=project.id, level="short_term_outcome", title="Officers refer cases quickly")
    session.add(node)
    session.flush()
    factory.outcome(project, toc_node_ids=[node.id])
    factory.outcome(project, toc_node_ids=[node.id])

    assert node_attachments(session, [node.id]) == {node.id: {"outcome": 2}}


def test_reading_an_outcome_is_audited(client, factory, login, session, project):
    outcome = factory.outcome(project)
    user = factory.user("grantee", projects=[project])
    login(user)

    client.get(f"/projects/{project.slug}/outcomes/{outcome.id}")

    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "read"))
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("outcome", str(outcome.id), user.id)


def test_an_outcome_of_another_project_answers_404(client, factory, login, session, project):
    other = factory.project()
    outcome = factory.outcome(other)
    login(factory.user("grantee", projects=[project]))

    assert client.get(f"/projects/{project.slug}/outcomes/{outcome.id}").status_code == 404


class TestDonors:
    def test_donors_see_only_substantiated_outcomes(self, client, factory, login, session, project):
        shown = factory.outcome(project, description="SHOWN substantiated outcome", status="substantiated")
        factory.outcome(project, description="HIDDEN draft outcome")
        factory.outcome(project, description="HIDDEN pending outcome", status="substantiation_pending")
        login(factory.user("donor"))

        html = client.get(f"/projects/{project.slug}/outcomes").get_data(as_text=True)

        assert "SHOWN substantiated outcome" in html and "HIDDEN" not in html
        assert client.get(f"/projects/{project.slug}/outcomes/{shown.id}").status_code == 200

    def test_a_donor_asking_for_a_hidden_outcome_gets_404_and_is_audited(self, client, factory, login, session,
                                                                         project):
        hidden = factory.outcome(project)
        donor = factory.user("donor")
        login(donor)

        assert client.get(f"/projects/{project.slug}/outcomes/{hidden.id}").status_code == 404
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "denied_read"))
        assert (entry.actor_id, entry.object_id) == (donor.id, str(hidden.id))

    def test_donors_see_no_sources_and_no_substantiator_names_but_every_disagreement(
            self, client, factory, login, session, project):
        outcome = factory.outcome(project, sources="SOURCE-SENTINEL interview notes", status="substantiation_pending")
        person = factory.substantiator(project, "NAME-SENTINEL lecturer", expertise="Researches commune services")
        verdict = factory.substantiation(project, outcome, person, verdict_contribution="disagree",
                                         comment="The national programme trained them.")
        factory.acknowledge(project, outcome, verdict, reason="The referrals began before the programme.")
        factory.advance_outcome(outcome, "substantiated")
        login(factory.user("donor"))

        html = client.get(f"/projects/{project.slug}/outcomes/{outcome.id}").get_data(as_text=True)

        assert "SENTINEL" not in html
        assert "Substantiated with disagreement" in html and "The national programme trained them." in html
        assert "acknowledged by Mai Tran (M&amp;E)" in html and "The referrals began before the programme." in html

    def test_donors_cannot_open_outcome_forms(self, client, factory, login, session, project):
        outcome = factory.outcome(project, status="substantiated")
        login(factory.user("donor"))

        for url in (f"/projects/{project.slug}/outcomes/new", f"/projects/{project.slug}/outcomes/{outcome.id}/edit",
                    f"/projects/{project.slug}/harvests", f"/projects/{project.slug}/substantiators"):
            assert client.get(url).status_code == 404, url


def test_harvests_follow_the_six_steps(client, factory, login, session, submit, project):
    login(factory.user("grantee", projects=[project]))
    session.commit()

    response = submit(f"/projects/{project.slug}/harvests/new", {
        "title": "Final harvest", "period_start": "2018-09-01", "period_end": "2022-08-31",
        "questions": "Which duty-bearers changed how they respond?", "intended_uses": "", "step": "engage"})

    assert response.status_code == 302
    html = client.get(f"/projects/{project.slug}/harvests").get_data(as_text=True)
    assert "3 · Engage change agents in formulating outcomes" in html


def test_a_harvest_period_must_be_in_order(client, factory, login, session, submit, project):
    login(factory.user("grantee", projects=[project]))
    session.commit()

    response = submit(f"/projects/{project.slug}/harvests/new", {
        "title": "Backwards", "period_start": "2022-01-01", "period_end": "2021-01-01",
        "questions": "Which duty-bearers changed?", "step": "design"})

    assert response.status_code == 200 and 'id="period_end-error"' in response.get_data(as_text=True)


@pytest.mark.both_backends
def test_the_outcome_list_query_count_does_not_grow_with_outcomes(client, factory, login, session, count_queries,
                                                                   project):
    harvests = [factory.harvest(project, title=f"Harvest {number}") for number in range(3)]
    login(factory.user("me"))

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(Outcome)) < total:
            count = session.scalar(sa.select(sa.func.count()).select_from(Outcome))
            factory.outcome(project, harvests[count % 3], status=("draft", "substantiated")[count % 2])
        session.commit()
        with count_queries() as counter:
            assert client.get(f"/projects/{project.slug}/outcomes").status_code == 200
        return counter.count

    assert queries_with(4) == queries_with(30)
