"""The paths of a PDF page from pdfium, as pdfminer gives them to pdfplumber's table finder.

pdfplumber finds ruled tables from the page's rects, lines and curves, which pdfminer builds by
interpreting the whole content stream in Python, glyphs' operators included (hundreds of ms on a
ruled page). pdfium has already parsed the page: ``read_paths`` hands each of its path objects,
with the object's matrix as the CTM, to pdfminer's own ``paint_path`` of pdfplumber's page device,
so the same rules make the same ``LTRect``, ``LTLine`` and ``LTCurve`` (a rectangle, a single
segment, anything else; subpaths split at each move). pdfplumber's cache of the page then holds
that layout, and its ``objects``, ``edges`` and table finder read it as if pdfminer had read the page.

What the table finder and ``pdf._visible`` read is reproduced: each object's kind, box and points,
whether it is stroked and filled, and whether its fill is white. pdfium keeps coordinates in single
precision, so a box may differ from pdfminer's by about 1e-5 pt, far below the table finder's
tolerances (3 pt). The colour is pdfium's RGB of the fill: the kept ``non_stroking_color`` is 1.0
for white and 0.0 for any other colour, which is all ``_visible`` asks.

``read_paths`` answers ``False`` (the caller reads the page with pdfminer) where pdfium's picture
could differ from pdfminer's: a form XObject on the page, a path pdfium cannot
describe, a path closed twice (``re s``: not a rectangle to pdfminer, one close to pdfium), an
inline image, a non-stroking colour set by an operator other than ``g`` or ``rg`` (a CMYK white
is (0, 0, 0, 0) to pdfminer: not white), or a fill whose RGB is too close to white to tell.
"""

from __future__ import annotations

import ctypes
import re
from typing import Any

import numpy as np
import pdfplumber
import pdfplumber.page
import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.pdfinterp import PDFGraphicState
from pdfminer.pdftypes import resolve1
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

# Operators that set the non-stroking colour in another colour space than DeviceGray (g) or
# DeviceRGB (rg), where pdfminer's colour values are not pdfium's RGB (a CMYK white is 0, 0, 0, 0),
# as tokens of the content without its literal strings (a "k" printed in a TJ).
_OTHER_FILL_COLOURS = re.compile(rb"(?<![^\s\])>])(?:k|cs|sc|scn)(?![^\s\[(</%])")
# A literal string, with balanced parentheses one level deep inside and escapes
_STRING = re.compile(rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)", re.DOTALL)
# A path closed twice ("re s", "h b"): pdfminer keeps both closes and the shape is no longer a
# rectangle to it; pdfium keeps one
_CLOSED_TWICE = re.compile(rb"(?<!\S)(?:re|h)\s+(?:h|s|b\*?)(?!\S)")
# An inline image's data could hold anything, an unbalanced parenthesis too: such a page goes to pdfminer
_INLINE_IMAGE = re.compile(rb"(?<!\S)BI(?!\S)")
# pdfplumber's white test (pdf._is_white) is every component >= 0.99, i.e. 252.45 on pdfium's
# 0-255 scale: 253 and above are white and 251 and below are not whether pdfium rounds or truncates.
_WHITE_FROM = 253
_NOT_WHITE_UP_TO = 251
_KNOWN = frozenset({pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE})


def _content(page: pdfplumber.page.Page) -> bytes | None:
    """The page's decoded content streams, or ``None`` when pdfminer cannot decode them."""
    contents = page.page_obj.contents
    data = []
    try:
        for stream in contents:
            data.append(resolve1(stream).get_data())
    except Exception:  # noqa: BLE001 - pdfminer's own read of the page reports it
        return None
    return b"\n".join(data)


def _written(value: float) -> float:
    """The number the content stream most likely wrote for pdfium's single-precision ``value``:
    the shortest decimal that reads back as the same single-precision number (72.024 for
    72.02400207519531), as pdfminer reads it in double precision. Exact for numbers of up to six
    significant digits (a Word PDF's coordinates); otherwise within the single precision's step."""
    return float(str(np.float32(value)))


def _fill_is_white(obj: Any) -> bool | None:
    """Whether the fill of a path object is white to pdfplumber; ``None``: too close to tell."""
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, *(ctypes.byref(v) for v in (r, g, b, a))):
        return None
    values = (r.value, g.value, b.value)
    if all(v >= _WHITE_FROM for v in values):
        return True
    if any(v <= _NOT_WHITE_UP_TO for v in values):
        return False
    return None


def _segments(obj: Any, matrix: Any) -> list[tuple[Any, ...]] | None:
    """The path of ``obj`` as pdfminer's interpreter records it (``("m", x, y)``, ``("l", x, y)``,
    ``("c", x1, y1, x2, y2, x3, y3)``, ``("h",)``) in the object's own coordinates; ``None`` if
    pdfium cannot give a point or a Bézier segment is not three points."""
    fx, fy = ctypes.c_float(), ctypes.c_float()
    path: list[tuple[Any, ...]] = []
    pending: list[float] = []  # the points of a Bézier segment so far
    for number in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, number)
        if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(fx), ctypes.byref(fy)):
            return None
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        point = (_written(fx.value), _written(fy.value))
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            pending.extend(point)
            if len(pending) < 6:
                continue
            path.append(("c", *pending))
            pending = []
        elif pending:
            return None
        elif kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            path.append(("m", *point))
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            path.append(("l", *point))
        else:
            return None
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            path.append(("h",))
    return None if pending else path


def read_paths(fast_page: pypdfium2.PdfPage, page: pdfplumber.page.Page) -> bool:
    """Put the paths of ``fast_page`` (pdfium's page of pdfplumber's ``page``) into pdfplumber's
    cache of ``page`` as pdfminer's layout of its rects, lines and curves; ``False`` (nothing
    cached) where pdfium's paths may not be pdfminer's (see the module's docstring).

    The page must be unrotated with its media box at the origin (``pdfium_text.plain_page_reason``):
    pdfminer's CTM then starts as the identity, and each path object's matrix is its CTM.
    """
    raw = fast_page.raw
    objects = [pdfium_c.FPDFPage_GetObject(raw, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw))]
    if any(pdfium_c.FPDFPageObj_GetType(obj) not in _KNOWN for obj in objects):
        return False
    content = _content(page)
    if content is None or _INLINE_IMAGE.search(content):
        return False
    operators = _STRING.sub(b" ", content)
    if _OTHER_FILL_COLOURS.search(operators) or _CLOSED_TWICE.search(operators):
        return False
    device = PDFPageAggregatorWithMarkedContent(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    device.begin_page(page.page_obj, (1, 0, 0, 1, 0, 0))
    matrix = pdfium_c.FS_MATRIX()
    fill_mode = ctypes.c_int()
    stroke = ctypes.c_int()
    width = ctypes.c_float()
    for obj in objects:
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
            return False
        if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke)):
            return False
        filled = fill_mode.value != pdfium_c.FPDF_FILLMODE_NONE
        if not filled and not stroke.value:
            continue  # a clipping path ("W n"): pdfminer paints nothing
        path = _segments(obj, matrix)
        if path is None:
            return False
        state = PDFGraphicState()
        if pdfium_c.FPDFPageObj_GetStrokeWidth(obj, ctypes.byref(width)):
            state.linewidth = float(width.value)
        if filled:
            white = _fill_is_white(obj)
            if white is None:
                return False
            state.ncolor = 1.0 if white else 0.0
        device.ctm = tuple(_written(v) for v in (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f))
        device.paint_path(state, bool(stroke.value), filled, fill_mode.value == pdfium_c.FPDF_FILLMODE_ALTERNATE, path)
    device.end_page(page.page_obj)
    # pdfplumber's Page.layout returns this cached layout instead of interpreting the page
    page._layout = device.get_result()
    return True
