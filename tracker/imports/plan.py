"""The dry run: read every record of a file through a mapping and check it with the areas' own rules.

The result is a :class:`Plan`: the records that would be created (already
cleaned as the outcome and story services clean them), the rows skipped
because an earlier import brought them in, and every error with its sheet, the
row number a person sees in their spreadsheet, the column and a message.

Outcomes are checked by :func:`tracker.outcomes.services.validate_outcome` and
stories by :func:`tracker.msc.services.validate_story` and the consent rules
of :mod:`tracker.msc.consent`, so an imported record meets exactly the
rules of one typed into a form. Those functions look harvests, cycles and
domains up with ``session.get``; the caller loads them into the session first
(:func:`tracker.imports.services.load_context`), so checking a row
runs no SQL.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.common.text import clean_text
from tracker.imports import values as cells
from tracker.imports.mapping import AGE
from tracker.imports.mapping import BOOL
from tracker.imports.mapping import CHOICE
from tracker.imports.mapping import COUNTRY
from tracker.imports.mapping import CYCLE
from tracker.imports.mapping import DATE
from tracker.imports.mapping import DOMAIN
from tracker.imports.mapping import HARVEST
from tracker.imports.mapping import LANGUAGE
from tracker.imports.mapping import normalise
from tracker.imports.mapping import target
from tracker.imports.mapping import targets_for
from tracker.imports.models import ImportKind
from tracker.imports.sources import AUTO
from tracker.imports.sources import record_id
from tracker.imports.sources import source_label
from tracker.imports.sources import split_ref
from tracker.msc import consent as consent_rules
from tracker.msc import services as story_services
from tracker.msc.models import CycleStatus
from tracker.msc.models import StorytellerCategory
from tracker.msc.rules import says_open_domain
from tracker.outcomes import services as outcome_services
from tracker.outcomes.models import ChangeType
from tracker.outcomes.models import DatePrecision
from tracker.outcomes.models import OutcomeStatus

DEFAULT_COLUMN = "(value for every row)"
SERVICE_FIELDS = {"harvest_id": "harvest", "cycle_id": "cycle", "domain_id": "domain"}
TRANSLATION_FIELDS = {"translation_language": "language", "translation_title": "title",
                      "translation_what_happened": "what_happened",
                      "translation_why_significant": "why_significant", "translator_note": "translator_note"}


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (or row): the sheet, the row number as the spreadsheet shows it, the column."""

    table: str
    row: int
    column: str
    message: str


@dataclass
class PlannedRecord:
    """A record that the import would create, with the cleaned values the services would store."""

    table: str
    row: int
    source_id: str
    values: dict
    consent: dict | None = None
    consent_complete: bool = True
    consent_problems: list = field(default_factory=list)
    translations: list = field(default_factory=list)
    shown: dict = field(default_factory=dict)


@dataclass
class Plan:
    """What an import would do: ``records`` ready to create, ``skipped`` rows, ``rejected`` rows with ``errors``."""

    kind: ImportKind
    source: str
    records: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    total: int = 0
    rejected: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def needs_consent(self):
        return sum(1 for record in self.records if not record.consent_complete)


@dataclass
class Context:
    """What checking a row needs from the database, loaded once per import."""

    session: object
    project: object
    today: date
    existing_ids: frozenset
    harvests: list = field(default_factory=list)
    cycles: list = field(default_factory=list)
    lookups: dict = field(default_factory=dict)

    def lookup(self, name, items, name_of):
        """``{id or normalised name: item}`` for ``items``, built once per import."""
        if name not in self.lookups:
            table = {normalise(name_of(item)): item for item in items}
            table.update({str(item.id): item for item in items})
            self.lookups[name] = table
        return self.lookups[name]


class RowReader:
    """Reads one record's mapped cells, collecting errors against the cell they came from."""

    def __init__(self, record, mapping, kind):
        self.record = record
        self.fields = mapping.get("fields") or {}
        self.defaults = mapping.get("defaults") or {}
        self.kind = kind
        self.errors = {}

    def locate(self, key):
        """``(table, row, column)`` of the cell feeding target ``key`` for this record."""
        ref = self.fields.get(key)
        if ref:
            table, header = split_ref(ref)
            holder = self.record.in_table(table) or self.record
            return holder.table, holder.row, header
        return self.record.table, self.record.row, DEFAULT_COLUMN

    def raw(self, key):
        ref = self.fields.get(key)
        value = None
        if ref:
            table, header = split_ref(ref)
            holder = self.record.in_table(table)
            value = holder.values.get(header) if holder is not None else None
        if cells.is_empty(value) and self.defaults.get(key) not in (None, ""):
            return self.defaults[key], True
        return value, False

    def fail(self, key, message):
        self.errors.setdefault(key, message)

    def read(self, item, parse):
        value, _default = self.raw(item.key)
        try:
            return parse(value)
        except cells.BadValue as error:
            self.fail(item.key, error.args[0])
            return None

    def errors_as_rows(self):
        return [RowError(*self.locate(key), message) for key, message in self.errors.items()]

    def add_service_errors(self, error):
        for name, message in error.reasons:
            key = SERVICE_FIELDS.get(name, name)
            if key not in self.errors:
                self.fail(key or "", message)


def parser_for(item):
    if item.kind == DATE:
        return cells.parse_date_with_precision
    if item.kind == BOOL:
        return cells.parse_bool
    if item.kind == CHOICE:
        return lambda value: cells.parse_choice(value, item.choices)
    if item.kind == COUNTRY:
        return cells.parse_country
    if item.kind == LANGUAGE:
        return cells.parse_language
    if item.kind == AGE:
        return cells.parse_age_band
    return lambda value: cells.as_text(value).strip()


def read_plain_fields(reader, kind, skip=()):
    """Parse every non-repeat target except the database-backed ones (harvest, cycle, domain)."""
    found = {}
    for item in targets_for(kind):
        if item.repeat or item.kind in (HARVEST, CYCLE, DOMAIN) or item.key in skip:
            continue
        found[item.key] = reader.read(item, parser_for(item))
    return found


def read_reference(reader, key, lookup, missing):
    """The harvest or cycle named (or numbered) in the cell of ``key``."""
    value, _default = reader.raw(key)
    if cells.is_empty(value):
        return None
    text = cells.as_text(value).strip()
    found = lookup.get(text) or lookup.get(normalise(text))
    if found is None:
        reader.fail(key, N_(missing.template, value=cells.shown(cells.as_text(value))))
    return found


# Outcomes ----------------------------------------------------------------------------------


def outcome_values(reader, context):
    found = read_plain_fields(reader, ImportKind.OUTCOMES)
    harvest = read_reference(reader, "harvest", context.lookup("harvests", context.harvests, lambda item: item.title),
                             N_("This project has no harvest called “%(value)s”."))
    change_date, precision = found.pop("change_date") or (None, None)
    if found.get("change_type") is None and "change_type" not in reader.errors:
        reader.fail("change_type", N_("Give the type of change: behaviour, relationship, action, policy or practice."))
    return {
        **found,
        "harvest_id": harvest.id if harvest else None,
        "change_date": change_date,
        "date_precision": found.get("date_precision") or precision or DatePrecision.MONTH,
        "change_type": found.get("change_type") or ChangeType.BEHAVIOUR,
        "smart_checks": {},
    }


def plan_outcome(record, reader, context):
    values = outcome_values(reader, context)
    cleaned = outcome_services.clean_outcome_values(values)
    try:
        outcome_services.validate_outcome(context.session, context.project, cleaned, OutcomeStatus.DRAFT,
                                          context.today)
    except ValidationFailed as error:
        reader.add_service_errors(error)
    harvest = next((item for item in context.harvests if item.id == cleaned["harvest_id"]), None)
    return PlannedRecord(record.table, record.row, "", cleaned, shown={"harvest": harvest.title if harvest else ""})


# Stories -----------------------------------------------------------------------------------


def domain_of(reader, cycle, context):
    """The cycle's domain named in the row (by name, Kobo's choice name, or "other" for the open domain)."""
    value, _default = reader.raw("domain")
    if cells.is_empty(value) or cycle is None:
        if cells.is_empty(value):
            reader.fail("domain", N_("Give the domain of change the story belongs to."))
        return None
    text = cells.as_text(value).strip()
    lookup = context.lookup(f"domains-{cycle.id}", cycle.domains, lambda item: item.name)
    found = lookup.get(text) or lookup.get(normalise(text))
    if found is not None:
        return found
    if says_open_domain(text):
        return next((domain for domain in cycle.domains if domain.is_open), None)
    names = ", ".join(domain.name for domain in cycle.domains)
    reader.fail("domain", N_("“%(value)s” is not a domain of change of the cycle “%(title)s” (%(names)s).",
                             value=cells.shown(text), title=cycle.title, names=names))
    return None


def story_values(reader, context):
    found = read_plain_fields(reader, ImportKind.STORIES)
    cycle = read_reference(reader, "cycle", context.lookup("cycles", context.cycles, lambda item: item.title),
                           N_("No MSC cycle of this project or fund is called “%(value)s”."))
    domain = domain_of(reader, cycle, context)
    for key in ("collected_on", "obtained_on"):
        day, precision = found.get(key) or (None, None)
        if day is not None and precision is not DatePrecision.DAY:
            reader.fail(key, N_("Give the full date, as YYYY-MM-DD."))
            day = None
        found[key] = day
    if found.get("storyteller_category") is None and "storyteller_category" not in reader.errors:
        reader.fail("storyteller_category", N_("Say who told the story: child, young_person, parent_caregiver, "
                                            "teacher, professional, community_member or other."))
    story = {
        "cycle_id": cycle.id if cycle else None, "domain_id": domain.id if domain else None,
        **{key: found.get(key) for key in ("title", "what_happened", "why_significant", "events_when", "place",
                                           "collector", "collected_on", "storyteller_pseudonym", "language")},
        "country_code": found.get("country_code") or "",
        "storyteller_category": found.get("storyteller_category") or StorytellerCategory.OTHER,
        "age_band": found.get("age_band"),
    }
    consent = {name: found.get(name) for name in consent_rules.CONSENT_FIELDS}
    return story, consent, cycle, domain


def plan_story(record, reader, context):
    story, consent, cycle, domain = story_values(reader, context)
    cleaned = story_services.clean_story_values(story)
    try:
        story_services.validate_story(context.session, context.project, cleaned, context.today)
    except ValidationFailed as error:
        reader.add_service_errors(error)
    if cycle is not None and cycle.status is not CycleStatus.OPEN and "cycle" not in reader.errors:
        reader.fail("cycle", N_("The cycle “%(title)s” is closed; choose an open cycle.", title=cycle.title))
    consent_values = story_services.clean_consent_values(consent)
    minor = consent_rules.is_minor(cleaned["storyteller_category"], cleaned["age_band"])
    problems = consent_rules.consent_problems(consent_values, minor, context.today)
    return PlannedRecord(record.table, record.row, "", cleaned, consent_values, not problems,
                         [message for _field, message in problems],
                         shown={"cycle": cycle.title if cycle else "", "domain": domain.name if domain else ""})


def translation_table(mapping):
    refs = [(mapping.get("fields") or {}).get(key) for key in TRANSLATION_FIELDS]
    tables = {split_ref(ref)[0] for ref in refs if ref}
    return next(iter(tables), None)


def plan_translations(record, planned, mapping, kind, errors):
    """Read the story's translations from its repeat-group rows, with the rules of the translation form."""
    table = translation_table(mapping)
    if table is None:
        return
    languages = {planned.values.get("language")}
    for child in record.children.get(table, []):
        reader = RowReader(child, mapping, kind)
        found = {}
        for key, name in TRANSLATION_FIELDS.items():
            item = next(item for item in targets_for(kind) if item.key == key)
            found[name] = reader.read(item, parser_for(item)) if key in reader.fields else None
        if all(cells.is_empty(value) for value in found.values()):
            continue
        cleaned = {name: (value if name == "language" else clean_text(value or ""))
                   for name, value in found.items()}
        check_translation(reader, cleaned, languages)
        languages.add(cleaned["language"])
        errors.extend(reader.errors_as_rows())
        planned.translations.append(cleaned)


def check_translation(reader, cleaned, languages):
    if cleaned["language"] is None:
        reader.fail("translation_language", N_("Say which language this translation is in."))
    elif cleaned["language"] in languages:
        reader.fail("translation_language", N_("The story already has its text in this language."))
    for key, name in (("translation_title", "title"), ("translation_what_happened", "what_happened"),
                      ("translation_why_significant", "why_significant")):
        if not cleaned[name]:
            reader.fail(key, N_("Translate this part of the story as well."))
        elif len(cleaned[name]) > story_services.MAX_STORY_TEXT:
            reader.fail(key, N_("Keep this text under %(limit)s characters.",
                                    limit=f"{story_services.MAX_STORY_TEXT:,}"))


# The plan ----------------------------------------------------------------------------------


def id_column(mapping):
    source = mapping.get("source_column")
    if source == AUTO:
        return "_uuid / instanceID"
    return split_ref(source)[1] if source else N_("(all mapped columns)")


def id_problem(reader, mapping, first_row=None):
    """The row has no id, or the id (or, without an id column, the same values) of an earlier row."""
    column = id_column(mapping)
    if not mapping.get("source_column"):
        message = (N_("This row is empty.") if first_row is None else
                   N_("The same values as row %(row)s: remove the repeated row, or add a column that identifies "
                      "each row.", row=first_row))
    elif first_row is None:
        message = N_("This row has no id. Every row needs one, so that importing the file again adds nothing.")
    else:
        message = N_("The same id as row %(row)s: each row needs its own id.", row=first_row)
    return RowError(reader.record.table, reader.record.row, column, message)


def plan_record(record, reader, mapping, kind, context):
    """The record one row would create, and every problem found in the row."""
    planned = (plan_outcome if kind is ImportKind.OUTCOMES else plan_story)(record, reader, context)
    errors = reader.errors_as_rows()
    if kind is ImportKind.STORIES:
        plan_translations(record, planned, mapping, kind, errors)
    return planned, errors


def make_plan(dataset, kind, mapping, context):
    """Check every record of ``dataset`` as ``mapping`` reads it; return the :class:`Plan` (nothing is written).

    Every problem of every row is listed, the row's id problem included, so one round of corrections fixes
    the whole file.
    """
    kind = ImportKind(kind)
    plan = Plan(kind, source_label(dataset, mapping.get("source_column")))
    for record, column, message in dataset.problems:
        plan.errors.append(RowError(record.table, record.row, column, message))
    record_table = mapping.get("record_table")
    records = dataset.records.get(record_table, [])
    refs = [ref for key, ref in (mapping.get("fields") or {}).items() if ref and not target(kind, key).repeat]
    plan.total = len(records)
    seen = {}
    for record in records:
        reader = RowReader(record, mapping, kind)
        source_id = record_id(record, dataset, mapping.get("source_column"), refs)
        if source_id and source_id in context.existing_ids and source_id not in seen:
            seen[source_id] = record.row
            plan.skipped.append((record.table, record.row, source_id))
            continue
        errors = [] if source_id and source_id not in seen else [id_problem(reader, mapping, seen.get(source_id))]
        if source_id:
            seen.setdefault(source_id, record.row)
        planned, row_errors = plan_record(record, reader, mapping, kind, context)
        planned.source_id = source_id
        errors.extend(row_errors)
        plan.errors.extend(errors)
        if errors:
            plan.rejected += 1
        else:
            plan.records.append(planned)
    plan.errors.sort(key=lambda error: (error.table != record_table, error.table, error.row))
    return plan
