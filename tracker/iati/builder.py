"""Build an IATI 2.03 activity file (``<iati-activities>``) from plain data, without Flask or a database.

The builder writes what it is given, faithfully: a period without an end date
becomes a period without ``period-end``. It does not judge; :mod:`iati_validation`
does, before anything is written. What reaches the builder has already been
chosen for publication (public indicators, approved actuals) by
:mod:`iati_services`.

Derived from the project's dates (``today`` is the day of the export):

* ``activity-status``: 1 Pipeline/identification before the start date,
  2 Implementation from the start to the end date, 3 Finalisation for
  :data:`FINALISATION_DAYS` after the end date (closing reports and final
  evaluation), then 4 Closed.
* ``activity-date``: planned start (1) and planned end (3) always; actual start
  (2) once the start date has passed, actual end (4) once the end date has.
* ``recipient-country``: the project's countries in equal shares with two
  decimals that sum to exactly 100 (e.g. 33.34, 33.33, 33.33).
"""

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from lxml import etree

from tracker.iati import codes as codes

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FINALISATION_DAYS = 180
# Characters XML 1.0 cannot carry (control characters other than tab, newline and carriage return).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Organisation:
    name: str
    ref: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class Publisher:
    """The fund as IATI reporting organisation, with its publishing defaults."""

    organisation: Organisation
    sector_code: str = codes.DEFAULT_SECTOR
    language: str = "en"


@dataclass(frozen=True)
class Value:
    """A target or an actual: its value (None for qualitative indicators), a comment, and a disaggregation."""

    value: Decimal | None
    comment: str = ""
    dimensions: tuple = ()  # ((name, category), ...); empty for the total


@dataclass(frozen=True)
class Baseline:
    year: int | None
    iso_date: date | None = None
    value: Decimal | None = None
    comment: str = ""


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None
    targets: tuple = ()
    actuals: tuple = ()


@dataclass(frozen=True)
class Indicator:
    title: str
    measure: str  # IndicatorMeasure code
    ascending: bool = True
    description: str = ""
    baseline: Baseline | None = None
    periods: tuple = ()


@dataclass(frozen=True)
class Result:
    type: str  # ResultType code
    title: str
    description: str = ""
    indicators: tuple = ()


@dataclass(frozen=True)
class Activity:
    """One project, as it is published."""

    identifier: str
    title: str
    description: str
    start: date
    end: date
    currency: str
    implementer: Organisation
    countries: tuple = ()
    results: tuple = ()
    last_updated: datetime | None = None


def xml_text(text):
    """``text`` without the characters XML cannot hold, and without surrounding blanks."""
    return NOT_XML.sub("", text or "").strip()


def plain_number(value):
    """A decimal as IATI expects it: no exponent, no trailing zeros (120, 6.5, 0.9)."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def iso_datetime(moment):
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def activity_status(start, end, today):
    if today < start:
        return codes.PIPELINE
    if today <= end:
        return codes.IMPLEMENTATION
    if today <= end + timedelta(days=FINALISATION_DAYS):
        return codes.FINALISATION
    return codes.CLOSED


def activity_dates(start, end, today):
    """``[(ActivityDateType, date)]``: planned dates always, actual ones once they are past."""
    dates = [(codes.PLANNED_START, start)]
    if start <= today:
        dates.append((codes.ACTUAL_START, start))
    dates.append((codes.PLANNED_END, end))
    if end < today:
        dates.append((codes.ACTUAL_END, end))
    return dates


def country_shares(country_codes):
    """Equal percentages with two decimals, summing to exactly 100: the odd hundredths go to the first ones."""
    country_codes = list(country_codes)
    if not country_codes:
        return []
    base, extra = divmod(10000, len(country_codes))
    return [(code, Decimal(base + (1 if index < extra else 0)) / 100)
            for index, code in enumerate(country_codes)]


def narrative_element(parent, tag, text, **attributes):
    """``<tag><narrative>text</narrative></tag>`` under ``parent``."""
    element = etree.SubElement(parent, tag, {name.replace("_", "-"): value for name, value in attributes.items()})
    etree.SubElement(element, "narrative").text = xml_text(text)
    return element


def organisation_attributes(organisation, **extra):
    attributes = {}
    if organisation.ref:
        attributes["ref"] = organisation.ref
    if organisation.type:
        attributes["type"] = organisation.type
    attributes.update(extra)
    return attributes


def add_value(parent, tag, value):
    element = etree.SubElement(parent, tag)
    if value.value is not None:
        element.set("value", plain_number(value.value))
    for name, category in value.dimensions:
        etree.SubElement(element, "dimension", name=xml_text(name), value=xml_text(category))
    if xml_text(value.comment):
        narrative_element(element, "comment", value.comment)
    return element


def add_baseline(parent, baseline):
    element = etree.SubElement(parent, "baseline")
    if baseline.year is not None:
        element.set("year", str(baseline.year))
    if baseline.iso_date is not None:
        element.set("iso-date", baseline.iso_date.isoformat())
    if baseline.value is not None:
        element.set("value", plain_number(baseline.value))
    if xml_text(baseline.comment):
        narrative_element(element, "comment", baseline.comment)
    return element


def add_period(parent, period):
    element = etree.SubElement(parent, "period")
    if period.start is not None:
        etree.SubElement(element, "period-start", {"iso-date": period.start.isoformat()})
    if period.end is not None:
        etree.SubElement(element, "period-end", {"iso-date": period.end.isoformat()})
    for target in period.targets:
        add_value(element, "target", target)
    for actual in period.actuals:
        add_value(element, "actual", actual)
    return element


def add_indicator(parent, indicator):
    element = etree.SubElement(parent, "indicator", measure=indicator.measure,
                               ascending="1" if indicator.ascending else "0")
    narrative_element(element, "title", indicator.title)
    if xml_text(indicator.description):
        narrative_element(element, "description", indicator.description)
    if indicator.baseline is not None:
        add_baseline(element, indicator.baseline)
    for period in indicator.periods:
        add_period(element, period)
    return element


def add_result(parent, result):
    element = etree.SubElement(parent, "result", type=result.type)
    narrative_element(element, "title", result.title)
    if xml_text(result.description):
        narrative_element(element, "description", result.description)
    for indicator in result.indicators:
        add_indicator(element, indicator)
    return element


def build_activity(parent, publisher, activity, today):
    """Append one ``<iati-activity>`` for ``activity`` to ``parent``, in the schema's element order."""
    attributes = {XML_LANG: publisher.language, "default-currency": activity.currency}
    if activity.last_updated is not None:
        attributes["last-updated-datetime"] = iso_datetime(activity.last_updated)
    element = etree.SubElement(parent, "iati-activity", attributes)
    etree.SubElement(element, "iati-identifier").text = xml_text(activity.identifier)
    narrative_element(element, "reporting-org", publisher.organisation.name,
                      **organisation_attributes(publisher.organisation))
    narrative_element(element, "title", activity.title)
    narrative_element(element, "description", activity.description, type=codes.GENERAL_DESCRIPTION)
    narrative_element(element, "participating-org", publisher.organisation.name,
                      **organisation_attributes(publisher.organisation, role=codes.FUNDING))
    narrative_element(element, "participating-org", activity.implementer.name,
                      **organisation_attributes(activity.implementer, role=codes.IMPLEMENTING))
    etree.SubElement(element, "activity-status", code=activity_status(activity.start, activity.end, today))
    for date_type, day in activity_dates(activity.start, activity.end, today):
        etree.SubElement(element, "activity-date", {"type": date_type, "iso-date": day.isoformat()})
    for code, percentage in country_shares(activity.countries):
        etree.SubElement(element, "recipient-country", code=code, percentage=plain_number(percentage))
    etree.SubElement(element, "sector", vocabulary=codes.DAC_5, code=publisher.sector_code, percentage="100")
    for result in activity.results:
        add_result(element, result)
    return element


def build_activities(publisher, activities, *, generated_at, today=None):
    """Return the ``<iati-activities>`` tree holding one ``<iati-activity>`` per item of ``activities``."""
    today = today or generated_at.astimezone(UTC).date()
    root = etree.Element("iati-activities", {"version": IATI_VERSION, "generated-datetime": iso_datetime(generated_at)})
    for activity in activities:
        build_activity(root, publisher, activity, today)
    return etree.ElementTree(root)


def serialise(tree):
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
