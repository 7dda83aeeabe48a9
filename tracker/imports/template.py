"""A blank XLSX to fill in for an import: one column per field, a hidden sheet of allowed values, and a
drop-down (data validation) on every coded column.

Each header is the field's name in the reader's language followed by its key in brackets
(``Type de changement * [change_type]``): the key is what the import matches, so a template filled in any
language maps itself. Required fields carry ``*`` and a bold header, as on the mapping page.

Plain functions, no Flask, no database: the caller passes the translated headers and the allowed values.
"""

from dataclasses import dataclass
from dataclasses import field
from io import BytesIO

from tracker.imports.mapping import BOOL
from tracker.imports.mapping import CHOICE
from tracker.imports.mapping import targets_for
from tracker.imports.values import CHOICE_SYNONYMS

ALLOWED_SHEET = "Allowed values"
TEMPLATE_ROWS = 1000
YES_NO = ("yes", "no")


@dataclass
class TemplateColumn:
    """One column of the template: its field key, header text, whether it is required, a note, allowed values."""

    key: str
    label: str
    required: bool = False
    note: str = ""
    allowed: list = field(default_factory=list)

    @property
    def header(self):
        return f"{self.label}{' *' if self.required else ''} [{self.key}]"


def coded_values(item):
    """The values a coded field accepts, as the import reads them (choices and yes/no); else none."""
    if item.kind == CHOICE:
        enum_type, _synonyms = CHOICE_SYNONYMS[item.choices]
        return [member.value for member in enum_type]
    if item.kind == BOOL:
        return list(YES_NO)
    return []


def template_columns(kind, labels, notes=None, allowed=None):
    """The columns of ``kind``'s template, in the mapping's order, without repeat-group fields.

    ``labels`` names each field; ``allowed`` adds values for fields coded by the project (harvests, cycles,
    domains, languages, countries); ``notes`` adds a hint per field (e.g. a date's format).
    """
    notes, allowed = notes or {}, allowed or {}
    return [TemplateColumn(item.key, str(labels[item.key]), item.required, str(notes.get(item.key, "")),
                           [str(value) for value in allowed.get(item.key) or coded_values(item)])
            for item in targets_for(kind) if not item.repeat]


def allowed_sheet(workbook, columns):
    """The hidden sheet listing each coded column's values; ``{key: range formula}`` for its drop-down."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils import quote_sheetname

    sheet = workbook.create_sheet(ALLOWED_SHEET)
    ranges = {}
    coded = [column for column in columns if column.allowed]
    for position, column in enumerate(coded, start=1):
        letter = get_column_letter(position)
        sheet.cell(row=1, column=position, value=column.key)
        for row, value in enumerate(column.allowed, start=2):
            sheet.cell(row=row, column=position, value=value)
        ranges[column.key] = f"{quote_sheetname(ALLOWED_SHEET)}!${letter}$2:${letter}${len(column.allowed) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


def template_workbook(title, columns, invalid_message):
    """The XLSX template as bytes: sheet ``title`` with the headers, and drop-downs fed by the hidden sheet."""
    # openpyxl takes a noticeable share of the app's start: imported where a workbook is written.
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    ranges = allowed_sheet(workbook, columns)
    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = Font(bold=column.required)
        if column.note:
            cell.comment = Comment(column.note, "Evidence Tracker")
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(14, min(48, len(column.header) + 2))
        if column.key in ranges:
            validation = DataValidation(type="list", formula1=ranges[column.key], allow_blank=True,
                                        showErrorMessage=True, error=invalid_message)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
