"""Uploaded evidence documents: extension and magic bytes, zip bombs, text encoding, EXIF stripping, storage."""

import io
import zipfile

import pikepdf
import pytest
from PIL import Image

from tests import documents
from tracker.evidence import uploads

PDF = documents.pdf()
GPS_TAG = 0x8825


def office(main_part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<document/>")
    return buffer.getvalue()


def photo(image_format="JPEG", with_exif=True):
    image = Image.new("RGB", (40, 30), (200, 40, 40))
    exif = Image.Exif()
    if with_exif:
        exif[0x010F] = "Camera maker"
        exif[0x0132] = "2023:05:02 10:00:00"
        exif[GPS_TAG] = {1: "N", 2: (13.0, 45.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize("filename, data, file_type", [
    ("review.pdf", PDF, "pdf"),
    ("minutes.docx", office("word/document.xml"), "docx"),
    ("figures.xlsx", office("xl/workbook.xml"), "xlsx"),
    ("notes.txt", "Ghi chú phỏng vấn, ข้อความ".encode(), "text"),
    ("photo.JPG", photo(), "jpeg"),
    ("chart.png", photo("PNG", with_exif=False), "png"),
])
def test_each_allowed_type_is_accepted_when_its_content_matches(filename, data, file_type):
    assert uploads.check_upload(filename, data).file_type == file_type


@pytest.mark.parametrize("filename", ["script.html", "run.exe", "image.svg", "archive.zip", "noextension"])
def test_other_extensions_are_refused(filename):
    with pytest.raises(uploads.UploadRefused, match="Only PDF"):
        uploads.check_upload(filename, PDF)


def test_a_pdf_named_as_an_image_is_refused():
    with pytest.raises(uploads.UploadRefused, match="not PNG"):
        uploads.check_upload("photo.png", PDF)


def test_a_polyglot_html_file_named_pdf_is_refused():
    with pytest.raises(uploads.UploadRefused):
        uploads.check_upload("report.pdf", b"<html><script>alert(1)</script>%PDF-1.7")


def test_a_zip_that_is_not_a_word_document_is_refused():
    with pytest.raises(uploads.UploadRefused, match="not DOCX"):
        uploads.check_upload("minutes.docx", office("xl/workbook.xml"))


def test_a_zip_bomb_is_refused_without_being_extracted():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"0" * (uploads.MAX_UNCOMPRESSED_BYTES + 1))

    with pytest.raises(uploads.UploadRefused, match="expands"):
        uploads.check_upload("minutes.docx", buffer.getvalue(), max_bytes=len(buffer.getvalue()) + 1)


def test_an_oversize_file_is_refused():
    with pytest.raises(uploads.UploadRefused, match="larger than 1 MB"):
        uploads.check_upload("review.pdf", PDF + b"0" * (1024 * 1024), max_bytes=1024 * 1024)


def test_an_empty_file_is_refused():
    with pytest.raises(uploads.UploadRefused, match="empty"):
        uploads.check_upload("notes.txt", b"")


@pytest.mark.parametrize("data, message", [(b"caf\xe9", "UTF-8"), (b"a\x00b", "NUL")])
def test_plain_text_must_be_utf8_without_nul(data, message):
    with pytest.raises(uploads.UploadRefused, match=message):
        uploads.check_upload("notes.txt", data)


def test_exif_data_is_stripped_from_photos():
    assert Image.open(io.BytesIO(photo())).getexif()

    checked = uploads.check_upload("photo.jpg", photo())

    stored = Image.open(io.BytesIO(checked.data))
    assert not stored.getexif() and "exif" not in stored.info
    assert stored.size == (40, 30)


def test_text_chunks_are_stripped_from_png_images():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at the child's school")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG", pnginfo=info)

    checked = uploads.check_upload("scan.png", buffer.getvalue())

    assert b"child's school" not in checked.data and not Image.open(io.BytesIO(checked.data)).text


def test_a_damaged_image_is_refused():
    with pytest.raises(uploads.UploadRefused, match="cannot be read"):
        uploads.check_upload("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100)


def test_a_decompression_bomb_image_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")

    with pytest.raises(uploads.UploadRefused, match="too large"):
        uploads.check_upload("big.png", buffer.getvalue())


@pytest.mark.parametrize("given, kept", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\field\\Interview notes.txt", "Interview notes.txt"),
    ("<script>.pdf", "script_.pdf"),
    ("...", "document"),
])
def test_file_names_lose_folders_and_risky_characters(given, kept):
    assert uploads.safe_name(given) == kept


def test_a_pdf_loses_its_author_xmp_and_the_authors_of_its_comments():
    uploaded = documents.pdf(author="Somchai Jaidee", comment_author="Dara Sok")

    stored = uploads.check_upload("referral review.pdf", uploaded).data

    assert b"Somchai" in uploaded and b"Dara Sok" in uploaded
    assert b"Somchai" not in stored and b"Dara Sok" not in stored and b"Kindred Tech" not in stored
    assert b"Check the referral date" in stored


def test_a_word_document_loses_author_company_revision_and_comment_authors_but_keeps_its_text():
    uploaded = documents.docx(author="Somchai Jaidee", company="Helpline Thailand", comment_author="Dara Sok")

    stored = documents.package_text(uploads.check_upload("minutes.docx", uploaded).data)

    assert "Somchai" not in stored and "Dara Sok" not in stored and "Helpline Thailand" not in stored
    assert "Draft for the donor" not in stored and "<cp:revision>" not in stored
    assert "The helpline answered 214 calls in March." in stored and "Please check the date." in stored


def test_a_damaged_pdf_is_refused_rather_than_stored_with_its_metadata():
    with pytest.raises(uploads.UploadRefused, match="cannot be read"):
        uploads.check_upload("review.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)


def test_a_password_protected_pdf_is_refused_with_a_way_forward():
    document = pikepdf.new()
    document.add_blank_page()
    protected = io.BytesIO()
    document.save(protected, encryption=pikepdf.Encryption(owner="owner", user="secret"))

    with pytest.raises(uploads.UploadRefused, match="upload a copy without one"):
        uploads.check_upload("review.pdf", protected.getvalue())
