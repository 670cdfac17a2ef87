"""Page layout shared by the PDF text layer and OCR: words -> printed lines -> paragraphs -> blocks.

A reader turns a page into word dicts (``x0``, ``x1``, ``top``, ``bottom``, ``text``, ``size``,
``fontname``: pdfplumber's words, or Tesseract's through ``OcrPage.pdf_words``). Here they are
grouped into printed lines (``group_lines``), a line into segments where a wide gap separates two
columns (``split_segments``), two-column zones (header, signature) read left then right
(``assign_columns``), running headers, footers and page numbers dropped (``drop_running_lines``),
and lines joined into paragraph blocks across line and page breaks (``paragraphs``): a line
wrapped inside a sentence is re-joined, a code broken at a line end (``09/2018/QĐ-`` + ``UBND``)
without a space. A ruled table is one ``Line`` holding its rows and becomes ``table_row`` blocks.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pipeline.extract.tables import repair_ocr_unit_cells, repair_ocr_unit_line
from pipeline.ingest.model import Block, Column, PageInfo
from pipeline.ingest.ocr import OcrPage
from pipeline.ingest.ocr_correct import repair_codes
from pipeline.ingest.ocr_tables import fill_tables
from pipeline.ingest.structure import classify_block, starts_new_item

_PAGE_NUMBER = re.compile(r"^[-–\s]*(?:trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?[-–\s]*$", re.IGNORECASE)


_CODE_TAIL = re.compile(r"(?:^|[\s(])[0-9A-ZĐ][0-9A-Za-zĐđ/.-]*[-/]$")


# A gap separates two columns when it is this many times the line's other gaps (median).
_COLUMN_GAP_RATIO = 3.0


_SENTENCE_END = (".", ";", ":", "!", "?", ".)", ";)")


# What looks like a list marker or a part number, then a lower-case word, is the middle of a
# sentence broken at a line end ("Hội đồng Khen thưởng - kỷ luật", "tại số thứ tự 01 Mục II
# Phần IV cho phù hợp"): the items and headings of a document open with a capital.
_MARKER_THEN_LOWER = re.compile(
    r"^(?:[-–+]|(?:Phần|Mục|Chương|Điều)\s+[\dIVXLC]+[.:]?|[IVXLC]{1,6}[.)]|\d{1,2}(?:\.\d{1,2})*[.)])\s+[a-zđà-ỹ]"
)


@dataclass
class Segment:
    """Words of one printed line that stand together (one column's part of the line)."""

    words: list[dict[str, Any]]

    @property
    def x0(self) -> float:
        return float(self.words[0]["x0"])

    @property
    def x1(self) -> float:
        return float(self.words[-1]["x1"])

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)

    @property
    def bold(self) -> bool:
        return all("bold" in str(w.get("fontname", "")).lower() for w in self.words)

    @property
    def size(self) -> float:
        return statistics.median(float(w.get("size", 0) or 0) for w in self.words)


@dataclass
class Line:
    """One printed line: its segments left to right, the column it belongs to in a two-column zone,
    or the rows of a ruled table that stands in the page's flow at its height."""

    top: float
    bottom: float
    segments: list[Segment] = field(default_factory=list)
    column: Column | None = None
    table: list[tuple[str, ...]] | None = None

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1].x1

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @property
    def stamps(self) -> tuple[str, ...]:
        """What annotations stamped into the line (a PDF backend notes it as a word's ``stamps``)."""
        return tuple(run for s in self.segments for w in s.words for run in w.get("stamps", ()))


def group_lines(words: list[dict[str, Any]], tolerance: float = 1.0) -> list[Line]:
    """Cluster words whose vertical centres fall inside one line's extent (± ``tolerance`` points).

    OCR words come with the band of their Tesseract line, so they need no tolerance: with it, two
    tightly spaced small lines (the motto under the national name on an ID card) would merge.
    """
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (round(float(w["top"])), float(w["x0"]))):
        centre = (float(word["top"]) + float(word["bottom"])) / 2
        target = next((ln for ln in reversed(lines[-3:]) if ln.top - tolerance <= centre <= ln.bottom + tolerance), None)
        if target is None:
            target = Line(top=float(word["top"]), bottom=float(word["bottom"]))
            lines.append(target)
        target.segments.append(Segment([word]))
    for line in lines:
        ordered = sorted((s.words[0] for s in line.segments), key=lambda w: float(w["x0"]))
        line.segments = split_segments(ordered)
    return lines


def _wide_among(gaps: list[float], index: int) -> bool:
    others = gaps[:index] + gaps[index + 1 :]
    return not others or gaps[index] > _COLUMN_GAP_RATIO * statistics.median(others)


def split_segments(words: list[dict[str, Any]]) -> list[Segment]:
    """Split one printed line where a gap is wide enough to separate two columns.

    A column gap is wide for the text size and also wide against the line's other gaps: a
    justified line stretches all its gaps alike and stays one segment.
    """
    gaps = [float(b["x0"]) - float(a["x1"]) for a, b in itertools.pairwise(words)]
    segments = [Segment([words[0]])]
    for index, word in enumerate(words[1:]):
        if gaps[index] > 1.5 * float(word.get("size", 10) or 10) and _wide_among(gaps, index):
            segments.append(Segment([word]))
        else:
            segments[-1].words.append(word)
    return segments


def assign_columns(lines: list[Line], page_width: float) -> list[Line]:
    """Reorder two-column zones (header, signature): all left-column text, then the right."""
    middle = page_width / 2
    result: list[Line] = []
    zone: list[Line] = []

    def is_split(line: Line) -> bool:
        return line.table is None and len(line.segments) >= 2 and line.segments[0].x1 < middle + 20 < line.segments[-1].x1 and line.segments[-1].x0 > middle - 60

    def in_one_half(line: Line) -> bool:
        return line.table is None and (line.x1 < middle + 20 or line.x0 > middle - 60)

    def flush() -> None:
        if any(is_split(z) for z in zone):
            left: list[Line] = []
            right: list[Line] = []
            for z in zone:
                for segment in z.segments:
                    half = left if segment.x0 < middle - 60 or segment.x1 < middle + 20 else right
                    half.append(Line(z.top, z.bottom, [segment], column="left" if half is left else "right"))
            result.extend(left + right)
        else:
            result.extend(zone)
        zone.clear()

    for line in lines:
        if is_split(line) or (zone and in_one_half(line)):
            zone.append(line)
        else:
            flush()
            result.append(line)
    flush()
    return result


def _continues(previous: Line, line: Line, right_margin: float, left_margin: float, gap_limit: float) -> bool:
    """Whether ``line`` continues the paragraph that ``previous`` ends."""
    if previous.table is not None or line.table is not None or previous.column != line.column:
        return False
    text, before = line.text, previous.text
    if line.top - previous.bottom > gap_limit:
        return False
    short_line = previous.x1 < right_margin - 40
    wrapped = bool(_MARKER_THEN_LOWER.match(text)) and not short_line and before.rstrip()[-1:].isalnum()
    if starts_new_item(text) and not wrapped:
        return False
    if previous.segments[0].bold != line.segments[0].bold:
        return False
    ends_sentence = before.rstrip().endswith(_SENTENCE_END)
    indented = line.x0 > left_margin + 12
    if ends_sentence and (short_line or indented):
        return False
    if short_line and previous.column is None and not _CODE_TAIL.search(before):
        return False
    return True


def mark_ocr_block(block: Block) -> None:
    """Mark a block as read by OCR, and repair the codes its joined lines made whole (in place);
    a unit line's money unit OCR damaged is read as that unit (``Đơn vị: Triệu đôn``)."""
    block.source = "ocr"
    if block.kind != "table_row":
        # OCR lines were repaired one by one; a code broken across two of them is whole only now
        block.text = repair_ocr_unit_line(repair_codes(block.text))


def cell_text(cell: str) -> str:
    """Printed lines (of a table cell, of an OCR page) as one line; a code broken after its dash is re-joined."""
    lines = [line for line in cell.split("\n") if line.strip()]
    text = lines[0] if lines else ""
    for line in lines[1:]:
        text = join_lines(text, line)
    return text


def join_lines(before: str, after: str) -> str:
    """Two printed lines of one paragraph as one text; a code broken after its dash or slash is re-joined."""
    if _CODE_TAIL.search(before) and after[:1].isalnum():
        return before + after
    return before + " " + after


def _signature(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


# a table's or an annex's caption names what follows it ("Biểu số 59/CK-NSNN", "Phụ lục II",
# "Mẫu số 01"): content, though every page of a long annex prints one in the same place
_CAPTION = re.compile(r"^\s*(?:bi[eể]u(?:\s+m[aẫ]u)?\s+s[oố]|ph[uụ]\s+l[uụ]c|m[aẫ]u\s+s[oố])\b", re.IGNORECASE)


def _edge_lines(lines: list[Line]) -> list[Line]:
    """The text lines among the first two and the last two lines of a page."""
    edges = {id(ln): ln for ln in lines[:2] + lines[-2:]}
    return [ln for ln in edges.values() if ln.table is None and not _CAPTION.match(ln.text)]


def drop_running_lines(pages: list[list[Line]]) -> None:
    """Remove page numbers and lines repeated at the top or bottom of many pages.

    A page's edge is its first two and last two lines, tables counted: a line between the text
    and a table ("Đơn vị: Triệu đồng" above each page's table) is the table's, however often it
    repeats.
    """
    edge_counts: Counter[str] = Counter()
    for lines in pages:
        for line in _edge_lines(lines):
            edge_counts[_signature(line.text)] += 1
    repeated = {s for s, n in edge_counts.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    for lines in pages:
        for line in _edge_lines(lines):
            if _PAGE_NUMBER.match(line.text) or _signature(line.text) in repeated:
                lines.remove(line)


def count_letters(text: str) -> int:
    """Letters of ``text`` (what tells a text page from a scan)."""
    return sum(1 for c in text if c.isalpha())


def page_letters(lines: list[Line]) -> int:
    """Letters of a page's lines, table rows included."""
    return sum(count_letters(ln.text) for ln in lines) + sum(count_letters(" ".join(r)) for ln in lines if ln.table for r in ln.table)


def ocr_page_lines(page: OcrPage) -> tuple[list[Line], tuple[float, float, float]]:
    """Printed lines of an OCRed page (same grouping as a text layer) and its geometry in points.

    Words inside a ruled table go into its cells, and the table becomes one line holding its rows;
    the money units OCR damaged in its unit positions are read as those units (``repair_ocr_unit_cells``).
    """
    words = page.pdf_words(fill_tables(page.tables, page.words))
    lines = group_lines(words, tolerance=0.0) if words else []
    scale = 72.0 / page.dpi
    for table in page.tables:
        rows = [tuple(cell.strip() for cell in row) for row in table.cell_text]
        rows = repair_ocr_unit_cells([r for r in rows if any(r)])
        if rows:
            edges = [{"x0": table.left * scale, "x1": table.right * scale, "text": ""}]
            lines.append(Line(top=table.top * scale, bottom=table.bottom * scale, segments=[Segment(edges)], table=rows))
    lines.sort(key=lambda ln: ln.top)
    sizes = [float(w["size"]) for w in words]
    width = page.width * 72.0 / page.dpi
    height = page.height * 72.0 / page.dpi
    return lines, (width, statistics.median(sizes) if sizes else 0.0, height)


def ocr_page_info(number: int, page: OcrPage, lines: list[Line]) -> PageInfo:
    """The ``PageInfo`` of an OCRed page."""
    letters = page_letters(lines)
    return PageInfo(
        page=number, method="ocr", chars=letters, ocr_confidence=page.confidence, skew=page.skew,
        coverage=page.coverage, unreadable=page.unreadable, lost_text=page.lost_text,
    )


def lost_text_warning(pages: list[PageInfo]) -> tuple[str, str] | None:
    """The ``OCR_LOST_TEXT`` warning for OCRed pages whose coverage check failed, if any."""
    lost = [p for p in pages if p.lost_text]
    if not lost:
        return None
    detail = ", ".join(f"{p.page} (ink recognised {(p.coverage or 0) * 100:.0f}%, unreadable {(p.unreadable or 0) * 100:.0f}%)" for p in lost)
    return ("OCR_LOST_TEXT", f"OCR lost or could not read part of page(s) {detail}; text may be missing or wrong")


def paragraphs(pages_lines: list[list[Line]], geometry: list[tuple[float, float, float]]) -> list[Block]:
    """Join lines into blocks, across page breaks when a sentence runs on."""
    blocks: list[Block] = []
    current: list[str] = []
    current_stamps: list[str] = []
    current_page = 0
    current_bold = False
    current_column: Column | None = None
    previous: Line | None = None

    def flush() -> None:
        nonlocal current, current_stamps
        if current:
            text = current[0]
            for piece in current[1:]:
                text = join_lines(text, piece)
            blocks.append(Block(
                kind=classify_block(text, current_bold), text=text, page=current_page, column=current_column,
                bold=current_bold, stamps=tuple(current_stamps),
            ))
        current, current_stamps = [], []

    for page_number, (lines, (width, body_size, _height)) in enumerate(zip(pages_lines, geometry), start=1):
        text_lines = [ln for ln in lines if ln.table is None and ln.column is None]
        left_margin = min((ln.x0 for ln in text_lines), default=0.0)
        right_margin = max((ln.x1 for ln in text_lines), default=width)
        gap_limit = max(body_size, 8.0) * 0.9
        for index, line in enumerate(lines):
            if line.table is not None:
                flush()
                previous = None
                for row in line.table:
                    text = "\t".join(cell_text(cell) for cell in row)
                    blocks.append(Block(kind="table_row", text=text, cells=row, page=page_number))
                continue
            joined = False
            if previous is not None and current:
                if index == 0:
                    # first line of a new page: continue a sentence left open on the last page
                    open_sentence = not previous.text.rstrip().endswith(_SENTENCE_END)
                    joined = open_sentence and not starts_new_item(line.text) and line.column == previous.column and line.text[:1].islower()
                else:
                    joined = _continues(previous, line, right_margin, left_margin, gap_limit)
            if joined:
                current.append(line.text)
            else:
                flush()
                current = [line.text]
                current_page = page_number
                current_bold = line.segments[0].bold
                current_column = line.column
            current_stamps.extend(line.stamps)
            previous = line
    flush()
    return blocks
