"""Check an uploaded evidence document before it is stored (plain data: bytes in, bytes out; no Flask).

A file is accepted only when its extension is one of the allowed types **and** its
content is that type: magic bytes, and for DOCX and XLSX the parts a Word or Excel
file must contain (checked without extracting, with limits on entries and on the
uncompressed size, so a zip bomb is refused). Plain text must be UTF-8 without NUL
bytes. Images are decoded with Pillow (refusing decompression bombs) and saved
again without their metadata, so EXIF data (GPS position, camera, date) never
reaches the store; PDF, Word and Excel files lose their authors, company,
comments' authors and revision history (:mod:`tracker.evidence.metadata`).
"""

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from tracker import config
from tracker.common.sizes import size_text
from tracker.evidence import metadata

DEFAULT_MAX_BYTES = config.default("EVIDENCE_UPLOAD_MAX_BYTES")
MAX_ZIP_ENTRIES = 2000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000

PDF, DOCX, XLSX, PNG, JPEG, TEXT = "pdf", "docx", "xlsx", "png", "jpeg", "text"
EXTENSIONS = {
    ".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".txt": TEXT,
}
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PNG: "image/png",
    JPEG: "image/jpeg",
    TEXT: "text/plain; charset=utf-8",
}
ALLOWED_DESCRIPTION = "PDF, Word (.docx), Excel (.xlsx), PNG, JPEG or plain text (.txt)"
OFFICE_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")


class UploadRefused(ValueError):
    """The file is not one the store accepts. ``reason`` is a code (see ``REASONS``), ``details`` its parameters;
    the message says why in English, and callers word it for the person uploading the file."""

    def __init__(self, reason, **details):
        self.reason = reason
        self.details = details
        super().__init__(REASONS[reason].format(**details))


# Reason codes and their English wording.
EXTENSION, EMPTY, TOO_LARGE, MISMATCH, EXPANDS, NUL, ENCODING, IMAGE_SIZE, IMAGE_DAMAGED = (
    "extension", "empty", "too_large", "mismatch", "expands", "nul", "encoding", "image_size", "image_damaged")
DOCUMENT_DAMAGED, DOCUMENT_ENCRYPTED = "document_damaged", "document_encrypted"
REASONS = {
    EXTENSION: "Only " + ALLOWED_DESCRIPTION + " files can be uploaded.",
    EMPTY: "The file is empty.",
    TOO_LARGE: "The file is larger than {limit}.",
    MISMATCH: "The file's content is not {file_type}, although its name says so.",
    EXPANDS: "The file expands to far more than its size: it cannot be accepted.",
    NUL: "A plain-text file cannot contain NUL bytes: is it really text?",
    ENCODING: "Plain-text files must be UTF-8 encoded.",
    IMAGE_SIZE: "The image is too large or not what its name says.",
    IMAGE_DAMAGED: "The image cannot be read; it may be damaged or too large.",
    DOCUMENT_DAMAGED: "The document cannot be read; it may be damaged.",
    DOCUMENT_ENCRYPTED: "The document is protected by a password; upload a copy without one.",
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    file_type: str
    content_type: str
    data: bytes


def safe_name(filename):
    """The file's own name, without folders or characters that could mislead a browser or a shell."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    name = UNSAFE_NAME.sub("_", name).strip("._ ")
    return name[-120:] or "document"


def file_type_of(filename):
    name = (filename or "").lower()
    for extension, file_type in EXTENSIONS.items():
        if name.endswith(extension):
            return file_type
    raise UploadRefused(EXTENSION)


def check_upload(filename, data, max_bytes=DEFAULT_MAX_BYTES):
    """Return the file as it will be stored, or raise :class:`UploadRefused` explaining why not."""
    if not data:
        raise UploadRefused(EMPTY)
    if len(data) > max_bytes:
        raise UploadRefused(TOO_LARGE, limit=size_text(max_bytes))
    file_type = file_type_of(filename)
    CHECKS[file_type](data, file_type)
    data = WITHOUT_METADATA.get(file_type, lambda data: data)(data)
    return CheckedFile(safe_name(filename), file_type, CONTENT_TYPES[file_type], data)


def mismatch(file_type):
    return UploadRefused(MISMATCH, file_type=file_type.upper())


def check_pdf(data, file_type):
    if not data.startswith(b"%PDF-"):
        raise mismatch(file_type)


def check_office(data, file_type):
    """A DOCX or XLSX is a ZIP package holding ``[Content_Types].xml`` and its main part."""
    if not data.startswith(b"PK\x03\x04"):
        raise mismatch(file_type)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
                raise UploadRefused(EXPANDS)
            names = {entry.filename for entry in entries}
    except zipfile.BadZipFile:
        raise mismatch(file_type) from None
    if "[Content_Types].xml" not in names or OFFICE_PARTS[file_type] not in names:
        raise mismatch(file_type)


def check_image(data, file_type):
    signature = b"\x89PNG\r\n\x1a\n" if file_type == PNG else b"\xff\xd8\xff"
    if not data.startswith(signature):
        raise mismatch(file_type)


def check_text(data, file_type):
    if b"\x00" in data:
        raise UploadRefused(NUL)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRefused(ENCODING) from None


CHECKS = {PDF: check_pdf, DOCX: check_office, XLSX: check_office, PNG: check_image, JPEG: check_image,
          TEXT: check_text}


def open_image(data, file_type):
    """Decode the whole image, refusing decompression bombs and anything Pillow does not read as ``file_type``."""
    from PIL import Image  # Pillow: loaded when an image is uploaded, not at app start
    from PIL import UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format != file_type.upper() or image.width * image.height > MAX_IMAGE_PIXELS:
                raise UploadRefused(IMAGE_SIZE)
            image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
                Image.DecompressionBombWarning):
            raise UploadRefused(IMAGE_DAMAGED) from None
    return image


def document_without_metadata(strip):
    """``strip`` (a function of :mod:`~tracker.evidence.metadata`), refusing a document it cannot open."""

    def without(data):
        try:
            return strip(data)
        except metadata.DocumentUnreadable as error:
            raise UploadRefused(DOCUMENT_ENCRYPTED if error.encrypted else DOCUMENT_DAMAGED) from None

    return without


def without_metadata(data, file_type):
    """Re-encode an image with its orientation applied and no EXIF, XMP, text chunks or comments."""
    from PIL import ImageOps

    image = ImageOps.exif_transpose(open_image(data, file_type))
    image.info = {}
    if file_type == JPEG and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    output = io.BytesIO()
    if file_type == JPEG:
        image.save(output, format="JPEG", quality=92)
    else:
        image.save(output, format="PNG", optimize=True)
    return output.getvalue()


WITHOUT_METADATA = {
    PDF: document_without_metadata(metadata.pdf_without_metadata),
    DOCX: document_without_metadata(metadata.office_without_metadata),
    XLSX: document_without_metadata(metadata.office_without_metadata),
    PNG: lambda data: without_metadata(data, PNG),
    JPEG: lambda data: without_metadata(data, JPEG),
}
