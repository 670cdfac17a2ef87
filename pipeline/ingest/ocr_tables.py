"""Ruled tables on page images: find the grid of rules, then put the OCR words into its cells.

Tesseract returns words and lines, not tables, so a scanned table would reach the extractors as
lines of numbers that have lost their column header and unit. The rules of a ruled table are
long straight runs of ink; rows lie between horizontal rules and cells between the vertical
rules that cross a row. Only grids of at least two rows and two columns count (a single framed
box is a frame, not a table), as for text-layer PDFs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from pipeline.ingest.ocr_correct import DIGIT_LOOKALIKES

# Lengths in inches at the page's resolution.
_MIN_RULE_WIDTH = 0.4  # a horizontal rule: no printed word has a straight run of ink this long
_MIN_RULE_HEIGHT = 0.12  # a vertical rule segment between two horizontal rules
_JOIN_GAP = 0.01  # breaks in a scanned rule that are bridged
_SNAP = 0.04  # rules closer than this are one rule; a vertical rule ends this near a horizontal one
_TOUCH = 0.015  # rules of one grid cross or meet: their ink overlaps within this
_MIN_ROW_HEIGHT = 0.08
_MIN_COLUMN_WIDTH = 0.08  # no column is narrower: two rules this close are one (a thick or doubled rule)
_RULE_MARKS = "|[]"
_FLAT_MARK = 0.35  # of a band's median word height: flatter than any letter
_SPANNING = 0.8  # of a grid's width: a table's top and bottom rules run (nearly) across it


class Word(Protocol):
    """What is needed of an OCR word: its text, box and line."""

    text: str
    left: int
    top: int
    right: int
    bottom: int
    line: tuple[int, int, int]


@dataclass
class Rule:
    """A straight rule: ``position`` across it, ``start``-``end`` along it (pixels)."""

    position: float
    start: int
    end: int


@dataclass
class TableGrid:
    """A ruled table: row bands (top, bottom) and, per row, the x boundaries of its cells (pixels)."""

    rows: list[tuple[float, float]]
    cells: list[list[float]]
    left: float
    right: float
    cell_text: list[list[str]] = field(default_factory=list)

    @property
    def top(self) -> float:
        """Top of the first row."""
        return self.rows[0][0]

    @property
    def bottom(self) -> float:
        """Bottom of the last row."""
        return self.rows[-1][1]

    def contains(self, x: float, y: float) -> bool:
        """Whether the point lies inside the table's outer frame."""
        return self.left <= x <= self.right and self.top <= y <= self.bottom

    def cell_of(self, word: Word) -> tuple[int, int] | None:
        """(row, column) of the cell holding the word's centre; None outside the frame or on a rule between rows."""
        x, y = (word.left + word.right) / 2, (word.top + word.bottom) / 2
        return self.cell_at(x, y) if self.contains(x, y) else None

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the cell holding the point inside the frame; None on a rule between rows."""
        row = next((i for i, (top, bottom) in enumerate(self.rows) if top <= y <= bottom), None)
        if row is None:
            return None
        bounds = self.cells[row]
        return row, next((i for i in range(len(bounds) - 1) if bounds[i] <= x <= bounds[i + 1]), len(bounds) - 2)


def _runs(mask: np.ndarray, min_length: int, join_gap: int) -> list[tuple[int, int, int]]:
    """Horizontal ink runs of at least ``min_length`` pixels as (row, start, end), gaps up to ``join_gap`` bridged."""
    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    changes = np.flatnonzero(np.diff(padded, axis=1))  # row-major: start, end, start, end … in every row
    rows, columns = np.divmod(changes, width + 1)
    starts, ends, start_rows = columns[0::2], columns[1::2], rows[0::2]
    # only rows holding some long-ish run can hold a rule
    candidate = np.zeros(height, dtype=bool)
    candidate[start_rows[ends - starts >= max(1, min_length // 4)]] = True
    keep = candidate[start_rows]
    starts, ends, start_rows = starts[keep], ends[keep], start_rows[keep]
    if not len(starts):
        return []
    opens = np.ones(len(starts), dtype=bool)  # a joined run opens on a new row or after a wide gap
    opens[1:] = (start_rows[1:] != start_rows[:-1]) | (starts[1:] - ends[:-1] > join_gap)
    first = np.flatnonzero(opens)
    last = np.r_[first[1:], len(starts)] - 1
    joined_rows, joined_starts, joined_ends = start_rows[first], starts[first], ends[last]
    long = joined_ends - joined_starts >= min_length
    return list(zip(joined_rows[long].tolist(), joined_starts[long].tolist(), joined_ends[long].tolist()))


def _rules(runs: list[tuple[int, int, int]], snap: int) -> list[Rule]:
    """Merge runs on neighbouring pixel rows that overlap along the rule into rules."""
    finished: list[list[int]] = []
    active: list[list[int]] = []  # [first row, last row, start, end, row sum, row count]
    for row, start, end in sorted(runs):
        still = [r for r in active if row - r[1] <= snap]
        finished.extend(r for r in active if row - r[1] > snap)
        active = still
        for rule in reversed(active):
            if start <= rule[3] and end >= rule[2]:
                rule[1], rule[2], rule[3] = row, min(start, rule[2]), max(end, rule[3])
                rule[4] += row
                rule[5] += 1
                break
        else:
            active.append([row, row, start, end, row, 1])
    return [Rule(r[4] / r[5], r[2], r[3]) for r in finished + active]


def _thicken(mask: np.ndarray) -> np.ndarray:
    """Ink grown by one pixel across the rule direction, so a rule drifting by a pixel stays one run."""
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    return grown


def find_tables(ink: np.ndarray, dpi: float) -> list[TableGrid]:
    """Ruled tables in a full-resolution ink mask (True = ink) of an upright page."""
    snap = max(2, int(dpi * _SNAP))
    join = max(1, int(dpi * _JOIN_GAP))
    horizontal = _rules(_runs(_thicken(ink), int(dpi * _MIN_RULE_WIDTH), join), snap)
    if len(horizontal) < 2:
        return []
    vertical = _rules(_runs(_thicken(ink.T), int(dpi * _MIN_RULE_HEIGHT), join), snap)

    touch = max(2, int(dpi * _TOUCH))

    def touches(v: Rule, h: Rule) -> bool:
        return h.start - touch <= v.position <= h.end + touch and v.start - touch <= h.position <= v.end + touch

    # a vertical rule of a table runs from one horizontal rule to another; text strokes do not
    vertical = [v for v in vertical if sum(touches(v, h) for h in horizontal) >= 2]
    if len(vertical) < 2:
        return []
    # connected groups of rules are tables
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for vi, v in enumerate(vertical):
        for hi, h in enumerate(horizontal):
            if touches(v, h):
                parent[find(len(horizontal) + vi)] = find(hi)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for hi, h in enumerate(horizontal):
        groups.setdefault(find(hi), ([], []))[0].append(h)
    for vi, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + vi), ([], []))[1].append(v)
    tables = []
    for h_rules, v_rules in groups.values():
        grid = _grid(h_rules, v_rules, snap, dpi)
        if grid is not None:
            tables.append(grid)
    return sorted(tables, key=lambda t: t.top)


def _grid(h_rules: list[Rule], v_rules: list[Rule], snap: int, dpi: float) -> TableGrid | None:
    if len(h_rules) < 2 or len(v_rules) < 1:
        return None
    left = min(min(h.start for h in h_rules), min(v.position for v in v_rules))
    right = max(max(h.end for h in h_rules), max(v.position for v in v_rules))
    if _spanning_rules(h_rules, v_rules, left, right, snap) < 2:
        return None
    ys = sorted(h.position for h in h_rules)
    rows = [(a, b) for a, b in zip(ys, ys[1:]) if b - a >= dpi * _MIN_ROW_HEIGHT]
    def row_bounds(closest: float) -> list[list[float]]:
        cells = []
        for top, bottom in rows:
            middle = (top + bottom) / 2
            crossing = sorted(v.position for v in v_rules if v.start - snap <= middle <= v.end + snap)
            bounds = [left]
            for x in crossing + [right]:
                if x - bounds[-1] > closest:
                    bounds.append(x)
                else:
                    bounds[-1] = max(bounds[-1], x) if bounds[-1] != left else bounds[-1]
            cells.append(bounds)
        return cells

    apart = row_bounds(snap)
    if len(rows) < 2 or max(len(b) - 1 for b in apart) < 2:
        return None
    # rules closer than any column are one rule (thick or doubled); a framed box whose only second
    # column was such a sliver keeps it, as before: whether it is a table is not decided here
    cells = row_bounds(max(snap, dpi * _MIN_COLUMN_WIDTH))
    return TableGrid(rows=rows, cells=cells if max(len(b) - 1 for b in cells) >= 2 else apart, left=left, right=right)


def _spanning_rules(h_rules: list[Rule], v_rules: list[Rule], left: float, right: float, snap: int) -> int:
    """How many horizontal rule lines (pieces at one height joined) close a row of the grid.

    A line closes a row when it runs across most of the grid's width, or from one vertical rule
    to another (the rules under merged cells of a left column stop at that column). A ruled or
    partly ruled table has at least two such lines; a scanner's streak or a fold line crossing a
    text page meets only short pieces of ink (dotted noise along the text lines, a handwritten
    underline) that end in the open, and its "cells" would steal the words around the streak out
    of the running text.
    """
    lines: list[list[Rule]] = []
    for rule in sorted(h_rules, key=lambda r: r.position):
        if lines and rule.position - lines[-1][-1].position <= snap:
            lines[-1].append(rule)
        else:
            lines.append([rule])

    def meets_vertical(x: float, y: float) -> bool:
        return any(abs(v.position - x) <= snap and v.start - snap <= y <= v.end + snap for v in v_rules)

    closing = 0
    for pieces in lines:
        y = sum(r.position for r in pieces) / len(pieces)
        first, last = min(r.start for r in pieces), max(r.end for r in pieces)
        covered, reach = 0.0, first
        for piece in sorted(pieces, key=lambda r: r.start):
            if piece.end > reach:
                covered += piece.end - max(piece.start, reach)
                reach = piece.end
        across = covered >= _SPANNING * (right - left)
        walled = covered >= _SPANNING * (last - first) and meets_vertical(first, y) and meets_vertical(last, y)
        closing += across or walled
    return closing


def fill_tables(tables: list[TableGrid], words: Sequence[Word]) -> list[Word]:
    """Put every word whose centre lies in a cell into that cell's text; return the words outside all tables.

    A row band without rules between its printed lines (dotted or no row rules) holds several
    rows: when at least two of its cells have words on two or more of the band's lines, the
    lines line up across the cells and each holds words in two cells, every line becomes a row
    of its own; otherwise the band is one row whose cells may wrap.
    """
    outside: list[Word] = []
    placed: dict[tuple[int, int], list[tuple[int, Word]]] = {}
    for word in words:
        x, y = (word.left + word.right) / 2, (word.top + word.bottom) / 2
        table_index = next((i for i, t in enumerate(tables) if t.contains(x, y)), None)
        if table_index is None:
            outside.append(word)
            continue
        cell = tables[table_index].cell_at(x, y)
        if cell is None:
            continue  # on a rule between rows: a rule read as a dash, not text
        placed.setdefault((table_index, cell[0]), []).append((cell[1], word))
    for table_index, table in enumerate(tables):
        table.cell_text = []
        columns_of_table = _columns(table)
        for row, bounds in enumerate(table.cells):
            columns = len(bounds) - 1
            here = placed.get((table_index, row), [])
            if len(columns_of_table) != len(bounds) and _holds_figures(here, columns_of_table):
                # a row of figures missing a rule most rows have (broken on the scan), or with one
                # they lack (a stroke): its words go to the table's columns, so that each figure
                # stays under its own header
                here = [(_column_at(columns_of_table, (w.left + w.right) / 2), w) for _, w in here]
                columns = len(columns_of_table) - 1
            printed_lines = _printed_lines(here)
            per_line = [[[w for c, w in line if c == column] for column in range(columns)] for line in printed_lines]
            lines_per_column = [sum(1 for cells in per_line if cells[column]) for column in range(columns)]
            multi = sum(1 for n in lines_per_column if n >= 2)
            across = sum(1 for cells in per_line if sum(1 for cell in cells if cell) >= 2)
            first = next((n for n in lines_per_column if n), 0)
            figures = max(
                (sum(1 for cells in per_line if _is_figure(_line_text(cells[column]))) for column in range(columns)),
                default=0,
            )
            # Printed rows line up across the cells, each opens with its own number or label in
            # the first filled column or has a figure of its own in a column of figures, and (but
            # for one wrapped last line) each has words in two cells or more; the wrapped,
            # vertically centred lines of one tall cell, of a row whose every cell wraps beside a
            # single number or date, or of a header band do not.
            rows_apart = first == len(per_line) or figures >= 2
            if multi >= 2 and rows_apart and across >= max(2, len(per_line) - 1):
                table.cell_text.extend([_line_text(cell) for cell in cells] for cells in per_line)
            else:
                # one row whose cells wrap: each cell's lines on their own, since vertically centred
                # cells of other heights put their lines between a cell's own and chain them into one
                table.cell_text.append([
                    "\n".join(
                        _line_text([w for _, w in line]) for line in _printed_lines([(c, w) for c, w in here if c == column])
                    )
                    for column in range(columns)
                ])
        _read_digits_in_number_columns(table.cell_text)
    return outside


# rules of one column in rows of a scan lie within this share of the table's width of each other
_COLUMN_TOLERANCE = 0.01


def _columns(table: TableGrid) -> list[float]:
    """The table's column boundaries: those that at least half of its rows have."""
    tolerance = _COLUMN_TOLERANCE * (table.right - table.left)
    clusters: list[list[float]] = []  # [sum, count, last x]
    for x in sorted(x for bounds in table.cells for x in bounds[1:-1]):
        if clusters and x - clusters[-1][2] <= tolerance:
            clusters[-1][0] += x
            clusters[-1][1] += 1
            clusters[-1][2] = x
        else:
            clusters.append([x, 1, x])
    kept = [total / count for total, count, _ in clusters if count >= len(table.cells) / 2]
    return [table.left, *kept, table.right]


def _column_at(bounds: list[float], x: float) -> int:
    return next((i for i in range(len(bounds) - 1) if x <= bounds[i + 1]), len(bounds) - 2)


def _holds_figures(words: list[tuple[int, Word]], bounds: list[float]) -> bool:
    """Whether a row's words include a figure beyond its first column (a row number)."""
    return any(_is_figure(w.text.strip(_RULE_MARKS + "_")) and (w.left + w.right) / 2 > bounds[1] for _, w in words)


# a figure as agencies print it: thousands grouped by dots (or none below 1 000), decimals after a comma
_WELL_FORMED_FIGURE = re.compile(r"^-?(?:\d{1,3}(?:\.\d{3})+|\d{1,3})(?:,\d+)?$")
_MAX_FIGURE_EDITS = 2


def doubtful_figures(tables: Sequence[TableGrid], words: Sequence[Word]) -> list[tuple[Word, tuple[int, int, int, int]]]:
    """Words of a column of figures that are not a well-formed figure, each with its cell's box.

    A column holds figures when at least three of its words, and half of them, are numbers (the
    rule marks and dashes OCR reads off the column's rules are no words of it, a figure with a bar
    beside it is a number). In it, a word of digits, separators and digit look-alikes that breaks the grouping of thousands
    (``44.2717``, ``48723|``, ``5164``) is doubtful: Tesseract read a rule as a digit or lost a
    separator. A plain year (``2019``) in a header cell is doubtful too; its second reading
    simply agrees.
    """
    found: list[tuple[Word, tuple[int, int, int, int]]] = []
    for table in tables:
        columns: dict[int, list[tuple[Word, tuple[int, int, int, int]]]] = {}
        for word in words:
            cell = table.cell_of(word)
            if cell is None:
                continue
            row, column = cell
            bounds = table.cells[row]
            box = (int(bounds[column]), int(table.rows[row][0]), int(bounds[column + 1]), int(table.rows[row][1]))
            columns.setdefault(column, []).append((word, box))
        for cells in columns.values():
            filled = [word for word, _ in cells if any(c.isalnum() for c in word.text)]
            figures = sum(
                1 for word in filled if _is_figure(word.text) or _WELL_FORMED_FIGURE.match(word.text.strip(_RULE_MARKS + "_"))
            )
            if figures < max(3, len(filled) / 2):
                continue
            found.extend((word, box) for word, box in cells if _doubtful_figure(word.text))
    return found


# A table's header is at most this many rows (a merged header of two or three bands)
MAX_HEADER_ROWS = 3
_YEAR_WORD = re.compile(r"^(?:19|20)\d\d$")


def header_cells(tables: Sequence[TableGrid], words: Sequence[Word]) -> list[tuple[tuple[int, int, int, int], list[Word]]]:
    """The filled cells of each table's header rows, each as its box and the words read in it.

    The header rows are the leading rows (at most ``MAX_HEADER_ROWS``) before the first row with
    a cell that is a figure in a column other than the first (a row number): column titles hold
    words, units and years ("kỳ họp thứ 7", "Năm 2018"), the body holds figures. Page-wide
    recognition reads their short, centred, wrapped lines badly (``_— nh`` for ``So sánh với KH
    (%)``): they are worth a reading of their own.
    """
    found: list[tuple[tuple[int, int, int, int], list[Word]]] = []
    for table in tables:
        rows: dict[tuple[int, int], list[Word]] = {}
        for word in words:
            cell = table.cell_of(word)
            if cell is not None and cell[0] < MAX_HEADER_ROWS:
                rows.setdefault(cell, []).append(word)
        for row in range(min(MAX_HEADER_ROWS, len(table.rows))):
            cells = {column: cell_words for (r, column), cell_words in rows.items() if r == row}
            texts = (_line_text(cell_words).strip("_ ") for column, cell_words in cells.items() if column > 0)
            if any(_is_figure(text) and not _YEAR_WORD.match(text) for text in texts):
                break
            bounds = table.cells[row]
            top, bottom = table.rows[row]
            for column, cell_words in sorted(cells.items()):
                if any(any(c.isalnum() for c in word.text) for word in cell_words):
                    box = (int(bounds[column]), int(top), int(bounds[column + 1]), int(bottom))
                    found.append((box, cell_words))
    return found


_FIGURE_LOOKALIKE = re.compile(r"^[\dlIOo|§S.,\-_\[\]]+$")
_BOLD_LOOKALIKES = str.maketrans("§S", "85")  # an 8 and a 5 of bold figures
_LONG_GROUP = re.compile(r"\.\d{4}")  # a group of thousands has three digits: one is too many


def _figure_form(text: str) -> str:
    """``text`` without the rule marks beside it and with its digit look-alikes as digits."""
    return text.strip(_RULE_MARKS + "_").translate(DIGIT_LOOKALIKES).translate(_BOLD_LOOKALIKES)


def _doubtful_figure(text: str) -> bool:
    # only digits, separators, look-alikes and rule marks, and not a well-formed figure even once
    # the rule marks are dropped and the look-alikes read as digits (``6.444.820|``, ``I9`` and
    # ``§9`` are read right already: a second reading of them drops the 1 or the 8)
    if not any(c.isdigit() for c in text) or not _FIGURE_LOOKALIKE.match(text):
        return False
    return not _WELL_FORMED_FIGURE.match(_figure_form(text))


def accepted_figure(printed: str, reading: str) -> str | None:
    """What a digits-only ``reading`` of a doubtful figure gives in place of what OCR ``printed``,
    or ``None`` when it should not replace it.

    The reading loses the separators at its ends and, when it lost the separators ``printed``
    had, gets its thousands grouped by dots again (a small dot between bold digits is what a
    second reading most often drops: ``44277`` for a printed ``44.2717``). It must then be a
    well-formed figure and keep nearly the same digits, none fewer but where a group of
    thousands has one too many: a second reading fixes a lost separator, a decimal comma read as
    a dot or a rule read as a digit; it does not invent a number.
    """
    reading = reading.rstrip(".,-").lstrip(".,")  # a figure neither ends with a separator nor opens with one
    if reading.isdigit() and len(reading) > 3 and "." in printed and "," not in printed:
        head = len(reading) % 3 or 3
        reading = ".".join([reading[:head], *(reading[i : i + 3] for i in range(head, len(reading), 3))])
    if not _WELL_FORMED_FIGURE.match(reading) or reading == printed:
        return None
    form = _figure_form(printed)
    before = "".join(c for c in form if c.isdigit())
    after = "".join(c for c in reading if c.isdigit())
    # a digit may be lost only where one was too many (``44.2717``): a reading dropping a digit
    # of a figure whose groups are sound has misread it
    fewer = len(after) < len(before)
    if fewer and not (len(after) == len(before) - 1 and _LONG_GROUP.search(form)):
        return None
    return reading if _edits(before, after) <= _MAX_FIGURE_EDITS else None


def _edits(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_NUMBER_CELL = re.compile(r"^\d[\d.,]*$")
_DIGIT_LOOKALIKE_CELL = re.compile(r"^[\dlIOo|.,]+$")


def _read_digits_in_number_columns(rows: list[list[str]]) -> None:
    """In a column of figures, a cell of digits and digit look-alikes (``l``, ``I1``, ``2O``) is figures.

    A column is one of figures when most of its filled cells are numbers or such cells; OCR reads
    a lone 1 in a narrow cell as ``l``. A cell without any digit other than ``l`` is left alone:
    ``I``, ``II``, ``IV`` number the sections of a table.
    """
    width = max((len(r) for r in rows), default=0)
    for column in range(width):
        cells = [r[column].strip() for r in rows if column < len(r) and r[column].strip()]
        numbers = sum(1 for c in cells if _NUMBER_CELL.match(c))
        misread = [c for c in cells if _misread_figure(c)]
        if len(cells) < 3 or numbers < 2 or (numbers + len(misread)) * 2 <= len(cells):
            continue
        for row in rows:
            if column < len(row) and _misread_figure(row[column].strip()):
                row[column] = row[column].strip().translate(DIGIT_LOOKALIKES)


def _is_figure(cell: str) -> bool:
    return bool(_NUMBER_CELL.match(cell.strip()))


def _misread_figure(cell: str) -> bool:
    if _NUMBER_CELL.match(cell) or not _DIGIT_LOOKALIKE_CELL.match(cell):
        return False
    if cell != "l" and not any(c.isdigit() for c in cell):
        return False
    return bool(_NUMBER_CELL.match(cell.translate(DIGIT_LOOKALIKES)))


def _printed_lines(words: list[tuple[int, Word]]) -> list[list[tuple[int, Word]]]:
    """Words of one row band grouped into printed lines, top to bottom, by their vertical centres.

    Lines are formed by words of a printed height. A mark far flatter than the band's words is a
    dash, which joins the line it lies on, or a dotted row rule, which OCR reads as letters (``mm``,
    ``cóc``: no letter or digit is that flat) or as dashes between the lines: those are left out.
    """
    if not words:
        return []
    heights = sorted(word.bottom - word.top for _, word in words)
    flat = _FLAT_MARK * heights[len(heights) // 2]
    lines: list[tuple[float, float, list[tuple[int, Word]]]] = []
    marks: list[tuple[int, Word]] = []
    for column, word in sorted(words, key=lambda cw: (cw[1].top + cw[1].bottom) / 2):
        if word.bottom - word.top < flat:
            if not any(ch.isalnum() for ch in word.text):
                marks.append((column, word))
            continue
        centre = (word.top + word.bottom) / 2
        if lines and lines[-1][0] <= centre <= lines[-1][1]:
            top, bottom, members = lines[-1]
            lines[-1] = (top, max(bottom, word.bottom), members + [(column, word)])
        else:
            lines.append((word.top, word.bottom, [(column, word)]))
    for column, word in marks:
        centre = (word.top + word.bottom) / 2
        line = next((members for top, bottom, members in lines if top <= centre <= bottom), None)
        if line is not None:
            line.append((column, word))
    return [members for _, _, members in lines]


def _line_text(words: list[Word]) -> str:
    # A cell's rules are often read as "|" glued to its first or last word.
    pieces = (w.text.strip(_RULE_MARKS) for w in sorted(words, key=lambda w: w.left))
    return " ".join(p for p in pieces if p)
