"""Outcome Harvesting rules on plain data: the status workflow, the substantiation gate, SMART prompts,
the substantiation summary and the social-actor check."""

from datetime import date

import pytest

from tracker.outcomes import smart
from tracker.outcomes import workflow
from tracker.outcomes.actors import looks_like_a_person
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.models import Verdict
from tracker.outcomes.summary import Standing
from tracker.outcomes.summary import VerdictInput
from tracker.outcomes.summary import summarise

COMPLETE = {"description": "Officers refer cases within 48 hours.", "social_actor": "Commune officers",
            "significance": "Children get care sooner.", "contribution": "The project trained them."}
NOT_YET = Standing.NOT_YET


@pytest.mark.parametrize("missing", workflow.GATE_FIELDS)
def test_sending_to_substantiation_requires_each_gate_field(missing):
    fields = {**COMPLETE, missing: "  "}

    problems = workflow.transition_problems("formulated", "substantiation_pending", fields, NOT_YET)

    assert [field for field, _message in problems] == [missing]


def test_a_complete_outcome_passes_the_gate():
    assert workflow.transition_problems("formulated", "substantiation_pending", COMPLETE, NOT_YET) == []


def test_status_moves_one_step_at_a_time():
    problems = workflow.transition_problems("draft", "substantiated", COMPLETE, Standing.SUBSTANTIATED)

    assert problems and problems[0][0] is None


@pytest.mark.parametrize("standing", [Standing.NOT_YET, Standing.DISAGREEMENT_OPEN, Standing.NOT_INDEPENDENT,
                                      Standing.EARLIER_WORDING])
def test_marking_substantiated_needs_verdicts_that_substantiate(standing):
    assert workflow.transition_problems("substantiation_pending", "substantiated", COMPLETE, standing)


@pytest.mark.parametrize("standing", [Standing.SUBSTANTIATED, Standing.WITH_DISAGREEMENT])
def test_substantiated_verdicts_let_the_outcome_be_marked_substantiated(standing):
    assert workflow.transition_problems("substantiation_pending", "substantiated", COMPLETE, standing) == []


def test_moving_back_is_always_allowed():
    assert workflow.transition_problems("substantiation_pending", "formulated", {}, NOT_YET) == []


@pytest.mark.parametrize("current, target, permission", [
    ("draft", "formulated", "outcome.edit"),
    ("formulated", "substantiation_pending", "outcome.edit"),
    ("substantiation_pending", "formulated", "outcome.edit"),
    ("substantiation_pending", "substantiated", "outcome.substantiate"),
    ("substantiated", "substantiation_pending", "outcome.substantiate"),
    ("substantiated", "analysed", "outcome.substantiate"),
])
def test_the_m_and_e_steps_need_the_substantiate_permission(current, target, permission):
    assert workflow.permission_for(current, target) == permission


def test_neighbours_at_both_ends():
    assert workflow.neighbours(OutcomeStatus.DRAFT) == (None, OutcomeStatus.FORMULATED)
    assert workflow.neighbours(OutcomeStatus.ANALYSED) == (OutcomeStatus.SUBSTANTIATED, None)


def verdicts(name, description, significance, contribution, independent=True, comment="", **more):
    return VerdictInput(name, "expertise of " + name, independent, Verdict(description), Verdict(significance),
                        Verdict(contribution), comment, **more)


def test_a_single_disagreement_is_reported_not_averaged_away():
    summary = summarise([
        verdicts("A", "fully_agree", "fully_agree", "fully_agree"),
        verdicts("B", "fully_agree", "fully_agree", "fully_agree"),
        verdicts("C", "fully_agree", "fully_agree", "disagree", comment="The national programme did it."),
    ])

    assert summary.has_disagreement and summary.standing is Standing.DISAGREEMENT_OPEN
    assert summary.counts["contribution"][Verdict.DISAGREE] == 1
    assert summary.counts["contribution"][Verdict.FULLY_AGREE] == 2
    [dissent] = summary.disagreements
    assert dissent.substantiator == "C" and dissent.aspects == ("contribution",)
    assert dissent.comment == "The national programme did it."


def test_a_disagreeing_substantiator_is_listed_once_with_their_reservations():
    summary = summarise([verdicts("C", "partially_agree", "fully_agree", "disagree")])

    assert [(d.aspects, d.partial) for d in summary.disagreements] == [(("contribution",), ("description",))]
    assert summary.partial == []


def test_unanimous_agreement_and_independence_are_counted():
    summary = summarise([verdicts("A", "fully_agree", "fully_agree", "fully_agree", independent=False),
                         verdicts("B", "fully_agree", "fully_agree", "fully_agree")])

    assert summary.unanimous and summary.independent == 1 and summary.total == 2


def test_reservations_are_not_disagreements():
    summary = summarise([verdicts("A", "partially_agree", "fully_agree", "fully_agree")])

    assert not summary.has_disagreement and summary.standing is Standing.SUBSTANTIATED
    assert [item.aspects for item in summary.partial] == [("description",)]


def test_no_verdicts_means_not_yet_substantiated():
    assert summarise([]).standing is Standing.NOT_YET


AGREE = ("fully_agree", "fully_agree", "fully_agree")
DISAGREE_ON_CONTRIBUTION = ("fully_agree", "fully_agree", "disagree")


def test_independent_agreement_substantiates_the_outcome():
    assert summarise([verdicts("A", *AGREE)]).standing is Standing.SUBSTANTIATED


def test_an_open_disagreement_keeps_the_outcome_from_counting_as_substantiated():
    summary = summarise([verdicts("A", *AGREE), verdicts("B", *DISAGREE_ON_CONTRIBUTION, comment="The law did it.")])

    assert summary.standing is Standing.DISAGREEMENT_OPEN and not summary.counts_as_substantiated


def test_an_acknowledged_disagreement_counts_and_names_who_acknowledged_it_and_why():
    summary = summarise([verdicts("A", *AGREE), verdicts(
        "B", *DISAGREE_ON_CONTRIBUTION, comment="The law did it.", acknowledged_by="Mai (M&E)",
        acknowledgement="The law came after the referrals started.")])

    assert summary.standing is Standing.WITH_DISAGREEMENT and summary.counts_as_substantiated
    [item] = summary.acknowledgements
    assert (item.acknowledged_by, item.reason) == ("Mai (M&E)", "The law came after the referrals started.")


def test_only_substantiators_with_a_stake_in_the_project_do_not_substantiate_independently():
    summary = summarise([verdicts("Project officer", *AGREE, independent=False)])

    assert summary.standing is Standing.NOT_INDEPENDENT and not summary.counts_as_substantiated


def test_verdicts_on_an_earlier_wording_alone_do_not_substantiate_the_current_one():
    summary = summarise([verdicts("A", *AGREE, on_current_wording=False)])

    assert summary.standing is Standing.EARLIER_WORDING


def test_only_verdicts_on_the_current_wording_decide():
    summary = summarise([verdicts("A", *DISAGREE_ON_CONTRIBUTION, comment="x", on_current_wording=False),
                         verdicts("B", *AGREE)])

    assert summary.standing is Standing.SUBSTANTIATED


def test_an_open_disagreement_outweighs_a_missing_independent_substantiator():
    summary = summarise([verdicts("A", *DISAGREE_ON_CONTRIBUTION, independent=False, comment="x")])

    assert summary.standing is Standing.DISAGREEMENT_OPEN


@pytest.mark.parametrize("text", ["Mr Tran", "Ms. Lan Nguyen", "Bà Lan", "Khun Somchai", "Dr Amina Yusuf"])
def test_honorific_plus_name_looks_like_a_private_person(text):
    assert looks_like_a_person(text)


@pytest.mark.parametrize("text", ["Commune child-protection officers", "Cô giáo in Hải Châu district",
                                  "Da Nang Department of Labour", "Mr", ""])
def test_organisations_and_roles_are_accepted(text):
    assert not looks_like_a_person(text)


def test_smart_prompts_point_at_gaps_in_the_record():
    record = {"description": "Short.", "social_actor": "", "change_date": date(2019, 1, 1)}

    keys = [key for key, _prompt in smart.prompts(record, (date(2020, 1, 1), date(2021, 12, 31)))]

    assert {"specific", "measurable", "achieved", "relevant", "timely"} <= set(keys)


def test_a_full_record_inside_the_period_gets_no_prompts():
    record = {**COMPLETE, "description": "From March 2021 commune officers in 14 communes referred 19 of 23 online "
                                         "abuse cases within 48 hours.", "change_date": date(2021, 3, 1),
              "country_code": "VN", "sources": "Case registers"}

    assert smart.prompts(record, (date(2020, 1, 1), date(2021, 12, 31))) == []
