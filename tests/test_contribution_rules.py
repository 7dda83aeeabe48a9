"""The rules of a contribution claim on plain data: pathway chaining, Mayne's step gate, the confidence rule."""

from tracker.contribution import rules
from tracker.contribution.models import CaStep
from tracker.contribution.rules import PathAssumption
from tracker.contribution.rules import PathLink

# activity 1 → output 2 → outcome 3 → outcome 4
A_B, B_C, C_D = PathLink(10, 1, 2), PathLink(11, 2, 3), PathLink(12, 3, 4)
OTHER = PathLink(13, 7, 3)


def assumption(status, link_id=11, assumption_id=1):
    return PathAssumption(assumption_id, link_id, "Children trust a text channel", status)


def test_a_chaining_pathway_to_the_claimed_result_has_no_problem():
    assert rules.pathway_problems([A_B, B_C, C_D], outcome=4) == []


def test_a_link_that_does_not_start_where_the_previous_one_ends_is_a_break_at_its_position():
    problems = rules.pathway_problems([A_B, OTHER, C_D], outcome=4)

    assert problems == [rules.Break(1, A_B, OTHER)]


def test_a_repeated_link_is_reported_once_as_a_repeat():
    assert rules.pathway_problems([A_B, B_C, B_C], outcome=3) == [rules.Repeat(2, 1)]


def test_a_pathway_must_end_at_the_claimed_result():
    assert rules.pathway_problems([A_B, B_C], outcome=4) == [rules.WrongEnd(1, B_C, 4)]


def test_an_empty_pathway_has_no_chaining_problem():
    assert rules.pathway_problems([], outcome=4) == []


def test_pathway_nodes_run_from_the_first_cause_to_the_last_effect():
    assert rules.pathway_nodes([A_B, B_C, C_D]) == [1, 2, 3, 4]


def test_step_numbers_follow_mayne():
    assert [rules.number(step) for step in rules.STEPS] == [1, 2, 3, 4, 5, 6]


def test_moving_to_step_4_lists_every_untested_assumption_and_the_missing_explanation():
    untested = [assumption("untested", 11, 1), assumption("untested", 12, 2)]

    problems = rules.move_problems(CaStep.GATHER, CaStep.ASSEMBLE, [*untested, assumption("supported", 10, 3)],
                                   pathway_length=3, explanation_count=0)

    assert problems == [rules.UntestedAssumption(untested[0]), rules.UntestedAssumption(untested[1]),
                        rules.NoExplanation()]


def test_moving_to_step_4_is_allowed_once_assumptions_are_assessed_and_an_explanation_recorded():
    assessed = [assumption("supported"), assumption("partly_supported"), assumption("not_supported")]

    assert rules.move_problems(CaStep.GATHER, CaStep.ASSEMBLE, assessed, 3, 1) == []


def test_the_gate_holds_for_every_step_after_4_too():
    problems = rules.move_problems(CaStep.ASSEMBLE, CaStep.SEEK, [assumption("untested")], 3, 1)

    assert problems == [rules.UntestedAssumption(assumption("untested"))]


def test_step_3_needs_a_pathway_but_not_assessed_assumptions():
    assert rules.move_problems(CaStep.POSTULATE, CaStep.GATHER, [], 0, 0) == [rules.NoPathway()]
    assert rules.move_problems(CaStep.POSTULATE, CaStep.GATHER, [assumption("untested")], 2, 0) == []


def test_steps_forward_are_taken_one_at_a_time():
    assert rules.move_problems(CaStep.SET_OUT, CaStep.GATHER, [], 2, 1) == [
        rules.NotOneStepForward(CaStep.SET_OUT, CaStep.GATHER)]


def test_moving_back_is_always_allowed_even_from_6_to_4_with_untested_assumptions():
    assert rules.move_problems(CaStep.REVISE, CaStep.ASSEMBLE, [assumption("untested")], 0, 0) == []


def strong(*assumptions, rivals=(), tracing=None, reason="", has_pathway=True):
    return rules.ClaimState(has_pathway, tuple(assumptions), tuple(rivals), tracing, reason)


def rival(status):
    return rules.Rival(5, "Children moved to chat during the pandemic anyway", status)


def test_strong_holds_with_assumptions_supported_or_partly_supported_and_rivals_ruled_out():
    state = strong(assumption("supported"), assumption("partly_supported"), rivals=[rival("ruled_out"),
                                                                                     rival("partly")], tracing=0.8)

    assert rules.confidence_problems("strong", state) == []


def test_strong_confidence_is_refused_while_a_pathway_assumption_is_not_supported():
    blocking = assumption("not_supported")

    assert rules.confidence_problems("strong", strong(assumption("supported"), blocking)) == [
        rules.NotSupportedAssumption(blocking)]


def test_strong_confidence_is_refused_at_step_3_with_every_assumption_untested():
    untested = assumption("untested")

    assert rules.confidence_problems("strong", strong(untested)) == [rules.UntestedAssumption(untested)]


def test_strong_confidence_is_refused_while_a_rival_explanation_is_still_plausible():
    assert rules.confidence_problems("strong", strong(assumption("supported"), rivals=[rival("plausible")])) == [
        rules.PlausibleRival(rival("plausible"))]


def test_strong_confidence_is_refused_while_tracing_puts_the_claim_at_0_15_without_a_reason():
    assert rules.confidence_problems("strong", strong(assumption("supported"), tracing=0.15)) == [
        rules.LowTracing(0.15)]


def test_strong_below_0_5_in_tracing_holds_when_the_team_recorded_why():
    state = strong(assumption("supported"), tracing=0.15, reason="Tracing has only covered the first component.")

    assert rules.confidence_problems("strong", state) == []


def test_a_tracing_confidence_of_0_5_up_to_float_error_is_not_below_0_5():
    assert rules.confidence_problems("strong", strong(assumption("supported"), tracing=0.4999999999999976)) == []


def test_strong_needs_a_causal_pathway():
    assert rules.confidence_problems("strong", strong(has_pathway=False)) == [rules.NoPathway()]


def test_moderate_confidence_is_allowed_with_a_not_supported_assumption():
    assert rules.confidence_problems("moderate", strong(assumption("not_supported"), tracing=0.1)) == []


def test_a_stated_strong_that_no_longer_holds_is_shown_lowered_to_moderate_with_its_reasons():
    judgement = rules.judge_confidence("strong", strong(assumption("not_supported")))

    assert judgement.lowered and judgement.stated == "strong" and judgement.shown == "moderate"
    assert judgement.problems == (rules.NotSupportedAssumption(assumption("not_supported")),)


def test_a_stated_strong_that_holds_is_shown_as_stated():
    judgement = rules.judge_confidence("strong", strong(assumption("supported")))

    assert not judgement.lowered and judgement.shown == "strong"
