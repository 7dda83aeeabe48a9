"""Remove who wrote, edited and commented an uploaded document before it is stored (bytes in, bytes out; no Flask).

A grantee's report or a scanned consent form carries, besides its pages, the names of the people who
wrote it, their organisation, reviewers' comments and the authors of tracked changes. None of that
belongs in the evidence store, where a donor may one day download the file:

- **PDF** (with pikepdf): the document information dictionary (author, creator, producer, subject,
  keywords), the XMP metadata stream, page-piece data, and the author of each annotation.
- **Word and Excel packages** (DOCX, XLSX): the document properties (``docProps/``: author, last
  editor, company, manager, comments, revision number, template) are emptied, and every author,
  initials or display name of a comment, tracked change or person record is blanked. The
  content itself (text, comments' wording, cells) is kept.

Images lose their EXIF data in :mod:`tracker.evidence.uploads`.
"""

import io
import zipfile

from lxml import etree

PROPERTY_PARTS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")
# Attributes that name a person on comments, tracked changes and person records (any namespace).
PERSON_ATTRIBUTES = {"author", "initials", "displayName", "userId", "providerId"}
# Elements whose text is a person's name (Excel's comment authors).
PERSON_ELEMENTS = {"author"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


class DocumentUnreadable(ValueError):
    """The document cannot be opened to remove its metadata (damaged, or protected by a password)."""

    def __init__(self, encrypted=False):
        self.encrypted = encrypted
        super().__init__("password-protected" if encrypted else "damaged")


def pdf_without_metadata(data):
    """The PDF ``data`` without its information dictionary, XMP metadata, piece data and annotation authors."""
    import pikepdf  # loaded when a PDF is uploaded, not at app start

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            forget_pdf_authors(pdf)
            output = io.BytesIO()
            pdf.save(output, fix_metadata_version=False, deterministic_id=True)
    except pikepdf.PasswordError:
        raise DocumentUnreadable(encrypted=True) from None
    except pikepdf.PdfError:
        raise DocumentUnreadable() from None
    return output.getvalue()


def forget_pdf_authors(pdf):
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    for key in ("/Metadata", "/PieceInfo"):
        if key in pdf.Root:
            del pdf.Root[key]
    for page in pdf.pages:
        for key in ("/Metadata", "/PieceInfo"):
            if key in page.obj:
                del page.obj[key]
        for annotation in page.obj.get("/Annots", []):
            if "/T" in annotation:
                del annotation["/T"]


def office_without_metadata(data):
    """The DOCX or XLSX package ``data`` with its properties emptied and every person's name blanked."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as package, \
            zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as cleaned:
        for entry in package.infolist():
            content = package.read(entry)
            if entry.filename.endswith(".xml"):
                content = xml_without_people(entry.filename, content)
            cleaned.writestr(zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0)), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


def xml_without_people(name, content):
    try:
        root = etree.fromstring(content, PARSER)
    except etree.XMLSyntaxError:
        raise DocumentUnreadable() from None
    if name in PROPERTY_PARTS:
        for child in list(root):
            root.remove(child)
    else:
        for element in root.iter(etree.Element):
            for attribute in element.attrib:
                if etree.QName(attribute).localname in PERSON_ATTRIBUTES:
                    element.set(attribute, "")
            if etree.QName(element).localname in PERSON_ELEMENTS:
                element.text = ""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
