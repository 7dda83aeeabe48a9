"""Check an IATI 2.03 activity file before it is written: schema, codelists, the standard's rules, public data.

Four checks, all reported together so that one export attempt lists everything to fix:

1. the official XML schema (``iati-activities-schema.xsd``), when a schema directory is given;
2. the codelists of every code the export emits (:mod:`iati_codes`);
3. the rules of the IATI Standard Ruleset that the schema cannot express: identifiers,
   dates and percentages, and for results: period-start before period-end (8.6.1),
   baseline, target and actual values present and numeric for measures 1–4
   (8.8.1, 8.9.1, 8.10.1 and their .2 rules), and absent for measure 5 (the .3 rules);
4. that no narrative looks like contact details of a person (e-mail, phone number, street
   address, school name): an IATI file is public.

Each :class:`Problem` names the element by its path and, in words, the activity,
indicator and period it belongs to, and cites the :class:`Rule` it breaks: the id of the IATI Standard
Ruleset (IATI/IATI-Rulesets, version-2.03, ``rulesets/standard.json``, e.g. 8.10.1), the schema, the codelist,
or the fund's own rule for public data, so that a publisher can look the rule up.
"""

import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from functools import lru_cache
from pathlib import Path

from lxml import etree

from tracker.common.messages import N_
from tracker.iati import codes as codes
from tracker.iati.builder import IATI_VERSION
from tracker.iati.builder import XML_LANG
from tracker.privacy import pii

SCHEMA_FILE = "iati-activities-schema.xsd"
PERSONAL_DATA_KINDS = {
    pii.Kind.NAME: "a personal name",
    pii.Kind.EMAIL: "an e-mail address",
    pii.Kind.PHONE: "a phone number",
    pii.Kind.HANDLE: "a social-media account",
    pii.Kind.AGE_AND_PLACE: "an exact age next to a place",
    pii.Kind.AGE: "an exact age next to a name",
    pii.Kind.ADDRESS: "a street address",
    pii.Kind.SCHOOL: "a school's name",
    pii.Kind.UNANALYSED: "text in a script the personal-data check cannot read",
}
# A compiled schema keeps its error log on itself: one validation at a time per process.
SCHEMA_LOCK = threading.Lock()


class SchemaUnavailable(Exception):
    """The configured schema directory does not hold a readable IATI activities schema."""


@dataclass(frozen=True)
class Rule:
    """Where a check comes from: ``source`` is "ruleset" (``id`` is the Standard Ruleset's rule id, e.g.
    8.10.1), "schema" (the XSD), "codelist" (``id`` names the codelist) or "fund" (this fund's publishing rule,
    such as no personal data in a public file)."""

    source: str
    id: str = ""

    def __str__(self):
        return {"ruleset": f"IATI rule {self.id}", "schema": "IATI schema", "codelist": f"IATI codelist {self.id}",
                "fund": "fund rule"}[self.source]


def ruleset(rule_id):
    return Rule("ruleset", rule_id)


SCHEMA = Rule("schema")
FUND_RULE = Rule("fund")
# The Standard Ruleset's ids for values of baseline, target and actual (8.8, 8.9 and 8.10): present for
# measures 1-4 (.1), numeric (.2), absent for measure 5 (.3).
VALUE_RULES = {"baseline": "8.8", "target": "8.9", "actual": "8.10"}


def codelist(name):
    return Rule("codelist", name)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    where: str = ""
    rule: Rule = FUND_RULE

    def __str__(self):
        return f"{self.path}: {self.message} ({self.rule})" + (f" [{self.where}]" if self.where else "")


@lru_cache(maxsize=4)
def load_schema(schema_dir):
    """The compiled activities schema of ``schema_dir`` (which also holds iati-common.xsd and xml.xsd)."""
    path = Path(schema_dir) / SCHEMA_FILE
    if not path.is_file():
        raise SchemaUnavailable(f"{path} does not exist; the IATI schema directory must hold {SCHEMA_FILE}, "
                                "iati-common.xsd and xml.xsd.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as error:
        raise SchemaUnavailable(f"{path} is not a usable XML schema: {error}") from None


def validate(tree, schema=None, today=None):
    """Return every problem of ``tree`` (an empty list when it may be published)."""
    checker = Checker(tree, today or date.today())
    if schema is not None:
        with SCHEMA_LOCK:
            errors = [] if schema.validate(tree) else [(entry.path, entry.message) for entry in schema.error_log]
        for path, message in errors:
            checker.report_path(path or "/", N_("Schema: %(message)s", message=message), SCHEMA)
    checker.check()
    return checker.problems


class Checker:
    def __init__(self, tree, today):
        self.tree = tree
        self.root = tree.getroot()
        self.today = today
        self.problems = []

    # Reporting -------------------------------------------------------------------------

    def report(self, element, message, rule):
        self.problems.append(Problem(self.tree.getpath(element), message, where(element), rule))

    def report_path(self, path, message, rule):
        found = self.tree.xpath(path) if path.startswith("/") else []
        context = where(found[0]) if found and isinstance(found[0], etree._Element) else ""
        self.problems.append(Problem(path, message, context, rule))

    def code(self, element, attribute, codes_of, name, required=True):
        value = element.get(attribute)
        if value is None:
            if required:
                self.report(element, N_("@%(attribute)s is missing: it takes a code from the %(name)s codelist.",
                                        attribute=attribute, name=name), codelist(name))
        elif value not in codes_of:
            known = ", ".join(f"{code} {label}" for code, label in codes_of.items())
            self.report(element, N_("@%(attribute)s “%(value)s” is not in the %(name)s codelist (%(known)s).",
                                    attribute=attribute, value=value, name=name, known=known), codelist(name))

    # The file and its activities -------------------------------------------------------

    def check(self):
        if self.root.tag != "iati-activities" or self.root.get("version") != IATI_VERSION:
            self.report(self.root, N_('The file must be <iati-activities version="%(iati_version)s">.',
                                      iati_version=IATI_VERSION), SCHEMA)
        activities = self.root.findall("iati-activity")
        if not activities:
            self.report(self.root, N_("The file holds no activity: there is nothing to publish."), FUND_RULE)
        self.check_identifiers(activities)
        for activity in activities:
            self.check_activity(activity)
        self.check_narratives()

    def check_identifiers(self, activities):
        seen, refs = set(), set()
        for activity in activities:
            identifier = (activity.findtext("iati-identifier") or "").strip()
            if identifier in seen:
                self.report(activity.find("iati-identifier"), N_("The identifier “%(identifier)s” is used twice; each "
                                                                 "activity needs its own.", identifier=identifier),
                            FUND_RULE)
            seen.add(identifier)
            refs.add(activity.find("reporting-org").get("ref") if activity.find("reporting-org") is not None
                     else None)
        if len(refs) > 1:
            self.report(self.root, N_("All activities of a file must have the same reporting-org/@ref."), FUND_RULE)

    def check_activity(self, activity):
        if not codes.is_currency(activity.get("default-currency")):
            self.report(activity, N_("@default-currency “%(default_currency)s” is not an ISO 4217 currency code.",
                                     default_currency=activity.get('default-currency')), codelist("Currency"))
        if not codes.is_language(activity.get(XML_LANG)):
            self.report(activity, N_("@xml:lang “%(value)s” is not an ISO 639-1 language code.",
                                     value=activity.get(XML_LANG)), codelist("Language"))
        reporting = activity.find("reporting-org")
        if reporting is not None:
            self.check_reporting_org(activity, reporting)
        for description in activity.findall("description"):
            self.code(description, "type", codes.DESCRIPTION_TYPES, "DescriptionType", required=False)
        for organisation in activity.findall("participating-org"):
            self.check_participating_org(organisation)
        for status in activity.findall("activity-status"):
            self.code(status, "code", codes.ACTIVITY_STATUSES, "ActivityStatus")
        self.check_dates(activity)
        self.check_countries(activity)
        self.check_sectors(activity)
        for result in activity.findall("result"):
            self.check_result(result)

    def check_reporting_org(self, activity, reporting):
        ref = reporting.get("ref") or ""
        self.code(reporting, "type", codes.ORGANISATION_TYPES, "OrganisationType")
        identifier = (activity.findtext("iati-identifier") or "").strip()
        if codes.FORBIDDEN_IN_IDENTIFIERS.search(identifier) or not identifier:
            self.report(activity.find("iati-identifier"), N_("The identifier “%(identifier)s” is empty or holds a space"
                                                             " or one of / & | ?.", identifier=identifier),
                        ruleset("1.3.13"))
        if not codes.ORGANISATION_REF.match(ref):
            self.report(reporting, N_("@ref “%(ref)s” is not an organisation identifier: write the registration "
                                      "agency's code, a hyphen and the number it issued, e.g. XM-DAC-41122.", ref=ref),
                        ruleset("1.14.8"))
        elif identifier and not identifier.startswith(ref + "-"):
            self.report(activity.find("iati-identifier"),
                        N_("The identifier “%(identifier)s” must begin with the reporting organisation's identifier "
                           "“%(ref)s” and a hyphen, e.g. %(ref)s-2024-001.", identifier=identifier, ref=ref),
                        ruleset("1.1.21"))

    def check_participating_org(self, organisation):
        self.code(organisation, "role", codes.ORGANISATION_ROLES, "OrganisationRole")
        self.code(organisation, "type", codes.ORGANISATION_TYPES, "OrganisationType", required=False)
        ref = organisation.get("ref")
        if ref is not None and codes.FORBIDDEN_IN_IDENTIFIERS.search(ref):
            self.report(organisation, N_("@ref “%(ref)s” holds a space or one of / & | ?.", ref=ref),
                        ruleset("1.8.13"))
        if not ref and not (organisation.findtext("narrative") or "").strip():
            self.report(organisation, N_("A participating organisation needs an identifier (@ref) or a name."),
                        ruleset("6.10.1"))

    def check_dates(self, activity):
        dates = {}
        for element in activity.findall("activity-date"):
            self.code(element, "type", codes.ACTIVITY_DATE_TYPES, "ActivityDateType")
            day = parse_date(element.get("iso-date"))
            if day is None:
                self.report(element, N_("@iso-date “%(iso_date)s” is not a date (YYYY-MM-DD).",
                                        iso_date=element.get('iso-date')), SCHEMA)
                continue
            dates[element.get("type")] = (element, day)
            if element.get("type") in (codes.ACTUAL_START, codes.ACTUAL_END) and day > self.today:
                self.report(element, N_("An actual date (%(day)s) cannot be in the future.", day=day.isoformat()),
                            ruleset("11.1.4" if element.get("type") == codes.ACTUAL_START else "11.1.5"))
        for first, last, rule in ((codes.PLANNED_START, codes.PLANNED_END, "11.1.2"),
                                  (codes.ACTUAL_START, codes.ACTUAL_END, "11.1.3")):
            if first in dates and last in dates and dates[first][1] > dates[last][1]:
                self.report(dates[last][0], N_("The %(later)s (%(later_day)s) is before the %(earlier)s "
                                               "(%(earlier_day)s).",
                                               later=codes.ACTIVITY_DATE_TYPES[last].lower(),
                                               later_day=dates[last][1].isoformat(),
                                               earlier=codes.ACTIVITY_DATE_TYPES[first].lower(),
                                               earlier_day=dates[first][1].isoformat()), ruleset(rule))

    def check_countries(self, activity):
        countries = activity.findall("recipient-country")
        for country in countries:
            if not codes.is_country(country.get("code")):
                self.report(country, N_("@code “%(code)s” is not an ISO 3166-1 alpha-2 country code.",
                                        code=country.get('code')), codelist("Country"))
        self.check_percentages(activity, countries, "recipient countries", ("3.1.1", "3.1.2"))

    def check_sectors(self, activity):
        sectors = activity.findall("sector")
        for sector in sectors:
            self.code(sector, "vocabulary", codes.SECTOR_VOCABULARIES, "SectorVocabulary")
            if sector.get("vocabulary") == codes.DAC_5 and sector.get("code") not in codes.DAC_SECTORS:
                self.report(sector, N_("@code “%(code)s” is not one of the DAC 5-digit purpose codes this export may "
                                       "use.", code=sector.get('code')), codelist("Sector"))
        self.check_percentages(activity, sectors, "sectors", ("2.1.1", "2.1.2"))

    def check_percentages(self, activity, elements, label, rules):
        """``rules``: the ruleset's ids for "each needs a percentage" and "they add up to 100"."""
        if not elements or (len(elements) == 1 and elements[0].get("percentage") is None):
            return
        shares = [number(element.get("percentage")) for element in elements]
        if any(share is None or share < 0 for share in shares):
            self.report(activity, N_("Every one of several %(label)s needs a percentage of 0 or more.", label=label),
                        ruleset(rules[0]))
        elif sum(shares) != 100:
            self.report(activity, N_("The percentages of the %(label)s add up to %(value)s, not 100.",
                                     label=label, value=sum(shares)), ruleset(rules[1]))

    # Results ---------------------------------------------------------------------------

    def check_result(self, result):
        self.code(result, "type", codes.RESULT_TYPES, "ResultType")
        if result.find("indicator") is None:
            self.report(result, N_("A result needs at least one indicator."), SCHEMA)
        for indicator in result.findall("indicator"):
            self.check_indicator(indicator)

    def check_indicator(self, indicator):
        self.code(indicator, "measure", codes.INDICATOR_MEASURES, "IndicatorMeasure")
        measure = indicator.get("measure")
        for baseline in indicator.findall("baseline"):
            year = baseline.get("year")
            if year is None:
                self.report(baseline, N_("The baseline has no @year: IATI requires the year in which the baseline "
                                      "was measured. Give the indicator a baseline year."), SCHEMA)
            elif not year.isdigit() or int(year) < 1:
                self.report(baseline, N_("The baseline @year “%(year)s” is not a year.", year=year), SCHEMA)
            if baseline.get("iso-date") is not None and parse_date(baseline.get("iso-date")) is None:
                self.report(baseline, N_("The baseline @iso-date “%(iso_date)s” is not a date.",
                                         iso_date=baseline.get('iso-date')), SCHEMA)
            self.check_value(baseline, measure)
        for period in indicator.findall("period"):
            self.check_period(period, measure)

    def check_period(self, period, measure):
        start = self.period_date(period, "period-start", "start")
        end = self.period_date(period, "period-end", "end")
        if start is not None and end is not None and start >= end:
            self.report(period, N_("The period must start before it ends: period-start (%(start)s) is not before "
                                   "period-end (%(end)s).", start=start.isoformat(), end=end.isoformat()),
                        ruleset("8.6.1"))
        for element in period:
            if element.tag in ("target", "actual"):
                self.check_value(element, measure)

    def period_date(self, period, tag, word):
        element = period.find(tag)
        if element is None:
            self.report(period, N_("The period has no %(tag)s: every period needs its %(word)s date "
                                   "(%(tag)s/@iso-date).", tag=tag, word=word), SCHEMA)
            return None
        day = parse_date(element.get("iso-date"))
        if day is None:
            self.report(element, N_("%(tag)s/@iso-date “%(value)s” is not a date (YYYY-MM-DD).",
                                    tag=tag, value=element.get('iso-date') or ''), SCHEMA)
        return day

    def check_value(self, element, measure):
        """Rules 8.8–8.10: a value, numeric, for measures 1–4; no value for measure 5."""
        value = element.get("value")
        rule = VALUE_RULES.get(element.tag)
        if measure == codes.QUALITATIVE:
            if value is not None:
                self.report(element, N_("The %(tag)s has @value “%(value)s”, but a qualitative indicator (measure 5) "
                                        "carries no value: its narrative goes in comment/narrative.",
                                        tag=element.tag, value=value), ruleset(f"{rule}.3"))
        elif measure in codes.INDICATOR_MEASURES:
            label = codes.INDICATOR_MEASURES[measure]
            if value is None:
                self.report(element, N_("The %(tag)s has no @value: an indicator measured as %(label)s (measure "
                                        "%(measure)s) needs a numeric value for its baseline, every target and every "
                                        "actual.", tag=element.tag, label=label, measure=measure), ruleset(f"{rule}.1"))
            elif not codes.NUMBER.match(value):
                self.report(element, N_("The %(tag)s @value “%(value)s” is not a number.",
                                        tag=element.tag, value=value), ruleset(f"{rule}.2"))
        for dimension in element.findall("dimension"):
            if not dimension.get("name") or not dimension.get("value"):
                self.report(dimension, N_("A dimension needs a @name (e.g. sex) and a @value (e.g. female)."), SCHEMA)

    # Narratives ------------------------------------------------------------------------

    def check_narratives(self):
        for narrative in self.root.iter("narrative"):
            text = (narrative.text or "").strip()
            parent = narrative.getparent()
            if not text:
                if parent.tag == "description" and parent.getparent().tag == "iati-activity":
                    self.report(parent, N_("The activity has no description: give the project a summary."),
                                ruleset("4.4.1"))
                else:
                    self.report(parent, N_("The %(tag)s is empty: it needs text.", tag=parent.tag),
                                empty_text_rule(parent))
                continue
            if parent.tag in ("reporting-org", "participating-org"):
                continue
            for finding in pii.find_personal_data(text):
                if finding.kind in PERSONAL_DATA_KINDS:
                    self.report(parent, N_("The %(tag)s seems to hold %(personal_data_kinds)s (“%(text)s”). IATI files "
                                           "are public: remove it from the text this comes from.",
                                           tag=parent.tag, personal_data_kinds=PERSONAL_DATA_KINDS[finding.kind],
                                           text=finding.text), FUND_RULE)


def empty_text_rule(element):
    """Titles and descriptions must hold narrative content (4.3.1, 4.4.1); other narratives by the schema."""
    return {"title": ruleset("4.3.1"), "description": ruleset("4.4.1")}.get(element.tag, SCHEMA)


def parse_date(text):
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def number(text):
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def title_of(element):
    return " ".join((element.findtext("title/narrative") or "").split())


def where(element):
    """The activity, result, indicator and period ``element`` belongs to, in words."""
    parts = []
    for ancestor in reversed([element, *element.iterancestors()]):
        if ancestor.tag == "iati-activity":
            parts.append((ancestor.findtext("iati-identifier") or "").strip() or "activity")
        elif ancestor.tag in ("result", "indicator"):
            parts.append(f"{ancestor.tag} “{shorten(title_of(ancestor))}”")
        elif ancestor.tag == "period":
            start, end = ancestor.find("period-start"), ancestor.find("period-end")
            parts.append("period " + " – ".join(part.get("iso-date") or "?" for part in (start, end)
                                                if part is not None))
    return " › ".join(parts)


def shorten(text, limit=60):
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
