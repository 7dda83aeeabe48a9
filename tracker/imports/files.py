"""Read an uploaded XLSX, CSV or ZIP of CSVs into tables, after checking it is what it claims and within limits.

Everything that can be checked without parsing is checked first: the file
size, the magic bytes against the extension (an ``.xlsx`` must be a ZIP holding
a workbook, a ``.csv`` must be UTF-8 text), and for ZIP-based files the number
of entries and their total uncompressed size as the archive's directory
declares it, so that a zip bomb is refused before a byte is inflated. Python's
``zipfile`` never inflates an entry beyond its declared size, so a directory
that lies cannot get past the limit either. XLSX parts are parsed by openpyxl
with defusedxml installed, which refuses XML entity bombs.

Plain functions, no Flask, no database.
"""

import csv
import io
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import PurePosixPath

from tracker import config
from tracker.common.messages import N_
from tracker.common.sizes import size_text

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Signatures of files that are certainly not CSV text.
BINARY_MAGIC = (ZIP_MAGIC, OLE_MAGIC, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf",
                b"Rar!", b"MZ", b"\x7fELF", b"SQLite format 3")
EXTENSIONS = (".xlsx", ".csv", ".zip")
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


@dataclass(frozen=True)
class Limits:
    """How large an import may be. Every limit is checked before the file is parsed, or while reading rows."""

    max_bytes: int = config.default("IMPORT_MAX_BYTES")
    max_rows: int = config.default("IMPORT_MAX_ROWS")
    max_columns: int = 1_000
    max_uncompressed: int = config.default("IMPORT_MAX_UNCOMPRESSED")
    max_entries: int = 1_000


DEFAULT_LIMITS = Limits()


def limits_from(settings):
    """Limits from the app's settings (``IMPORT_MAX_BYTES``, ``IMPORT_MAX_ROWS``, ``IMPORT_MAX_UNCOMPRESSED``)."""
    return Limits(max_bytes=settings["IMPORT_MAX_BYTES"], max_rows=settings["IMPORT_MAX_ROWS"],
                  max_uncompressed=settings["IMPORT_MAX_UNCOMPRESSED"])


class FileRejected(Exception):
    """The file cannot be imported; the message says why and what to do."""


@dataclass
class Table:
    """One sheet (or CSV file): its headers and its non-empty rows as ``(row number, values)``.

    Row numbers are the ones a person sees in a spreadsheet: the header is row 1.
    """

    name: str
    headers: list
    rows: list = field(default_factory=list)


def file_type(file_name):
    """The lower-case extension of ``file_name`` if it is one we import; else :class:`FileRejected`."""
    suffix = PurePosixPath((file_name or "").replace("\\", "/")).suffix.lower()
    if suffix == ".xls":
        raise FileRejected(N_("This is an old Excel file (.xls). Open it in Excel or LibreOffice and save it as "
                              ".xlsx."))
    if suffix not in EXTENSIONS:
        raise FileRejected(N_("Upload an Excel workbook (.xlsx), a CSV file (.csv) or a ZIP of CSV files (.zip), "
                           "as KoboToolbox and ODK Central export them."))
    return suffix


def check_size(size, limits):
    if size == 0:
        raise FileRejected(N_("The file is empty."))
    if size > limits.max_bytes:
        raise FileRejected(N_("The file is %(size)s; files up to %(limit)s can be imported. Split it into "
                              "smaller files.", size=size_text(size), limit=size_text(limits.max_bytes)))


def check_magic(suffix, head):
    """Refuse a file whose first bytes do not match its extension (e.g. a program renamed to .csv)."""
    is_zip = head.startswith(ZIP_MAGIC)
    if suffix == ".xlsx" and not is_zip:
        if head.startswith(OLE_MAGIC):
            raise FileRejected(N_("This file is an old-format Excel workbook renamed to .xlsx. Save it as .xlsx."))
        raise FileRejected(N_("This file is named .xlsx but is not an Excel workbook."))
    if suffix == ".zip" and not is_zip:
        raise FileRejected(N_("This file is named .zip but is not a ZIP archive."))
    if suffix == ".csv":
        if head.startswith(BINARY_MAGIC):
            raise FileRejected(N_("This file is named .csv but is not text: it looks like a workbook, an archive or a "
                               "program. Upload the CSV file itself."))
        if b"\x00" in head:
            raise FileRejected(N_("This file is named .csv but is not UTF-8 text (it may be UTF-16). "
                               "Save it as “CSV UTF-8”."))


def check_archive(archive, suffix, limits):
    """Check a ZIP's directory before anything is inflated: entry count, total size, expected parts."""
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise FileRejected(N_("The archive holds %(count)d files; at most %(limit)d are accepted.",
                                count=len(entries), limit=limits.max_entries))
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_uncompressed:
        raise FileRejected(N_("Unpacked, this file would take %(size)s; at most %(limit)s are accepted. It may "
                              "be a zip bomb, or too large: split it into smaller files.",
                              size=size_text(total), limit=size_text(limits.max_uncompressed)))
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise FileRejected(N_("The archive is password-protected. Export it again without a password."))
    names = {entry.filename for entry in entries}
    if suffix == ".xlsx" and not all(part in names for part in WORKBOOK_PARTS):
        raise FileRejected(N_("This file is named .xlsx but holds no Excel workbook."))
    if suffix == ".zip" and not csv_members(entries):
        raise FileRejected(N_("The ZIP archive holds no CSV file. ODK Central's “CSV (.zip)” download holds one CSV "
                           "per form and repeat group."))


def csv_members(entries):
    return [entry for entry in entries
            if entry.filename.lower().endswith(".csv") and not entry.is_dir()
            and not PurePosixPath(entry.filename).name.startswith(("._", "~$"))
            and "__MACOSX/" not in entry.filename]


def nfc(value):
    """Unicode NFC for text (so that é or Vietnamese ế typed two ways compare equal); other values unchanged."""
    if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
        return unicodedata.normalize("NFC", value)
    return value


def header_names(raw):
    """Headers as text; a blank header becomes "Column N" so that its data can still be mapped."""
    headers = [("" if value is None else str(nfc(value))).strip() for value in raw]
    while headers and not headers[-1]:
        headers.pop()
    return [header or f"Column {index}" for index, header in enumerate(headers, start=1)]


class RowCounter:
    """Counts data rows across all tables and stops the read when the limit is passed."""

    def __init__(self, limits):
        self.limits = limits
        self.count = 0

    def add(self):
        self.count += 1
        if self.count > self.limits.max_rows:
            raise FileRejected(N_("The file has more than %(limit)s rows; import it in parts.",
                                  limit=f"{self.limits.max_rows:,}"))


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def collect_rows(table, rows, counter, limits):
    """Add ``rows`` (tuples of cell values, row 2 onwards) to ``table``, skipping blank rows."""
    width = len(table.headers)
    for number, raw in enumerate(rows, start=2):
        if len(raw) > limits.max_columns:
            raise FileRejected(N_("Sheet “%(sheet)s” has more than %(limit)d columns.", sheet=table.name,
                                  limit=limits.max_columns))
        if all(is_blank(value) for value in raw):
            continue
        counter.add()
        values = tuple(nfc(value) for value in raw[:width])
        table.rows.append((number, values + (None,) * (width - len(values))))


def read_xlsx(path, limits):
    # openpyxl takes a noticeable share of the app's start: imported where a workbook is read.
    from openpyxl import load_workbook

    counter = RowCounter(limits)
    tables = []
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it does not read; they do not matter for data.
        warnings.simplefilter("ignore")
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for worksheet in workbook.worksheets:
                if worksheet.sheet_state != "visible":
                    continue  # lists behind drop-downs, such as the allowed values of the tracker's templates
                rows = worksheet.iter_rows(values_only=True)
                first = next(rows, None)
                if first is None or all(is_blank(value) for value in first):
                    continue
                table = Table(worksheet.title, header_names(first))
                collect_rows(table, rows, counter, limits)
                tables.append(table)
        finally:
            workbook.close()
    return tables


def decode_text(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(N_("The CSV file is not UTF-8 text. In Excel choose “Save as → CSV UTF-8”; KoboToolbox "
                           "and ODK Central exports are UTF-8 already.")) from None


def delimiter_of(first_line):
    """Kobo's CSV export separates with ``;``, ODK's and most others' with ``,``; some use tabs."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get)
    return delimiter if counts[delimiter] else ","


def read_csv_text(name, text, counter, limits):
    if "\x00" in text:
        raise FileRejected(N_("“%(name)s” is not a text file.", name=name))
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(first_line))
    try:
        header = next(reader, None)
        if header is None or all(is_blank(value) for value in header):
            raise FileRejected(N_("“%(name)s” has no header row.", name=name))
        table = Table(name, header_names(header))
        collect_rows(table, reader, counter, limits)
    except csv.Error as error:
        raise FileRejected(N_("“%(name)s” is not a readable CSV file (%(error)s).", name=name, error=error)) from None
    return table


def table_name(member_name):
    """A CSV member's table name: its file name without ``.csv`` (``::`` separates tables from headers)."""
    return PurePosixPath(member_name).stem.replace(":", "_")


def read_zip_of_csv(archive, limits):
    counter = RowCounter(limits)
    members = sorted(csv_members(archive.infolist()), key=lambda entry: (entry.filename.count("-"), entry.filename))
    return [read_csv_text(table_name(entry.filename), decode_text(archive.read(entry)), counter, limits)
            for entry in members]


def root_cause(error):
    """The innermost exception behind ``error`` (openpyxl wraps XML errors in a ValueError)."""
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def read_tables(path, file_name, limits=DEFAULT_LIMITS):
    """Check and read the file at ``path`` (uploaded as ``file_name``) into a list of :class:`Table`.

    Raises :class:`FileRejected` with a message for the user when the file is refused.
    """
    suffix = file_type(file_name)
    with open(path, "rb") as handle:
        handle.seek(0, io.SEEK_END)
        check_size(handle.tell(), limits)
        handle.seek(0)
        head = handle.read(8192)
    check_magic(suffix, head)
    if suffix == ".csv":
        with open(path, "rb") as handle:
            text = decode_text(handle.read())
        return [read_csv_text(table_name(file_name), text, RowCounter(limits), limits)]
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive(archive, suffix, limits)
            if suffix == ".zip":
                return read_zip_of_csv(archive, limits)
    except zipfile.BadZipFile:
        raise FileRejected(N_("The file is damaged: it is not a complete ZIP archive or workbook.")) from None
    try:
        return read_xlsx(path, limits)
    except FileRejected:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to parse an untrusted file is the file's, not a 500
        # Damaged parts, malformed XML, XML entity declarations (defusedxml) and the like.
        raise FileRejected(N_("The workbook could not be read (%(reason)s). Open it in Excel or LibreOffice and save "
                              "it "
                              "again as .xlsx.", reason=type(root_cause(error)).__name__)) from None
