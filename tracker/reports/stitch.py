"""Stitch the PDF parts of a report into one tagged document with pypdf (no Flask, no database).

Each part is a PDF/UA file of its own (WeasyPrint, ``pdf/ua-1``). The stitched file keeps, across parts:

* the pages in order, each part's structure tree under one ``Document`` element (pypdf copies pages, not
  structure trees: the parent tree is renumbered here, part after part);
* links: a part links to an anchor in another part through :func:`linked_across_parts`, an address under
  :data:`ANCHOR_BASE` that :func:`stitch` turns into a destination in the stitched file, like the links
  within a part;
* the outline (bookmarks): each part's, a project's heading nested under the chapter before it;
* the running heads and page numbers, laid over each page from a furniture PDF (one page per stitched
  page) as pagination artifacts;
* metadata: title, author, language, creation date, and the front part's XMP packet (with its PDF/UA mark).
"""

import gc
import io
import re
from dataclasses import dataclass
from urllib.parse import unquote

from pypdf import PdfReader
from pypdf import PdfWriter
from pypdf.generic import ArrayObject
from pypdf.generic import BooleanObject
from pypdf.generic import DecodedStreamObject
from pypdf.generic import DictionaryObject
from pypdf.generic import FloatObject
from pypdf.generic import NameObject
from pypdf.generic import NumberObject
from pypdf.generic import TextStringObject

# Never fetched: links to another part's anchors carry it until the stitch makes them internal.
ANCHOR_BASE = "https://report.invalid/anchor/"
HREF = re.compile(r'href="#([^"]+)"')
ID = re.compile(r'\bid="([^"]+)"')
DESCRIBING = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/CreationDate", "/ModDate")


def linked_across_parts(html):
    """Point the links of ``html`` to anchors it does not hold at :data:`ANCHOR_BASE` (another part holds them)."""
    held = set(ID.findall(html))
    return HREF.sub(lambda match: match.group(0) if match.group(1) in held
                    else f'href="{ANCHOR_BASE}{match.group(1)}"', html)


@dataclass(frozen=True)
class Anchor:
    """Where an anchor is: a page of the stitched document (from 0) and its position on that page."""

    page: int
    left: float
    top: float


def reader(content):
    return PdfReader(io.BytesIO(content))


def page_count(content):
    return len(reader(content).pages)


def anchors(part, first_page=0):
    """``{anchor: Anchor}`` of a part's named destinations, its pages counted from ``first_page``."""
    numbers = {page.indirect_reference.idnum: number for number, page in enumerate(part.pages)}
    found = {}
    for name, destination in part.named_destinations.items():
        page = destination.page
        index = numbers.get(page.idnum) if hasattr(page, "idnum") else page
        if index is not None:
            found[str(name)] = Anchor(first_page + index, float(destination.left or 0), float(destination.top or 0))
    return found


def outline(part, first_page=0, top_level=1):
    """``[(level, title, page)]``: a part's bookmarks in order, its top ones at ``top_level``, pages counted from
    ``first_page``."""
    entries = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, str(item.title), first_page + part.get_destination_page_number(item)))

    walk(part.outline, top_level)
    return entries


def chapters(bookmarks, pages):
    """Per page, the chapter (a level-1 bookmark) that starts on it, or None: the running head of each page."""
    names = [None] * pages
    for level, title, page in bookmarks:
        if level == 1 and names[page] is None:
            names[page] = title
    return names


def stitch(parts, furniture, top_levels):
    """One PDF of ``parts`` (PDF bytes, in order) with ``furniture`` (PDF bytes, one page per page) laid over it;
    the top bookmarks of part ``i`` are at level ``top_levels[i]`` of the outline."""
    writer, pages = combined(parts, top_levels)
    lay_over(pages, PdfWriter(clone_from=io.BytesIO(furniture)))
    content = written(writer)
    del writer, pages
    gc.collect()  # pypdf's objects, before pikepdf reads the file again
    return compact(content)


def written(writer):
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def combined(parts, top_levels):
    """A writer holding the pages of ``parts`` in order, one structure tree, named anchors, internal links and one
    outline, the first part's metadata; and the pages.

    Each part's reader is dropped once its pages and structure are copied: pypdf holds every object of the
    result until it writes it, and should not hold the parts' own copies too.
    """
    writer = PdfWriter()
    tree = StructureTree(writer)
    pages, found, bookmarks = [], {}, []
    for index, (content, top_level) in enumerate(zip(parts, top_levels, strict=True)):
        part = reader(content)
        first = len(pages)
        added = [writer.add_page(page) for page in part.pages]
        tree.add(part, added)
        pages.extend(added)
        found.update(anchors(part, first))
        bookmarks.extend(outline(part, first, top_level))
        if index == 0:
            describe(writer, part)
        del part
    tree.finish()
    name_destinations(writer, found, pages)
    for page in pages:
        link_internally(page, found, pages)
    add_outline(writer, bookmarks)
    return writer, pages


def compact(content):
    """``content`` with its objects in compressed object streams, as WeasyPrint writes them (pypdf cannot): the
    structure trees are tens of thousands of small objects."""
    import pikepdf  # a dependency already (tracker.evidence.metadata); loaded when a report is stitched

    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        pdf.save(output, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return output.getvalue()


def link_internally(page, found, pages):
    """Give every link to an anchor, in this part or another, the anchor's page in the stitched document."""
    for annotation in page.get("/Annots") or []:
        annotation = annotation.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        target = None
        if isinstance(annotation.get("/Dest"), str):
            target = str(annotation["/Dest"])
        action = annotation.get("/A")
        if action is not None and str(action.get_object().get("/URI", "")).startswith(ANCHOR_BASE):
            target = unquote(str(action.get_object()["/URI"])[len(ANCHOR_BASE):])
        anchor = found.get(target) if target else None
        if anchor is None:
            continue
        annotation[NameObject("/Dest")] = destination(pages, anchor)
        annotation.pop("/A", None)
        annotation[NameObject("/Contents")] = TextStringObject(target)


def destination(pages, anchor):
    return ArrayObject([pages[anchor.page].indirect_reference, NameObject("/XYZ"), FloatObject(anchor.left),
                        FloatObject(anchor.top), NumberObject(0)])


def name_destinations(writer, found, pages):
    """Every part's anchors as the stitched file's named destinations (``report.pdf#annex-evidence``)."""
    names = ArrayObject()
    for name in sorted(found):
        names.extend([TextStringObject(name), destination(pages, found[name])])
    tree = writer._add_object(DictionaryObject({NameObject("/Names"): names}))
    writer.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/Dests"): tree})


def add_outline(writer, bookmarks):
    """The parts' bookmarks as one outline; a part's deeper bookmarks nest under the last shallower one."""
    parents = {}
    for level, title, page in bookmarks:
        parent = next((parents[depth] for depth in range(level - 1, 0, -1) if depth in parents), None)
        parents[level] = writer.add_outline_item(title=title, page_number=page, parent=parent)
        for deeper in [depth for depth in parents if depth > level]:
            del parents[deeper]


def lay_over(pages, furniture):
    """Lay each furniture page over the stitched page of the same number, marked as a pagination artifact."""
    for page, over in zip(pages, furniture.pages, strict=True):
        content = over.get_contents()
        if content is None:
            continue
        marked = DecodedStreamObject()
        marked.set_data(b"/Artifact <</Type /Pagination>> BDC\n" + content.get_data() + b"\nEMC\n")
        over.replace_contents(marked)
        page.merge_page(over)
        page.compress_content_streams()  # pypdf writes the merged content decoded


def describe(writer, front):
    """The front part's title, author, subject, keywords, creation date, language and XMP packet (with its PDF/UA
    mark), and the marks of a tagged PDF."""
    information = front.metadata or {}
    writer.add_metadata({**{key: value for key, value in information.items() if key in DESCRIBING},
                         "/Producer": "Evidence Tracker (WeasyPrint, pypdf)"})
    catalog, front_catalog = writer.root_object, front.trailer["/Root"]
    if "/Lang" in front_catalog:
        catalog[NameObject("/Lang")] = TextStringObject(front_catalog["/Lang"])
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    catalog[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    metadata = front_catalog.get("/Metadata")
    if metadata is not None:
        catalog[NameObject("/Metadata")] = metadata.get_object().clone(writer).indirect_reference


class StructureTree:
    """The parts' structure trees merged: one ``Document`` element holding each part's top elements in order,
    and one parent tree whose keys follow on from part to part (pages' ``/StructParents``, links'
    ``/StructParent``)."""

    def __init__(self, writer):
        self.writer = writer
        self.document = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                                          NameObject("/S"): NameObject("/Document")})
        self.document_reference = writer._add_object(self.document)
        self.kids = ArrayObject()
        self.numbers = ArrayObject()
        self.next_key = 0
        self.role_map = DictionaryObject()

    def add(self, part, added):
        """Add ``part``'s tree, its pages having been added as ``added``."""
        root = part.trailer["/Root"].get("/StructTreeRoot")
        if root is None:
            return
        root = root.get_object()
        offset = self.next_key
        for original, page in zip(part.pages, added, strict=True):
            if "/StructParents" in original:
                page[NameObject("/StructParents")] = NumberObject(original["/StructParents"] + offset)
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(annotation["/StructParent"] + offset)
        # Cloned without their parents (/P), which would drag the part's whole tree root along; set again below.
        for key, value in number_tree(root["/ParentTree"].get_object()):
            self.numbers.extend([NumberObject(key + offset), value.clone(self.writer, ignore_fields=("/P",))])
            self.next_key = max(self.next_key, key + offset + 1)
        for top in as_list(root.get("/K")):
            for element in document_kids(top.get_object()):
                cloned = element.clone(self.writer, ignore_fields=("/P",))
                adopt(cloned, self.document_reference)
                self.kids.append(cloned.indirect_reference or cloned)
        if "/RoleMap" in root:
            self.role_map.update(root["/RoleMap"].get_object())

    def finish(self):
        self.document[NameObject("/K")] = self.kids
        parent_tree = self.writer._add_object(DictionaryObject({NameObject("/Nums"): self.numbers}))
        tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot"),
                                 NameObject("/K"): ArrayObject([self.document_reference]),
                                 NameObject("/ParentTree"): parent_tree,
                                 NameObject("/ParentTreeNextKey"): NumberObject(self.next_key)})
        if self.role_map:
            tree[NameObject("/RoleMap")] = self.role_map
        reference = self.writer._add_object(tree)
        self.document[NameObject("/P")] = reference
        self.writer.root_object[NameObject("/StructTreeRoot")] = reference


def adopt(element, parent):
    """Set ``/P`` of ``element`` and of every structure element under it to its parent."""
    pending = [(element, parent)]
    while pending:
        element, parent = pending.pop()
        element = element.get_object()
        element[NameObject("/P")] = parent
        reference = element.indirect_reference
        pending.extend((kid, reference) for kid in as_list(element.get("/K"))
                       if isinstance(kid.get_object(), DictionaryObject) and "/S" in kid.get_object())


def as_list(value):
    if value is None:
        return []
    value = value.get_object()
    return list(value) if isinstance(value, list) else [value]


def document_kids(element):
    """The elements under a part's ``Document`` element (or the element itself when it is not one)."""
    if element.get("/S") == "/Document":
        return as_list(element.get("/K"))
    return [element]


def number_tree(node):
    """The ``(key, value)`` pairs of a PDF number tree, leaves in order."""
    node = node.get_object()
    if "/Nums" in node:
        numbers = node["/Nums"]
        yield from ((int(numbers[index]), numbers[index + 1]) for index in range(0, len(numbers), 2))
    for kid in node.get("/Kids") or []:
        yield from number_tree(kid)
