"""Stitch the PDF parts of a report into one tagged document: pypdf reads, pikepdf copies and writes (no Flask, no
database).

Each part is a PDF/UA file of its own (WeasyPrint, ``pdf/ua-1``). What the stitch needs to know of a part
besides its content, its :class:`Layout` (pages, anchors, bookmarks), is read once with pypdf when the part is
rendered, so that the stitch itself builds no pypdf objects. The stitched file keeps, across parts:

* the pages in order, each part's structure tree under one ``Document`` element (the parent tree is renumbered
  here, part after part);
* links: a part links to an anchor in another part through :func:`linked_across_parts`, an address under
  :data:`ANCHOR_BASE` that :func:`stitch` turns into a destination in the stitched file, like the links
  within a part;
* the outline (bookmarks): each part's, a project's heading nested under the chapter before it;
* the running heads and page numbers, laid over each page from a furniture PDF (one page per stitched
  page) as pagination artifacts;
* metadata: title, author, language, creation date, and the front part's XMP packet (with its PDF/UA mark).
"""

import io
import json
import logging
import re

# The stitch's copy runs in a child Python of this module: fixed arguments, no shell.
import subprocess  # nosec B404
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pikepdf
from pikepdf import Array
from pikepdf import Dictionary
from pikepdf import Name
from pikepdf import OutlineItem
from pypdf import PdfReader

from tracker.common.memory import peak_rss_mb

# Never fetched: links to another part's anchors carry it until the stitch makes them internal.
ANCHOR_BASE = "https://report.invalid/anchor/"
HREF = re.compile(r'href="#([^"]+)"')
ID = re.compile(r'\bid="([^"]+)"')
DESCRIBING = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/CreationDate", "/ModDate")
PEAK = re.compile(rb"^peak_rss_mb=([0-9.]+)$", re.MULTILINE)
LOG = logging.getLogger(__name__)
# Where the ``tracker`` package is: the stitching process imports this module from there.
PACKAGE_HOME = Path(__file__).resolve().parents[2]


class StitchFailed(RuntimeError):
    """The process that stitches ended without the stitched file."""


def linked_across_parts(html):
    """Point the links of ``html`` to anchors it does not hold at :data:`ANCHOR_BASE` (another part holds them)."""
    held = set(ID.findall(html))
    return HREF.sub(lambda match: match.group(0) if match.group(1) in held
                    else f'href="{ANCHOR_BASE}{match.group(1)}"', html)


@dataclass(frozen=True)
class Anchor:
    """Where an anchor is: a page (from 0) and its position on that page."""

    page: int
    left: float
    top: float


@dataclass(frozen=True)
class Layout:
    """What the stitch needs of a part, or of the stitched document (:func:`placed`): its pages, its anchors
    (``{name: Anchor}``) and its bookmarks (``[(level, title, page)]``, a part's top ones at level 1), pages
    counted from 0."""

    pages: int
    anchors: dict
    bookmarks: list

    @classmethod
    def of(cls, content):
        """The layout of a part's PDF bytes, read with pypdf."""
        part = PdfReader(io.BytesIO(content))
        return cls(len(part.pages), anchors(part), outline(part))

    @classmethod
    def loaded(cls, pages, anchors, bookmarks):
        """A layout kept as JSON (:meth:`kept`)."""
        return cls(pages, {name: Anchor(*place) for name, place in anchors.items()},
                   [(level, title, page) for level, title, page in bookmarks])

    def kept(self):
        """``(anchors, bookmarks)`` as JSON values."""
        return ({name: [anchor.page, anchor.left, anchor.top] for name, anchor in self.anchors.items()},
                [list(bookmark) for bookmark in self.bookmarks])


def anchors(part):
    """``{anchor: Anchor}`` of a pypdf reader's named destinations."""
    numbers = {page.indirect_reference.idnum: number for number, page in enumerate(part.pages)}
    found = {}
    for name, destination in part.named_destinations.items():
        page = destination.page
        index = numbers.get(page.idnum) if hasattr(page, "idnum") else page
        if index is not None:
            found[str(name)] = Anchor(index, float(destination.left or 0), float(destination.top or 0))
    return found


def outline(part):
    """``[(level, title, page)]``: a pypdf reader's bookmarks in order, its top ones at level 1."""
    entries = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, str(item.title), part.get_destination_page_number(item)))

    walk(part.outline, 1)
    return entries


def placed(layouts, top_levels):
    """The layout of the document that stitches parts laid out as ``layouts`` in order, the top bookmarks of
    part ``i`` at level ``top_levels[i]``."""
    found, bookmarks, first = {}, [], 0
    for layout, top_level in zip(layouts, top_levels, strict=True):
        found.update({name: Anchor(first + anchor.page, anchor.left, anchor.top)
                      for name, anchor in layout.anchors.items()})
        bookmarks.extend((level + top_level - 1, title, first + page) for level, title, page in layout.bookmarks)
        first += layout.pages
    return Layout(first, found, bookmarks)


def chapters(bookmarks, pages):
    """Per page, the chapter (a level-1 bookmark) that starts on it, or None: the running head of each page."""
    names = [None] * pages
    for level, title, page in bookmarks:
        if level == 1 and names[page] is None:
            names[page] = title
    return names


def stitch_apart(parts, place, furniture):
    """:func:`stitch` in a Python process of its own, started for it and ended with it.

    The copy of every page and structure element is the heaviest thing a report does (some 200 MB at 300
    projects); apart, its memory goes back to the system the moment it is done, whichever process stitches (a
    Celery pool process that rendered parts before, a web process with the thread runner), and never adds to
    what that process already holds. The parts go to it on its standard input, after a line of JSON that says
    how long each is and where the anchors and bookmarks are; the stitched file comes back on its standard
    output. Its peak memory is logged (``peak_rss_mb``).
    """
    anchors, bookmarks = place.kept()
    header = {"parts": [len(part) for part in parts], "furniture": len(furniture), "pages": place.pages,
              "anchors": anchors, "bookmarks": bookmarks}
    # Our own module, no shell, fixed arguments; what it reads is the parts' bytes.
    done = subprocess.run([sys.executable, "-m", __name__], input=b"".join(  # noqa: S603 # nosec B603
        [json.dumps(header).encode(), b"\n", *parts, furniture]), capture_output=True, check=False, cwd=PACKAGE_HOME)
    if done.returncode or not done.stdout.startswith(b"%PDF"):
        raise StitchFailed(f"the stitch ended with {done.returncode}: {done.stderr.decode(errors='replace')[-1500:]}")
    peak = PEAK.search(done.stderr)
    peak_mb = float(peak.group(1)) if peak else None
    LOG.info("Stitched %d parts, %d pages, in a process of its own; its peak memory was %s MB", len(parts),
             place.pages, peak_mb, extra={"peak_rss_mb": peak_mb})
    return done.stdout


def stitch_from(stream):
    """The stitched file of what :func:`stitch_apart` writes to ``stream``."""
    header = json.loads(stream.readline())
    parts = [stream.read(size) for size in header["parts"]]
    furniture = stream.read(header["furniture"])
    return stitch(parts, Layout.loaded(header["pages"], header["anchors"], header["bookmarks"]), furniture)


def stitch(parts, place, furniture):
    """One PDF of ``parts`` (PDF bytes, in order) laid out as ``place`` (:func:`placed`), with
    ``furniture`` (PDF bytes, one page per page) laid over it.

    pikepdf (qpdf, in C++) copies the pages and the structure trees and writes the file. Each part is let go as
    soon as it is copied: since qpdf 8.3 a copy keeps reading its streams' data from the part's bytes, not from
    the part's parsed objects, which would otherwise double the memory of a copy of thousands of structure
    elements.
    """
    with pikepdf.new() as pdf:
        tree = StructureTree(pdf)
        for number, content in enumerate(parts):
            part = pikepdf.open(io.BytesIO(content))
            added = len(pdf.pages)
            with warnings.catch_warnings():  # the named destinations are the stitch's own (name_destinations)
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                pdf.pages.extend(part.pages)
            tree.add(part, pdf.pages[added:])
            if number == 0:
                describe(pdf, part)
            del part
        tree.finish()
        pages = [page.obj for page in pdf.pages]
        name_destinations(pdf, place.anchors, pages)
        for page in pages:
            link_internally(page, place.anchors, pages)
        add_outline(pdf, place.bookmarks)
        lay_over(pdf, pikepdf.open(io.BytesIO(furniture)))
        return written(pdf)


def written(pdf):
    """The file, its objects in compressed object streams as WeasyPrint writes them: the structure trees are tens
    of thousands of small objects."""
    output = io.BytesIO()
    pdf.save(output, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return output.getvalue()


def link_internally(page, found, pages):
    """Give every link to an anchor, in this part or another, the anchor's page in the stitched document."""
    for annotation in page.get("/Annots") or []:
        if annotation.get("/Subtype") != Name.Link:
            continue
        target = None
        if isinstance(annotation.get("/Dest"), pikepdf.String):
            target = str(annotation.Dest)
        action = annotation.get("/A")
        if action is not None and str(action.get("/URI", "")).startswith(ANCHOR_BASE):
            target = unquote(str(action.URI)[len(ANCHOR_BASE):])
        anchor = found.get(target) if target else None
        if anchor is None:
            continue
        annotation.Dest = destination(pages, anchor)
        if "/A" in annotation:
            del annotation.A
        annotation.Contents = pikepdf.String(target)


def destination(pages, anchor):
    return Array([pages[anchor.page], Name.XYZ, anchor.left, anchor.top, 0])


def name_destinations(pdf, found, pages):
    """Every part's anchors as the stitched file's named destinations (``report.pdf#annex-evidence``)."""
    names = []  # a Python list made an Array once: extending an Array copies it (thousands of anchors)
    for name in sorted(found):
        names.extend([pikepdf.String(name), destination(pages, found[name])])
    pdf.Root.Names = Dictionary(Dests=pdf.make_indirect(Dictionary(Names=Array(names))))


def add_outline(pdf, bookmarks):
    """The parts' bookmarks as one outline; a part's deeper bookmarks nest under the last shallower one."""
    with pdf.open_outline() as tree:
        parents = {}
        for level, title, page in bookmarks:
            item = OutlineItem(title, page)
            parent = next((parents[depth] for depth in range(level - 1, 0, -1) if depth in parents), None)
            (parent.children if parent is not None else tree.root).append(item)
            parents[level] = item
            for deeper in [depth for depth in parents if depth > level]:
                del parents[deeper]


def lay_over(pdf, furniture):
    """Lay each furniture page over the stitched page of the same number, marked as a pagination artifact: its
    drawing joins the page's own, its resources renamed so as not to clash with the page's."""
    for page, over in zip(pdf.pages, furniture.pages, strict=True):
        if "/Contents" not in over.obj:
            continue
        resources = pdf.copy_foreign(furniture.make_indirect(over.obj.get("/Resources", Dictionary())))
        own = own_resources(page)
        renamed = {}
        for category, entries in resources.items():
            if category not in own:
                own[category] = Dictionary()
            for key, value in entries.items():
                renamed[key] = f"/Furniture{key[1:]}"
                own[category][renamed[key]] = value
        drawing = pikepdf.unparse_content_stream(
            [(operands_renamed(operands, renamed), operator) for operands, operator
             in pikepdf.parse_content_stream(over)])
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"Q\n/Artifact <</Type /Pagination>> BDC\n" + drawing + b"\nEMC\n")


def own_resources(page):
    """The resources of ``page`` as a dictionary of its own: a part's pages may share theirs, and each page gets
    the resources of its own furniture page."""
    shared = page.obj.get("/Resources") or Dictionary()
    page.obj.Resources = Dictionary({category: Dictionary(dict(entries.items())) if isinstance(entries, Dictionary)
                                     else entries for category, entries in shared.items()})
    return page.obj.Resources


def operands_renamed(operands, renamed):
    return [Name(renamed[str(operand)]) if isinstance(operand, Name) and str(operand) in renamed else operand
            for operand in operands]


def describe(pdf, front):
    """The front part's title, author, subject, keywords, creation date, language and XMP packet (with its PDF/UA
    mark), and the marks of a tagged PDF."""
    information = front.trailer.get("/Info") or Dictionary()
    for key in DESCRIBING:
        if key in information:
            pdf.docinfo[key] = pikepdf.String(str(information[key]))
    pdf.docinfo.Producer = pikepdf.String("Evidence Tracker (WeasyPrint, pypdf, pikepdf)")
    catalog, front_catalog = pdf.Root, front.Root
    if "/Lang" in front_catalog:
        catalog.Lang = pikepdf.String(str(front_catalog.Lang))
    catalog.MarkInfo = Dictionary(Marked=True)
    catalog.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    if "/Metadata" in front_catalog:
        catalog.Metadata = pdf.copy_foreign(front_catalog.Metadata)


class StructureTree:
    """The parts' structure trees merged: one ``Document`` element holding each part's top elements in order,
    and one parent tree whose keys follow on from part to part (pages' ``/StructParents``, links'
    ``/StructParent``)."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document))
        # Python lists made Arrays once, in finish: extending an Array copies it (tens of thousands of entries).
        self.kids = []
        self.numbers = []
        self.next_key = 0
        self.role_map = Dictionary()

    def add(self, part, added):
        """Add ``part``'s tree, its pages having been added as ``added``: the tree is copied whole after the
        pages, so that its elements point at the copied pages."""
        if "/StructTreeRoot" not in part.Root:
            return
        root = self.pdf.copy_foreign(part.Root.StructTreeRoot)
        offset = self.next_key
        for page in added:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots") or []:
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        for key, value in number_tree(root.ParentTree):
            self.numbers.extend([key + offset, value])
            self.next_key = max(self.next_key, key + offset + 1)
        for top in as_list(root.get("/K")):
            for element in document_kids(top):
                element.P = self.document
                self.kids.append(element)
        if "/RoleMap" in root:
            for key, value in root.RoleMap.items():
                self.role_map[key] = value

    def finish(self):
        self.document.K = Array(self.kids)
        tree = self.pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([self.document]),
                                                 ParentTree=self.pdf.make_indirect(Dictionary(Nums=Array(self.numbers))),
                                                 ParentTreeNextKey=self.next_key))
        if self.role_map:
            tree.RoleMap = self.role_map
        self.document.P = tree
        self.pdf.Root.StructTreeRoot = tree


def as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def document_kids(element):
    """The elements under a part's ``Document`` element (or the element itself when it is not one)."""
    if element.get("/S") == Name.Document:
        return as_list(element.get("/K"))
    return [element]


def number_tree(node):
    """The ``(key, value)`` pairs of a PDF number tree, leaves in order."""
    if "/Nums" in node:
        numbers = node.Nums
        yield from ((int(numbers[index]), numbers[index + 1]) for index in range(0, len(numbers), 2))
    for kid in node.get("/Kids") or []:
        yield from number_tree(kid)


if __name__ == "__main__":
    sys.stdout.buffer.write(stitch_from(sys.stdin.buffer))
    sys.stdout.buffer.flush()
    print(f"peak_rss_mb={peak_rss_mb()}", file=sys.stderr)
