"""The characters of a plain PDF page from pdfium, as pdfplumber would give them.

pdfplumber interprets every page's content stream in Python (pdfminer), about 100 ms a page;
pdfium reads the same page in about 1-2 ms. On a *plain* page (text only: no paths that could
rule a table, no invisible OCR layer, no legacy TCVN3/VNI font, upright text on an unrotated
page whose media box starts at the origin) the two agree, and ``read_plain_page``
builds the character dicts that pdfplumber's word extractor reads, with pdfminer's geometry:

* ``x0`` is the glyph's origin and ``x1`` its origin plus its advance (pdfium's loose box);
* ``bottom``/``top`` are the baseline plus the font's descent, and that plus the font size
  (pdfminer's box), turned into distances from the top of the page;
* ``size`` is the font size in page space and ``fontname`` the font descriptor's name;
* a standard font (Times-Roman, Helvetica …) is measured as pdfminer measures it, with the AFM
  descent and widths of ``pdfminer.fontmetrics`` (pdfium measures its substitute font).

Any page or character outside that domain makes ``plain_page_reason`` or ``read_plain_page``
say so, and the caller reads the page with pdfplumber as before. The paths do not change the
characters: on a page that may hold a ruled table, the caller puts these characters into
pdfplumber's cache of the page with its paths (``read_without_glyphs``, ``pdfium_paths``), and
pdfplumber's table finder reads them there.

Known difference: pdfium's advance of a glyph (``x1``) can differ from the font's ``/Widths``
that pdfminer reads by up to about 1 pt on the last letter of a word (an embedded font). Word and line decisions
compare gaps against tolerances of 1.5 pt and more, and ``bench/compare_pdf_readers.py`` checks
that every text PDF of the corpus gives the same blocks both ways.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pdfplumber
import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

from pipeline.ingest.legacy import font_encoding

# Space characters and the line breaks pdfium adds between text objects carry no glyph.
_NO_GLYPH = frozenset({0, 0xFFFE, 0xFFFF})
_KNOWN_OBJECTS = frozenset({
    pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM,
})
# A page with more paths than this has a ruled table as good as certainly: it goes to pdfplumber
# without first looking for tables among its paths alone.
MAX_PROBED_PATHS = 60
# A text object pdfium left out is spaces when its box is no wider or no higher than this (points):
# a space has an advance but no ink.
_INKLESS = 0.01
# An object's box reaching this far beyond the glyphs pdfium kept holds left-out spaces (a glyph's
# ink passes its advance by less: italics).
_OVERHANG = 1.0
# Glyphs this close in ``top`` to a run of spaces may share its printed line (pdfplumber
# clusters lines with a tolerance of 2 points, and clusters chain).
_LINE_REACH = 4.0
# A standard-font text object's total advance by pdfium (its substitute font's widths) against
# the AFM widths pdfminer uses, relative: a larger gap is horizontal scaling.
_WIDTH_TOLERANCE = 0.03
# pdfium marks a hyphen that ends a line with U+0002; pdfminer keeps the "-" the page prints.
_HYPHEN_MARK = 0x02


@dataclass(frozen=True)
class _Font:
    """What the characters of one text object share."""

    name: str
    descent: float  # per unit of font size, negative
    size: float  # font size in page space (text matrix and CTM applied)
    usable: bool
    # a standard font (Times-Roman …): pdfminer measures it with its own AFM widths, by character
    afm_widths: dict[str, int] | None = None
    width_scale: float = 0.0  # page-space width of 1/1000 em


def _object_types(container: Any, count: int, get: Any, found: Counter[int], render_modes: set[int]) -> None:
    """Count the page object types (recursing into form XObjects) and collect text render modes."""
    for index in range(count):
        obj = get(container, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        found[kind] += 1
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            render_modes.add(pdfium_c.FPDFTextObj_GetTextRenderMode(obj))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            _object_types(obj, pdfium_c.FPDFFormObj_CountObjects(obj), pdfium_c.FPDFFormObj_GetObject, found, render_modes)


def plain_page_reason(page: pypdfium2.PdfPage) -> str | None:
    """Why ``page`` needs pdfplumber, or ``None`` for a plain page.

    ``"paths"``: a few paths, which may or may not rule a table (``has_ruled_table`` tells);
    ``"many paths"``: so many that a table is all but certain. Invisible text is an OCR layer.
    Images are allowed: the caller lets pdfplumber decide an almost empty page (a scan?).
    """
    if page.get_rotation() % 360:
        return "rotated"
    mediabox = page.get_mediabox()
    if mediabox[0] != 0 or mediabox[1] != 0 or page.get_cropbox() != mediabox:
        return "page boxes"
    found: Counter[int] = Counter()
    render_modes: set[int] = set()
    raw = page.raw
    _object_types(raw, pdfium_c.FPDFPage_CountObjects(raw), pdfium_c.FPDFPage_GetObject, found, render_modes)
    if set(found) - _KNOWN_OBJECTS:
        return "unknown object"
    # an invisible OCR layer (render mode 3) is placed word by word with tabs and scaled fonts,
    # which pdfium and pdfminer measure differently
    if render_modes - {pdfium_c.FPDF_TEXTRENDERMODE_FILL}:
        return "text render mode"
    paths = found[pdfium_c.FPDF_PAGEOBJ_PATH]
    if paths > MAX_PROBED_PATHS:
        return "many paths"
    return "paths" if paths else None


# a segment that rises less than this may be one of pdfplumber's horizontal edges (over-counted
# on purpose: see may_rule_table)
_FLAT = 0.5


def may_rule_table(page: pypdfium2.PdfPage) -> bool:
    """Whether the paths of ``page`` could rule a table of two rows, one of them of two cells.

    Such a table needs cells at two heights, so at least three distinct heights of horizontal
    edges, and two cells side by side, so at least three distinct abscissas of vertical ones.
    Every segment of every path (closing ones, Bézier control polygons) is counted, any segment
    not quite flat as vertical and any nearly flat one as horizontal, and positions count as
    distinct to the hundredth of a point: more edges than pdfplumber will find, so a ``False``
    here means ``has_ruled_table`` is ``False`` too, at a fraction of its cost (no pdfminer read).
    A form XObject, whose paths are not walked here, or an unreadable path answers ``True``.
    """
    raw = page.raw
    xs: set[float] = set()
    ys: set[float] = set()
    fx, fy = ctypes.c_float(), ctypes.c_float()
    for index in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            return True
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        matrix = pdfium_c.FS_MATRIX()
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
            return True
        start = previous = None
        for number in range(pdfium_c.FPDFPath_CountSegments(obj)):
            segment = pdfium_c.FPDFPath_GetPathSegment(obj, number)
            if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(fx), ctypes.byref(fy)):
                return True
            point = (matrix.a * fx.value + matrix.c * fy.value + matrix.e, matrix.b * fx.value + matrix.d * fy.value + matrix.f)
            ends = []
            if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO or previous is None:
                start = point
            else:
                ends.append((previous, point))
            if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
                ends.append((point, start))
            previous = point
            for (x0, y0), (x1, y1) in ends:
                if abs(y1 - y0) <= _FLAT:
                    ys.update((round(y0, 2), round(y1, 2)))
                if y1 != y0 or abs(x1 - x0) <= _FLAT:
                    xs.update((round(x0, 2), round(x1, 2)))
        if len(xs) >= 3 and len(ys) >= 3:
            return True
    return False


class _WithoutGlyphs(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's page device without the glyphs: the page's paths and images alone."""

    def render_string(self, *args: Any, **kwargs: Any) -> None:
        """Skip a string: most of pdfminer's time on a page goes to its glyphs."""
        return None


def read_without_glyphs(page: pdfplumber.page.Page) -> bool:
    """Read ``page`` with pdfminer without its glyphs into pdfplumber's cache of the page.

    pdfplumber's ``Page.objects`` then holds the page's rects, lines, curves and images as a full
    read gives them, and no chars, at about a third of the cost (most of pdfminer's time on a
    page goes to its glyphs). ``False`` when pdfminer cannot read the page (the cache is flushed):
    pdfplumber's own full read then reports it as before.
    """
    device = _WithoutGlyphs(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    try:
        PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    except Exception:  # noqa: BLE001 - pdfplumber's own reading of the page reports it as before
        page.flush_cache()
        return False
    # pdfplumber's Page.layout returns this cached layout instead of interpreting the page
    page._layout = device.get_result()
    return True


def has_ruled_table(page: pdfplumber.page.Page, find_tables: Callable[[pdfplumber.page.Page], list[Any]]) -> bool:
    """Whether ``find_tables`` finds a table on ``page`` when it is read without its glyphs.

    pdfplumber finds tables from the page's rects, lines and curves only, so reading them alone
    (``read_without_glyphs``) gives the same tables. The page's caches are flushed.
    A page pdfminer cannot read counts as having a table: pdfplumber then reads it, or says why not.
    """
    if not read_without_glyphs(page):
        return True
    try:
        return bool(find_tables(page))
    except Exception:  # noqa: BLE001 - pdfplumber's own reading of the page reports it as before
        return True
    finally:
        page.flush_cache()


def _font_of(text_object: Any, matrix: Any, slanted: bool = False) -> _Font:
    """The font of a text object as pdfminer would measure it, under the object's ``matrix``
    (``slanted``: a horizontal baseline with a skew, a synthetic italic, is usable too)."""
    font = pdfium_c.FPDFTextObj_GetFont(text_object)
    size = ctypes.c_float()
    if not font or not pdfium_c.FPDFTextObj_GetFontSize(text_object, ctypes.byref(size)) or size.value <= 0:
        return _Font("", 0.0, 0.0, usable=False)
    length = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(max(length, 1))
    pdfium_c.FPDFFont_GetBaseFontName(font, buffer, length)
    name = buffer.value.decode("utf-8", errors="replace")
    # only plain upright text: pdfminer's box for a rotated or skewed matrix is another shape
    upright = matrix.b == 0 and (slanted or matrix.c == 0) and matrix.a > 0 and matrix.d > 0
    legacy = font_encoding(name)[0] is not None
    usable = upright and not legacy
    standard = FONT_METRICS.get(name)
    if standard is not None:
        # pdfminer takes a standard font's metrics from its AFM tables, whatever the PDF says
        descriptor, widths = standard
        afm_descent = float(descriptor.get("Descent", 0))  # type: ignore[arg-type]
        return _Font(name, min(afm_descent, -afm_descent) / 1000.0, size.value * matrix.d, usable,
                     afm_widths=widths, width_scale=size.value * matrix.a / 1000.0)
    descent = ctypes.c_float()
    if not pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), ctypes.byref(descent)):
        return _Font(name, 0.0, 0.0, usable=False)
    return _Font(name, min(descent.value, -descent.value) / 1000.0, size.value * matrix.d, usable)


def read_plain_page(page: pypdfium2.PdfPage, height: float) -> list[dict[str, Any]] | None:
    """The characters of a plain page as pdfplumber char dicts, in content-stream order.

    ``height`` is the page height as pdfplumber computes it (its ``top`` is measured from it).
    Returns ``None`` when a character is one pdfium and pdfminer would place or read differently
    (not upright, a legacy font, no Unicode mapping, text inside a form XObject, a text object
    pdfium left out that is not a space): the page then goes to pdfplumber.
    """
    textpage = page.get_textpage()
    try:
        by_object = _chars_by_object(textpage.raw, height)
    finally:
        textpage.close()
    if by_object is None:
        return None
    return _in_stream_order(page.raw, by_object, height)


def _chars_by_object(
    textpage: Any, height: float, only: set[int] | None = None, origin: tuple[float, float] = (0.0, 0.0),
) -> dict[int, list[dict[str, Any]]] | None:
    """pdfium's characters of the page grouped by the address of their text object.

    ``only``: the addresses of the text objects to read (all if ``None``), text that pdfplumber
    does not read (annotations), so a slanted (synthetic italic) line is read too; ``origin``:
    the media box's lower left corner, which pdfminer's coordinates start from.
    """
    count = pdfium_c.FPDFText_CountChars(textpage)
    # the calls made for every char: bare prototypes (``_prototype``) with their arguments made once
    page_ref = ctypes.c_void_p(ctypes.cast(textpage, ctypes.c_void_p).value)
    get_unicode, is_generated, map_error = _get_unicode, _is_generated, _map_error
    object_address, get_origin, get_box = _text_object_address, _get_origin, _get_loose_box
    if only is None and any(map_error(page_ref, i) for i in range(max(count, 0))):
        return None
    fonts: dict[int, _Font] = {}
    matrix = pdfium_c.FS_MATRIX()
    box = pdfium_c.FS_RECTF()
    x = ctypes.c_double()
    y = ctypes.c_double()
    x_ref, y_ref, box_ref = ctypes.byref(x), ctypes.byref(y), ctypes.byref(box)
    left, bottom = origin
    by_object: dict[int, list[dict[str, Any]]] = {}
    standard_advances: dict[int, list[float]] = {}  # text object -> [pdfium's, AFM's] total advance
    for index in range(max(count, 0)):
        code = get_unicode(page_ref, index)
        if is_generated(page_ref, index):
            continue
        key = object_address(page_ref, index) or 0
        if only is not None and key not in only:
            continue
        if code in _NO_GLYPH or (code < 0x20 and code != _HYPHEN_MARK):
            return None  # pdfminer writes an unmapped glyph as "(cid:9)", pdfium as a control character
        if code == _HYPHEN_MARK:
            code = ord("-")
        if not key or (only is not None and map_error(page_ref, index)):
            return None
        font = fonts.get(key)
        if font is None:
            pdfium_c.FPDFText_GetMatrix(textpage, index, ctypes.byref(matrix))
            text_object = ctypes.cast(key, pdfium_c.FPDF_PAGEOBJECT)
            font = fonts[key] = _font_of(text_object, matrix, slanted=only is not None)
        if not font.usable:
            return None
        get_origin(page_ref, index, x_ref, y_ref)
        get_box(page_ref, index, box_ref)
        x.value -= left
        y.value -= bottom
        text = chr(code)
        right = float(box.right) - left
        if font.afm_widths is not None:
            width = font.afm_widths.get(text)
            if width is None:
                return None  # a glyph pdfminer's AFM table lacks
            advances = standard_advances.setdefault(key, [0.0, 0.0])
            advances[0] += right - x.value
            advances[1] += width * font.width_scale
            right = x.value + width * font.width_scale
        by_object.setdefault(key, []).append(_char(text, x.value, right, y.value, font, height))
    # pdfium measures a standard font with its substitute's widths, a few glyphs a little off;
    # a whole text object off is horizontal scaling (Tz) that the two may apply differently
    if any(abs(pdfium - afm) > _WIDTH_TOLERANCE * afm for pdfium, afm in standard_advances.values()):
        return None
    return by_object


def _char(text: str, x0: float, x1: float, baseline: float, font: _Font, height: float) -> dict[str, Any]:
    """A pdfplumber char dict with pdfminer's box: from the descent below the baseline, one font size high."""
    y0 = baseline + font.descent * font.size
    top = height - (y0 + font.size)
    return {
        "text": text, "x0": x0, "x1": x1, "top": top, "bottom": height - y0,
        "doctop": top, "upright": True, "size": font.size, "fontname": font.name,
    }


def _prototype(function: Any, restype: Any) -> Any:
    """pdfium's ``function`` called without pypdfium2's argument types: the caller passes a
    ``c_void_p`` for a handle, Python ints for ints, ``byref`` for outputs. ctypes then converts
    nothing, and a call costs about half (1 µs against 2-3 µs); it is made for every char."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


_get_unicode = _prototype(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
_is_generated = _prototype(pdfium_c.FPDFText_IsGenerated, ctypes.c_int)
_map_error = _prototype(pdfium_c.FPDFText_HasUnicodeMapError, ctypes.c_int)
# the text object's address (what ``_address`` gives of its handle), or None
_text_object_address = _prototype(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p)
_get_origin = _prototype(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int)
_get_loose_box = _prototype(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int)


def _address(handle: Any) -> int:
    """The address of a pdfium object handle: the same object gives the same key from any call."""
    # addressof of the pointee is about five times cheaper than a cast, called for every char
    return ctypes.addressof(handle.contents) if handle else 0


def _in_stream_order(raw_page: Any, by_object: dict[int, list[dict[str, Any]]], height: float) -> list[dict[str, Any]] | None:
    """The characters of the page's text objects in content-stream order, as pdfminer reads them.

    pdfium leaves out a text object that only draws a space (Word writes many, one per font
    switch, or a run of them) and the second of two spaces in a row; pdfminer keeps them, and a
    space separates two words however close they are. Such an object gives one space at its
    origin, which is where pdfminer puts its first. A run of spaces that glyphs overlap on their
    line (left out, or collapsed by pdfium at an end of an object it kept), or a left-out object
    that draws ink, gives ``None``.
    """
    chars: list[dict[str, Any]] = []
    runs: list[tuple[float, float, float]] = []  # spans of left-out spaces: left, right, top
    matrix = pdfium_c.FS_MATRIX()
    bounds = [ctypes.c_float() for _ in range(4)]
    for index in range(pdfium_c.FPDFPage_CountObjects(raw_page)):
        obj = pdfium_c.FPDFPage_GetObject(raw_page, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and _holds_text(obj):
            return None  # its objects' matrices are the form's own: keep to pdfplumber
        if kind != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        kept = by_object.pop(_address(obj), None)
        pdfium_c.FPDFPageObj_GetBounds(obj, *(ctypes.byref(b) for b in bounds))
        left, bottom, right, top = (b.value for b in bounds)
        if kept:
            chars.extend(kept)
            # the object reaches beyond the glyphs pdfium kept: spaces it collapsed at an end
            first = min(c["x0"] for c in kept)
            last = max(c["x1"] for c in kept)
            if right - last > _OVERHANG:
                runs.append((last, right, kept[-1]["top"]))
            if first - left > _OVERHANG:
                runs.append((left, first, kept[0]["top"]))
            continue
        inkless = min(right - left, top - bottom) <= _INKLESS
        if not inkless or not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
            return None
        font = _font_of(obj, matrix)
        if not font.usable:
            return None
        space = _char(" ", matrix.e, matrix.e, matrix.f, font, height)
        chars.append(space)
        if right - left > _INKLESS:
            runs.append((left, right, space["top"]))
    if by_object or any(_overlaps_run(chars, run) for run in runs):
        return None
    return chars


def _overlaps_run(chars: list[dict[str, Any]], run: tuple[float, float, float]) -> bool:
    """Whether a glyph stands inside a run of spaces on its line.

    pdfminer places each space of the run, and one may fall between two letters that the
    run overlaps (a signature block's indent under a heading); pdfium gives only the run's
    extent, so where its spaces fall is unknown.
    """
    left, right, top = run
    return any(
        abs(c["top"] - top) <= _LINE_REACH and c["x1"] > left and c["x0"] < right and not c["text"].isspace()
        for c in chars
    )


def _holds_text(form: Any) -> bool:
    """Whether a form XObject draws text, at any depth."""
    found: Counter[int] = Counter()
    _object_types(form, pdfium_c.FPDFFormObj_CountObjects(form), pdfium_c.FPDFFormObj_GetObject, found, set())
    return found[pdfium_c.FPDF_PAGEOBJ_TEXT] > 0


def annotation_chars(document: pypdfium2.PdfDocument, index: int, height: float) -> list[dict[str, Any]]:
    """The characters that the page's annotation appearances print, as pdfplumber char dicts.

    A digitally signed document (VNPT SmartCA …) stamps its number and day into the appearance
    stream of a signature widget at signing time: a viewer prints it where the annotation's
    rectangle places it, but it is not in the page content that pdfminer and ``read_plain_page``
    read. pdfium flattens the page's annotations as a viewer displays them (hidden, invisible and
    no-view annotations and popups left out, each appearance placed at its rectangle) into one new form at
    the end of the content; the characters of that form's text objects are returned, measured as
    ``read_plain_page`` measures them, with pdfminer's coordinates (``height`` is the page height
    pdfplumber uses). An appearance without text (an image of a signature) gives nothing, and so
    does text pdfium and pdfminer would read differently (a legacy font, rotated text …). Each
    char carries ``annotation``: a key shared by the chars of one annotation's appearance.

    The page is flattened in ``document``, which must serve nothing else: open it for this alone.
    """
    page = document[index]
    try:
        if not pdfium_c.FPDFPage_GetAnnotCount(page.raw) or page.get_rotation() % 360:
            return []
        _hide_no_view(page.raw)
        before = pdfium_c.FPDFPage_CountObjects(page.raw)
        if pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) != pdfium_c.FLATTEN_SUCCESS:
            return []
    finally:
        page.close()
    page = document[index]  # the flattened page, parsed again
    try:
        raw = page.raw
        # text object -> which annotation's appearance holds it: the flattened content is a form of
        # the annotations' forms (as pdfium builds it), one per annotation drawn
        text_objects: dict[int, int] = {}
        for position in range(before, pdfium_c.FPDFPage_CountObjects(raw)):
            obj = pdfium_c.FPDFPage_GetObject(raw, position)
            if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_FORM:
                _collect_text_objects(obj, text_objects, len(text_objects))
                continue
            for child in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
                _collect_text_objects(pdfium_c.FPDFFormObj_GetObject(obj, child), text_objects, position * 100_000 + child)
        if not text_objects:
            return []
        left, bottom = page.get_mediabox()[:2]
        textpage = page.get_textpage()
        try:
            by_object = _chars_by_object(textpage.raw, height, only=set(text_objects), origin=(left, bottom))
        finally:
            textpage.close()
    finally:
        page.close()
    if not by_object:
        return []
    return [
        {**char, "annotation": text_objects[key]} for key, chars in by_object.items() for char in chars if not char["text"].isspace()
    ]


def _hide_no_view(raw_page: Any) -> None:
    """Mark the page's no-view annotations hidden: pdfium's flattening for display leaves out
    hidden and invisible annotations, but draws no-view ones."""
    for position in range(pdfium_c.FPDFPage_GetAnnotCount(raw_page)):
        annotation = pdfium_c.FPDFPage_GetAnnot(raw_page, position)
        try:
            flags = pdfium_c.FPDFAnnot_GetFlags(annotation)
            if flags & pdfium_c.FPDF_ANNOT_FLAG_NOVIEW:
                pdfium_c.FPDFAnnot_SetFlags(annotation, flags | pdfium_c.FPDF_ANNOT_FLAG_HIDDEN)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)


def _collect_text_objects(obj: Any, found: dict[int, int], group: int) -> None:
    """Map the addresses of the text objects of ``obj`` (a form's, at any depth) to ``group`` in ``found``."""
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
        found[_address(obj)] = group
    elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
        for position in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
            _collect_text_objects(pdfium_c.FPDFFormObj_GetObject(obj, position), found, group)
