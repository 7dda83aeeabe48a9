"""Reader wellbeing rules: the proposed distressing-content level, a reader's week against their usual weeks,
and the staff aggregate that is withheld below five readers."""

from datetime import date

import pytest

from tracker.msc.models import AgeBand
from tracker.msc.models import DistressLevel
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import StorytellerCategory
from tracker.msc.rules import DistressFacts
from tracker.msc.rules import domain_recounts_harm
from tracker.msc.rules import propose_distress_level
from tracker.wellbeing import rules

MONDAY = date(2026, 12, 7)


def facts(status="approved", category="parent_caregiver", age_band="40_59", domain="Parents, teachers and communities"):
    return DistressFacts(SafeguardingStatus(status), StorytellerCategory(category), AgeBand(age_band), domain)


def test_a_story_without_any_flag_is_proposed_as_not_distressing():
    assert propose_distress_level(facts()) is DistressLevel.NONE


@pytest.mark.parametrize("flagged", [
    facts(category="child", age_band="13_15"),
    facts(category="young_person", age_band="16_17"),
    facts(domain="Children speaking up and seeking help"),
    facts(domain="Violences sexuelles en ligne"),
    facts(status="restricted"),
])
def test_one_flag_proposes_some_distressing_content(flagged):
    assert propose_distress_level(flagged) is DistressLevel.SOME


@pytest.mark.parametrize("flagged", [
    facts(status="restricted", category="child", age_band="10_12"),
    facts(status="restricted", domain="Explotación y abuso en línea"),
])
def test_a_restricted_story_told_by_a_child_or_about_harm_is_proposed_as_severe(flagged):
    assert propose_distress_level(flagged) is DistressLevel.SEVERE


def test_a_domain_about_systems_does_not_recount_harm():
    assert not domain_recounts_harm("Systems, industry and evidence", "Laws, platforms and data that changed.")
    assert domain_recounts_harm("Services", "Stories of children who were groomed and got help.")


def test_the_usual_week_is_the_median_of_the_previous_eight_weeks_counting_empty_weeks_as_none():
    weekly = {date(2026, 11, 30): 6, date(2026, 11, 23): 4, date(2026, 11, 16): 5, date(2026, 11, 9): 30}
    comparison = rules.compare(weekly, 0, MONDAY, None)
    assert [amount for _monday, amount in comparison.previous_weeks] == [6, 4, 5, 30, 0, 0, 0, 0]
    assert comparison.usual == 2
    assert comparison.previous_weeks[0][0] == date(2026, 11, 30)


def test_this_week_runs_from_monday_whatever_the_day():
    weekly = {date(2026, 12, 7): 9}
    assert rules.compare(weekly, 0, date(2026, 12, 13), None).this_week == 9
    assert rules.compare(weekly, 0, date(2026, 12, 14), None).this_week == 0


def test_a_week_above_the_usual_amount_says_so():
    assert rules.compare({MONDAY: 3}, 0, MONDAY, None).above_usual
    assert not rules.compare({MONDAY: 0}, 0, MONDAY, None).above_usual


@pytest.mark.parametrize(("read", "threshold", "due"), [(10, 10, True), (9, 10, False), (50, None, False)])
def test_the_note_is_due_from_the_readers_own_threshold_and_never_without_one(read, threshold, due):
    assert rules.compare({MONDAY: read}, 0, MONDAY, threshold).note_due is due


def test_the_staff_aggregate_is_withheld_below_five_readers():
    withheld = rules.aggregate([3, 8, 1, 12])
    assert (withheld.shown, withheld.readers, withheld.stories_read, withheld.median_per_reader) == (False, 4, 0, 0)


def test_the_staff_aggregate_is_shown_from_five_readers():
    shown = rules.aggregate([3, 8, 1, 12, 6])
    assert (shown.shown, shown.readers, shown.stories_read, shown.median_per_reader) == (True, 5, 30, 6)
