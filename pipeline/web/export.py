"""CSV and XLSX files of a result (what the page's export buttons download)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pipeline.query import CitingDocument, DifficultyHit
from pipeline.web.render import kind_label

# a cell starting with one of these is run as a formula by spreadsheet programs (CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and how to get its value from an item."""

    header: str
    value: Callable[[Any], object]
    width: int = 14
    is_date: bool = False  # an ISO date: a real date cell in XLSX, shown dd/mm/yyyy


def difficulty_columns(document_url: Callable[[DifficultyHit], str]) -> list[Column]:
    """Columns of the difficulty export (Vietnamese headers, for the office's spreadsheets)."""
    return [
        Column("Loại", lambda h: kind_label(h.kind), 18),
        Column("Nội dung", lambda h: h.text, 80),
        Column("Mục (tiêu đề)", lambda h: h.section, 30),
        Column("Lĩnh vực", lambda h: "; ".join(h.categories), 30),
        Column("Loại văn bản", lambda h: h.doc_type, 14),
        Column("Số hiệu", lambda h: h.doc_number, 16),
        Column("Trích yếu", lambda h: h.title, 50),
        Column("Cơ quan ban hành", lambda h: h.issuer, 35),
        Column("Ngày ban hành", lambda h: h.issued_date, 12, is_date=True),
        Column("Năm", lambda h: h.year, 6),
        Column("Tỉnh, thành phố", lambda h: h.province, 14),
        Column("Trang", lambda h: h.page, 6),
        Column("Tệp", lambda h: h.source_path, 30),
        Column("Mã văn bản", lambda h: h.doc_id, 18),
        Column("Liên kết", document_url, 40),
    ]


def citing_columns(document_url: Callable[[CitingDocument], str]) -> list[Column]:
    """Columns of the export of the documents citing a code."""
    return [
        Column("Loại văn bản", lambda d: d.doc_type, 14),
        Column("Số hiệu", lambda d: d.doc_number, 16),
        Column("Trích yếu", lambda d: d.title, 50),
        Column("Cơ quan ban hành", lambda d: d.issuer, 35),
        Column("Ngày ban hành", lambda d: d.issued_date, 12, is_date=True),
        Column("Năm", lambda d: d.year, 6),
        Column("Tỉnh, thành phố", lambda d: d.province, 14),
        Column("Số lần dẫn chiếu", lambda d: len(d.mentions), 8),
        Column("Câu dẫn chiếu", lambda d: " | ".join(m.sentence or m.text for m in d.mentions), 80),
        Column("Tệp", lambda d: d.source_path, 30),
        Column("Mã văn bản", lambda d: d.doc_id, 18),
        Column("Liên kết", document_url, 40),
    ]


def _text_cell(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def to_csv(items: Iterable[object], columns: Sequence[Column]) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel opens Vietnamese correctly); text cells that a
    spreadsheet would run as a formula are prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in columns])
    for item in items:
        row = []
        for column in columns:
            value = column.value(item)
            if isinstance(value, str) and value.startswith(_FORMULA_START):
                value = "'" + value
            row.append("" if value is None else value)
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _date_cell_value(value: object) -> object:
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def to_xlsx(items: Iterable[object], columns: Sequence[Column], sheet_title: str) -> bytes:
    """An XLSX workbook with one sheet: a bold, frozen header row with filter buttons, then one row
    per item. Dates are date cells shown ``dd/mm/yyyy`` and numbers number cells, so the office
    can sort and filter them; every text is stored as text (never as a formula); characters XLSX
    cannot hold are dropped."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for n, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    rows = 0
    for item in items:
        row = []
        for column in columns:
            value = _text_cell(column.value(item))
            if column.is_date:
                value = _date_cell_value(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            row.append(cell)
        sheet.append(row)
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
