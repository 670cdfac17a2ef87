"""The characters of a plain PDF page from pdfium, as pdfplumber would give them.

pdfplumber interprets every page's content stream in Python (pdfminer), about 100 ms a page;
pdfium reads the same page in about 1-2 ms. On a *plain* page (text only: no paths that could
rule a table, no invisible OCR layer, no legacy TCVN3/VNI font, upright text on an unrotated
page whose media box starts at the origin) the two agree, and ``read_plain_page``
builds the character dicts that pdfplumber's word extractor reads, with pdfminer's geometry:

* ``x0`` is the glyph's origin and ``x1`` its origin plus its advance (pdfium's loose box);
* ``bottom``/``top`` are the baseline plus the font's descent, and that plus the font size
  (pdfminer's box), turned into distances from the top of the page;
* ``size`` is the font size in page space and ``fontname`` the font descriptor's name.

Any page or character outside that domain makes ``plain_page_reason`` or ``read_plain_page``
say so, and the caller reads the page with pdfplumber as before.

Known difference: pdfium's advance of a glyph (``x1``) can differ from the font's ``/Widths``
that pdfminer reads by up to about 1 pt on the last letter of a word. Word and line decisions
compare gaps against tolerances of 1.5 pt and more, and ``bench/compare_pdf_readers.py`` checks
that every text PDF of the corpus gives the same blocks both ways.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c

from pipeline.ingest.legacy import font_encoding

# Space characters and the line breaks pdfium adds between text objects carry no glyph.
_NO_GLYPH = frozenset({0, 0xFFFE, 0xFFFF})
# pdfium marks a hyphen that ends a line with U+0002; pdfminer keeps the "-" the page prints.
_HYPHEN_MARK = 0x02


@dataclass(frozen=True)
class _Font:
    """What the characters of one text object share."""

    name: str
    descent: float  # per unit of font size, negative
    size: float  # font size in page space (text matrix and CTM applied)
    usable: bool


def _object_types(container: Any, count: int, get: Any, found: set[int], render_modes: set[int]) -> None:
    """Collect the page object types (recursing into form XObjects) and text render modes."""
    for index in range(count):
        obj = get(container, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        found.add(kind)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            render_modes.add(pdfium_c.FPDFTextObj_GetTextRenderMode(obj))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            _object_types(obj, pdfium_c.FPDFFormObj_CountObjects(obj), pdfium_c.FPDFFormObj_GetObject, found, render_modes)


def plain_page_reason(page: pypdfium2.PdfPage) -> str | None:
    """Why ``page`` needs pdfplumber (``"rules"``, ``"rotated"`` …), or ``None`` for a plain page.

    Paths and shadings may rule a table (pdfplumber finds tables from them); invisible text is an
    OCR layer. Images are allowed: the caller lets pdfplumber decide an almost empty page (a scan?).
    """
    if page.get_rotation() % 360:
        return "rotated"
    mediabox = page.get_mediabox()
    if mediabox[0] != 0 or mediabox[1] != 0 or page.get_cropbox() != mediabox:
        return "page boxes"
    found: set[int] = set()
    render_modes: set[int] = set()
    raw = page.raw
    _object_types(raw, pdfium_c.FPDFPage_CountObjects(raw), pdfium_c.FPDFPage_GetObject, found, render_modes)
    if found & {pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_SHADING}:
        return "rules"
    if found - {pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_IMAGE}:
        return "unknown object"
    # an invisible OCR layer (render mode 3) is placed word by word with tabs and scaled fonts,
    # which pdfium and pdfminer measure differently
    if render_modes - {pdfium_c.FPDF_TEXTRENDERMODE_FILL}:
        return "text render mode"
    return None


def _font_of(text_object: Any, matrix: Any) -> _Font:
    font = pdfium_c.FPDFTextObj_GetFont(text_object)
    size = ctypes.c_float()
    if not font or not pdfium_c.FPDFTextObj_GetFontSize(text_object, ctypes.byref(size)) or size.value <= 0:
        return _Font("", 0.0, 0.0, usable=False)
    length = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(max(length, 1))
    pdfium_c.FPDFFont_GetBaseFontName(font, buffer, length)
    name = buffer.value.decode("utf-8", errors="replace")
    descent = ctypes.c_float()
    if not pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), ctypes.byref(descent)):
        return _Font(name, 0.0, 0.0, usable=False)
    # only plain upright text: pdfminer's box for a rotated or skewed matrix is another shape
    upright = matrix.b == 0 and matrix.c == 0 and matrix.a > 0 and matrix.d > 0
    legacy = font_encoding(name)[0] is not None
    return _Font(name, min(descent.value, -descent.value) / 1000.0, size.value * matrix.d, usable=upright and not legacy)


def read_plain_page(page: pypdfium2.PdfPage, height: float) -> list[dict[str, Any]] | None:
    """The characters of a plain page as pdfplumber char dicts, in content-stream order.

    ``height`` is the page height as pdfplumber computes it (its ``top`` is measured from it).
    Returns ``None`` when a character is one pdfium and pdfminer would place or read differently
    (not upright, a legacy font, no Unicode mapping): the page then goes to pdfplumber.
    """
    textpage = page.get_textpage()
    try:
        return _chars(textpage.raw, height)
    finally:
        textpage.close()


def _chars(textpage: Any, height: float) -> list[dict[str, Any]] | None:
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return []
    if any(pdfium_c.FPDFText_HasUnicodeMapError(textpage, i) for i in range(count)):
        return None
    fonts: dict[int, _Font] = {}
    matrix = pdfium_c.FS_MATRIX()
    box = pdfium_c.FS_RECTF()
    x = ctypes.c_double()
    y = ctypes.c_double()
    chars: list[dict[str, Any]] = []
    for index in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        if pdfium_c.FPDFText_IsGenerated(textpage, index):
            continue
        if code in _NO_GLYPH:
            return None
        if code == _HYPHEN_MARK:
            code = ord("-")
        text_object = pdfium_c.FPDFText_GetTextObject(textpage, index)
        if not text_object:
            return None
        key = ctypes.cast(text_object, ctypes.c_void_p).value or 0
        font = fonts.get(key)
        if font is None:
            pdfium_c.FPDFText_GetMatrix(textpage, index, ctypes.byref(matrix))
            font = fonts[key] = _font_of(text_object, matrix)
        if not font.usable:
            return None
        pdfium_c.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(x), ctypes.byref(y))
        pdfium_c.FPDFText_GetLooseCharBox(textpage, index, ctypes.byref(box))
        y0 = y.value + font.descent * font.size
        y1 = y0 + font.size
        top = height - y1
        chars.append({
            "text": chr(code), "x0": x.value, "x1": float(box.right), "top": top, "bottom": height - y0,
            "doctop": top, "upright": True, "size": font.size, "fontname": font.name,
        })
    return chars
