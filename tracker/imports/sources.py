"""KoboToolbox and ODK Central exports: recognise them, join repeat groups to their parents, identify rows.

A form with a repeat group exports as several tables. KoboToolbox's XLSX puts
each repeat group on its own sheet, whose ``_parent_table_name`` and
``_parent_index`` point at the ``_index`` of the parent row. ODK Central's CSV
ZIP holds one CSV per repeat group, whose ``PARENT_KEY`` points at the parent's
``KEY``. Headers carry group paths: ``consent/guardian_consent`` (Kobo) or
``consent-guardian_consent`` (ODK Central).

Each submission is identified by its instance id, so importing the same export
twice adds nothing: Kobo's ``_uuid``, ODK's ``meta/instanceID`` (``KEY``); a
row of a repeat group by its parent's id and its position (``uuid/outcomes[2]``,
which is ODK's own ``KEY`` for it). A plain spreadsheet may name its own id
column; when it has none, a row is identified by its *fingerprint*: a hash of
the normalised values of the columns the mapping reads, so importing the same
rows again adds nothing even without an id column.

Plain functions, no Flask, no database.
"""

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from dataclasses import field

from tracker.common.messages import N_

KOBO = "kobo"
ODK = "odk"
PLAIN = "plain"
KOBO_UUID = "_uuid"
KOBO_INDEX = "_index"
KOBO_PARENT_INDEX = "_parent_index"
KOBO_PARENT_TABLE = "_parent_table_name"
KOBO_SUBMISSION_UUID = "_submission__uuid"
ODK_KEY = "KEY"
ODK_PARENT_KEY = "PARENT_KEY"
INSTANCE_ID_HEADERS = ("meta/instanceID", "meta-instanceID", "instanceID")
AUTO = "auto"
FINGERPRINT = "fingerprint"
REF_SEPARATOR = "::"


class SourceProblem(Exception):
    """The tables cannot be joined (e.g. a repeat sheet whose parent sheet is missing)."""


def column_ref(table, header):
    """A column's reference in mappings: ``"table::header"``."""
    return f"{table}{REF_SEPARATOR}{header}"


def split_ref(ref):
    table, _separator, header = (ref or "").partition(REF_SEPARATOR)
    return (table, header) if header else (None, table)


@dataclass(eq=False)
class Record:
    """One row of one table, with its parent row (repeat groups) and its child rows per table."""

    table: str
    row: int
    values: dict
    parent: "Record | None" = None
    position: int = 1
    children: dict = field(default_factory=dict)

    def ancestors(self):
        record = self.parent
        while record is not None:
            yield record
            record = record.parent

    def in_table(self, table):
        """This record or the ancestor that belongs to ``table`` (None if neither does)."""
        if self.table == table:
            return self
        return next((record for record in self.ancestors() if record.table == table), None)

    def root(self):
        return next(iter(reversed(list(self.ancestors()))), self)


@dataclass
class Dataset:
    """The tables of one file, joined: which tool made it, each table's parent table and its records."""

    origin: str
    tables: list
    parents: dict
    records: dict
    problems: list = field(default_factory=list)

    def table(self, name):
        return next((table for table in self.tables if table.name == name), None)

    def root_tables(self):
        return [table.name for table in self.tables if self.parents.get(table.name) is None]

    def child_tables(self, name):
        return [table.name for table in self.tables if self.parents.get(table.name) == name]

    def lineage(self, name):
        """``name`` and its ancestor tables, nearest first."""
        names = []
        while name is not None and name not in names:
            names.append(name)
            name = self.parents.get(name)
        return names

    def default_record_table(self):
        roots = self.root_tables()
        return roots[0] if roots else self.tables[0].name


def detect_origin(tables):
    headers = {header for table in tables for header in table.headers}
    if KOBO_UUID in headers or KOBO_PARENT_INDEX in headers:
        return KOBO
    if ODK_KEY in headers or ODK_PARENT_KEY in headers or any(name in headers for name in INSTANCE_ID_HEADERS):
        return ODK
    return PLAIN


def plain_value(value):
    """An id cell as text: ``12.0`` read from a workbook is ``"12"``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def make_records(table):
    return [Record(table.name, number, dict(zip(table.headers, values, strict=True))) for number, values in table.rows]


def kobo_parent_table(table, names):
    """The sheet a Kobo repeat sheet points at; Kobo cuts sheet names to 31 characters."""
    declared = {plain_value(values[table.headers.index(KOBO_PARENT_TABLE)]) for _row, values in table.rows}
    declared.discard("")
    for name in declared:
        if name in names:
            return name
        cut = [candidate for candidate in names if len(candidate) == 31 and name.startswith(candidate)]
        if cut:
            return cut[0]
    if declared:
        raise SourceProblem(N_("Sheet “%(sheet)s” belongs to sheet “%(parent)s”, which is not in the file. Export all "
                               "sheets of the form together.", sheet=table.name, parent=sorted(declared)[0]))
    return None


def link(child, parent):
    child.parent = parent
    siblings = parent.children.setdefault(child.table, [])
    siblings.append(child)
    child.position = len(siblings)


def join_kobo(tables, records):
    names = [table.name for table in tables]
    parents, problems = {}, []
    for table in tables:
        if KOBO_PARENT_INDEX in table.headers and KOBO_PARENT_TABLE in table.headers:
            parents[table.name] = kobo_parent_table(table, names)
    by_index = {(record.table, plain_value(record.values.get(KOBO_INDEX))): record
                for table_records in records.values() for record in table_records}
    for name, parent_name in parents.items():
        for record in records[name]:
            key = plain_value(record.values.get(KOBO_PARENT_INDEX))
            parent = by_index.get((parent_name, key))
            if parent is None:
                problems.append((record, KOBO_PARENT_INDEX,
                                 N_("No row of sheet “%(sheet)s” has _index %(key)s.", sheet=parent_name,
                                    key=key or N_("(empty)"))))
            else:
                link(record, parent)
    return parents, problems


def join_odk(tables, records):
    parents, problems = {}, []
    by_key = {}
    for table_records in records.values():
        for record in table_records:
            key = plain_value(record.values.get(ODK_KEY))
            if key:
                by_key[key] = record
    for table in tables:
        if ODK_PARENT_KEY not in table.headers:
            continue
        for record in records[table.name]:
            key = plain_value(record.values.get(ODK_PARENT_KEY))
            parent = by_key.get(key)
            if parent is None:
                problems.append((record, ODK_PARENT_KEY, N_("No row of the other files has KEY %(key)s.",
                                                                 key=key or N_("(empty)"))))
                continue
            link(record, parent)
            parents.setdefault(table.name, parent.table)
    return parents, problems


def build_dataset(tables):
    """Recognise the tool that made ``tables`` and join repeat-group rows to their parent rows."""
    if not tables:
        raise SourceProblem(N_("The file holds no table with a header row."))
    origin = detect_origin(tables)
    records = {table.name: make_records(table) for table in tables}
    parents, problems = {}, []
    if origin == KOBO:
        parents, problems = join_kobo(tables, records)
    elif origin == ODK:
        parents, problems = join_odk(tables, records)
    return Dataset(origin, tables, parents, records, problems)


# Source ids --------------------------------------------------------------------------------


def strip_uuid_prefix(value):
    return value[5:] if value.lower().startswith("uuid:") else value


def instance_id(record, origin):
    """The submission id of a root record: Kobo ``_uuid``, ODK ``meta/instanceID`` or ``KEY``, without ``uuid:``."""
    headers = (KOBO_UUID, *INSTANCE_ID_HEADERS, ODK_KEY) if origin == KOBO else (*INSTANCE_ID_HEADERS, ODK_KEY)
    for header in headers:
        value = plain_value(record.values.get(header))
        if value:
            return strip_uuid_prefix(value)
    if origin == KOBO:
        return strip_uuid_prefix(plain_value(record.values.get(KOBO_SUBMISSION_UUID)))
    return ""


def automatic_id(record, origin):
    """A row's id without a chosen column: its submission id, and for a repeat row its path below it."""
    if origin == ODK and record.parent is not None:
        key = plain_value(record.values.get(ODK_KEY))
        if key:
            return strip_uuid_prefix(key)
    chain = [record, *record.ancestors()]
    root = chain[-1]
    base = instance_id(root, origin)
    if not base:
        return ""
    return base + "".join(f"/{item.table}[{item.position}]" for item in reversed(chain[:-1]))


def has_automatic_ids(dataset):
    return dataset.origin in (KOBO, ODK)


def source_label(dataset, source_column):
    """What ``imported_record.source`` says: the tool, the id column a person chose, or ``fingerprint``."""
    if source_column == AUTO:
        return dataset.origin
    if not source_column:
        return FINGERPRINT
    _table, header = split_ref(source_column)
    return f"column:{header}"[:160]


def cell_text(value):
    """A cell as the fingerprint reads it: numbers as written, text in one Unicode form, case and spacing."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).casefold()
    return " ".join(text.split())


def fingerprint(record, refs):
    """A stable id for a row without an id column: the SHA-256 of its normalised mapped cells.

    Only the cells the mapping reads count, keyed by column, so a re-import with reordered or extra columns,
    or with different case or spacing in a cell, finds the same rows. An empty row has no fingerprint.
    """
    cells = {}
    for ref in sorted(set(refs)):
        table, header = split_ref(ref)
        holder = record.in_table(table) if table else record
        cells[header] = cell_text(holder.values.get(header)) if holder is not None else ""
    if not any(cells.values()):
        return ""
    encoded = json.dumps(sorted(cells.items()), ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(encoded).hexdigest()


def record_id(record, dataset, source_column, refs=()):
    """The row's id: automatic (Kobo, ODK), from the chosen column, or its :func:`fingerprint` over ``refs``."""
    if source_column == AUTO:
        return automatic_id(record, dataset.origin)[:255]
    if not source_column:
        return fingerprint(record, refs)
    table, header = split_ref(source_column)
    holder = record.in_table(table) if table else record
    if holder is None:
        holder = record
    return plain_value(holder.values.get(header))[:255]
