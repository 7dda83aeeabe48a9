"""MSC rules on plain data: consent, why a story is not shared, written reasons, meta-monitoring figures."""

from datetime import date

import pytest

from tracker.msc import meta
from tracker.msc.consent import SharingFacts
from tracker.msc.consent import consent_problems
from tracker.msc.consent import is_minor
from tracker.msc.consent import why_not_shared
from tracker.msc.consent import withdrawal_problems
from tracker.msc.models import FeedbackKind
from tracker.msc.models import VerificationState
from tracker.msc.rules import Pick
from tracker.msc.rules import reasons_problems
from tracker.msc.rules import standing_selections
from tracker.msc.rules import undone_with

TODAY = date(2024, 6, 1)
ADULT_CONSENT = {"storyteller_consent": True, "obtained_on": date(2024, 5, 1), "form_name": "Consent form",
                 "form_version": "2", "scope_internal": True}


@pytest.mark.parametrize("category, age_band, expected", [
    ("child", "not_recorded", True),
    ("young_person", "16_17", True),
    ("young_person", "not_recorded", True),
    ("young_person", "18_24", False),
    ("parent_caregiver", "13_15", True),
    ("teacher", "25_39", False),
])
def test_who_counts_as_a_child_for_consent(category, age_band, expected):
    assert is_minor(category, age_band) is expected


def test_an_adult_storytellers_own_consent_completes_the_record():
    assert consent_problems(ADULT_CONSENT, minor=False, today=TODAY) == []


def test_a_child_needs_guardian_consent_and_their_own_assent():
    problems = consent_problems(ADULT_CONSENT, minor=True, today=TODAY)

    assert {field for field, _message in problems} == {"guardian_consent", "child_assent"}
    assert consent_problems({**ADULT_CONSENT, "guardian_consent": True, "child_assent": True}, True, TODAY) == []


def test_consent_needs_a_date_a_form_and_a_version():
    problems = consent_problems({"storyteller_consent": True, "scope_donor": True}, minor=False, today=TODAY)

    assert {field for field, _message in problems} == {"obtained_on", "form_name", "form_version"}


def test_consent_needs_at_least_one_use():
    problems = consent_problems({**ADULT_CONSENT, "scope_internal": False}, minor=False, today=TODAY)

    assert [field for field, _message in problems] == ["scope_internal"]


def test_public_use_includes_donor_reporting():
    problems = consent_problems({**ADULT_CONSENT, "scope_public": True}, minor=False, today=TODAY)

    assert [field for field, _message in problems] == ["scope_public"]


def test_consent_cannot_be_dated_in_the_future():
    problems = consent_problems({**ADULT_CONSENT, "obtained_on": date(2024, 6, 2)}, minor=False, today=TODAY)

    assert [field for field, _message in problems] == ["obtained_on"]


@pytest.mark.parametrize("withdrawn_on, ok", [(date(2024, 5, 20), True), (date(2024, 6, 2), False),
                                              (date(2024, 4, 1), False), (None, False)])
def test_withdrawal_dates(withdrawn_on, ok):
    assert (withdrawal_problems(withdrawn_on, date(2024, 5, 1), TODAY) == []) is ok


def test_every_reason_a_story_is_not_shared_is_explained():
    facts = SharingFacts(complete=False, scope_donor=False, withdrawn_on=date(2024, 1, 1), safeguarding="restricted")

    assert why_not_shared(facts) == ["needs_consent", "withdrawn", "no_donor_scope", "restricted", "no_donor_version"]
    assert why_not_shared(SharingFacts(True, True, None, "approved", donor_version_approved=True)) == []


@pytest.mark.parametrize("reasons", ["", "   ", "Strong story."])
def test_a_selection_without_written_reasons_is_refused(reasons):
    assert [field for field, _message in reasons_problems(True, reasons)] == ["reasons"]


def test_reasons_in_full_sentences_are_accepted_and_not_needed_when_not_selected():
    assert reasons_problems(True, "It shows a child telling a friend and the whole network then helping.") == []
    assert reasons_problems(False, "") == []


def known_dataset():
    """Ten stories, two levels, selections, feedback and verifications with hand-counted figures."""
    stories = [meta.StoryFact(i, domain, category, language, eligible)
               for i, domain, category, language, eligible in [
                   (1, 10, "child", "vi", True), (2, 10, "child", "en", True), (3, 10, "young_person", "th", True),
                   (4, 20, "parent_caregiver", "en", True), (5, 20, "teacher", "en", True),
                   (6, 30, "professional", "en", True), (7, 30, "professional", "en", False),
                   (8, 99, "child", "km", True), (9, 10, "child", "vi", False), (10, 20, "teacher", "en", True)]]
    levels = [meta.LevelFact(2, 2, "Fund"), meta.LevelFact(1, 1, "Country")]
    decisions = [
        meta.DecisionFact(1, 1, 1, True, frozenset({FeedbackKind.STORYTELLER, FeedbackKind.LOWER_LEVEL})),
        meta.DecisionFact(2, 4, 1, True, frozenset({FeedbackKind.STORYTELLER})),
        meta.DecisionFact(3, 6, 1, True),
        meta.DecisionFact(4, 2, 1, False),
        meta.DecisionFact(5, 1, 2, True),
        meta.DecisionFact(6, 4, 2, False),
        meta.DecisionFact(7, 7, 1, True),  # story 7 is no longer eligible (e.g. consent withdrawn)
        meta.DecisionFact(8, 6, 2, True),
    ]
    domains = [(10, "Speaking up"), (20, "Families"), (30, "Services"), (40, "Systems"), (99, "Any other change")]
    states = {1: VerificationState.CONFIRMED, 6: VerificationState.NOT_CONFIRMED, 9: VerificationState.CONFIRMED}
    return meta.compute(stories, domains, levels, decisions, states)


def test_meta_monitoring_counts_stories_per_domain_category_and_language():
    figures = known_dataset()

    assert figures.total == 10 and figures.eligible == 8
    assert figures.per_domain == [("Speaking up", 4), ("Families", 3), ("Services", 2), ("Systems", 0),
                                  ("Any other change", 1)]
    assert figures.per_category[0] == ("child", 4)
    assert dict(figures.per_language) == {"en": 6, "vi": 2, "th": 1, "km": 1}


def test_meta_monitoring_follows_stories_up_the_levels():
    levels = known_dataset().per_level

    assert [(level.name, level.considered, level.selected) for level in levels] == [("Country", 8, 3), ("Fund", 3, 2)]
    assert levels[0].rate == pytest.approx(3 / 8) and levels[1].rate == pytest.approx(2 / 3)


def test_meta_monitoring_counts_only_confirmed_stories_among_the_top_level_selections():
    figures = known_dataset()

    assert figures.top_selected == 2  # stories 1 and 6 reached the fund level; 4 and 7 stopped below
    assert figures.verified_selected == 1 and figures.verified_share == pytest.approx(0.5)  # 6 was not confirmed
    assert dict(figures.per_verification) == {VerificationState.PENDING: 0, VerificationState.CONFIRMED: 1,
                                              VerificationState.PARTLY_CONFIRMED: 0,
                                              VerificationState.NOT_CONFIRMED: 1}


def test_the_lowest_level_owes_feedback_only_to_the_storyteller():
    figures = known_dataset()

    # Country (lowest): decisions 3 and 7 owe the storyteller; fund: decisions 5 and 8 owe both.
    assert figures.feedback_owed == 0 + 0 + 1 + 1 + 2 + 2


def test_a_level_that_considered_nothing_has_no_rate():
    assert meta.LevelFigures("Fund", 0, 0).rate is None


def test_a_higher_selection_stands_only_on_a_selection_at_the_level_directly_below():
    picks = [Pick(1, 1, True), Pick(2, 2, False), Pick(3, 3, True)]  # the region passed it over

    assert standing_selections(picks, [1, 2, 3]) == {1}


def test_undoing_the_lowest_selection_undoes_every_level_above_it_lowest_first():
    picks = [Pick(1, 1, True), Pick(2, 2, True), Pick(3, 3, True)]

    assert undone_with(picks, [1, 2, 3], 1) == [2, 3]
    assert undone_with(picks, [1, 2, 3], 3) == []
