"""Real documents, as a grantee's word processor or PDF printer would write them, for upload tests."""

import io
import zipfile

import pikepdf

WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CORE = ("http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "http://purl.org/dc/elements/1.1/")
APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def pdf(author=None, comment_author=None):
    """A one-page PDF; with ``author``, in its information dictionary and XMP; ``comment_author`` on a comment."""
    document = pikepdf.new()
    document.add_blank_page()
    if author:
        document.docinfo["/Author"] = author
        document.docinfo["/Creator"] = "Writer (Kindred Tech helpdesk laptop)"
        with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:creator"] = [author]
    if comment_author:
        note = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[10, 10, 30, 30],
                                  Contents=pikepdf.String("Check the referral date"), T=pikepdf.String(comment_author))
        document.pages[0].obj["/Annots"] = document.make_indirect(pikepdf.Array([note]))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def docx(author=None, company=None, comment_author=None, text="The helpline answered 214 calls in March."):
    """A minimal Word document; names go where Word puts them: properties, a comment, a tracked change."""
    person = comment_author or ""
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": (
            f'<w:document xmlns:w="{WORD}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r>'
            f'<w:ins w:id="1" w:author="{person}" w:date="2024-05-02T10:00:00Z"><w:r><w:t> Revised.</w:t></w:r>'
            f'</w:ins></w:p></w:body></w:document>'),
        "word/comments.xml": (
            f'<w:comments xmlns:w="{WORD}"><w:comment w:id="0" w:author="{person}" w:initials="{person[:2]}">'
            f'<w:p><w:r><w:t>Please check the date.</w:t></w:r></w:p></w:comment></w:comments>'),
        "docProps/core.xml": (
            f'<cp:coreProperties xmlns:cp="{CORE[0]}" xmlns:dc="{CORE[1]}"><dc:creator>{author or ""}</dc:creator>'
            f'<cp:lastModifiedBy>{author or ""}</cp:lastModifiedBy><cp:revision>7</cp:revision>'
            f'<dc:description>Draft for the donor</dc:description></cp:coreProperties>'),
        "docProps/app.xml": f'<Properties xmlns="{APP}"><Company>{company or ""}</Company></Properties>',
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return output.getvalue()


def package_text(data):
    """Every part of an Office package, as one text (to look for names in)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(package.read(name).decode("utf-8") for name in package.namelist())
