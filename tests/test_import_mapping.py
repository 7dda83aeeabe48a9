"""Column mapping: header normalisation, synonyms in three languages, saved mappings, and cell values."""

from datetime import date

import pytest

from tests.factories import TEST_ACTOR
from tracker.imports import services
from tracker.imports import values
from tracker.imports.files import Table
from tracker.imports.mapping import adapt
from tracker.imports.mapping import header_candidates
from tracker.imports.mapping import mapping_problems
from tracker.imports.mapping import suggest
from tracker.imports.sources import build_dataset
from tracker.imports.values import BadValue
from tracker.msc.models import AgeBand
from tracker.msc.models import StorytellerCategory
from tracker.outcomes.models import ChangeType


def dataset(*tables):
    return build_dataset([Table(name, headers, [(2, tuple("x" for _ in headers))]) for name, headers in tables])


def mapped(mapping):
    return {key: ref.split("::", 1)[1] for key, ref in mapping["fields"].items()}


@pytest.mark.parametrize("header, expected", [
    ("consent/guardian_consent", ["consent_guardian_consent", "guardian_consent"]),
    ("consent-guardian_consent", ["consent_guardian_consent", "guardian_consent"]),
    ("Date du Consentement", ["date_du_consentement"]),
    ("¿Por qué es importante?", ["por_que_es_importante"]),
])
def test_headers_are_read_as_their_last_group_segment_without_accents_case_or_separators(header, expected):
    assert header_candidates(header) == expected


def test_french_headers_are_matched_to_story_fields():
    french = dataset(("Récits", ["Titre", "Ce qui s'est passé", "Pourquoi est-ce important ?", "Domaine",
                                 "Pseudonyme", "Catégorie", "Âge", "Date de collecte", "Enquêteur", "Langue",
                                 "Consentement parental", "Assentiment de l'enfant", "Référence"]))

    fields = mapped(suggest(french, "stories"))

    assert fields == {
        "title": "Titre", "what_happened": "Ce qui s'est passé", "why_significant": "Pourquoi est-ce important ?",
        "domain": "Domaine", "storyteller_pseudonym": "Pseudonyme", "storyteller_category": "Catégorie",
        "age_band": "Âge", "collected_on": "Date de collecte", "collector": "Enquêteur", "language": "Langue",
        "guardian_consent": "Consentement parental", "child_assent": "Assentiment de l'enfant"}


def test_spanish_headers_are_matched_to_outcome_fields():
    spanish = dataset(("Resultados", ["Descripción del resultado", "Actor social", "Fecha del cambio",
                                      "Tipo de cambio", "Importancia", "Contribución", "País", "Fuentes"]))

    fields = mapped(suggest(spanish, "outcomes"))

    assert fields == {"description": "Descripción del resultado", "social_actor": "Actor social",
                      "change_date": "Fecha del cambio", "change_type": "Tipo de cambio",
                      "significance": "Importancia", "contribution": "Contribución", "country_code": "País",
                      "sources": "Fuentes"}


def test_survey_metadata_is_never_taken_for_a_field_except_the_collection_date():
    odk = dataset(("form", ["SubmissionDate", "start", "today", "deviceid", "Status", "FormVersion",
                            "meta-instanceID", "KEY", "story-title"]))

    fields = mapped(suggest(odk, "stories"))

    assert fields == {"title": "story-title", "collected_on": "today"}


def test_a_repeat_group_only_feeds_the_translation_fields():
    kobo = build_dataset([
        Table("Stories", ["story/title", "story/language", "_uuid", "_index"], [(2, ("A", "en", "u1", 1))]),
        Table("translations", ["translations/title", "translations/language", "_index", "_parent_index",
                               "_parent_table_name"], [(2, ("B", "km", 1, 1, "Stories"))]),
    ])

    fields = mapped(suggest(kobo, "stories"))

    assert fields["title"] == "story/title" and fields["language"] == "story/language"
    assert fields["translation_title"] == "translations/title"
    assert fields["translation_language"] == "translations/language"


def test_a_plain_spreadsheet_needs_no_id_column():
    plain = dataset(("Sheet1", ["title", "story", "why significant", "domain", "pseudonym", "category",
                                "collected on", "collector", "language"]))

    mapping = suggest(plain, "stories", {"cycle": "1"})

    assert mapping["source_column"] == "" and mapping_problems(mapping, plain, "stories") == []


def test_every_mapping_problem_names_its_field():
    kobo = dataset(("MSC", ["_uuid", "title", "story", "why significant", "domain", "pseudonym", "category",
                            "today", "language"]))

    problems = mapping_problems(suggest(kobo, "stories", {"cycle": "1"}), kobo, "stories")

    assert problems == [("collector", "collector: choose the column for this field, or a value for every row.")]


def test_kobo_submitted_by_is_offered_as_the_collector():
    kobo = dataset(("MSC", ["_uuid", "_submitted_by", "title", "story"]))

    assert suggest(kobo, "stories")["fields"]["collector"] == "MSC::_submitted_by"


def test_a_required_field_may_be_given_one_value_for_every_row_instead_of_a_column():
    plain = dataset(("Sheet1", ["ref", "description", "type of change"]))
    mapping = {**suggest(plain, "outcomes"), "source_column": "Sheet1::ref"}

    without = dict(mapping_problems(mapping, plain, "outcomes"))
    mapping["defaults"]["harvest"] = "3"

    assert list(without) == ["harvest"] and mapping_problems(mapping, plain, "outcomes") == []


def test_a_saved_mapping_follows_a_renamed_sheet_and_drops_missing_columns():
    saved = {"record_table": "MSC stories – 2023", "source_column": "auto",
             "fields": {"title": "MSC stories – 2023::story/title", "place": "MSC stories – 2023::place/village"},
             "defaults": {"language": "km"}}
    renamed = build_dataset([Table("MSC stories – 2024", ["story/title", "_uuid"], [])])

    fitted = adapt(saved, renamed, "stories")

    assert fitted == {"record_table": "MSC stories – 2024", "source_column": "auto",
                      "fields": {"title": "MSC stories – 2024::story/title"}, "defaults": {"language": "km"}}


def test_mapping_templates_are_saved_per_project_and_replaced_by_name(session, factory):
    project, other = factory.project(), factory.project()
    first = services.save_mapping_template(session, TEST_ACTOR, project, "stories", " Kobo MSC v3 ",
                                           {"record_table": "A", "source_column": "auto", "fields": {}})
    again = services.save_mapping_template(session, TEST_ACTOR, project, "stories", "Kobo MSC v3",
                                           {"record_table": "B", "source_column": "auto", "fields": {}})
    session.commit()

    assert first.id == again.id and again.mapping["record_table"] == "B"
    assert services.find_mapping_template(session, project, "stories", "Kobo MSC v3") is not None
    assert services.find_mapping_template(session, other, "stories", "Kobo MSC v3") is None
    assert services.find_mapping_template(session, project, "outcomes", "Kobo MSC v3") is None


def test_a_mapping_template_needs_a_name(session, factory):
    from tracker.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="Name the mapping"):
        services.save_mapping_template(session, TEST_ACTOR, factory.project(), "stories", "  ", {})


# Values ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell, expected", [
    ("2023-05-02", (date(2023, 5, 2), "day")),
    ("2023-05-02T23:30:12.000+07:00", (date(2023, 5, 2), "day")),
    ("2023-05-02T03:15:32.123Z", (date(2023, 5, 2), "day")),
    ("2023/5/2", (date(2023, 5, 2), "day")),
    ("2023-03", (date(2023, 3, 1), "month")),
    ("2023", (date(2023, 1, 1), "year")),
    (45048, (date(2023, 5, 2), "day")),
    (date(2023, 5, 2), (date(2023, 5, 2), "day")),
    ("", (None, None)),
])
def test_dates_are_read_in_iso_and_kobo_odk_formats(cell, expected):
    day, precision = values.parse_date_with_precision(cell)

    assert (day, precision and precision.value) == expected


@pytest.mark.parametrize("cell, message", [
    ("2023-02-30", "not a date that exists"),
    ("02/05/2023", "more than one date"),
    ("last spring", "not a date"),
])
def test_unreadable_dates_say_why(cell, message):
    with pytest.raises(BadValue, match=message):
        values.parse_date_with_precision(cell)


@pytest.mark.parametrize("cell, expected", [
    ("yes", True), ("Oui", True), ("sí", True), (1, True), ("1", True), (True, True),
    ("no", False), ("Non", False), ("0", False), (0, False), ("", None), (None, None),
])
def test_yes_and_no_in_three_languages(cell, expected):
    assert values.parse_bool(cell) is expected


def test_an_unclear_answer_is_not_taken_for_consent():
    with pytest.raises(BadValue, match="yes or no"):
        values.parse_bool("maybe")


@pytest.mark.parametrize("cell, expected", [
    ("practice", ChangeType.PRACTICE), ("Politique", ChangeType.POLICY), ("comportamiento", ChangeType.BEHAVIOUR),
    ("Behavior", ChangeType.BEHAVIOUR),
])
def test_choices_are_read_by_value_label_or_synonym(cell, expected):
    assert values.parse_choice(cell, "change_type") is expected


def test_storyteller_categories_include_kobo_choice_names_and_translations():
    assert values.parse_choice("parent_caregiver", "storyteller_category") is StorytellerCategory.PARENT_CAREGIVER
    assert values.parse_choice("Niña", "storyteller_category") is StorytellerCategory.CHILD
    assert values.parse_choice("Young person", "storyteller_category") is StorytellerCategory.YOUNG_PERSON


@pytest.mark.parametrize("cell, expected", [
    (14, AgeBand.AGE_13_15), ("9", AgeBand.UNDER_10), (17.0, AgeBand.AGE_16_17), ("13–15", AgeBand.AGE_13_15),
    ("60+", AgeBand.AGE_60_PLUS), ("not recorded", AgeBand.NOT_RECORDED), ("18_24", AgeBand.AGE_18_24),
])
def test_ages_become_age_bands(cell, expected):
    assert values.parse_age_band(cell) is expected


@pytest.mark.parametrize("cell, expected", [("KH", "KH"), ("khm", "KH"), ("Cambodia", "KH"), ("Viet Nam", "VN")])
def test_countries_by_code_or_name(cell, expected):
    assert values.parse_country(cell) == expected


@pytest.mark.parametrize("cell, expected", [
    ("km", "km"), ("km-KH", "km"), ("Khmer", "km"), ("ភាសាខ្មែរ", "km"), ("Tiếng Việt", "vi"), ("ภาษาไทย", "th"),
])
def test_languages_by_code_name_or_autonym(cell, expected):
    assert values.parse_language(cell) == expected


def test_an_unknown_script_is_not_taken_for_any_language():
    with pytest.raises(BadValue):
        values.parse_language("ꦧꦱꦗꦮ")
