"""Translatable names of the import targets, their groups on the mapping page, and the origins of files."""

from flask_babel import lazy_gettext as _l

from tracker.imports.models import ImportKind
from tracker.imports.sources import KOBO
from tracker.imports.sources import ODK
from tracker.imports.sources import PLAIN

TARGET_LABELS = {
    # Outcomes
    "description": _l("Outcome description"),
    "harvest": _l("Harvest"),
    "change_type": _l("Type of change"),
    "social_actor": _l("Social actor"),
    "social_actor_kind": _l("Social actor is an organisation or a role"),
    "change_agent": _l("Change agent"),
    "change_date": _l("Date of change"),
    "date_precision": _l("Date precision"),
    "country_code": _l("Country"),
    "area": _l("Area"),
    "significance": _l("Significance"),
    "contribution": _l("Contribution of the project"),
    "sources": _l("Sources"),
    "intention": _l("Intended or unintended"),
    "valence": _l("Positive or negative"),
    # Stories
    "title": _l("Title"),
    "what_happened": _l("What happened"),
    "why_significant": _l("Why it is significant"),
    "domain": _l("Domain of change"),
    "cycle": _l("MSC cycle"),
    "storyteller_pseudonym": _l("Storyteller's pseudonym"),
    "storyteller_category": _l("Storyteller category"),
    "age_band": _l("Age or age band (only the band is kept)"),
    "collected_on": _l("Collected on"),
    "collector": _l("Collected by"),
    "place": _l("Place"),
    "events_when": _l("When it happened"),
    "language": _l("Language of the story"),
    "storyteller_consent": _l("Storyteller consented"),
    "guardian_consent": _l("Parent or guardian consented"),
    "child_assent": _l("Child's own assent"),
    "obtained_on": _l("Date consent was obtained"),
    "form_name": _l("Consent form"),
    "form_version": _l("Consent form version"),
    "scope_internal": _l("Agreed to internal learning"),
    "scope_donor": _l("Agreed to donor reporting"),
    "scope_public": _l("Agreed to public communication"),
    "named": _l("Agreed to be named"),
    "translation_language": _l("Translation: language"),
    "translation_title": _l("Translation: title"),
    "translation_what_happened": _l("Translation: what happened"),
    "translation_why_significant": _l("Translation: why it is significant"),
    "translator_note": _l("Translation: translator's note"),
}

GROUPS = {
    ImportKind.OUTCOMES: (
        (_l("The outcome"), ("description", "harvest", "change_type", "social_actor", "social_actor_kind",
                             "change_agent", "change_date", "date_precision", "country_code", "area")),
        (_l("Significance and contribution"), ("significance", "contribution", "sources", "intention", "valence")),
    ),
    ImportKind.STORIES: (
        (_l("The story"), ("title", "what_happened", "why_significant", "domain", "cycle", "language",
                           "events_when", "country_code", "place")),
        (_l("Storyteller and collection"), ("storyteller_pseudonym", "storyteller_category", "age_band",
                                            "collected_on", "collector")),
        (_l("Consent (stories without complete consent details are kept as “needs consent”)"), (
            "storyteller_consent", "guardian_consent", "child_assent", "obtained_on", "form_name", "form_version",
            "scope_internal", "scope_donor", "scope_public", "named")),
        (_l("Translations (a repeat group: one row per translation)"), (
            "translation_language", "translation_title", "translation_what_happened", "translation_why_significant",
            "translator_note")),
    ),
}

ORIGIN_LABELS = {
    KOBO: _l("KoboToolbox export"),
    ODK: _l("ODK Central export"),
    PLAIN: _l("Spreadsheet"),
}
KIND_LABELS = {
    ImportKind.OUTCOMES: _l("Outcomes"),
    ImportKind.STORIES: _l("MSC stories"),
}
