"""XLSX and CSV writing for exports, and the registry of exportable sheets. Plain functions, no Flask.

The registry maps an entity name to its sheet: a title, the columns (key,
human-readable header, the audiences that get the column) and a row function
taking an export scope and yielding one ``{column key: value}`` dict per row.
Adding an entity to every export (XLSX sheet, CSV file, CLI, web form) is one
:func:`register_sheet` call in :mod:`tracker.exports.sheets`.

Cells are made safe for spreadsheets here, once, for every sheet:

- **Formulas are neutralised** by :func:`tracker.common.formulas.neutralise`: a
  text cell that starts with ``=``, ``+``, ``-``, ``@`` (or their full-width
  forms, a tab, a carriage return or a line feed) gets a leading apostrophe
  ``'``, the prefix spreadsheets read as "this is text" (OWASP's advice for CSV
  injection). The same rule applies to XLSX,
  where openpyxl would otherwise store a text starting with ``=`` as a formula.
  Numbers stay numbers in XLSX; in CSV every cell is text, so a negative number
  is prefixed too and no cell of a CSV export starts with a trigger.
- **Dates are ISO 8601**: real date cells shown as ``yyyy-mm-dd`` in XLSX,
  ``YYYY-MM-DD`` text in CSV; timestamps are UTC ``YYYY-MM-DDTHH:MM:SSZ`` text.
- Characters XML cannot hold are dropped, and a text longer than an Excel cell
  allows (32,767 characters; a story may hold 50,000) is cut with a visible
  note pointing to the CSV export, which keeps the full text.
- CSV files are UTF-8 with a byte-order mark, so that Excel opens Khmer, Thai
  or Vietnamese text correctly, and CRLF line ends (RFC 4180).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

from tracker.common.formulas import neutralise

INTERNAL = "internal"
DONOR = "donor"
AUDIENCES = (INTERNAL, DONOR)
FORMATS = ("xlsx", "csv")
EXCEL_CELL_LIMIT = 32_767
TRUNCATION_NOTE = " […] (cut at Excel's cell limit; the CSV export holds the full text)"
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_SHEET_TITLE = 31


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the row dict's ``key``, its header, and the audiences that get it."""

    key: str
    header: object
    audiences: frozenset = frozenset(AUDIENCES)


@dataclass(frozen=True)
class SheetSpec:
    """An exportable entity: its sheet title, its columns and its row function ``rows(scope) -> dicts``."""

    name: str
    title: object
    columns: tuple
    rows: object
    order: int = 100
    description: object = ""

    def columns_for(self, audience):
        return [column for column in self.columns if audience in column.audiences]


@dataclass
class Registry:
    sheets: dict = field(default_factory=dict)

    def register(self, spec):
        if spec.name in self.sheets:
            raise ValueError(f"sheet {spec.name!r} is registered twice")
        self.sheets[spec.name] = spec

    def ordered(self):
        return sorted(self.sheets.values(), key=lambda spec: (spec.order, spec.name))

    def get(self, name):
        return self.sheets[name]


REGISTRY = Registry()


def register_sheet(name, title, columns, rows, *, order=100, description=""):
    """Add an entity to every export; ``columns`` are :class:`Column` objects, ``rows(scope)`` yields dicts."""
    spec = SheetSpec(name, title, tuple(columns), rows, order, description)
    REGISTRY.register(spec)
    return spec


@dataclass
class SheetData:
    """A sheet ready to write: its title, headers and rows of plain values."""

    name: str
    title: str
    headers: list
    rows: list


def build_sheet(spec, scope, audience):
    """Run ``spec``'s row function for ``scope`` and keep the columns of ``audience``, in order."""
    columns = spec.columns_for(audience)
    rows = [[row.get(column.key) for column in columns] for row in spec.rows(scope)]
    return SheetData(spec.name, str(spec.title), [str(column.header) for column in columns], rows)


# Cells -------------------------------------------------------------------------------------


def plain_decimal(value):
    """``Decimal("120.5000")`` → ``"120.5"``, never in exponent notation."""
    return format(value.normalize(), "f")


def iso_timestamp(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_cell(value):
    """The text of one CSV cell: ISO dates, plain decimals, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = plain_decimal(value)
    return neutralise(XML_ILLEGAL.sub("", str(value)))


def xlsx_value(value):
    """The value of one XLSX cell: numbers and dates typed, text cleaned, cut to Excel's limit and neutralised."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, datetime):
        return iso_timestamp(value)
    if isinstance(value, date | int | float | Decimal):
        return value
    text = XML_ILLEGAL.sub("", str(value))
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(TRUNCATION_NOTE)] + TRUNCATION_NOTE
    return neutralise(text)


# Writers -----------------------------------------------------------------------------------


def sheet_title(title, taken):
    """An Excel sheet title: at most 31 characters, none of ``[]:*?/\\``, unique in the workbook."""
    base = " ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split())[:MAX_SHEET_TITLE] or "Sheet"
    candidate, number = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate, number = base[: MAX_SHEET_TITLE - len(suffix)] + suffix, number + 1
    taken.add(candidate.casefold())
    return candidate


def column_width(header, rows, index):
    """A readable column width from the header and the first rows (long texts wrap at 60)."""
    sample = [len(str(row[index])) for row in rows[:50] if row[index] is not None]
    return min(60, max([len(header), 8, *sample]) + 2)


def write_xlsx(sheets, output):
    """Write ``sheets`` (:class:`SheetData`) as one workbook to the binary file ``output``.

    Each sheet has a bold, frozen header row and a filter on its columns.
    """
    # openpyxl takes a noticeable share of the app's start: imported where a workbook is written.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Evidence Tracker"
    bold = Font(bold=True)
    taken = set()
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet_title(sheet.title, taken))
        for index, header in enumerate(sheet.headers):
            worksheet.column_dimensions[get_column_letter(index + 1)].width = column_width(header, sheet.rows, index)
        worksheet.freeze_panes = "A2"
        if sheet.headers:
            worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{len(sheet.rows) + 1}"
        header_cells = []
        for header in sheet.headers:
            cell = WriteOnlyCell(worksheet, value=xlsx_value(header))
            cell.font = bold
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            worksheet.append([xlsx_value(value) for value in row])
    workbook.save(output)


def xlsx_bytes(sheets):
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()


def csv_text(sheet):
    """One sheet as CSV text with a byte-order mark and CRLF line ends."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(header) for header in sheet.headers])
    writer.writerows([csv_cell(value) for value in row] for row in sheet.rows)
    return buffer.getvalue()


def csv_file_name(sheet):
    return re.sub(r"[^a-z0-9]+", "-", sheet.name.casefold()).strip("-") + ".csv"


def csv_zip_bytes(sheets):
    """A ZIP holding one CSV file per sheet."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            archive.writestr(csv_file_name(sheet), csv_text(sheet).encode("utf-8"))
    return buffer.getvalue()


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    mimetype: str
    extension: str


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_file(sheets, file_format):
    """The bytes of an export: one workbook, one CSV for a single sheet, or a ZIP of CSVs."""
    if file_format == "xlsx":
        return ExportFile(xlsx_bytes(sheets), XLSX_MIMETYPE, "xlsx")
    if file_format != "csv":
        raise ValueError(f"unknown export format {file_format!r}")
    if len(sheets) == 1:
        return ExportFile(csv_text(sheets[0]).encode("utf-8"), "text/csv; charset=utf-8", "csv")
    return ExportFile(csv_zip_bytes(sheets), "application/zip", "zip")
