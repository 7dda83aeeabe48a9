"""Text that no spreadsheet runs as a formula (CSV injection), for every CSV and XLSX the app writes.

A cell starting with ``=``, ``+``, ``-`` or ``@``, with their full-width forms (which some
spreadsheets read as the ASCII ones), or with a tab, carriage return or line feed (which some
strip before looking at the next character) is run as a formula by Excel, LibreOffice or
Google Sheets. So is one whose first visible character is a trigger after spaces (ordinary,
no-break or ideographic), which some importers trim. Such a cell gets a leading apostrophe,
the prefix spreadsheets read as "this is text" (OWASP's advice).
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Spaces an importer may trim before it reads the first character.
LEADING_SPACES = " \u00a0\u2007\u202f\u3000"
NEUTRALISING_PREFIX = "'"


def neutralise(value):
    """``value`` as text that no spreadsheet runs as a formula (``None`` is the empty text)."""
    text = "" if value is None else str(value)
    return NEUTRALISING_PREFIX + text if text.lstrip(LEADING_SPACES).startswith(FORMULA_TRIGGERS) else text
