"""Tables of a report read as tables: header rows, units, row labels and the numbers of the cells.

Administrative reports state a table's unit in a few set places (Nghị định 30/2020 annex forms and
the biểu mẫu of each sector): a unit line above the table (``Đơn vị tính: triệu đồng``, ``ĐVT: %``,
also as a cell or in parentheses), a column header (``Số tiền (triệu đồng)``, ``Tỷ lệ (%)``), a unit
column (``ĐVT``, ``Đơn vị tính``) or the row label (``Tổng thu (tỷ đồng)``). Header rows come before
the first data row; a merged parent header spreads over the sub-headers below it. Row numbers
(STT/TT, Roman numerals), column-index rows (``a b 1 2 3``) and years are not figures.

:func:`table_cells` reads the tab-separated rows of the normalised text (the fact finders run on
text); the money and percentage finders take their table amounts from it.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from collections.abc import Iterator
from functools import lru_cache
from dataclasses import dataclass, replace
from typing import Literal

from pipeline.extract.numbers import SHARED_TEXTS, names_a_direction, parse_number, writes_decimal_comma
from pipeline.extract.units import NUM as _NUM
from pipeline.extract.units import Unit, nearest_money_unit, parse_unit
from pipeline.extract.units import is_year as _is_year

_UNIT_LINE = re.compile(
    r"^\s*\(?\s*(?:ĐVT|Đvt|Đơn\s+vị\s+tính|Đơn\s+vị)\s*[:：]\s*(?P<unit>[^()\t]{1,30}?)\s*\)?\s*$"
    r"|\(\s*(?:ĐVT|Đvt|Đơn\s+vị\s+tính|Đơn\s+vị)\s*[:：.]?\s*(?P<inner>[^()\t]{1,30}?)\s*\)"
    # set to the right of a table's title line: "(Kèm theo Báo cáo số …)   Đơn vị: Triệu đồng"
    r"|(?:\||\s{2,}|\))\s*(?:ĐVT|Đơn\s+vị\s+tính|Đơn\s+vị)\s*[:：]\s*(?P<tail>[^()\t|:]{1,30}?)\s*$",
    re.IGNORECASE,
)
_HEADER_UNIT = re.compile(r"\((?P<unit>[^()]{1,25})\)")
_LAST_PARENTHESES = re.compile(r"\((?P<unit>[^()]{1,25})\)\s*$")
_UNIT_COLUMN = re.compile(r"^(?:ĐVT|Đ\.V\.T|ĐV\.?\s*tính|Đơn\s+vị\s+tính)\.?$", re.IGNORECASE)
_ROW_NUMBER_HEADER = re.compile(r"^(?:S\.?\s?TT|TT|Số\s+TT|Số\s+thứ\s+tự)\.?$", re.IGNORECASE)
_ROW_NUMBER = re.compile(r"^(?:[IVXLC]+|\d{1,3}(?:\.\d{1,3})*|[a-zđ])[.)]?$")
_PERCENT_HEADER = re.compile(r"%|\btỷ\s+lệ\b|\btỉ\s+lệ\b", re.IGNORECASE)
_YEAR_HEADER = re.compile(r"^năm(?:\s+\S+)?$", re.IGNORECASE)
_COLUMN_INDEX_CELL = re.compile(r"^\(?(?:[A-Za-zĐđ]|\d{1,3})\)?$|^[\d\s()]*[=+][\d\s+\-=*/x().]*$")
_INDEX_ROW_LABEL = re.compile(r"^(?:[A-ZĐ]{1,3}|Mã\s+số|Cột)$", re.IGNORECASE)
# bits of the table's rules that OCR reads beside a figure ("_54.886", "240000|_") are no part of it
# and OCR may set a space after a group separator ("1. 967. 948")
# a minus joined to a figure is its sign: a decrease in a change column ("Mức tăng (giảm)": -10.000)
# OCR also sets a rule's dash before a figure ("_—_ 120") and a speck, colon or quote after it ("125:", "71.")
_CELL_NUMBER = re.compile(
    rf"^[\s_|¬]*(?:—[\s_]+)?(?P<sign>[-−])?(?P<num>{_NUM}|\d{{1,3}}(?:[.,] \d{{3}})+)[\s_|¬]*[:.\"'”]?[\s_|¬]*$"
)
_ROW_CODE = re.compile(r"^\d{1,4}(?:\.\d{1,4})+\.?$")
_CELL_PERCENT = re.compile(rf"^\s*(?P<sign>[-−])?(?P<num>{_NUM})\s*%\s*$")
_MAX_GAP_LINES = 2
_PERCENT_UNIT = Unit("percent", text="%")
_WORD = re.compile(r"[^\W\d_]{2}")


@dataclass(frozen=True)
class TableCell:
    """A bare number in a table cell whose unit comes from the table, its column or its row."""

    start: int
    end: int
    text: str
    number: float
    unit: Unit
    header: str
    label: str


def _unit_in_line(line: str) -> Unit | None:
    m = _UNIT_LINE.search(line)
    if not m:
        return None
    return parse_unit(m.group("unit") or m.group("inner") or m.group("tail") or "")


def _is_column_index_row(cells: list[str]) -> bool:
    """``a b 1 2 3 …`` or ``(1) (2) (3)=(1)+(2)``: the numbering of the columns."""
    filled = [c.strip() for c in cells if c.strip()]
    if filled and not _COLUMN_INDEX_CELL.match(filled[0]) and _INDEX_ROW_LABEL.match(filled[0]):
        filled = filled[1:]  # "MS 1 2 3 …", "Mã số 1 2 3 …"
    if len(filled) < 3 or not _COLUMN_INDEX_CELL.match(filled[0]):
        return False
    # after the first, one cell in five may be misread ("7i" in an OCR table) without hiding the pattern
    odd = sum(1 for c in filled[1:] if not _COLUMN_INDEX_CELL.match(c))
    if odd * 5 > len(filled) or (odd and len(filled) < 5):
        return False
    numbers = [int(c.strip("()")) for c in filled if c.strip("()").isdigit()]
    # the label columns are lettered and the figure columns numbered: "A B C 1 2 3=2/1"
    letters = sum(1 for c in filled if c.strip("()").isalpha())
    enough = len(numbers) >= 3 or (len(numbers) == 2 and letters >= 2)
    # a form may number two columns alike ("1 2 3 3 4"): the numbers only never go back
    return enough and numbers[-1] > numbers[0] and all(0 <= b - a <= 3 for a, b in zip(numbers, numbers[1:]))


def _header_unit(header: str) -> Unit | None:
    """A column's own unit: ``Số tiền (triệu đồng)``, ``Tỷ lệ (%)``, ``%``, ``(người)``."""
    header = header.strip()
    if not header:
        return None
    for m in _HEADER_UNIT.finditer(header):
        unit = parse_unit(m.group("unit"))
        if unit and unit.kind != "other":
            return unit
    last = _LAST_PARENTHESES.search(header)
    # "(giảm)" tells a sign, "(8-7)" how a column is computed: neither is a unit
    if (
        last and len(last.group("unit").split()) <= 2 and not names_a_direction(last.group("unit"))
        and any(c.isalpha() or c == "%" for c in last.group("unit"))
    ):
        return parse_unit(last.group("unit"))
    if _PERCENT_HEADER.search(header):
        return Unit("percent", text="%")
    whole = parse_unit(header)
    if whole and whole.kind != "other":
        return whole
    return None


@dataclass
class Table:
    """What is known of a table while its rows are read: its unit line and its header rows."""

    number: int
    unit: Unit | None
    header_rows: list[list[str]]
    in_body: bool = False
    _paths: list[tuple[str, ...]] | None = None
    _headers: list[str] | None = None

    def header_paths(self) -> list[tuple[str, ...]]:
        """Each column's header cells from the top header row down; a merged parent cell spreads
        right over the empty cells whose sub-header row below is filled. Read once the body has
        started."""
        if self._paths is None:
            width = max((len(r) for r in self.header_rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in self.header_rows]
            for i in range(len(rows) - 1):
                for j in range(1, width):
                    below = any(rows[k][j].strip() for k in range(i + 1, len(rows)))
                    if not rows[i][j].strip() and below and rows[i][j - 1].strip():
                        rows[i][j] = rows[i][j - 1]
            self._paths = [tuple(r[j].strip() for r in rows if r[j].strip()) for j in range(width)]
        return self._paths

    def reset_headers(self) -> None:
        """Forget the header paths read so far (after ``header_rows`` changed)."""
        self._paths = self._headers = None

    def headers(self) -> list[str]:
        """Each column's header path joined into one phrase (read for every row: kept)."""
        if self._headers is None:
            self._headers = [" ".join(path) for path in self.header_paths()]
        return self._headers


_SAME_HEADER = 0.8  # similarity of two readings of one header cell (OCR reads a repeat a little apart)


def _continues(table: Table, previous: Table | None) -> bool:
    """Whether ``table``, with no unit of its own, goes on from ``previous`` on a new page: a long
    table repeats its header rows on every page and states its unit once, above its first part.
    Its columns must be as many, and at least half of their headers read as the previous ones."""
    if previous is None or previous.unit is None or table.unit is not None or not table.header_rows:
        return False
    mine, theirs = table.headers(), previous.headers()
    named = [(a, b) for a, b in zip(mine, theirs) if a or b]
    same = sum(1 for a, b in named if SequenceMatcher(None, a.lower(), b.lower()).ratio() >= _SAME_HEADER)
    return len(mine) == len(theirs) and bool(named) and 2 * same >= len(named)


def _unit_cell(cell: str) -> Unit | None:
    """The unit a cell names when the cell is nothing but a money or percent unit."""
    cell = cell.strip()
    if not cell or len(cell) > 20 or any(c.isdigit() for c in cell):
        return None
    unit = parse_unit(cell)
    return unit if unit is not None and unit.kind in ("money", "percent") else None


def _row_label(cells: list[str]) -> str:
    for cell in cells:
        stripped = cell.strip()
        # a label has a word in it; a lone mark is a stray (OCR reads bits of rules and seals)
        if stripped and not _ROW_NUMBER.match(stripped) and not _CELL_NUMBER.match(stripped) and _WORD.search(stripped):
            return stripped
    return ""


def _is_data_row(cells: list[str]) -> bool:
    first = next((c.strip() for c in cells if c.strip()), "")
    if _ROW_NUMBER.match(first) and len(first) <= 4 and _row_label(cells):
        return True
    numbers = [m.group("num") for m in map(_CELL_NUMBER.match, cells[1:]) if m]
    return any(not _is_year(n) for n in numbers)  # "Chỉ tiêu | 2019 | 2020" is a header row


def _numbers_the_row(cells: list[str], j: int) -> bool:
    """Whether cell ``j`` is a row number before the row's label: a short ``1``/``1.2``/``IV``, or
    an item code of a price list or statistics form (``70.005``, ``100.001``, ``1.2.3``)."""
    cell = cells[j].strip()
    short_number = _ROW_NUMBER.match(cell) and len(cell) <= 5
    if not short_number and not _ROW_CODE.match(cell):
        return False
    following = next((c.strip() for c in cells[j + 1 :] if c.strip()), "")
    return bool(following) and not _CELL_NUMBER.match(following)


TablePart = Literal["unit", "index", "header", "body"]


@dataclass(frozen=True)
class TableLine:
    """One row of a table as the normalised text holds it: a line with tabs between its cells."""

    table: Table
    row: int  # within its table, from 0
    start: int  # offset of the line in the text
    cells: tuple[str, ...]
    part: TablePart  # a unit row, the column numbering, a header row, or a body row


def table_lines(text: str) -> Iterator[TableLine]:
    """Every table row of ``text`` with its table and its part, in text order.

    A table row is a line with tabs; a line without a tab that is not a unit line ends the table.
    A unit line (``Đơn vị tính: Triệu đồng``, ``ĐVT: %``, also as a cell or in parentheses) sets
    the unit of the table that follows it or that it stands in. Header rows come before the first
    data row; a column-index row (``a b 1 2 3``) is never data and starts the body.
    """
    table: Table | None = None
    held: list[TableLine] = []  # a table's rows until its body starts: header rows or not?
    tables = 0
    row = 0
    pending: Unit | None = None
    previous: Table | None = None  # the last table read, whose unit a repeat of its header carries on
    gap = 0
    offset = 0
    for line in text.split("\n"):
        line_start = offset
        offset += len(line) + 1
        if "\t" not in line:
            yield from _without_body(held)
            previous = table or previous
            table, held = None, []
            unit = _unit_in_line(line)
            if unit is not None:
                pending, gap = unit, 0
            elif pending is not None:
                gap += 1
                if gap > _MAX_GAP_LINES:
                    pending = None
            continue
        if table is None:
            table = Table(tables, pending, [])
            tables += 1
            row = 0
            pending = None
        cells = tuple(line.split("\t"))
        before_body = not table.in_body
        part: TablePart
        cell_unit = next((u for u in (_unit_in_line(c) for c in cells) if u is not None), None)
        if cell_unit is not None:
            table.unit = cell_unit
            part = "unit"
        elif _is_column_index_row(list(cells)):
            # never data, also after a header row misread as one (the column numbers 1 2 3 …)
            table.in_body = True
            part = "index"
        elif not table.in_body and not _is_data_row(list(cells)):
            table.header_rows.append(list(cells))
            part = "header"
        else:
            table.in_body = True
            part = "body"
        # decided once, where the body starts: the header rows are complete and do not change after
        if before_body and table.in_body and table.unit is None and _continues(table, previous):
            table.unit = previous.unit  # type: ignore[union-attr]
        held.append(TableLine(table, row, line_start, cells, part))
        row += 1
        if table.in_body:
            yield from held
            held = []
    yield from _without_body(held)


def _without_body(lines: list[TableLine]) -> Iterator[TableLine]:
    """The rows of a table that ended before any row of figures: a table of text, whose first
    row heads the others (its facts, if any, are in running text; ``Table.in_body`` stays False)."""
    if not lines:
        return
    table = lines[0].table
    headers = [line for line in lines if line.part == "header"]
    if headers:
        table.header_rows = [list(headers[0].cells)]
        table.reset_headers()
    for line in lines:
        yield line if line.part != "header" or line is headers[0] else replace(line, part="body")


@dataclass(frozen=True)
class _CellValue:
    start: int
    end: int
    number_text: str
    number: float
    unit: Unit | None
    figure: bool  # a figure of the table, not a row number, a unit cell or a year heading


# a unit names a scale, a currency and what it counts per: "1.000 đồng/tấn", "triệu đồng", "người"
_MAX_UNIT_WORDS = 4


def _cell_values(line: TableLine, decimal_comma: bool) -> dict[int, _CellValue]:
    """The numbers of a body row's cells by column, with the unit each one is in.

    ``decimal_comma``: the document writes decimals with "," (``writes_decimal_comma``), so a
    figure in a scaled money unit or in percent reads ``122,566`` as 122.566."""
    cells = list(line.cells)
    headers = line.table.headers()
    label = _row_label(cells)
    unit_column = next((j for j, h in enumerate(headers) if _UNIT_COLUMN.match(h.strip())), None)
    row_unit: Unit | None = None
    if unit_column is not None and unit_column < len(cells) and len(cells[unit_column].split()) <= _MAX_UNIT_WORDS:
        # a longer cell under "Đơn vị tính" is no unit: the row's cells are shifted (merged or misread)
        row_unit = parse_unit(cells[unit_column]) if cells[unit_column].strip() else None
    if row_unit is None and label:
        label_unit = _HEADER_UNIT.search(label)
        row_unit = parse_unit(label_unit.group("unit")) if label_unit else None
        if row_unit is not None and row_unit.kind == "other":
            row_unit = None
    if row_unit is None:
        # a unit column without a unit header: the row's cell that is only a unit ("%", "triệu đồng")
        row_unit = next((u for u in map(_unit_cell, cells) if u is not None), None)
    values: dict[int, _CellValue] = {}
    offset = line.start
    first_filled = next((j for j, c in enumerate(cells) if c.strip()), None)
    for j, cell in enumerate(cells):
        cell_start = offset
        offset += len(cell) + 1
        m = _CELL_NUMBER.match(cell)
        percent = None if m else _CELL_PERCENT.match(cell)
        m = m or percent
        if not m:
            continue
        header = headers[j] if j < len(headers) else ""
        unit = _PERCENT_UNIT if percent else _header_unit(header) or row_unit or line.table.unit
        scaled = unit is not None and (unit.kind == "percent" or unit.kind == "money" and unit.multiplier > 1)
        number = parse_number(m.group("num").replace(" ", ""), decimal_comma=decimal_comma and scaled)
        if number is None:
            continue
        figure = not (
            j == unit_column
            or (j == first_filled and (_ROW_NUMBER_HEADER.match(header.strip()) or _numbers_the_row(cells, j)))
            or (_is_year(m.group("num")) and (not header.strip() or _YEAR_HEADER.match(header.strip())))
        )
        begin = m.start("sign") if m.group("sign") else m.start("num")
        if m.group("sign"):
            number = -number
        values[j] = _CellValue(cell_start + begin, cell_start + m.end("num"), cell[begin : m.end("num")], number, unit, figure)
    return values


@lru_cache(maxsize=SHARED_TEXTS)
def table_cells(text: str) -> tuple[TableCell, ...]:
    """Bare numbers in table rows whose unit the table states (money or percent), in text order.

    A column's own unit (``Kinh phí (đồng)``, ``Tỷ lệ (%)``) beats a row's unit (a ``ĐVT`` column,
    ``Tổng thu (tỷ đồng)`` as row label), which beats the table's (:func:`table_lines`). Row
    numbers (STT/TT column, Roman numerals), column-index rows (``a b 1 2 3``) and years are skipped.
    The money and the percentage finders both read them, one after the other: the last texts'
    cells are kept (``SHARED_TEXTS``).
    """
    return tuple(_table_cells(text))


def _table_cells(text: str) -> Iterator[TableCell]:
    decimal_comma = writes_decimal_comma(text)
    for line in table_lines(text):
        if line.part != "body" or not line.table.in_body:
            continue
        headers = line.table.headers()
        label = _row_label(list(line.cells))
        for j, value in _cell_values(line, decimal_comma).items():
            if not value.figure or value.unit is None or value.unit.kind == "other":
                continue
            header = headers[j] if j < len(headers) else ""
            yield TableCell(value.start, value.end, value.number_text, value.number, value.unit, header, label)


@dataclass(frozen=True)
class CellRead:
    """One cell of a table of the text, for the ``table_cells`` table."""

    table: int
    row: int
    column: int
    part: TablePart
    start: int
    end: int
    text: str
    header: str | None  # the column's header path, " / " between the rows of a merged header
    value: float | None  # the cell's number as printed (``99,10`` -> 99.1), in ``unit``
    unit: str | None


HEADER_PATH_SEPARATOR = " / "


def read_cells(text: str) -> Iterator[CellRead]:
    """Every cell of every table of ``text``, with its header path, number and unit."""
    decimal_comma = writes_decimal_comma(text)
    for line in table_lines(text):
        paths = line.table.header_paths() if line.part == "body" else []
        values = _cell_values(line, decimal_comma) if line.part == "body" else {}
        offset = line.start
        for j, cell in enumerate(line.cells):
            start = offset
            offset += len(cell) + 1
            if not cell.strip():
                continue
            value = values.get(j)
            header = HEADER_PATH_SEPARATOR.join(paths[j]) if j < len(paths) and paths[j] else None
            figure = value if value is not None and value.figure else None
            unit = figure.unit.text or None if figure is not None and figure.unit is not None else None
            start += len(cell) - len(cell.lstrip())
            yield CellRead(
                line.table.number, line.row, j, line.part, start, start + len(cell.strip()), cell.strip(), header,
                figure.number if figure is not None else None, unit,
            )


# -- unit positions of OCR'd tables -------------------------------------------------------------

# a unit column found from its cells: at least this many filled cells, most of them money units
_MIN_UNIT_COLUMN_CELLS = 3


def repair_ocr_unit_line(line: str) -> str:
    """A unit line as OCR may damage it, with the money unit it names: ``Đơn vị: Triệu đôn`` →
    ``Đơn vị: Triệu đồng`` (:func:`pipeline.extract.units.nearest_money_unit`); any other line as it is.

    For OCR text only: in a typed document such a line says what it says.
    """
    m = _UNIT_LINE.search(line)
    if not m:
        return line
    group = next(g for g in ("unit", "inner", "tail") if m.group(g))
    repaired = nearest_money_unit(m.group(group))
    return line if repaired is None else line[: m.start(group)] + repaired + line[m.end(group) :]


def _repair_parentheses(cell: str, header: bool) -> str:
    """A unit in a cell's parentheses: any money unit in a header row; in a body row (a row label's
    ``(tỷ đồng)``) only a scale with its currency or a price, so that ``(Đông)`` stays a name."""

    def unit(m: re.Match[str]) -> str:
        repaired = nearest_money_unit(m.group("unit"))
        if repaired is None or not (header or " " in repaired or "/" in repaired):
            return m.group()
        return f"({repaired})"

    return _HEADER_UNIT.sub(unit, cell)


def _money_unit_cell(cell: str) -> Unit | None:
    unit = _unit_cell(" ".join(cell.split()))
    return unit if unit is not None and unit.kind == "money" else None


def repair_ocr_unit_cells(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The rows of a table read by OCR with the money units of its unit positions repaired.

    Unit positions: a unit line standing as a cell (``Đơn vị tính: triệu đôn``), a unit in the
    parentheses of a header cell (``Số tiền (triệu đôn)``) or of a row label (``Thu (tỷ đồn)``),
    and the cells of a unit column: one headed ``ĐVT``/``Đơn vị tính``, or one where at least three
    cells are money units read right and most filled cells are money units or one edit from one
    (``đ/kg`` read right in most rows: then ``đíkg`` and ``đkg`` are ``đ/kg``; the quantities the
    column reads right count as quantities its prices may name). Other cells are left as read.
    """
    width = max((len(r) for r in rows), default=0)
    unit_columns: dict[int, tuple[str, ...]] = {}
    for j in range(width):
        column = [" ".join(r[j].split()) for r in rows if j < len(r) and r[j].strip()]
        read_right = [c for c in column if _money_unit_cell(c) is not None]
        quantities = tuple(dict.fromkeys(c.split("/", 1)[1].strip().lower() for c in read_right if "/" in c))
        damaged = [c for c in column if nearest_money_unit(c, quantities) is not None]
        if any(_UNIT_COLUMN.match(c) for c in column) or (
            len(read_right) >= _MIN_UNIT_COLUMN_CELLS and 2 * (len(read_right) + len(damaged)) > len(column)
        ):
            unit_columns[j] = quantities
    repaired_rows = []
    in_body = False
    for row in rows:
        in_body = in_body or _is_data_row(list(row))
        cells = []
        for j, cell in enumerate(row):
            repaired = _repair_parentheses(repair_ocr_unit_line(cell), header=not in_body)
            if j in unit_columns and repaired == cell:
                whole = nearest_money_unit(cell, unit_columns[j])
                repaired = cell if whole is None else whole
            cells.append(repaired)
        repaired_rows.append(tuple(cells))
    return repaired_rows
