"""Make Khmer (and other reordering scripts) copy and extract correctly from WeasyPrint PDFs.

WeasyPrint maps each glyph to text once per font (the PDF ToUnicode map). In scripts whose
shaping reorders or merges glyphs, e.g. Khmer's subscript ``្រ`` drawn before its base
consonant, one glyph stands for different text in different clusters, so extraction loses
characters. The PDF standard's remedy is a marked-content span with ``/ActualText`` giving
the logical text; readers (poppler's pdftotext, Acrobat) then use it instead of the glyphs.

:func:`install` wraps WeasyPrint's line-drawing function so that each line containing such
a script is drawn inside ``/Span <</ActualText (…)>> BDC … EMC``. Lines in other scripts are
left exactly as WeasyPrint draws them. ``tests/test_pdf_rendering.py`` guards the effect.
"""

import re

import pydyf
from weasyprint.draw import text as weasyprint_text

# Brahmic scripts with pre-base reordering and conjuncts: Indic blocks, Sinhala, Myanmar, Khmer.
REORDERING_SCRIPTS = re.compile("[\u0900-\u0dff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff]")

_original_draw_first_line = weasyprint_text.draw_first_line


def draw_first_line_with_actual_text(stream, textbox, *args, **kwargs):
    text = textbox.text
    if not REORDERING_SCRIPTS.search(text):
        return _original_draw_first_line(stream, textbox, *args, **kwargs)
    pydyf.Stream.begin_marked_content(stream, "Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
    try:
        return _original_draw_first_line(stream, textbox, *args, **kwargs)
    finally:
        pydyf.Stream.end_marked_content(stream)


def install():
    """Idempotently route WeasyPrint's text drawing through :func:`draw_first_line_with_actual_text`."""
    weasyprint_text.draw_first_line = draw_first_line_with_actual_text
