"""PDF backend, page by page: the text layer's words (pdfium where it reads them as pdfminer
does, pdfplumber where an OCR layer, a legacy font or an annotation needs it), ruled tables
(pdfplumber's table finder over pdfium's paths, or pdfminer's), annotations' stamps.

The words and tables of every page go through the shared layout (``pipeline.ingest.layout``):
printed lines, two-column zones, running lines dropped, paragraphs across page breaks. Pages
without a usable text layer, or with a garbage one, are OCRed (``pipeline.ingest.ocr``) and go
through the same layout from Tesseract's word boxes.
"""

from __future__ import annotations

import bisect
import statistics
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pdfplumber
import pdfplumber.page
import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table
from pdfplumber.utils.text import extract_words
from pdfminer.layout import LTChar
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

from pipeline.errors import IngestError
from pipeline.ingest.layout import (
    Line,
    Segment,
    assign_columns,
    count_letters,
    drop_running_lines,
    group_lines,
    lost_text_warning,
    mark_ocr_block,
    ocr_page_info,
    ocr_page_lines,
    page_letters,
    paragraphs,
)
from pipeline.ingest.legacy import convert_pdf_chars
from pipeline.ingest.model import PageInfo, SourceDocument
from pipeline.ingest.ocr import ocr_available, ocr_pages, page_too_large, pdf_page_image
from pipeline.ingest.options import ReadOptions
from pipeline.ingest.pdf_signatures import read_signatures
from pipeline.ingest.pdfium_paths import read_paths
from pipeline.ingest.pdfium_text import (
    annotation_chars,
    may_rule_table,
    plain_page_reason,
    read_plain_page,
    read_without_glyphs,
)
from pipeline.ingest.syllables import diacritic_share, syllable_share

# A page whose text layer has fewer letters than this is treated as a scan (signature stamps
# and stray page numbers are shorter).
MIN_LETTERS_FOR_TEXT_PAGE = 60
# A text layer is judged only on pages with this many words; below the two shares it is garbage.
MIN_WORDS_FOR_QUALITY = 30
MIN_DIACRITIC_SHARE = 0.4
MIN_SYLLABLE_SHARE = 0.8
_MAX_PAGES = 5000


_PLAIN_TYPES = frozenset({float, int, str, bool, bytes, type(None)})
_resolve_all = pdfplumber.page.resolve_all


def _resolve_plain_first(value: Any) -> Any:
    """pdfplumber's ``resolve_all`` with a short way for what it returns as it is (a number, a
    string) or rebuilds as a list or tuple of the same such values: pdfplumber calls it on every
    attribute of every character (a coordinate, the font name, the colours, the matrix), about a
    sixth of its time on a page. Anything else (a reference, a dict) goes to ``resolve_all``."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if (kind is tuple or kind is list) and all(type(item) in _PLAIN_TYPES for item in value):
        return kind(value)
    return _resolve_all(value)


# Page.process_object reads the name from its module; the result is the same object for object
pdfplumber.page.resolve_all = _resolve_plain_first

_ALL_ATTRS = pdfplumber.page.ALL_ATTRS
_process_any_object = pdfplumber.page.Page.process_object
# a colour space's name -> pdfplumber's decoding of it (PDFDocEncoding, a few names per document)
_decoded_names: dict[str, Any] = {}


def _decoded_name(name: Any) -> Any:
    """``resolve_and_decode(name)``, remembered for a string (the same few names on every char)."""
    if type(name) is not str:
        return pdfplumber.page.resolve_and_decode(name)
    decoded = _decoded_names.get(name)
    if decoded is None:
        decoded = _decoded_names[name] = pdfplumber.page.resolve_and_decode(name)
    return decoded


class _Char:
    """What pdfminer's ``LTChar`` holds of a horizontal glyph, as pdfplumber's char dict reads it:
    ``attrs`` are its attributes in ``LTChar``'s order (``pdfplumber.page.ALL_ATTRS`` only)."""

    __slots__ = ("attrs", "graphicstate", "mcid", "ncs", "tag", "text")

    def __init__(self, attrs: dict[str, Any], text: str, ncs: Any, graphicstate: Any) -> None:
        self.attrs = attrs
        self.text = text
        self.ncs = ncs
        self.graphicstate = graphicstate
        self.mcid: Any = None
        self.tag: Any = None


class _CharDevice(pdfplumber.page.PDFPageAggregatorWithMarkedContent):
    """pdfplumber's page device that keeps a horizontal glyph as a ``_Char`` instead of an ``LTChar``.

    pdfplumber reads an ``LTChar`` only to turn it into a dict (``Page.process_object``): the same
    numbers are computed here by ``LTChar``'s own steps (pdfminer's ``apply_matrix_rect``), without
    the layout object and its bounding-box bookkeeping; ``_process_object`` completes the dict.
    A glyph of a vertical font is pdfminer's ``LTChar`` as before.
    """

    def begin_page(self, page: Any, ctm: Any) -> None:
        """pdfminer's ``begin_page``, with an empty cache of glyphs for the page."""
        super().begin_page(page, ctm)
        # (font, cid) -> text and width: pure functions of the font, asked for every glyph
        self._glyphs: dict[tuple[Any, int], tuple[str, float]] = {}

    def render_char(
        self, matrix: Any, font: Any, fontsize: float, scaling: float, rise: float, cid: int, ncs: Any, graphicstate: Any,
    ) -> float:
        """pdfminer's ``PDFLayoutAnalyzer.render_char`` and pdfplumber's marked-content tag."""
        if font.is_vertical():
            return super().render_char(matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate)
        glyph = self._glyphs.get((font, cid))
        if glyph is None:
            try:
                text = font.to_unichr(cid)
                assert isinstance(text, str), str(type(text))
            except PDFUnicodeNotDefined:
                text = self.handle_undefined_char(font, cid)
                glyph = (text, font.char_width(cid))
            else:
                glyph = self._glyphs[(font, cid)] = (text, font.char_width(cid))
        text, textwidth = glyph
        adv = textwidth * fontsize * scaling
        descent = font.get_descent() * fontsize
        low, high = descent + rise, descent + rise + fontsize
        # pdfminer's apply_matrix_rect of (0, low, adv, high), written out: the same operations in
        # the same order, so the same numbers (and int or float) as LTChar's
        a, b, c, d, e, f = matrix
        left1, bottom1 = a * 0 + c * low + e, b * 0 + d * low + f
        right1, bottom2 = a * adv + c * low + e, b * adv + d * low + f
        right2, top1 = a * adv + c * high + e, b * adv + d * high + f
        left2, top2 = a * 0 + c * high + e, b * 0 + d * high + f
        x0, y0 = min(left1, left2, right1, right2), min(bottom1, bottom2, top1, top2)
        x1, y1 = max(left1, left2, right1, right2), max(bottom1, bottom2, top1, top2)
        fontname = font.fontname
        # the values as pdfplumber's process_object resolves them (numbers as they are)
        attrs = {
            "matrix": _resolve_plain_first(matrix),
            "fontname": fontname if type(fontname) in _PLAIN_TYPES else _resolve_plain_first(fontname),
            "adv": adv, "upright": a * d * scaling > 0 and b * c <= 0,
            "x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0, "size": y1 - y0,
        }
        self.cur_item.add(_Char(attrs, text, ncs, graphicstate))  # type: ignore[arg-type]
        self.tag_cur_item()
        return adv


# Page.layout reads the device's name from its module
pdfplumber.page.PDFPageAggregatorWithMarkedContent = _CharDevice


def _process_object(self: pdfplumber.page.Page, obj: Any) -> dict[str, Any]:
    """pdfplumber's ``Page.process_object`` with a short way for a char (``LTChar``), the same dict.

    pdfplumber turns every char of a page it reads in full into a dict through a closure per
    attribute and decodes its colour space's name each time: about 40% of its time on a page of
    an OCR text layer. Here a char's dict is built by the same steps, in the same key order,
    without them; any other object goes to pdfplumber's own method.
    """
    kind = type(obj)
    if kind is _Char:
        attr = dict(obj.attrs)  # resolved by _CharDevice.render_char
        attr["mcid"] = obj.mcid if type(obj.mcid) in _PLAIN_TYPES else _resolve_plain_first(obj.mcid)
        attr["tag"] = obj.tag if type(obj.tag) in _PLAIN_TYPES else _resolve_plain_first(obj.tag)
        attr["object_type"] = "char"
        attr["page_number"] = self.page_number
        attr["ncs"] = _decoded_name(obj.ncs.name)
        text = obj.text
    elif kind is LTChar:
        attr = {k: v if type(v) in _PLAIN_TYPES else _resolve_plain_first(v) for k, v in obj.__dict__.items() if k in _ALL_ATTRS}
        attr["object_type"] = "char"
        attr["page_number"] = self.page_number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                attr[cs] = _decoded_name(getattr(obj, cs).name)
        text = obj.get_text()
    else:
        return _process_any_object(self, obj)
    attr["text"] = unicodedata.normalize(self.pdf.unicode_norm, text) if self.pdf.unicode_norm is not None else text
    gs = obj.graphicstate
    attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
    attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
    if isinstance(attr["fontname"], bytes):
        attr["fontname"] = pdfplumber.page.fix_fontname_bytes(attr["fontname"])
    mb_x0, mb_top = self.mediabox[:2]
    if "y0" in attr:
        attr["top"] = (self.height - attr["y1"]) + mb_top
        attr["bottom"] = (self.height - attr["y0"]) + mb_top
        attr["doctop"] = self.initial_doctop + attr["top"]
    if "x0" in attr and mb_x0 != 0:
        attr["x0"] = attr["x0"] + mb_x0
        attr["x1"] = attr["x1"] + mb_x0
    return attr


pdfplumber.page.Page.process_object = _process_object
# An annotation's line of text is read with the page when the page prints text on its line within
# this many of its font sizes (a number stamped into the blank of "Số:      /TTr-SNV").
_ANNOTATION_REACH = 3.0
# pdfplumber's word extraction joins chars this close (x_tolerance)
_WORD_GAP = 1.5


def _is_white(colour: Any) -> bool:
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    return bool(values) and all(isinstance(v, (int, float)) and v >= 0.99 for v in values)


def _visible(obj: dict[str, Any]) -> bool:
    """False for white filled shapes without a stroke: Word paints them behind paragraphs, and
    as table edges they would turn plain text into a table."""
    if obj.get("object_type") not in ("rect", "curve") or obj.get("stroke"):
        return True
    return not (obj.get("fill") and _is_white(obj.get("non_stroking_color")))


def _tables(page: pdfplumber.page.Page) -> list[Table]:
    """The ruled tables of a page."""
    # A "table" of one column is a ruled box or an underline, not a table: read it as text.
    return [t for t in page.filter(_visible).find_tables() if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2]


def _page_lines(
    page: pdfplumber.page.Page, plain_chars: list[dict[str, Any]] | None = None, annotation: list[dict[str, Any]] | None = None,
    legacy: bool = True, tables: list[Table] | None = None,
) -> tuple[list[Line], float]:
    """Printed lines of a page and its body text size; ``plain_chars`` are the page's chars read by
    pdfium (``pdfium_text``), which has no legacy font to convert, and ``tables`` its tables found
    among them (``_pdfium_chars``; none if not given); ``annotation`` the chars that its
    annotations print (``pdfium_text.annotation_chars``), read with the page's own where they do
    not repeat them; ``legacy``: convert chars in TCVN3/VNI fonts."""
    if plain_chars is None:
        tables = _tables(page)
    elif tables is None:
        tables = []
    boxes = [t.bbox for t in tables]

    def outside_tables(obj: dict[str, Any]) -> bool:
        cx = (float(obj["x0"]) + float(obj["x1"])) / 2
        cy = (float(obj["top"]) + float(obj["bottom"])) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    # Text in TCVN3 (.Vn*) and VNI fonts is converted in the page's cached chars, which the word
    # and table extraction below both read.
    legacy = convert_pdf_chars(page.chars) if plain_chars is None and legacy else None
    # Font attributes are read from the characters rather than passed as extra_attrs: that would
    # split a word wherever one glyph comes from a fallback font ("N Ộ I" for "NỘI").
    words = []
    chars = page.chars if plain_chars is None else plain_chars
    if annotation:
        annotation = _in_printed_lines(_not_repeated(annotation, chars), chars)
        chars = _inside_stamped_words(chars, annotation) + annotation
    for word in extract_words(chars, return_chars=True, x_tolerance=1.5, y_tolerance=2):
        if legacy:
            word["text"] = unicodedata.normalize("NFC", word["text"])  # VNI marks are glyphs of their own
        if outside_tables(word):
            chars = word.pop("chars")
            stamps = _stamped_runs(chars)
            if stamps:
                word["stamps"] = stamps
            word["size"] = statistics.median(float(c.get("size", 0) or 0) for c in chars)
            word["fontname"] = Counter(str(c.get("fontname", "")) for c in chars).most_common(1)[0][0]
            words.append(word)
    lines = group_lines(words) if words else []
    for table in tables:
        rows = [tuple((cell or "").strip() for cell in row) for row in table.extract(x_tolerance=1.5)]
        rows = [r for r in rows if any(r)]
        if rows:
            x0, top, x1, bottom = table.bbox
            placeholder = Line(top=top, bottom=bottom, segments=[Segment([{"x0": x0, "x1": x1, "text": ""}])], table=rows)
            lines.append(placeholder)
    lines.sort(key=lambda ln: ln.top)
    sizes = [float(w.get("size", 0) or 0) for w in words]
    return lines, (statistics.median(sizes) if sizes else 0.0)


def _stamped_runs(chars: list[dict[str, Any]]) -> tuple[str, ...]:
    """The runs of a word's ``chars`` that an annotation prints (``"annotation"`` in the char):
    what a signing system stamped into a blank of the page ("3797" of "Số: 3797 /SNV-TCBC")."""
    runs: list[str] = []
    previous = False
    for char in chars:
        stamped = "annotation" in char
        if stamped and previous:
            runs[-1] += char["text"]
        elif stamped:
            runs.append(char["text"])
        previous = stamped
    return tuple(runs)


def _grouped(chars: list[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    """``chars`` by their value of ``key`` (``text``: a letter; ``annotation``: the annotation), in order."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for char in chars:
        groups.setdefault(char.get(key), []).append(char)
    return groups


def _box(char: dict[str, Any]) -> tuple[float, float, float, float]:
    """``x0``, ``x1``, ``top``, ``bottom`` of a char, as floats."""
    return float(char["x0"]), float(char["x1"]), float(char["top"]), float(char["bottom"])


def _not_repeated(extra: list[dict[str, Any]], chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chars of ``extra`` that no char of ``chars`` already prints: the same letter over its
    centre (a form field's value that the page content prints too)."""

    # the page's chars by text: each extra char is compared with the same letters only, not the whole page
    by_text = _grouped(chars, "text")

    def printed(char: dict[str, Any]) -> bool:
        cx = (float(char["x0"]) + float(char["x1"])) / 2
        cy = (float(char["top"]) + float(char["bottom"])) / 2
        return any(
            float(c["x0"]) <= cx <= float(c["x1"]) and float(c["top"]) <= cy <= float(c["bottom"])
            for c in by_text.get(char["text"], ())
        )

    return [char for char in extra if not printed(char)]


def _in_printed_lines(extra: list[dict[str, Any]], chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chars of the annotations of ``extra`` whose every line continues a line the page prints.

    A signing system stamps the number and the day into the blanks of the header's lines
    ("Số: 187 /TTr-SNV", "ngày 28 tháng 8"): each line of such an annotation has the page's text
    on its line within ``_ANNOTATION_REACH`` font sizes of it. A box of its own lines (a signature's
    "Người ký: … Email: … Thời gian ký: …" over the margin or the signature block) would break
    into the page's lines wherever it overlaps them: it is left out.
    """
    printed = [_box(c) for c in chars if not c["text"].isspace()]
    kept: list[dict[str, Any]] = []
    for group in _grouped(extra, "annotation").values():
        if all(_continues_printed_line(line, printed) for line in _stamped_lines(group)):
            kept.extend(group)
    return kept


def _continues_printed_line(line: list[dict[str, Any]], printed: list[tuple[float, float, float, float]]) -> bool:
    """Whether the page prints text on the line of ``line`` (chars of one annotation line) near it;
    ``printed`` are the boxes (``_box``) of the page's printed chars."""
    x0 = min(float(c["x0"]) for c in line)
    x1 = max(float(c["x1"]) for c in line)
    cy = (min(float(c["top"]) for c in line) + max(float(c["bottom"]) for c in line)) / 2
    reach = _ANNOTATION_REACH * max(float(c.get("size", 0) or 0) for c in line)
    return any(top <= cy <= bottom and max(x0 - right, left - x1) <= reach for left, right, top, bottom in printed)


# How far pdfium's chars of a page may lie from pdfminer's: a glyph's advance (``x1``) by up to
# about 1 pt on a word's last letter (``pdfium_text``), any other coordinate by single precision.
_X1_SLACK = 1.5
_SLACK = 0.05


def _stamps_nothing(annotation: list[dict[str, Any]], chars: list[dict[str, Any]]) -> bool:
    """Whether ``_in_printed_lines(_not_repeated(annotation, page_chars), page_chars)`` is empty
    for pdfminer's chars of the page as surely as for ``chars``, pdfium's (which leave out spaces
    and may place a coordinate a little off: ``_X1_SLACK``, ``_SLACK``).

    Then the page reads as one without annotations, and pdfium can read it. Each annotation char
    must be printed by the page (or not) with the page's chars moved either way by the slack, and
    each annotation must have a line that continues no printed line even with the slack: such an
    annotation is left out whichever reader gave the page's chars. Any doubt answers ``False``.
    """
    by_text = _grouped(chars, "text")
    # the boxes of the page's printed chars, widened by the slack
    printed = [
        (x0 - _SLACK, x1 + _X1_SLACK, top - _SLACK, bottom + _SLACK)
        for x0, x1, top, bottom in (_box(c) for c in chars if not c["text"].isspace())
    ]
    left: list[dict[str, Any]] = []
    for char in annotation:
        cx = (float(char["x0"]) + float(char["x1"])) / 2
        cy = (float(char["top"]) + float(char["bottom"])) / 2
        surely = maybe = False
        for c in by_text.get(char["text"], ()):
            x0, x1, top, bottom = _box(c)
            if x0 - _SLACK <= cx <= x1 + _X1_SLACK and top - _SLACK <= cy <= bottom + _SLACK:
                maybe = True
                if x0 + _SLACK <= cx <= x1 - _X1_SLACK and top + _SLACK <= cy <= bottom - _SLACK:
                    surely = True
        if maybe != surely:
            return False
        if not maybe:
            left.append(char)
    return all(
        any(not _continues_printed_line(line, printed) for line in _stamped_lines(group))
        for group in _grouped(left, "annotation").values()
    )


def _inside_stamped_words(chars: list[dict[str, Any]], stamped: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``chars`` without the spaces printed inside a stamped word: the blank a signing system fills
    in ("Số:      /TTr") would otherwise split the number it stamps there ("1 8 7"). Words read
    a line's chars by ``x0``: a space is inside when its ``x0`` falls after the word's first
    char's and not after its last char's; one before or after still separates the word from the
    page's words ("tháng 01")."""
    spans: list[tuple[float, float, float, float]] = []  # x0 of first and last char, top, bottom
    for line in _stamped_lines(stamped):
        word = [line[0]]
        for char in line[1:] + [None]:
            if char is not None and float(char["x0"]) - float(word[-1]["x1"]) <= _WORD_GAP:
                word.append(char)
                continue
            if len(word) > 1:
                first, last = word[0], word[-1]
                spans.append((float(first["x0"]), float(last["x0"]), min(float(c["top"]) for c in word), max(float(c["bottom"]) for c in word)))
            if char is not None:
                word = [char]

    def inside(char: dict[str, Any]) -> bool:
        if not char["text"].isspace():
            return False
        x0 = float(char["x0"])
        cy = (float(char["top"]) + float(char["bottom"])) / 2
        return any(left < x0 <= right and top <= cy <= bottom for left, right, top, bottom in spans)

    return [c for c in chars if not inside(c)] if spans else chars


def _stamped_lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``chars`` in lines (tops within 2 points), each sorted left to right."""
    lines: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: float(c["top"])):
        if lines and float(char["top"]) - float(lines[-1][0]["top"]) <= 2:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: float(c["x0"])) for line in lines]


def _open(path: Path, display_path: str) -> int:
    """Validate the file with pdfium (fast, strict) and return its page count."""
    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as e:
        reason = str(e)
        if "password" in reason.lower() or "security" in reason.lower():
            raise IngestError("ENCRYPTED", "the PDF is password-protected", display_path) from e
        raise IngestError("CORRUPT_PDF", f"not a readable PDF ({reason})", display_path) from e
    try:
        return len(document)
    finally:
        document.close()


def text_layer_is_poor(text: str) -> bool:
    """Whether a page's text layer is a bad OCR layer or a broken font map, not real Vietnamese.

    Real Vietnamese pages of the corpus hold marks in over half of their words and read as valid
    syllables for over 80%; the poor OCR layers (Đà Nẵng) hold marks in under 27% of their words.
    """
    share, count = syllable_share(text)
    return count >= MIN_WORDS_FOR_QUALITY and diacritic_share(text) < MIN_DIACRITIC_SHARE and share < MIN_SYLLABLE_SHARE


def _fast_page(document: pypdfium2.PdfDocument | None, page: pdfplumber.page.Page) -> pypdfium2.PdfPage | None:
    """pdfium's page of pdfplumber's ``page`` in ``document`` (the caller closes it), or ``None``
    without a document or when pdfium cannot load it (pdfplumber reads it, or reports why not)."""
    if document is None:
        return None
    try:
        return document[page.page_number - 1]
    except pypdfium2.PdfiumError:
        return None


def _pdfium_chars(
    fast_page: pypdfium2.PdfPage | None, page: pdfplumber.page.Page,
) -> tuple[list[dict[str, Any]], list[Table]] | None:
    """The chars of ``page`` read by pdfium (``fast_page``, its page there) and its ruled tables;
    ``None`` when pdfplumber must read the page (``pdfium_text.plain_page_reason``, ``read_plain_page``).

    On a page whose paths may rule a table, pdfium's chars take the place of the glyphs in
    pdfplumber's cache of the page, with its paths, and pdfplumber's own table finder and cell
    extraction read them. The paths come from pdfium (``pdfium_paths.read_paths``) when it can
    tell them as pdfminer would and no char or word stands on a side of a table or cell
    (``_clear_of_sides``); otherwise from pdfminer reading the page without its glyphs.
    """
    if fast_page is None:
        return None
    reason = plain_page_reason(fast_page)
    if reason == "paths" and not may_rule_table(fast_page):
        reason = None
    if reason not in (None, "paths", "many paths"):
        return None
    chars = read_plain_page(fast_page, float(page.height))
    if chars is None or reason is None:
        return None if chars is None else (chars, [])
    from_pdfium = read_paths(fast_page, page)
    if from_pdfium:
        page.objects["char"] = chars
        tables = _tables(page)
        if _clear_of_sides(tables, chars):
            return chars, tables
        page.flush_cache()
    if not read_without_glyphs(page):
        return None
    page.objects["char"] = chars
    return chars, _tables(page)


# pdfium's paths lie within 1e-4 pt of pdfminer's (single precision): a char or word whose centre
# is at least this far from every side of a table and its cells falls in the same cell either way.
_SIDE_MARGIN = 1e-3


def _clear_of_sides(tables: list[Table], chars: list[dict[str, Any]]) -> bool:
    """Whether the centre of every char (which cell it is read in) and of every word (whether it
    is outside the tables) lies at least ``_SIDE_MARGIN`` from the sides of a table and its cells,
    or that far outside the table."""
    if not tables:
        return True
    centres = [
        ((float(obj["x0"]) + float(obj["x1"])) / 2, (float(obj["top"]) + float(obj["bottom"])) / 2)
        for obj in [*chars, *extract_words(chars, x_tolerance=_WORD_GAP, y_tolerance=2)]
    ]

    def near(sides: list[float], value: float) -> bool:
        at = bisect.bisect_left(sides, value)
        return any(abs(sides[i] - value) < _SIDE_MARGIN for i in (at - 1, at) if 0 <= i < len(sides))

    for table in tables:
        x0, top, x1, bottom = table.bbox
        xs = sorted({x for box in [table.bbox, *table.cells] for x in (box[0], box[2])})
        ys = sorted({y for box in [table.bbox, *table.cells] for y in (box[1], box[3])})
        for cx, cy in centres:
            inside = x0 - _SIDE_MARGIN <= cx <= x1 + _SIDE_MARGIN and top - _SIDE_MARGIN <= cy <= bottom + _SIDE_MARGIN
            if inside and (near(xs, cx) or near(ys, cy)):
                return False
    return True


def _annotation_chars(
    document: pypdfium2.PdfDocument, page: pdfplumber.page.Page, fast_page: pypdfium2.PdfPage | None = None,
) -> list[dict[str, Any]]:
    """The chars the annotations of ``page`` print (``pdfium_text.annotation_chars``), or none.

    ``fast_page``, pdfium's page of ``page`` in another document of the same file, tells a page
    without annotations, so that ``document`` (whose pages are flattened) loads only pages with some.
    """
    if fast_page is not None and not pdfium_c.FPDFPage_GetAnnotCount(fast_page.raw):
        return []
    try:
        return annotation_chars(document, page.page_number - 1, float(page.height))
    except pypdfium2.PdfiumError:
        return []  # pdfplumber reads the page, or reports why it cannot


def _read_page(
    page: pdfplumber.page.Page, fast_page: pypdfium2.PdfPage | None, annotation_document: pypdfium2.PdfDocument,
    legacy: bool, number: int, pdfium_pages: list[int],
) -> tuple[list[Line], float, int, int]:
    """The printed lines of one page's text layer, its body text size, its letters and those its
    annotations print; ``number`` is appended to ``pdfium_pages`` when pdfium read the page."""
    annotation = _annotation_chars(annotation_document, page, fast_page)
    # a scan is told by the page's own text: an annotation (a signature's stamp) does not make it a text page
    annotation_letters = count_letters("".join(c["text"] for c in annotation))
    # pdfium keeps one space of a run: a stamp over the blank of "tháng      năm" needs them
    # all, so pdfium reads a page with annotations only when they surely stamp nothing into it
    read = _pdfium_chars(fast_page, page)
    if read is not None and annotation and not _stamps_nothing(annotation, read[0]):
        read = None
        page.flush_cache()  # it may hold pdfium's chars and paths
    if read is not None:
        plain_chars, tables = read
        lines, body_size = _page_lines(page, plain_chars, None, legacy, tables)
        letters = page_letters(lines)
        if letters - annotation_letters >= MIN_LETTERS_FOR_TEXT_PAGE:
            pdfium_pages.append(number)
            return lines, body_size, letters, annotation_letters
        page.flush_cache()  # maybe a scan: pdfplumber's images and text decide, as for any page
    lines, body_size = _page_lines(page, annotation=annotation, legacy=legacy)
    return lines, body_size, page_letters(lines), annotation_letters


def load_pdf(path: Path, display_path: str, options: ReadOptions | None = None, fast: bool = True) -> SourceDocument:
    """Read the text layer of a PDF into blocks; OCR pages without a usable text layer.

    A page is OCRed when it has an image and (almost) no text, or when its text layer is poor
    (``text_layer_is_poor``) and OCR reads it better. Without Tesseract such pages stay marked
    as needing OCR. With ``fast``, text pages that pdfium reads as pdfminer does
    (``pdfium_text.plain_page_reason``, ``read_plain_page``) are read by pdfium, ruled tables
    included (``_pdfium_chars``), many times faster than pdfplumber and giving the same blocks;
    ``fast=False`` reads every page with pdfplumber (``bench/compare_pdf_readers.py`` compares the two).
    """
    options = options if options is not None else ReadOptions.from_environment()
    page_count = _open(path, display_path)
    if page_count == 0:
        raise IngestError("EMPTY_DOCUMENT", "the PDF has no pages", display_path)
    if page_count > _MAX_PAGES:
        raise IngestError("TOO_MANY_PAGES", f"{page_count} pages, over the limit of {_MAX_PAGES}", display_path)
    pages_lines: list[list[Line]] = []
    infos: list[PageInfo] = []
    geometry: list[tuple[float, float, float]] = []
    poor: dict[int, float] = {}  # page index -> quality of its text layer
    warnings: list[tuple[str, str]] = []
    pdfium_pages: list[int] = []
    fast_document = pypdfium2.PdfDocument(str(path)) if fast else None
    # its pages are flattened (annotations drawn into the content) to read what annotations print
    annotation_document = pypdfium2.PdfDocument(str(path))
    try:
        signatures = read_signatures(annotation_document)
        with pdfplumber.open(str(path)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                fast_page = _fast_page(fast_document, page)
                try:
                    lines, body_size, letters, annotation_letters = _read_page(
                        page, fast_page, annotation_document, options.legacy, number, pdfium_pages,
                    )
                finally:
                    if fast_page is not None:
                        fast_page.close()
                # images are looked at only on a page with (almost) no text, so a plain page is
                # never parsed by pdfplumber
                needs_ocr = letters - annotation_letters < MIN_LETTERS_FOR_TEXT_PAGE and bool(page.images)
                if needs_ocr:
                    lines = []
                else:
                    page_text = _page_text(lines)
                    if text_layer_is_poor(page_text):
                        poor[number - 1] = _quality(page_text)
                infos.append(PageInfo(page=number, method="none" if needs_ocr else "text", chars=letters, needs_ocr=needs_ocr))
                pages_lines.append(lines)
                geometry.append((float(page.width), body_size, float(page.height)))
                page.flush_cache()
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as e:
        raise IngestError("CORRUPT_PDF", f"pdfplumber cannot read the text layer ({type(e).__name__}: {e})", display_path) from e
    finally:
        if fast_document is not None:
            fast_document.close()
        annotation_document.close()
    if not any(pages_lines) and not any(info.needs_ocr for info in infos):
        raise IngestError("EMPTY_DOCUMENT", f"no text and no page images on any of its {page_count} pages", display_path)
    targets = [i for i, info in enumerate(infos) if info.needs_ocr] + sorted(poor)
    ocr_done: set[int] = set()
    if targets and ocr_available(options):
        targets = _renderable(path, sorted(targets), poor, infos, warnings)
        ocr_done = _ocr_pdf_pages(path, display_path, targets, poor, pages_lines, infos, geometry, options.ocr_workers)
    elif poor:
        warnings.append(("TEXT_LAYER_POOR", f"the text layer of page(s) {', '.join(str(i + 1) for i in sorted(poor))} reads as garbage and OCR is not available (tesseract -l vie missing, or BAOCAO_OCR=0)"))
    drop_running_lines(pages_lines)
    pages_lines = [assign_columns(lines, width) if lines else [] for lines, (width, _, _) in zip(pages_lines, geometry)]
    blocks = paragraphs(pages_lines, geometry)
    for block in blocks:
        if block.page is not None and block.page - 1 in ocr_done:
            mark_ocr_block(block)
    lost = lost_text_warning(infos)
    if lost:
        warnings.append(lost)
    provenance = {"reader": "pdfplumber+tesseract" if ocr_done else "pdfplumber"}
    if pdfium_pages:
        provenance["pdfium_pages"] = ",".join(map(str, pdfium_pages))
    return SourceDocument(
        path=display_path, file_format="pdf", blocks=blocks, pages=infos, provenance=provenance, warnings=warnings,
        signatures=signatures,
    )


def _page_text(lines: list[Line]) -> str:
    """A page's text with its tables' rows: what its text layer and its OCR are judged by, alike."""
    return "\n".join(ln.text if ln.table is None else "\n".join(" ".join(r) for r in ln.table) for ln in lines)


def _quality(text: str) -> float:
    share, count = syllable_share(text)
    return share * count


def _renderable(
    path: Path, targets: list[int], poor: dict[int, float], infos: list[PageInfo], warnings: list[tuple[str, str]]
) -> list[int]:
    """The ``targets`` that can be rendered for OCR; the others (absurdly large pages, see
    ``ocr.page_too_large``) get a ``PAGE_TOO_LARGE`` warning and are no longer marked as needing OCR."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        reasons = {index: page_too_large(document, index) for index in targets}
    finally:
        document.close()
    for index, reason in reasons.items():
        if reason:
            warnings.append(("PAGE_TOO_LARGE", f"page {index + 1} {reason}"))
            if index not in poor:
                infos[index] = PageInfo(page=index + 1, method="none", chars=infos[index].chars)
    return [index for index in targets if not reasons[index]]


def _ocr_pdf_pages(
    path: Path, display_path: str, targets: list[int], poor: dict[int, float],
    pages_lines: list[list[Line]], infos: list[PageInfo], geometry: list[tuple[float, float, float]],
    workers: int = 1,
) -> set[int]:
    """OCR the ``targets`` pages in place; return the indices whose text now comes from OCR."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        loaders = [lambda index=index: pdf_page_image(document, index) for index in targets]
        results = ocr_pages(loaders, workers=workers, path=display_path)
    finally:
        document.close()
    done: set[int] = set()
    for index, page in zip(targets, results):
        lines, page_geometry = ocr_page_lines(page)
        if index in poor and _quality(_page_text(lines)) <= poor[index]:
            continue  # the text layer, poor as it is, reads better than OCR: keep it
        pages_lines[index] = lines
        geometry[index] = page_geometry
        infos[index] = ocr_page_info(index + 1, page, lines)
        done.add(index)
    return done


