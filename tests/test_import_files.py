"""Reading uploaded files: limits and magic bytes checked before parsing, then tables as people see them."""

import zipfile

import openpyxl
import pytest
from openpyxl import Workbook

from tests.fixtures.imports.builders import kobo_msc_workbook
from tracker.imports.files import FileRejected
from tracker.imports.files import Limits
from tracker.imports.files import read_tables


def workbook(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def zip_bomb(path, megabytes, name="xl/worksheets/sheet1.xml"):
    """A workbook-shaped ZIP whose one part inflates to ``megabytes`` of zeros (a few kB on disk)."""
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open(name, "w", force_zip64=True) as handle:
            for _ in range(megabytes):
                handle.write(chunk)
    return path


def test_a_zip_bomb_is_refused_before_anything_is_parsed(tmp_path, monkeypatch):
    path = zip_bomb(tmp_path / "bomb.xlsx", megabytes=160)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: pytest.fail("the bomb was parsed"))

    with pytest.raises(FileRejected, match="zip bomb"):
        read_tables(path, "bomb.xlsx")

    assert path.stat().st_size < 1024 * 1024


def test_an_archive_with_too_many_entries_is_refused(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(1_001):
            archive.writestr(f"part-{number}.csv", "a\n1\n")

    with pytest.raises(FileRejected, match="1001 files"):
        read_tables(path, "many.zip")


def test_an_oversize_file_is_refused_with_the_limit_named(tmp_path):
    path = workbook(tmp_path / "big.xlsx", [["title"], *[["x" * 200] for _ in range(100)]])

    with pytest.raises(FileRejected, match=r"files up to 0 MB|can be imported"):
        read_tables(path, "big.xlsx", Limits(max_bytes=1_000))


def test_too_many_rows_are_refused(tmp_path):
    path = workbook(tmp_path / "rows.xlsx", [["title"], *[[f"row {n}"] for n in range(21)]])

    with pytest.raises(FileRejected, match="more than 20 rows"):
        read_tables(path, "rows.xlsx", Limits(max_rows=20))


@pytest.mark.parametrize("name, content, message", [
    ("stories.xlsx", b"title,story\nA,B\n", "is named .xlsx but is not an Excel workbook"),
    ("stories.csv", b"PK\x03\x04title,story\nA,B\n", "is named .csv but is not text"),
    ("stories.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "is named .csv but is not text"),
    ("stories.csv", "title,story\n".encode("utf-16"), "UTF-8"),
    ("stories.csv", "title;récit\nA;é\n".encode("latin-1"), "not UTF-8 text"),
    ("stories.zip", b"title,story\n", "is named .zip but is not a ZIP archive"),
    ("stories.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel file"),
    ("stories.exe", b"MZ\x90\x00", "Upload an Excel workbook"),
])
def test_files_whose_bytes_do_not_match_their_name_are_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(FileRejected, match=message):
        read_tables(path, name)


def test_a_renamed_workbook_uploaded_as_csv_is_refused(tmp_path):
    path = kobo_msc_workbook(tmp_path / "kobo.xlsx")

    with pytest.raises(FileRejected, match="not text"):
        read_tables(path, "kobo.csv")


def test_a_zip_without_a_workbook_inside_is_not_taken_for_an_xlsx(tmp_path):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(FileRejected, match="holds no Excel workbook"):
        read_tables(path, "fake.xlsx")


def test_a_workbook_with_an_xml_entity_bomb_is_refused(tmp_path):
    source = workbook(tmp_path / "plain.xlsx", [["title"], ["A story"]])
    bomb = tmp_path / "entities.xlsx"
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bomb, "w") as rewritten:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = laughs + data.replace(b"A story", b"&lol2;")
            rewritten.writestr(item, data)

    with pytest.raises(FileRejected, match=r"could not be read \(EntitiesForbidden\)"):
        read_tables(bomb, "entities.xlsx")


def test_row_numbers_are_the_spreadsheets_and_blank_rows_are_skipped(tmp_path):
    path = workbook(tmp_path / "gaps.xlsx", [["title", "story"], ["A", "first"], [None, None], ["B", "third"]])

    (table,) = read_tables(path, "gaps.xlsx")

    assert table.headers == ["title", "story"]
    assert table.rows == [(2, ("A", "first")), (4, ("B", "third"))]


def test_kobo_semicolon_csv_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_bytes("\ufeffstory/title;story/what_happened;_uuid\n\"Ánh; spoke up\";\"Line one\nline two\";u-1\n"
                     .encode("utf-8"))

    (table,) = read_tables(path, "kobo.csv")

    assert table.name == "kobo" and table.headers == ["story/title", "story/what_happened", "_uuid"]
    assert table.rows == [(2, ("Ánh; spoke up", "Line one\nline two", "u-1"))]


def test_text_is_normalised_to_nfc(tmp_path):
    decomposed = "Tie\u0302\u0301ng Vie\u0323\u0302t"
    path = tmp_path / "nfc.csv"
    path.write_text(f"language\n{decomposed}\n", encoding="utf-8")

    (table,) = read_tables(path, "nfc.csv")

    assert table.rows[0][1] == ("Tiếng Việt",)


def test_blank_headers_get_a_name_so_their_column_can_still_be_mapped(tmp_path):
    path = workbook(tmp_path / "blank.xlsx", [["title", None, "story"], ["A", "x", "B"]])

    (table,) = read_tables(path, "blank.xlsx")

    assert table.headers == ["title", "Column 2", "story"]


def test_an_odk_zip_is_read_as_one_table_per_csv(tmp_path):
    path = tmp_path / "odk.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("form.csv", "a,KEY\n1,uuid:1\n")
        archive.writestr("form-people.csv", "b,PARENT_KEY,KEY\n2,uuid:1,uuid:1/people[1]\n")
        archive.writestr("__MACOSX/._form.csv", "junk")

    tables = read_tables(path, "odk.zip")

    assert [table.name for table in tables] == ["form", "form-people"]
