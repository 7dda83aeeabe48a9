"""The IATI 2.03 codes this export emits, and the identifier rules it follows.

The codelists are hard-coded (only the small ones the export uses) from the
IATI 2.03 codelists (IATI-Codelists ``xml/*.xml`` and IATI-Codelists-NonEmbedded
for ResultType, IndicatorMeasure and Sector); countries, currencies and
languages come from ISO 3166-1, ISO 4217 and ISO 639-1 through ``pycountry``.
The schema types every code as a plain string, so these lists are what catches
a wrong code. Labels are English, as in the codelists; forms translate their own.
"""

import re

import pycountry

from tracker.common import countries

# ResultType (non-embedded): the level of a result.
RESULT_TYPES = {"1": "Output", "2": "Outcome", "3": "Impact", "9": "Other"}
# IndicatorMeasure (non-embedded): how an indicator is measured; 5 carries narratives only.
INDICATOR_MEASURES = {"1": "Unit", "2": "Percentage", "3": "Nominal", "4": "Ordinal", "5": "Qualitative"}
QUALITATIVE = "5"
# OrganisationType.
ORGANISATION_TYPES = {
    "10": "Government", "11": "Local Government", "15": "Other Public Sector", "21": "International NGO",
    "22": "National NGO", "23": "Regional NGO", "24": "Partner Country based NGO",
    "30": "Public Private Partnership", "40": "Multilateral", "60": "Foundation", "70": "Private Sector",
    "71": "Private Sector in Provider Country", "72": "Private Sector in Aid Recipient Country",
    "73": "Private Sector in Third Country", "80": "Academic, Training and Research", "90": "Other",
}
# OrganisationRole.
ORGANISATION_ROLES = {"1": "Funding", "2": "Accountable", "3": "Extending", "4": "Implementing"}
FUNDING, IMPLEMENTING = "1", "4"
# ActivityStatus.
ACTIVITY_STATUSES = {"1": "Pipeline/identification", "2": "Implementation", "3": "Finalisation", "4": "Closed",
                     "5": "Cancelled", "6": "Suspended"}
PIPELINE, IMPLEMENTATION, FINALISATION, CLOSED = "1", "2", "3", "4"
# ActivityDateType.
ACTIVITY_DATE_TYPES = {"1": "Planned start", "2": "Actual start", "3": "Planned end", "4": "Actual end"}
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
# DescriptionType.
DESCRIPTION_TYPES = {"1": "General", "2": "Objectives", "3": "Target Groups", "4": "Other"}
GENERAL_DESCRIPTION = "1"
# SectorVocabulary: only the DAC 5-digit purpose codes are emitted.
SECTOR_VOCABULARIES = {"1": "OECD DAC CRS Purpose Codes (5 digit)"}
DAC_5 = "1"
# Sector (DAC 5-digit purpose codes): the ones that fit child online safety work. A fund
# chooses its default among them; add a code here (checked against the Sector codelist)
# before a fund may use it.
DAC_SECTORS = {
    "15160": "Human rights",
    "15180": "Ending violence against women and girls",
    "15130": "Legal and judicial development",
    "15150": "Democratic participation and civil society",
    "15153": "Media and free flow of information",
    "15196": "Government and civil society statistics and data",
    "16010": "Social Protection",
    "16015": "Social services (incl youth development and women+ children)",
    "16062": "Statistical capacity building",
    "22040": "Information and communication technology (ICT)",
}
# "Human rights programming targeting specific groups, e.g. children" is how the DAC
# describes 15160, the closest purpose code for protecting children from online abuse.
DEFAULT_SECTOR = "15160"

# An organisation identifier is {RegistrationAgency}-{RegistrationNumber}: the agency is a
# country or XI/XM, a hyphen and the agency's own code (XI-IATI, XM-DAC, GB-CHC), e.g.
# XM-DAC-41122 or XI-IATI-DEMO. The standard's ruleset also forbids / & | ? in identifiers.
ORGANISATION_REF = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-[^\s/&|?]+$")
FORBIDDEN_IN_IDENTIFIERS = re.compile(r"[\s/&|?]")
# Values of measures 1 to 4 are plain decimal numbers.
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def is_country(code):
    """ISO 3166-1 alpha-2, in capitals as the IATI Country codelist writes it."""
    return bool(code) and code == code.upper() and countries.is_country(code)


def is_currency(code):
    """ISO 4217, in capitals as the IATI Currency codelist writes it."""
    return bool(code) and code == code.upper() and countries.is_currency(code)


def is_language(code):
    return bool(code) and len(code) == 2 and pycountry.languages.get(alpha_2=code) is not None


def language_choices():
    """``(code, English name)`` for every ISO 639-1 language, by name."""
    languages = [(language.alpha_2, language.name) for language in pycountry.languages
                 if hasattr(language, "alpha_2")]
    return sorted(languages, key=lambda pair: pair[1])
