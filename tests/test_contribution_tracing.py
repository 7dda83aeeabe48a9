"""Contribution tracing records: inputs, stored steps equal to the pure module's, recomputation, bands, the summary."""

import html

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tracker.common.errors import ValidationFailed
from tracker.contribution.models import ConfidenceBand
from tracker.contribution.models import CtEvidence
from tracker.contribution.models import CtStep
from tracker.contribution.tracing import bayes as tracing
from tracker.contribution.tracing import services as tracing_services


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline", title="Aselo helpline platform")
    session.commit()
    return project


@pytest.fixture
def me(factory, login, session):
    user = factory.user("me")
    session.commit()
    login(user)
    return user


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def pure_result(component):
    """What the pure module computes for the component's evidence in recorded order."""
    items = sorted(component.evidence, key=lambda item: item.position)
    return tracing.trace_component([tracing.EvidenceItem(item.id, item.sensitivity, item.type1_error, item.observed)
                                    for item in items], prior=component.prior)


def stored_steps(session, component):
    return session.scalars(sa.select(CtStep).where(CtStep.component_id == component.id)
                           .order_by(CtStep.position)).all()


def test_stored_steps_equal_the_pure_modules_figures(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim, prior="0.4")
    for sensitivity, type1_error, observed in ((0.3, 0.05, "found"), (0.6, 0.4, "found"), (0.9, 0.2, "pending"),
                                               (0.95, 0.5, "not_found")):
        factory.ct_evidence(project, component, sensitivity, type1_error, observed)

    expected = pure_result(component)
    steps = stored_steps(session, component)

    assert [(step.ct_evidence_id, step.observed.value, step.test_type.value, step.prior, step.posterior)
            for step in steps] == [(step.evidence_id, step.observed.value, step.test_type.value, step.prior,
                                    step.posterior) for step in expected.steps]
    assert component.confidence == expected.confidence


def test_the_worked_example_is_stored_step_by_step(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    factory.ct_evidence(project, component, 0.30, 0.05, "found")
    factory.ct_evidence(project, component, 0.60, 0.40, "found")

    steps = stored_steps(session, component)

    assert [round(step.posterior, 3) for step in steps] == [0.857, 0.900]
    assert steps[1].prior == steps[0].posterior
    assert [step.test_type.value for step in steps] == ["smoking_gun", "straw_in_the_wind"]


def test_editing_evidence_recomputes_the_steps_in_recorded_order(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    first = factory.ct_evidence(project, component, 0.9, 0.5, "pending")
    factory.ct_evidence(project, component, 0.6, 0.2, "found")

    tracing_services.update_ct_evidence(session, TEST_ACTOR, project, first, {
        "description": first.description, "sensitivity": "0.95", "type1_error": "0.5", "observed": "not_found",
        "reason": "The register was checked in March: no entry."},
        first.version)

    steps = stored_steps(session, component)
    assert steps[0].ct_evidence_id == first.id and steps[0].observed.value == "not_found"
    assert component.confidence == pytest.approx(pure_result(component).confidence)
    assert component.confidence < 0.5


def test_deleting_evidence_recomputes_and_changing_the_prior_too(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    item = factory.ct_evidence(project, component)

    tracing_services.delete_ct_evidence(session, TEST_ACTOR, project, item)
    assert stored_steps(session, component) == [] and component.confidence == 0.5

    tracing_services.update_component(session, TEST_ACTOR, project, component, {
        "entity": component.entity, "activity": component.activity, "prior": "0.3",
        "reason": "The peer review found the starting point too generous."}, component.version)
    assert component.confidence == 0.3


@pytest.mark.parametrize("field, value, message", [
    ("sensitivity", "1", "strictly between 0 and 1"),
    ("sensitivity", "0", "strictly between 0 and 1"),
    ("type1_error", "1.2", "strictly between 0 and 1"),
    ("type1_error", "-0.1", "strictly between 0 and 1"),
    ("sensitivity", "high", "Enter a number between 0 and 1"),
    ("type1_error", "", "Enter a number between 0 and 1"),
    ("sensitivity", "nan", "strictly between 0 and 1"),
])
def test_se_and_alpha_outside_0_and_1_or_not_numbers_are_refused_on_their_field(factory, session, project, field,
                                                                                value, message):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    values = {"sensitivity": "0.7", "type1_error": "0.1", field: value}

    with pytest.raises(ValidationFailed) as error:
        factory.ct_evidence(project, component, **values)

    assert [reason[0] for reason in error.value.reasons] == [field]
    assert message in error.value.reasons[0][1]


def test_a_decimal_comma_is_accepted(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)

    item = factory.ct_evidence(project, component, "0,85", "0,3")

    assert (item.sensitivity, item.type1_error) == (0.85, 0.3)


def test_the_form_keeps_bad_probabilities_and_shows_the_message_beside_them(client, factory, session, submit,
                                                                            project, me):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    session.commit()

    response = submit(f"/projects/{project.slug}/claims/{claim.id}/tracing/components/{component.id}/evidence/new",
                      {"description": "Response times improve", "sensitivity": "1.5", "type1_error": "abc",
                       "observed": "found"})
    text = text_of(response)

    assert response.status_code == 200
    assert 'id="sensitivity-error"' in text and 'id="type1_error-error"' in text
    assert 'value="1.5"' in text and 'value="abc"' in text
    assert session.scalar(sa.select(sa.func.count()).select_from(CtEvidence)) == 0


def test_a_component_prior_must_be_a_probability(factory, session, project):
    claim, _links = factory.claim_with_chain(project)

    with pytest.raises(ValidationFailed) as error:
        factory.component(project, claim, prior="1")

    assert error.value.reasons[0][0] == "prior"


def test_the_claims_confidence_is_its_weakest_components(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    strong, weak = factory.component(project, claim), factory.component(project, claim, entity="Provincial offices")
    factory.ct_evidence(project, strong, 0.3, 0.05, "found")
    factory.ct_evidence(project, weak, 0.95, 0.5, "not_found")

    summary = tracing_services.claim_summary(session, claim)

    assert summary["confidence"] == weak.confidence == pytest.approx(0.025 / 0.275)
    assert summary["weakest_component_id"] == weak.id and summary["rule"] == "weakest_component"
    assert summary["band"] == "very confident it does not hold"


def test_the_summary_is_plain_data_with_every_step(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    note = factory.evidence(project, title="Supervisor interview")
    item = factory.ct_evidence(project, component, evidence_id=note.id)

    summary = tracing_services.claim_summary(session, claim)
    step = summary["components"][0]["steps"][0]

    assert summary["id"] == claim.id and summary["components"][0]["prior"] == 0.5
    assert step["evidence_id"] == item.id and step["evidence_item_id"] == note.id
    assert (step["prior"], round(step["posterior"], 3), step["test_type"]) == (0.5, 0.875, "smoking_gun")
    assert all(isinstance(value, (int, float, str, type(None), list)) for value in summary.values())


def test_a_claim_without_components_has_no_confidence(factory, session, project):
    claim, _links = factory.claim_with_chain(project)

    summary = tracing_services.claim_summary(session, claim)

    assert summary["confidence"] is None and summary["band"] is None and summary["components"] == []


def test_the_tracing_page_shows_every_step_with_its_inputs_and_names_the_rule(client, factory, session, project, me):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    factory.ct_evidence(project, component, 0.30, 0.05, "found", description="Chat response times improve")
    factory.ct_evidence(project, component, 0.60, 0.40, "found", description="Text contacts rise")
    session.commit()

    text = text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}/tracing"))

    assert "Chat response times improve" in text and "Smoking gun" in text and "Straw in the wind" in text
    assert "0.857" in text and "0.900" in text
    assert "the claim's confidence is the lowest of its components' confidences" in text
    assert "a hoop test has Se ≥ 0.8" in text and "a smoking gun has α ≤ 0.2" in text


# The fund's verbal scale ---------------------------------------------------------------------------


def test_a_fund_can_replace_the_verbal_scale(factory, session, project):
    fund = factory.fund()

    tracing_services.save_bands(session, TEST_ACTOR, fund, "0 unlikely\n0.5 plausible\n0.8 well established",
                                fund.version)

    assert tracing_services.fund_bands(session, fund.id) == (
        tracing.Band(0.0, "unlikely"), tracing.AS_LIKELY_AS_NOT, tracing.Band(0.5, "plausible"),
        tracing.Band(0.8, "well established"))


def test_the_claims_band_comes_from_the_funds_scale(factory, session, project):
    fund = factory.fund()
    tracing_services.save_bands(session, TEST_ACTOR, fund, "0 unlikely\n0.5 plausible", fund.version)
    claim, _links = factory.claim_with_chain(project)
    factory.ct_evidence(project, factory.component(project, claim))

    assert tracing_services.claim_summary(session, claim)["band"] == "plausible"


def test_an_empty_scale_restores_the_default(factory, session, project):
    fund = factory.fund()
    tracing_services.save_bands(session, TEST_ACTOR, fund, "0 unlikely\n0.5 plausible", fund.version)

    tracing_services.save_bands(session, TEST_ACTOR, fund, "", fund.version)

    assert tracing_services.fund_bands(session, fund.id) == tracing.DEFAULT_BANDS
    assert session.scalar(sa.select(sa.func.count()).select_from(ConfidenceBand)) == 0


@pytest.mark.parametrize("text, message", [
    ("0.5 plausible", "must start at 0"),
    ("0 unlikely\nabout half", "Line 2 does not start with a number"),
    ("0 unlikely\n1 certain", "Line 2 needs a lower bound"),
    ("0 unlikely\n0.5 a\n0.50 b", "same lower bound"),
])
def test_a_malformed_scale_is_refused_with_the_line(factory, session, project, text, message):
    fund = factory.fund()
    with pytest.raises(ValidationFailed) as error:
        tracing_services.save_bands(session, TEST_ACTOR, fund, text, fund.version)

    assert any(message in reason for _field, reason in error.value.reasons)


def test_staff_edit_the_scale_on_the_fund_page_and_bad_input_is_kept(client, factory, session, submit, me):
    factory.fund()
    session.commit()

    response = submit("/fund/confidence-bands", {"bands": "0.5 plausible"})

    assert response.status_code == 200 and "must start at 0" in text_of(response)
    assert "0.5 plausible</textarea>" in response.get_data(as_text=True)
