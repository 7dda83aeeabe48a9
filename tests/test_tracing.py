"""Contribution tracing arithmetic, checked by hand-computed numbers and by properties."""

import math

import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tracker.contribution.tracing.bayes import DEFAULT_BANDS
from tracker.contribution.tracing.bayes import Band
from tracker.contribution.tracing.bayes import EvidenceItem
from tracker.contribution.tracing.bayes import EvidenceTest
from tracker.contribution.tracing.bayes import Observation
from tracker.contribution.tracing.bayes import TracingInputError
from tracker.contribution.tracing.bayes import claim_confidence
from tracker.contribution.tracing.bayes import classify
from tracker.contribution.tracing.bayes import trace_component
from tracker.contribution.tracing.bayes import verbal_band

FOUND, NOT_FOUND, PENDING = Observation.FOUND, Observation.NOT_FOUND, Observation.PENDING


def item(sensitivity, type1_error, observed=FOUND, evidence_id=None):
    return EvidenceItem(evidence_id, sensitivity, type1_error, observed)


def test_found_smoking_gun_from_an_even_prior():
    # 0.5·0.30 / (0.5·0.30 + 0.5·0.05) = 0.15 / 0.175
    result = trace_component([item(0.30, 0.05)])

    assert result.confidence == pytest.approx(0.15 / 0.175)
    assert round(result.confidence, 3) == 0.857


def test_a_found_straw_in_the_wind_then_adds_a_little():
    # 0.857·0.60 / (0.857·0.60 + 0.143·0.40) = 0.5143 / (0.5143 + 0.0571)
    result = trace_component([item(0.30, 0.05), item(0.60, 0.40)])

    assert round(result.steps[1].prior, 3) == 0.857
    assert round(result.confidence, 3) == 0.900


def test_a_failed_hoop_test_sinks_the_component():
    # not found: 0.5·(1−0.95) / (0.5·0.05 + 0.5·(1−0.5)) = 0.025 / 0.275
    result = trace_component([item(0.95, 0.50, NOT_FOUND)])

    assert result.confidence == pytest.approx(0.025 / 0.275)
    assert round(result.confidence, 3) == 0.091


def test_pending_evidence_changes_nothing_but_is_shown_as_a_step():
    result = trace_component([item(0.9, 0.1, PENDING, "interview")], prior=0.6)

    assert result.confidence == 0.6
    assert result.steps[0].prior == result.steps[0].posterior == 0.6
    assert result.steps[0].evidence_id == "interview"


def test_each_step_records_its_inputs():
    step = trace_component([item(0.30, 0.05, FOUND, 7)]).steps[0]

    assert (step.evidence_id, step.sensitivity, step.type1_error, step.prior) == (7, 0.30, 0.05, 0.5)
    assert step.test_type == EvidenceTest.SMOKING_GUN


def test_no_evidence_leaves_the_prior():
    assert trace_component([], prior=0.4).confidence == 0.4


@pytest.mark.parametrize("sensitivity, type1_error, expected", [
    (0.95, 0.05, EvidenceTest.DOUBLY_DECISIVE),
    (0.90, 0.50, EvidenceTest.HOOP),
    (0.30, 0.05, EvidenceTest.SMOKING_GUN),
    (0.60, 0.40, EvidenceTest.STRAW_IN_THE_WIND),
    (0.80, 0.20, EvidenceTest.DOUBLY_DECISIVE),
])
def test_test_type_is_derived_from_sensitivity_and_type1_error(sensitivity, type1_error, expected):
    assert classify(sensitivity, type1_error) == expected


@pytest.mark.parametrize("field, values", [
    ("sensitivity", (0, 0.1)), ("sensitivity", (1, 0.1)), ("type1_error", (0.5, 0)),
    ("type1_error", (0.5, 1.2)), ("sensitivity", ("high", 0.1)), ("sensitivity", (float("nan"), 0.1)),
])
def test_probabilities_must_lie_strictly_between_0_and_1(field, values):
    with pytest.raises(TracingInputError) as error:
        trace_component([item(*values)])

    assert error.value.field == field


def test_claim_confidence_is_its_weakest_component():
    assert claim_confidence([0.9, 0.62, 0.99]) == 0.62
    assert claim_confidence([]) is None


@pytest.mark.parametrize("confidence, label", [
    (0.5, "as likely as not"), (0.5000001, "more confident than not"), (0.69, "more confident than not"),
    (0.7, "reasonably confident"),
    (0.9, "very confident"), (0.995, "practical certainty"), (0.09, "very confident it does not hold"),
    (0.45, "less confident than not"),
])
def test_verbal_bands(confidence, label):
    assert verbal_band(confidence) == label


def test_bands_are_configurable():
    assert verbal_band(0.6, [Band(0, "weak"), Band(0.75, "strong")]) == "weak"
    assert verbal_band(None, DEFAULT_BANDS) is None


probabilities = st.floats(min_value=0.001, max_value=0.999)
observations = st.sampled_from(list(Observation))
items = st.builds(item, probabilities, probabilities, observations)


@settings(max_examples=300, deadline=None)
@given(prior=probabilities, evidence=st.lists(items, max_size=60))
def test_posteriors_stay_strictly_inside_0_and_1(prior, evidence):
    result = trace_component(evidence, prior)

    assert all(0 < step.posterior < 1 for step in result.steps)
    assert 0 < result.confidence < 1


@settings(max_examples=300, deadline=None)
@given(prior=probabilities, sensitivity=probabilities, type1_error=probabilities)
def test_found_evidence_with_se_above_alpha_never_lowers_confidence(prior, sensitivity, type1_error):
    assume(sensitivity > type1_error)
    step = trace_component([item(sensitivity, type1_error, FOUND)], prior).steps[0]

    assert step.posterior >= step.prior


@settings(max_examples=300, deadline=None)
@given(prior=probabilities, evidence=st.lists(items, min_size=2, max_size=30), data=st.data())
def test_order_of_independent_items_does_not_change_the_final_posterior(prior, evidence, data):
    shuffled = data.draw(st.permutations(evidence))

    assert math.isclose(trace_component(evidence, prior).confidence,
                        trace_component(shuffled, prior).confidence, rel_tol=1e-9, abs_tol=1e-12)


def test_formula_matches_the_textbook_update_step_by_step():
    result = trace_component([item(0.7, 0.3, FOUND), item(0.9, 0.4, NOT_FOUND)], prior=0.35)
    p = 0.35
    p = p * 0.7 / (p * 0.7 + (1 - p) * 0.3)
    assert result.steps[0].posterior == pytest.approx(p)
    p = p * 0.1 / (p * 0.1 + (1 - p) * 0.6)
    assert result.confidence == pytest.approx(p)


def test_found_evidence_barely_above_its_type1_error_still_never_lowers_a_high_prior():
    step = trace_component([item(0.999, 0.9989999999999999, FOUND)], 0.999).steps[0]

    assert step.posterior >= step.prior == 0.999
