"""Checking an IATI file before it is written: the official schema, the codelists, the standard's rules."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tracker.iati import builder as builder
from tracker.iati.validation import SchemaUnavailable
from tracker.iati.validation import load_schema
from tracker.iati.validation import validate

SCHEMA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "iati-2.03"
TODAY = date(2024, 6, 1)


def official_schema():
    """The IATI 2.03 activities schema from ../shared (never copied into the project)."""
    if not (SCHEMA_DIR / "iati-activities-schema.xsd").is_file():
        skip_or_fail(f"the official IATI 2.03 schema is not in {SCHEMA_DIR}")
    return load_schema(str(SCHEMA_DIR))


@pytest.fixture
def schema():
    return official_schema()


def indicator(measure="1", **overrides):
    numeric = measure != "5"
    values = {
        "title": "Children referred to services after disclosing online abuse", "measure": measure,
        "baseline": builder.Baseline(2021, None, Decimal(140) if numeric else None, "Before the project."),
        "periods": (builder.Period(date(2022, 1, 1), date(2022, 12, 31),
                                   (builder.Value(Decimal(260) if numeric else None, "Planned."),),
                                   (builder.Value(Decimal(251) if numeric else None, "Reported."),
                                    builder.Value(Decimal(171) if numeric else None, "",
                                                  (("sex", "girls"),)))),),
        **overrides}
    return builder.Indicator(**values)


def tree(*indicators, publisher_ref="XI-IATI-TEST", identifier="XI-IATI-TEST-TH01", countries=("TH",),
         result_type="2", end=date(2024, 12, 31)):
    publisher = builder.Publisher(builder.Organisation("Safe Online (test publisher)", publisher_ref, "30"))
    results = (builder.Result(result_type, "Children who disclose abuse are referred and followed up", "",
                              indicators or (indicator(),)),)
    activity = builder.Activity(
        identifier, "Aselo helpline platform", "Children reach counsellors by chat and SMS.", date(2022, 1, 1), end,
        "USD", builder.Organisation("Childline Thailand Foundation", None, "22"), countries, results)
    return builder.build_activities(publisher, [activity], generated_at=datetime(2024, 6, 1, tzinfo=UTC),
                                    today=TODAY)


def messages(problems):
    return [problem.message for problem in problems]


def test_a_complete_activity_with_every_measure_passes_the_schema_and_every_check(schema):
    built = tree(*(indicator(measure) for measure in "12345"), countries=("KH", "ID", "TH"))

    assert validate(built, schema, today=TODAY) == []


def test_a_missing_baseline_year_fails_the_schema_and_the_rules_with_a_clear_message(schema):
    problems = validate(tree(indicator(baseline=builder.Baseline(None, None, Decimal(140)))), schema, today=TODAY)

    assert any("The attribute 'year' is required but missing" in message for message in messages(problems))
    assert "The baseline has no @year: IATI requires the year in which the baseline was measured. Give the " \
           "indicator a baseline year." in messages(problems)
    assert all(problem.path.endswith("/baseline") for problem in problems)


def test_a_missing_period_end_fails_the_schema_and_the_rules_with_a_clear_message(schema):
    period = builder.Period(date(2022, 1, 1), None, (builder.Value(Decimal(260)),))
    problems = validate(tree(indicator(periods=(period,))), schema, today=TODAY)

    assert any("Expected is ( period-end )" in message for message in messages(problems))
    assert "The period has no period-end: every period needs its end date (period-end/@iso-date)." \
        in messages(problems)


def test_the_rule_checks_run_without_the_schema_too():
    period = builder.Period(date(2022, 1, 1), None, (builder.Value(Decimal(260)),))

    assert messages(validate(tree(indicator(periods=(period,))), today=TODAY)) == [
        "The period has no period-end: every period needs its end date (period-end/@iso-date)."]


def test_a_period_must_start_before_it_ends():
    period = builder.Period(date(2022, 12, 31), date(2022, 12, 31), (builder.Value(Decimal(260)),))

    assert messages(validate(tree(indicator(periods=(period,))), today=TODAY)) == [
        "The period must start before it ends: period-start (2022-12-31) is not before period-end (2022-12-31)."]


def test_codes_outside_the_result_type_and_indicator_measure_codelists_are_reported(schema):
    problems = validate(tree(indicator(measure="7"), result_type="4"), schema, today=TODAY)

    assert messages(problems) == [
        "@type “4” is not in the ResultType codelist (1 Output, 2 Outcome, 3 Impact, 9 Other).",
        "@measure “7” is not in the IndicatorMeasure codelist (1 Unit, 2 Percentage, 3 Nominal, 4 Ordinal, "
        "5 Qualitative).",
    ]


def test_every_other_emitted_code_is_checked_against_its_codelist():
    built = tree(countries=("XX",))
    activity = built.getroot().find("iati-activity")
    activity.find("reporting-org").set("type", "99")
    activity.find("activity-status").set("code", "8")
    activity.find("sector").set("code", "99999")
    activity.set("default-currency", "ABC")

    assert messages(validate(built, today=TODAY)) == [
        "@default-currency “ABC” is not an ISO 4217 currency code.",
        "@type “99” is not in the OrganisationType codelist (10 Government, 11 Local Government, 15 Other Public "
        "Sector, 21 International NGO, 22 National NGO, 23 Regional NGO, 24 Partner Country based NGO, 30 Public "
        "Private Partnership, 40 Multilateral, 60 Foundation, 70 Private Sector, 71 Private Sector in Provider "
        "Country, 72 Private Sector in Aid Recipient Country, 73 Private Sector in Third Country, 80 Academic, "
        "Training and Research, 90 Other).",
        "@code “8” is not in the ActivityStatus codelist (1 Pipeline/identification, 2 Implementation, "
        "3 Finalisation, 4 Closed, 5 Cancelled, 6 Suspended).",
        "@code “XX” is not an ISO 3166-1 alpha-2 country code.",
        "@code “99999” is not one of the DAC 5-digit purpose codes this export may use.",
    ]


@pytest.mark.parametrize("measure", ["1", "2", "3", "4"])
def test_baseline_target_and_actual_need_a_value_for_measures_1_to_4(measure):
    empty = indicator(measure, baseline=builder.Baseline(2021), periods=(builder.Period(
        date(2022, 1, 1), date(2022, 12, 31), (builder.Value(None, "To be agreed."),), (builder.Value(None),)),))

    problems = messages(validate(tree(empty), today=TODAY))

    assert [message.split(":")[0] for message in problems] == [
        "The baseline has no @value", "The target has no @value", "The actual has no @value"]


def test_values_of_measures_1_to_4_must_be_numbers():
    built = tree(indicator("2"))
    built.getroot().find(".//actual").set("value", "about 250")

    assert messages(validate(built, today=TODAY)) == ["The actual @value “about 250” is not a number."]


def test_qualitative_indicators_must_carry_no_value():
    numbers = indicator("1")
    problems = messages(validate(tree(builder.Indicator(**{**vars(numbers), "measure": "5"})), today=TODAY))

    assert len(problems) == 4
    assert all("a qualitative indicator (measure 5) carries no value: its narrative goes in comment/narrative"
               in message for message in problems)


def test_a_dimension_needs_a_name_and_a_value():
    built = tree()
    built.getroot().find(".//dimension").attrib.pop("value")

    assert messages(validate(built, today=TODAY)) == [
        "A dimension needs a @name (e.g. sex) and a @value (e.g. female)."]


def test_the_identifier_must_begin_with_the_reporting_organisations_identifier():
    problems = messages(validate(tree(identifier="XI-DEMO-SO-TH01"), today=TODAY))

    assert problems == ["The identifier “XI-DEMO-SO-TH01” must begin with the reporting organisation's identifier "
                        "“XI-IATI-TEST” and a hyphen, e.g. XI-IATI-TEST-2024-001."]


@pytest.mark.parametrize("ref", ["IATI-TEST", "xi-iati-test", "XI-IATI-TEST/1", "XI-IATI"])
def test_the_reporting_organisation_needs_a_well_formed_identifier(ref):
    problems = messages(validate(tree(publisher_ref=ref, identifier=f"{ref}-1"), today=TODAY))

    assert any(message.startswith(f"@ref “{ref}” is not an organisation identifier") for message in problems)


def test_actual_dates_cannot_lie_in_the_future():
    built = tree(end=date(2024, 1, 31))

    assert messages(validate(built, today=date(2024, 1, 1))) == [
        "An actual date (2024-01-31) cannot be in the future."]


def test_recipient_country_percentages_must_sum_to_100():
    built = tree(countries=("KH", "TH"))
    built.getroot().find(".//recipient-country").set("percentage", "40")

    assert messages(validate(built, today=TODAY)) == [
        "The percentages of the recipient countries add up to 90, not 100."]


def test_contact_details_in_public_text_are_refused():
    leaking = indicator(periods=(builder.Period(date(2022, 1, 1), date(2022, 12, 31), (), (
        builder.Value(Decimal(251), "Call the counsellor on +66 81 234 5678 or write to nok@example.org."),)),))

    problems = messages(validate(tree(leaking), today=TODAY))

    assert problems == [
        "The comment seems to hold a phone number (“+66 81 234 5678”). IATI files are public: remove it from the "
        "text this comes from.",
        "The comment seems to hold an e-mail address (“nok@example.org”). IATI files are public: remove it from "
        "the text this comes from.",
    ]


def test_empty_text_is_refused():
    built = tree()
    built.getroot().find(".//result/title/narrative").text = "  "

    assert messages(validate(built, today=TODAY)) == ["The title is empty: it needs text."]


def test_every_problem_names_its_element_path_and_where_it_belongs(schema):
    period = builder.Period(date(2022, 1, 1), None, (builder.Value(Decimal(260)),))
    problems = validate(tree(indicator(periods=(period,))), schema, today=TODAY)

    assert {problem.where for problem in problems} == {
        "XI-IATI-TEST-TH01 › result “Children who disclose abuse are referred and followed up” › indicator "
        "“Children referred to services after disclosing online abuse” › period 2022-01-01"}
    assert {problem.path for problem in problems} >= {"/iati-activities/iati-activity/result/indicator/period"}
    assert str(problems[-1]).startswith("/iati-activities/iati-activity/result/indicator/period: The period has no")


def test_a_schema_folder_without_the_activities_schema_is_reported(tmp_path):
    with pytest.raises(SchemaUnavailable, match="iati-activities-schema.xsd"):
        load_schema(str(tmp_path))


def test_a_childs_name_age_and_place_in_a_narrative_are_refused():
    leaking = indicator(periods=(builder.Period(date(2022, 1, 1), date(2022, 12, 31), (), (
        builder.Value(Decimal(251), "Nguyen Thi Lan, aged 14, from Hoa Vang, reported the account."),)),))

    problems = messages(validate(tree(leaking), today=TODAY))

    assert problems == [
        "The comment seems to hold a personal name (“Nguyen Thi Lan”). IATI files are public: remove it from the "
        "text this comes from.",
        "The comment seems to hold an exact age next to a place (“aged 14, from Hoa Vang”). IATI files are public: "
        "remove it from the text this comes from.",
    ]


# Every problem cites the rule it breaks ----------------------------------------------------------


def rules(problems):
    return [str(problem.rule) for problem in problems]


def test_a_missing_actual_value_cites_ruleset_rule_8_10_1_beside_its_explanation():
    empty = indicator("1", periods=(builder.Period(date(2022, 1, 1), date(2022, 12, 31), (builder.Value(260),),
                                                   (builder.Value(None),)),))

    problems = validate(tree(empty), today=TODAY)

    assert rules(problems) == ["IATI rule 8.10.1"]
    assert str(problems[0]).startswith("/iati-activities/iati-activity/result/indicator/period/actual: The actual "
                                       "has no @value")
    assert "(IATI rule 8.10.1)" in str(problems[0])


@pytest.mark.parametrize("measure", ["1", "4"])
def test_missing_baseline_target_and_actual_values_cite_8_8_1_8_9_1_and_8_10_1(measure):
    empty = indicator(measure, baseline=builder.Baseline(2021), periods=(builder.Period(
        date(2022, 1, 1), date(2022, 12, 31), (builder.Value(None, "To be agreed."),), (builder.Value(None),)),))

    assert rules(validate(tree(empty), today=TODAY)) == ["IATI rule 8.8.1", "IATI rule 8.9.1", "IATI rule 8.10.1"]


def test_values_on_a_qualitative_indicator_cite_the_x_3_rules():
    numbers = indicator("1")

    problems = validate(tree(builder.Indicator(**{**vars(numbers), "measure": "5"})), today=TODAY)

    assert rules(problems) == ["IATI rule 8.8.3", "IATI rule 8.9.3", "IATI rule 8.10.3", "IATI rule 8.10.3"]


def test_a_value_that_is_not_a_number_cites_8_10_2():
    built = tree(indicator("2"))
    built.getroot().find(".//actual").set("value", "about 250")

    assert rules(validate(built, today=TODAY)) == ["IATI rule 8.10.2"]


def test_a_period_ending_before_it_starts_cites_8_6_1():
    backwards = indicator(periods=(builder.Period(date(2022, 12, 31), date(2022, 1, 1), (builder.Value(260),)),))

    assert rules(validate(tree(backwards), today=TODAY)) == ["IATI rule 8.6.1"]


def test_activity_level_rules_cite_their_ruleset_ids():
    future = validate(tree(end=date(2024, 1, 31)), today=date(2024, 1, 1))
    countries = tree(countries=("KH", "TH"))
    countries.getroot().find(".//recipient-country").set("percentage", "40")
    misnamed = validate(tree(identifier="XI-DEMO-SO-TH01"), today=TODAY)
    empty_title = tree()
    empty_title.getroot().find(".//result/title/narrative").text = "  "

    assert rules(future) == ["IATI rule 11.1.5"]
    assert rules(validate(countries, today=TODAY)) == ["IATI rule 3.1.2"]
    assert rules(misnamed) == ["IATI rule 1.1.21"]
    assert rules(validate(empty_title, today=TODAY)) == ["IATI rule 4.3.1"]


def test_codelist_schema_and_public_data_problems_name_their_source(schema):
    built = tree(indicator(measure="7"), result_type="4")
    built.getroot().find(".//baseline").attrib.pop("year")
    leaking = indicator(periods=(builder.Period(date(2022, 1, 1), date(2022, 12, 31), (), (
        builder.Value(Decimal(251), "Write to nok@example.org."),)),))

    cited = set(rules(validate(built, schema, today=TODAY)))

    assert {"IATI codelist ResultType", "IATI codelist IndicatorMeasure", "IATI schema"} <= cited
    assert rules(validate(tree(leaking), today=TODAY)) == ["fund rule"]


def test_every_problem_of_a_broken_file_cites_a_rule(schema):
    built = tree(indicator(measure="7"), countries=("XX", "TH"), result_type="4", end=date(2024, 12, 31))
    built.getroot().find(".//activity-status").set("code", "8")
    built.getroot().find(".//period-end").attrib.pop("iso-date")

    problems = validate(built, schema, today=TODAY)

    assert len(problems) > 5
    assert all(problem.rule.source in ("ruleset", "schema", "codelist", "fund") for problem in problems)
    assert all(f"({problem.rule})" in str(problem) for problem in problems)
