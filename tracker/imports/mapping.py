"""What an import fills in, and which columns of a file suggest themselves for each field.

A *target* is a field of an outcome or a story (or of a story's translation,
which comes from a repeat group). A *mapping* says which column feeds each
target, which table holds one record per row, which column identifies rows,
and default values for targets the file leaves empty::

    {"record_table": "Stories", "source_column": "auto",
     "fields": {"title": "Stories::story/title", ...}, "defaults": {"cycle": "12", "language": "km"}}

Headers are matched after normalising them: the last group segment
(``consent/guardian_consent`` → ``guardian_consent``; ODK Central writes
``consent-guardian_consent``), accents, case and separators removed, and
synonyms in English, French and Spanish. Survey tools' metadata columns
(``_uuid``, ``start``, ``deviceid`` …) are never suggested for a field except
where they mean it (``today`` or ``start`` as the collection date).

Plain functions, no Flask, no database.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from tracker.common.messages import N_
from tracker.common.text import normalised as normalise
from tracker.imports.models import ImportKind
from tracker.imports.sources import AUTO
from tracker.imports.sources import column_ref
from tracker.imports.sources import has_automatic_ids
from tracker.imports.sources import split_ref

FIELD_KEY = re.compile(r"\[([a-z_]+)\]\s*$")

# Value kinds, parsed by tracker.imports.values.
TEXT, LINE, DATE, BOOL, CHOICE, COUNTRY, LANGUAGE, AGE = "text", "line", "date", "bool", "choice", "country", \
    "language", "age"
HARVEST, CYCLE, DOMAIN = "harvest", "cycle", "domain"

METADATA = frozenset({
    # KoboToolbox
    "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "__version__",
    "_version_", "_tags", "_index", "_parent_table_name", "_parent_index", "_xform_id_string", "_attachments",
    "_geolocation", "formhub/uuid", "meta/instanceid", "meta/deprecatedid", "meta/rootuuid", "meta/instancename",
    # ODK Central
    "key", "parent_key", "submissiondate", "submitterid", "submittername", "attachmentspresent",
    "attachmentsexpected", "status", "reviewstate", "deviceid", "edits", "formversion", "meta-instanceid",
    "meta-instancename", "instanceid", "instancename",
    # XLSForm metadata questions
    "start", "end", "today", "username", "simserial", "subscriberid", "phonenumber", "audit", "email",
})


@dataclass(frozen=True)
class Target:
    """A field an import can fill: its value kind, whether it is needed, and the header names that mean it."""

    key: str
    kind: str
    synonyms: tuple
    required: bool = False
    defaultable: bool = False
    repeat: bool = False
    fallbacks: tuple = ()
    choices: str = ""


@lru_cache(maxsize=8192)
def words(*names):
    return tuple(normalise(name) for name in names)


OUTCOME_TARGETS = (
    Target("description", TEXT, words(
        "description", "outcome", "outcome description", "outcome statement", "what changed", "change description",
        "description du changement", "description du resultat", "changement", "resultat", "descripcion",
        "descripcion del resultado", "resultado", "cambio"), required=True),
    Target("harvest", HARVEST, words("harvest", "harvest title", "recolte", "cosecha"), required=True,
           defaultable=True),
    Target("change_type", CHOICE, words(
        "change type", "type of change", "kind of change", "type de changement", "tipo de cambio"),
        required=True, choices="change_type"),
    Target("social_actor", LINE, words(
        "social actor", "actor", "who changed", "acteur social", "acteur", "actor social", "quien cambio")),
    Target("social_actor_kind", CHOICE, words(
        "social actor kind", "actor kind", "actor type", "type of actor", "type d acteur", "tipo de actor"),
        choices="actor_kind"),
    Target("change_agent", LINE, words("change agent", "agent of change", "agent de changement",
                                       "agente de cambio")),
    Target("change_date", DATE, words(
        "change date", "date of change", "date of the change", "when", "date", "date du changement",
        "fecha del cambio", "fecha", "quand", "cuando")),
    Target("date_precision", CHOICE, words("date precision", "precision", "precision de la date",
                                           "precision de la fecha"), choices="date_precision"),
    Target("country_code", COUNTRY, words("country", "country code", "pays", "code pays", "pais"),
           defaultable=True),
    Target("area", LINE, words(
        "area", "location", "place", "region", "district", "province", "zone", "lieu", "lugar", "localidad")),
    Target("significance", TEXT, words(
        "significance", "why significant", "why it matters", "importance", "signification", "significacion",
        "importancia")),
    Target("contribution", TEXT, words(
        "contribution", "project contribution", "how the project contributed", "contribution du projet",
        "contribucion", "contribucion del proyecto")),
    Target("sources", TEXT, words(
        "sources", "source", "evidence", "sources of information", "source of information", "fuentes", "fuente",
        "preuves", "evidencia")),
    Target("intention", CHOICE, words("intention", "intended", "intended or unintended", "prevu", "intencion",
                                      "intencional"), choices="intention"),
    Target("valence", CHOICE, words("valence", "positive or negative", "positive", "polarity", "valencia",
                                    "positif ou negatif", "positivo o negativo"), choices="valence"),
)

STORY_TARGETS = (
    Target("title", LINE, words("title", "story title", "titre", "titre de l histoire", "titulo",
                                "titulo de la historia", "headline"), required=True),
    Target("what_happened", TEXT, words(
        "what happened", "story", "story text", "narrative", "the story", "what happened story",
        "ce qui s est passe", "histoire", "recit", "que paso", "lo que paso", "historia", "relato"), required=True),
    Target("why_significant", TEXT, words(
        "why significant", "why is this significant", "why it is significant", "why important", "significance",
        "pourquoi important", "pourquoi est ce important", "importance", "por que es importante",
        "por que es significativo", "importancia"), required=True),
    Target("domain", DOMAIN, words("domain", "domain of change", "msc domain", "domaine", "domaine de changement",
                                   "dominio", "dominio de cambio"), required=True),
    Target("cycle", CYCLE, words("cycle", "msc cycle", "cycle msc", "ciclo"), required=True, defaultable=True),
    Target("storyteller_pseudonym", LINE, words(
        "pseudonym", "storyteller pseudonym", "alias", "code name", "pseudonyme", "seudonimo"), required=True),
    Target("storyteller_category", CHOICE, words(
        "storyteller category", "category", "storyteller type", "respondent type", "type of storyteller",
        "categorie", "categorie du conteur", "categoria", "tipo de narrador"), required=True,
        choices="storyteller_category"),
    Target("age_band", AGE, words("age band", "age", "age group", "tranche d age", "age du conteur", "grupo de edad",
                                  "edad", "rango de edad")),
    Target("collected_on", DATE, words(
        "collected on", "collection date", "date collected", "date of collection", "interview date",
        "date de collecte", "date de l entretien", "fecha de recoleccion", "fecha de la entrevista"),
        required=True, fallbacks=words("today", "start")),
    Target("collector", LINE, words(
        "collector", "collected by", "interviewer", "enumerator", "recorded by", "enqueteur", "collecte par",
        "encuestador", "entrevistador", "recolector"), required=True, defaultable=True,
        fallbacks=words("_submitted_by", "SubmitterName", "username")),
    Target("country_code", COUNTRY, words("country", "country code", "pays", "pais"), defaultable=True),
    Target("place", LINE, words("place", "location", "village", "district", "commune", "lieu", "lugar",
                                "localidad")),
    Target("events_when", LINE, words("when", "when it happened", "events when", "period", "quand", "cuando",
                                      "periode", "periodo")),
    Target("language", LANGUAGE, words("language", "story language", "langue", "idioma", "lengua"),
           required=True, defaultable=True),
    Target("storyteller_consent", BOOL, words(
        "storyteller consent", "consent", "consent given", "informed consent", "consentement",
        "consentement du conteur", "consentimiento", "consentimiento informado")),
    Target("guardian_consent", BOOL, words(
        "guardian consent", "parent consent", "parental consent", "caregiver consent", "consentement parental",
        "consentement du tuteur", "consentimiento del tutor", "consentimiento de los padres")),
    Target("child_assent", BOOL, words("child assent", "assent", "assentiment", "assentiment de l enfant",
                                       "asentimiento", "asentimiento del nino")),
    Target("obtained_on", DATE, words(
        "consent date", "date of consent", "consent obtained on", "obtained on", "date du consentement",
        "fecha del consentimiento")),
    Target("form_name", LINE, words("consent form", "consent form name", "formulaire de consentement",
                                    "formulario de consentimiento"), defaultable=True),
    Target("form_version", LINE, words("consent form version", "consent version", "version du formulaire",
                                       "version del formulario"), defaultable=True),
    Target("scope_internal", BOOL, words(
        "scope internal", "internal", "internal learning", "internal use", "usage interne", "uso interno")),
    Target("scope_donor", BOOL, words(
        "scope donor", "donor", "donor reporting", "donor reports", "rapports aux bailleurs", "bailleurs",
        "donantes", "informes a donantes")),
    Target("scope_public", BOOL, words("scope public", "public", "public use", "usage public", "uso publico")),
    Target("named", BOOL, words("named", "may be named", "consent to be named", "peut etre nomme",
                                "puede ser nombrado")),
    Target("translation_language", LANGUAGE, words(
        "translation language", "language", "langue", "idioma", "langue de la traduction", "idioma de la traduccion"),
        repeat=True),
    Target("translation_title", LINE, words("translated title", "title", "titre", "titulo"), repeat=True),
    Target("translation_what_happened", TEXT, words(
        "translation", "translated story", "what happened", "story", "text", "traduction", "texte", "traduccion",
        "texto", "historia"), repeat=True),
    Target("translation_why_significant", TEXT, words(
        "why significant", "why is this significant", "significance", "pourquoi important", "importance",
        "por que es importante", "importancia"), repeat=True),
    Target("translator_note", TEXT, words("translator note", "translator s note", "note", "notes",
                                          "note du traducteur", "nota del traductor", "nota"), repeat=True),
)

TARGETS = {ImportKind.OUTCOMES: OUTCOME_TARGETS, ImportKind.STORIES: STORY_TARGETS}


def targets_for(kind):
    return TARGETS[ImportKind(kind)]


def target(kind, key):
    return next(item for item in targets_for(kind) if item.key == key)


def header_candidates(header):
    """Normalised readings of a header, most specific first: a field key in brackets at its end (the
    tracker's own templates: ``Type of change * [change_type]``), whole, last ``/`` segment, last ``-`` segment."""
    key = FIELD_KEY.search(header)
    readings = [*(key.groups() if key else ()), header, header.rsplit("/", 1)[-1], header.rsplit("-", 1)[-1]]
    seen = []
    for reading in readings:
        name = normalise(reading)
        if name and name not in seen:
            seen.append(name)
    return seen


def is_metadata(header):
    lowered = header.strip().casefold()
    return lowered in METADATA or lowered.startswith(("_submission_", "meta/", "meta-", "formhub/"))


@dataclass(frozen=True)
class Candidate:
    ref: str
    header: str
    distance: int


def candidate_columns(dataset, record_table, repeat):
    """Columns a target may take: a repeat target from the record table's repeat groups, others from the
    record table and its ancestors (nearest first)."""
    tables = dataset.child_tables(record_table) if repeat else dataset.lineage(record_table)
    return [Candidate(column_ref(name, header), header, distance)
            for distance, name in enumerate(tables) for header in dataset.table(name).headers]


def match_rank(item, column):
    """How well ``column`` fits ``item`` (lower is better), or None."""
    readings = header_candidates(column.header)
    metadata = is_metadata(column.header)
    for synonym_rank, synonym in enumerate((normalise(item.key), *item.synonyms)):
        if not metadata and synonym in readings:
            return (0, column.distance, readings.index(synonym), synonym_rank)
    for synonym_rank, synonym in enumerate(item.fallbacks):
        if synonym in readings:
            return (1, column.distance, readings.index(synonym), synonym_rank)
    return None


def suggest_fields(dataset, kind, record_table):
    """``{target key: column ref}``: the best-fitting column for each target, each column used once."""
    matches = []
    for order, item in enumerate(targets_for(kind)):
        for column in candidate_columns(dataset, record_table, item.repeat):
            rank = match_rank(item, column)
            if rank is not None:
                matches.append((rank, order, item.key, column.ref))
    fields, used = {}, set()
    for _rank, _order, key, ref in sorted(matches):
        if key not in fields and ref not in used:
            fields[key] = ref
            used.add(ref)
    return fields


def best_record_table(dataset, kind):
    """The table that most looks like one record per row: most required fields found in the table itself.

    For an interview form whose outcomes are a repeat group, that is the repeat group's table.
    """
    def score(name):
        fields = suggest_fields(dataset, kind, name)
        own = [key for key, ref in fields.items() if split_ref(ref)[0] == name]
        required = [item.key for item in targets_for(kind) if item.required and item.key in own]
        return len(required), len(own)

    names = [table.name for table in dataset.tables]
    return max(names, key=lambda name: (score(name), -names.index(name)))


def suggest(dataset, kind, defaults=None, record_table=None):
    """A complete suggested mapping for ``dataset``; ``defaults`` come from the project (harvest, cycle…)."""
    record_table = record_table or best_record_table(dataset, kind)
    return {
        "record_table": record_table,
        "source_column": AUTO if has_automatic_ids(dataset) else "",
        "fields": suggest_fields(dataset, kind, record_table),
        "defaults": {key: value for key, value in (defaults or {}).items() if value not in (None, "")},
    }


def resolve_ref(dataset, ref, allowed_tables):
    """Find ``ref`` in this file: the same table and header, else the same header in an allowed table.

    A saved mapping keeps working when a sheet was renamed (Kobo names the main sheet after the form title;
    a CSV's table is its file name).
    """
    table, header = split_ref(ref)
    if table in allowed_tables and header in dataset.table(table).headers:
        return column_ref(table, header)
    for name in allowed_tables:
        if header in dataset.table(name).headers:
            return column_ref(name, header)
    return None


def adapt(mapping, dataset, kind):
    """Fit a saved mapping to ``dataset``: keep what exists in this file, drop the rest."""
    record_table = mapping.get("record_table")
    if dataset.table(record_table) is None:
        record_table = dataset.default_record_table()
    lineage, children = dataset.lineage(record_table), dataset.child_tables(record_table)
    fields = {}
    for item in targets_for(kind):
        ref = (mapping.get("fields") or {}).get(item.key)
        if ref:
            resolved = resolve_ref(dataset, ref, children if item.repeat else lineage)
            if resolved:
                fields[item.key] = resolved
    source = mapping.get("source_column") or ""
    if source != AUTO and source:
        source = resolve_ref(dataset, source, lineage) or ""
    if source == AUTO and not has_automatic_ids(dataset):
        source = ""
    return {"record_table": record_table, "source_column": source, "fields": fields,
            "defaults": dict(mapping.get("defaults") or {})}


def mapping_problems(mapping, dataset, kind):
    """``(field, message)`` for what keeps a mapping from being used, before any row is read.

    Each message names its field (``%(field)s``, the key that ``flask import --set`` takes), so a message read
    away from the form, on the command line, still says what to fix. No id column is needed: without one, rows
    are told apart by their fingerprint (:func:`tracker.imports.sources.fingerprint`).
    """
    problems = []
    record_table = mapping.get("record_table")
    if dataset.table(record_table) is None:
        return [("record_table", N_("Choose the sheet that holds one record per row."))]
    lineage, children = dataset.lineage(record_table), dataset.child_tables(record_table)
    fields, defaults = mapping.get("fields") or {}, mapping.get("defaults") or {}
    source = mapping.get("source_column")
    if source == AUTO and not has_automatic_ids(dataset):
        problems.append(("source_column", N_("This file is not a KoboToolbox or ODK export: choose the column that "
                                             "identifies each row, or none.")))
    elif source and source != AUTO and split_ref(source)[0] not in lineage:
        problems.append(("source_column", N_("Choose an id column of the record sheet or of the sheet above it.")))
    for item in targets_for(kind):
        ref = fields.get(item.key)
        if ref and split_ref(ref)[0] not in (children if item.repeat else lineage):
            problems.append((item.key, N_("%(field)s: choose a column of a repeat group of the record sheet.",
                                          field=item.key) if item.repeat else
                             N_("%(field)s: choose a column of the record sheet or a sheet above it.",
                                field=item.key)))
        elif item.required and not ref and not (item.defaultable and defaults.get(item.key)):
            problems.append((item.key, N_("%(field)s: choose the column for this field, or a value for every row.",
                                          field=item.key) if item.defaultable else
                             N_("%(field)s: choose the column for this field.", field=item.key)))
    repeat_tables = {split_ref(fields[item.key])[0] for item in targets_for(kind) if item.repeat and
                     fields.get(item.key)}
    if len(repeat_tables) > 1:
        problems.append(("translation_language", N_("%(field)s: take all translation fields from the same repeat "
                                                    "group.", field="translation_language")))
    return problems
