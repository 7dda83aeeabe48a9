"""The pure IATI 2.03 builder: plain data in, an lxml tree out (no Flask, no database)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from tracker.iati import builder as builder

TODAY = date(2024, 6, 1)
PUBLISHER = builder.Publisher(builder.Organisation("Safe Online (test publisher)", "XI-IATI-TEST", "30"))


def activity(**overrides):
    values = {
        "identifier": "XI-IATI-TEST-TH01", "title": "Aselo helpline platform",
        "description": "Children reach counsellors by chat and SMS.", "start": date(2022, 1, 1),
        "end": date(2024, 12, 31), "currency": "USD",
        "implementer": builder.Organisation("Childline Thailand Foundation", None, "22"), "countries": ("TH",),
        "results": (), **overrides}
    return builder.Activity(**values)


def unit_indicator(**overrides):
    values = {"title": "Contacts answered on chat", "measure": "1", "ascending": True,
              "description": "Conversations a counsellor answered.",
              "baseline": builder.Baseline(2021, date(2021, 12, 31), Decimal("3200"), "Webchat only."),
              "periods": (builder.Period(date(2022, 1, 1), date(2022, 12, 31),
                                         (builder.Value(Decimal("9000")),),
                                         (builder.Value(Decimal("8420.50"), "LINE went live late."),
                                          builder.Value(Decimal("5190"), "", (("sex", "girls"),)))),),
              **overrides}
    return builder.Indicator(**values)


def build(*activities, today=TODAY):
    return builder.build_activities(PUBLISHER, activities, generated_at=datetime(2024, 6, 1, 9, 30, tzinfo=UTC),
                                    today=today).getroot()


@pytest.mark.parametrize("today, status", [
    (date(2021, 12, 31), "1"),  # pipeline: not started
    (date(2022, 1, 1), "2"),  # implementation from the first day
    (date(2024, 12, 31), "2"),  # ... to the last
    (date(2025, 6, 29), "3"),  # finalisation: within 180 days of the end
    (date(2025, 6, 30), "4"),  # closed after that
])
def test_activity_status_is_derived_from_the_project_dates(today, status):
    assert builder.activity_status(date(2022, 1, 1), date(2024, 12, 31), today) == status


def test_actual_start_and_end_dates_appear_only_once_they_have_passed():
    running = build(activity(), today=TODAY).find("iati-activity")
    ended = build(activity(), today=date(2025, 1, 1)).find("iati-activity")

    def dates(element):
        return [(item.get("type"), item.get("iso-date")) for item in element.findall("activity-date")]

    assert dates(running) == [("1", "2022-01-01"), ("2", "2022-01-01"), ("3", "2024-12-31")]
    assert dates(ended)[-1] == ("4", "2024-12-31")


@pytest.mark.parametrize("count", [1, 2, 3, 6, 7])
def test_recipient_country_shares_sum_to_exactly_100(count):
    shares = builder.country_shares([f"C{index}" for index in range(count)])

    assert sum(share for _code, share in shares) == 100
    assert max(share for _code, share in shares) - min(share for _code, share in shares) <= Decimal("0.01")


def test_an_activity_has_its_elements_in_the_order_the_schema_requires():
    result = builder.Result("2", "Children reach counsellors", "", (unit_indicator(),))
    element = build(activity(countries=("KH", "TH"), results=(result,))).find("iati-activity")

    tags = [child.tag for child in element]
    assert tags == ["iati-identifier", "reporting-org", "title", "description", "participating-org",
                    "participating-org", "activity-status", "activity-date", "activity-date", "activity-date",
                    "recipient-country", "recipient-country", "sector", "result"]
    assert element.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert element.get("default-currency") == "USD"


def test_the_fund_reports_and_funds_while_the_grantee_implements():
    element = build(activity()).find("iati-activity")

    reporting = element.find("reporting-org")
    funding, implementing = element.findall("participating-org")
    assert (reporting.get("ref"), reporting.get("type")) == ("XI-IATI-TEST", "30")
    assert (funding.get("role"), funding.get("ref")) == ("1", "XI-IATI-TEST")
    assert (implementing.get("role"), implementing.get("type"), implementing.get("ref")) == ("4", "22", None)
    assert implementing.findtext("narrative") == "Childline Thailand Foundation"


def test_the_sector_is_the_funds_dac_code_for_the_whole_activity():
    sector = build(activity()).find("iati-activity/sector")

    assert (sector.get("vocabulary"), sector.get("code"), sector.get("percentage")) == ("1", "15160", "100")


def test_an_indicator_carries_measure_direction_baseline_and_periods():
    result = builder.Result("1", "Counsellors trained", "Two cohorts a year.",
                            (unit_indicator(ascending=False),))
    element = build(activity(results=(result,))).find("iati-activity/result")
    indicator = element.find("indicator")
    baseline = indicator.find("baseline")
    period = indicator.find("period")

    assert element.get("type") == "1" and element.findtext("description/narrative") == "Two cohorts a year."
    assert (indicator.get("measure"), indicator.get("ascending")) == ("1", "0")
    assert (baseline.get("year"), baseline.get("iso-date"), baseline.get("value")) == ("2021", "2021-12-31", "3200")
    assert baseline.findtext("comment/narrative") == "Webchat only."
    assert [child.tag for child in period] == ["period-start", "period-end", "target", "actual", "actual"]
    assert period.find("actual").get("value") == "8420.5"


def test_disaggregated_values_are_separate_elements_with_a_dimension_each():
    period = build(activity(results=(builder.Result("2", "Reach", "", (unit_indicator(),)),))).find(
        "iati-activity/result/indicator/period")
    total, girls = period.findall("actual")

    assert total.find("dimension") is None
    assert [(item.get("name"), item.get("value")) for item in girls.findall("dimension")] == [("sex", "girls")]
    assert girls.get("value") == "5190"


def test_a_value_of_none_is_written_without_a_value_attribute_and_keeps_its_narrative():
    qualitative = builder.Indicator("How partners use the data", "5", periods=(
        builder.Period(date(2022, 1, 1), date(2022, 12, 31), (builder.Value(None, "Used in planning."),),
                       (builder.Value(None, "Cited in the national plan."),)),))
    period = build(activity(results=(builder.Result("2", "Data use", "", (qualitative,)),))).find(
        "iati-activity/result/indicator/period")

    assert period.find("target").get("value") is None
    assert period.findtext("actual/comment/narrative") == "Cited in the national plan."


def test_the_builder_writes_what_it_is_given_even_a_period_without_end():
    indicator = unit_indicator(periods=(builder.Period(date(2022, 1, 1), None, (builder.Value(Decimal(5)),)),))
    period = build(activity(results=(builder.Result("2", "Reach", "", (indicator,)),))).find(
        "iati-activity/result/indicator/period")

    assert [child.tag for child in period] == ["period-start", "target"]


def test_characters_xml_cannot_carry_are_dropped_from_text():
    element = build(activity(title="Helpline\x0b platform\x00 ")).find("iati-activity")

    assert element.findtext("title/narrative") == "Helpline platform"


def test_numbers_are_written_plainly_without_exponent_or_trailing_zeros():
    assert [builder.plain_number(Decimal(text)) for text in ("100", "1E+2", "6.50", "0.9000", "-0")] == [
        "100", "100", "6.5", "0.9", "0"]


def test_the_file_declares_version_2_03_and_when_it_was_generated():
    root = build(activity())

    assert (root.tag, root.get("version"), root.get("generated-datetime")) == (
        "iati-activities", "2.03", "2024-06-01T09:30:00Z")
    assert builder.serialise(root.getroottree()).startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
