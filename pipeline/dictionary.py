"""The data dictionary ``extracted/README.md``, generated from the row types and the fact registry.

``python -m pipeline.dictionary`` rewrites the file; a test checks that the committed file is the
generated one. Column names and SQL types come from the row dataclasses (the store's core tables and
:mod:`pipeline.facts`); the meaning and example of each fact table's columns from its ``FactType``;
the text of the core tables and the page around the tables is declared below.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from pipeline.errors import PAGE_ALLOWANCE_S
from pipeline import facts
from pipeline.store import CORE_TABLES, DATABASE_NAME, TABLES, columns

logger = logging.getLogger("baocao")
DICTIONARY_PATH = Path(__file__).resolve().parents[1] / "extracted" / "README.md"

INTRO = """\
# Data dictionary: what `baocao extract PATH... --out DIR` writes

`DIR/reports.sqlite` is the system of record (SQLite, WAL mode); `DIR/<table>.parquet` is a
snapshot of each table, rewritten atomically at the end of every run. Everything in this folder
except this file is generated and git-ignored: never edit it by hand.

All offsets (`start`, `end`) are character offsets into `documents.text`, the **normalised**
text of the document (NFC, one tone-mark placement, `Ƣ/ƣ`→`Ư/ư`, `Ð`→`Đ`, runs of spaces
collapsed), so `documents.text[start:end]` is always the extracted span. Blocks are joined with
one newline; table cells are separated by a tab. `doc_id` is the first 16 hex digits of the
SHA-256 of the file's bytes: the same bytes under another name are the same document.

Types: TEXT, INTEGER, REAL as in SQLite; `list` columns are JSON arrays in SQLite and lists of
strings in Parquet; booleans are 0/1 in SQLite and booleans in Parquet. Dates are ISO
(`2020-11-16`). A column marked *null* may be empty.

"""

OUTRO = """\
## Search index (SQLite only, rebuilt at the end of every run)
`difficulties_fts` is an FTS5 table over the difficulty items: its rowid is the `rowid` of the item
in `difficulties`, its `text` column the item text folded to ASCII (no tone marks or diacritics,
`đ` → `d`, lower case), its `pairs` column each two adjacent folded syllables joined by `_`
(`dat_dai`) for fast phrase search. `difficulties_facets` (one row per item: id, doc_id, kind, year,
category bits `cats`) and `difficulty_categories` (bit, name) serve the
counts and filters of the web page. They are derived data, not part of the Parquet snapshot, and
open as they are in Datasette.

## Reading the dataset
```python
import pandas as pd
documents = pd.read_parquet("extracted/documents.parquet")
```
```sql
-- DuckDB
SELECT province, year, count(*) FROM 'extracted/documents.parquet' GROUP BY ALL;
```
"""

# table -> (what its rows are, column -> (meaning, example)), for the tables that are not fact tables
CORE_TABLE_DOCS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    'documents': (
        'one row per input document',
        {
            'doc_id': ("first 16 hex of the file's SHA-256 (primary key)", '`5b0f6c1d2a9e8f71`'),
            'source_path': ((
                'path relative to the input folder given to `extract`; with several inputs, the input as given '
                'and that path (`A/report.txt`); a byte of the name that is not UTF-8 is written `\\xNN` and a '
                'backslash `\\\\` (`pipeline.batch.raw_path` gives the bytes back)'
            ), '`DN-001__216BC_CCHC_nam_2018.pdf`'),
            'file_format': ('format read from the content: txt, docx, doc, pdf, image', '`pdf`'),
            'pages': ('number of pages (PDF, image); null for TXT, DOCX, DOC', '`21`'),
            'ocr_pages': ('pages without a usable text layer (waiting for OCR)', '`0`'),
            'status': ('`ok`; `partial` (some pages need OCR, or a warning in `errors`); `failed` (unreadable, see `errors`)', '`ok`'),
            'doc_type': ('type name as printed (BÁO CÁO, KẾ HOẠCH, TỜ TRÌNH …); null when none is printed, as in a công văn', '`BÁO CÁO`'),
            'doc_kind': ((
                'what the document is: the printed type; `CÔNG VĂN` for a letter with a `V/v` subject line; else the '
                "type the code of its number names (`…/TTr-…` -> TỜ TRÌNH). The type filters and facets read it"
            ), '`CÔNG VĂN`'),
            'doc_number': ((
                "the document's own number and symbol as its header prints it; null when left blank (a draft, or a "
                "blank a digital-signing system fills: see `stamped_number`)"
            ), '`216/BC-STC`'),
            'issuer': ('issuing agency as printed, parent line + own line joined by a space', '`UBND TỈNH ĐĂK NÔNG SỞ TÀI CHÍNH`'),
            'agency': ((
                'the issuing body by one name (`pipeline/extract/agencies.py`): the header\'s own line read under its '
                'parent, abbreviations expanded, a department given its province, national bodies as '
                '`pipeline/data/agencies.tsv` names them; null when the issuer cannot be read as an agency'
            ), '`Sở Tài chính tỉnh Đắk Nông`'),
            'parent_agency': ('the body the issuer answers to, when the header prints it above', '`Ủy ban nhân dân tỉnh Đắk Nông`'),
            'place': ('place printed before the date', '`Đăk Nông`'),
            'issued_date': ('ISO date of issue as the header prints it; null when the day is blank (drafts, or a day stamped by a digital-signing system: see `stamped_date`)', '`2018-11-14`'),
            'year': ('year of issue (kept when only the day is blank)', '`2018`'),
            'title': ('title lines under the type word, or the subject of a letter as printed (`V/v …`), joined by a space', '`Tình hình thực hiện công tác cải cách hành chính năm 2018`'),
            'signer': ('name under the signature block', '`Cấp Kim Thành`'),
            'province': ('province named by the issuer, place or title, canonical spelling', '`Đắk Nông`'),
            'draft': ('true for a draft: the mark "Dự thảo" above the header, or, on a text layer, a number line and a date line left blank for the number and the day; false for an issued document; null without a header', '`true`'),
            'stamped_number': ((
                "the number a digital-signing system stamped into the header's blank `Số:` (a PDF annotation, not the "
                'printed document, whose `doc_number` stays null); null otherwise. Citations link to it too'
            ), '`3797/SNV-TCBC`'),
            'stamped_date': ((
                "the ISO date whose day a digital-signing system stamped into the header's blank date line (a PDF "
                'annotation; `issued_date` stays null); null otherwise'
            ), '`2025-12-26`'),
            'text': ('the normalised text all offsets refer to', '`UBND TỈNH ĐĂK NÔNG\\nSỞ TÀI CHÍNH\\n…`'),
            'pipeline_version': ('version of the pipeline that wrote the row', '`0.1.0`'),
            'file_size': ('size of the file in bytes', '`841524`'),
            'encoding': ((
                'encoding detected for text files (utf-8, utf-8-sig, utf-16, cp1258, tcvn3, vni, '
                'utf-8+tcvn3, utf-8+vni)'
            ), '`utf-8`'),
        },
    ),
    'errors': (
        'one row per problem with an input file',
        {
            'source_path': ('the file (or folder), written as in `documents.source_path`', '`broken.pdf`'),
            'doc_id': ("the document's id when its bytes could be read", '`e3b0c44298fc1c14`'),
            'stage': ('where it happened: discover, read, ingest, nlp, internal, pipeline, batch', '`ingest`'),
            'code': ((
                'stable machine-readable code (EMPTY_FILE, BINARY_FILE, UNKNOWN_ENCODING, CORRUPT_PDF, '
                'ENCRYPTED, CORRUPT_DOCX, ZIP_BOMB, CORRUPT_DOC, UNSUPPORTED_FORMAT, WRONG_CONTENT, '
                'UNREADABLE, OCR_NEEDED, …; PAGE_TOO_LARGE, IMAGE_TOO_LARGE, DOCX_TOO_LARGE: over the memory '
                'budget of one page render, image or DOCX; FOLDER_UNREADABLE: a folder that could not be listed; '
                'SOURCE_MISSING: in the store but not among the last run\'s inputs, removed by `--prune`; '
                'HEADER_UNREADABLE: a number or date printed in a scanned header but handwritten or misread, '
                'left empty in `documents`; NUMBER_FROM_FILE_NAME: a scan\'s handwritten number read from the file\'s '
                'name instead, where a run of digits there touches the code OCR read (it wins over what OCR read); DATE_FROM_SIGNATURE: a handwritten day '
                'read from the day of the file\'s first digital signature, in the month and year the header prints; '
                f'TIMEOUT: over the time limit, `--timeout` plus {PAGE_ALLOWANCE_S:g} s for each page after the first)'
            ), '`CORRUPT_PDF`'),
            'message': ('human-readable message naming the file and the problem', '`broken.pdf: not a readable PDF (…) [CORRUPT_PDF]`'),
        },
    ),
    'blocks': (
        "the structure of each document's text",
        {
            'doc_id': ('document', '`5b0f6c1d2a9e8f71`'),
            'block_index': ('position in reading order, from 0', '`7`'),
            'kind': ('heading, paragraph, list_item, table_row, footnote', '`list_item`'),
            'start': ('offset of the block in `documents.text`', '`812`'),
            'end': ('end offset (exclusive)', '`950`'),
            'page': ('page number (PDF)', '`2`'),
            'source': ('where the text came from: text (text layer or file), ocr, none', '`text`'),
            'column': ('left / right when the block sat in one column of the header or signature zone', '`left`'),
            'style': ('DOCX paragraph style or note id (`footnote 2`)', '`Heading 2`'),
        },
    ),
    'pages': (
        'one row per page of a paged document',
        {
            'doc_id': ('document', '`5b0f6c1d2a9e8f71`'),
            'page': ('page number from 1', '`1`'),
            'method': ('text (text layer read), ocr (read by Tesseract) or none (no usable text: OCR off, or blank)', '`text`'),
            'chars': ('letters found on the page', '`1804`'),
            'ocr_confidence': ('mean Tesseract word confidence, 0-100 (OCR pages)', '`91.4`'),
            'skew': ('measured tilt in degrees; the page is turned upright from 0.5° (OCR pages)', '`-2.36`'),
            'coverage': ("share of the page's text ink inside recognised words; below 0.98 the page is flagged `OCR_LOST_TEXT`", '`0.9987`'),
            'unreadable': ((
                'share of recognised characters in words of confidence below 30; above 0.04 the page is '
                'flagged `OCR_LOST_TEXT`'
            ), '`0.012`'),
        },
    ),
    'table_cells': (
        "every non-empty cell of the tables of each document's text (`Dataset.table(doc, n)` gives one as a DataFrame)",
        {
            'doc_id': ('document', '`5b0f6c1d2a9e8f71`'),
            'table_index': ("the table's number in the document, from 0 (a table running on over a page break is one table)", '`2`'),
            'row_index': ('row within the table, from 0, header rows included', '`5`'),
            'column_index': ('column, from 0', '`3`'),
            'part': ('header (a header row), body (a data row), unit (a row naming the unit: `ĐVT: triệu đồng`), index (the column numbering `1 2 3 …`)', '`body`'),
            'start': ("offset of the cell's text in `documents.text`", '`20431`'),
            'end': ('end offset (exclusive)', '`20436`'),
            'page': ('page number (PDF)', '`4`'),
            'text': ('the cell as printed', '`99,10`'),
            'header': ("body cells: the column's header path, top row first, ` / ` between the rows of a merged header", '`Thực hiện / Năm 2024`'),
            'value': ("a body cell's figure as printed (`99,10` -> 99.1, `1.350,5` -> 1350.5); null for text, row numbers, years and unit cells", '`99.1`'),
            'unit': ("what the figure is in, from the column header, the row's unit cell or ĐVT column, or the table's unit line", '`%`'),
        },
    ),
    'signatures': (
        'every digital signature of a PDF, as the file holds it (read, not verified): usually the '
        'signing leader first, then the agency, whose signature stands for its seal (often once more per annex page)',
        {
            'doc_id': ('document', '`5b0f6c1d2a9e8f71`'),
            'signature_index': ("the signature's number in the file, from 0", '`1`'),
            'signed_at': ("signing time from the signature (ISO 8601, the signer's offset)", '`2025-10-06T10:36:49+07:00`'),
            'signer': ("the signer's certificate's common name (a person or a body), else the name in the signing software's reason", '`Bộ Nội vụ`'),
            'signer_kind': ('person or agency (the name opens with an agency word, accents kept: Vụ is a department, Vũ a name)', '`agency`'),
            'unit': ("the certificate's organisational unit (a person's department)", '`VỤ TỔ CHỨC PHI CHÍNH PHỦ`'),
            'organization': ("the certificate's organisation", '`BỘ NỘI VỤ`'),
            'place': ("the certificate's locality (or province)", '`Hà Nội`'),
            'email': ("the certificate's or the reason's e-mail", '`bonoivu@moha.gov.vn`'),
            'reason': ('the text the signing software wrote, as it is', '`Bộ Nội vụ<bonoivu@moha.gov.vn> đã ký lên văn bản này!`'),
        },
    ),
}

_SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL", bool: "INTEGER (bool)", list: "list"}


def table_docs(table: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """(what a row of ``table`` is, column -> (meaning, example)), as the dictionary prints them."""
    fact_type = facts.by_table(table)
    if fact_type is not None:
        return fact_type.summary, {name: fact_type.column_doc(name) for name in fact_type.column_names}
    return CORE_TABLE_DOCS[table]


def table_section(table: str) -> str:
    """The dictionary section of one table: its heading and one line per column."""
    summary, docs = table_docs(table)
    lines = [f"## {table} — {summary}", "| column | type | meaning | example |", "|---|---|---|---|"]
    for name, py_type, nullable in columns(TABLES[table]):
        if name not in docs:
            raise ValueError(f"the data dictionary has no text for {table}.{name}")
        meaning, example = docs[name]
        sql_type = _SQL_TYPES[py_type] + (", null" if nullable else "")
        lines.append(f"| {name} | {sql_type} | {meaning} | {example} |" if example else f"| {name} | {sql_type} | {meaning} | |")
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole data dictionary: the introduction, every table of the store in order, the rest."""
    missing = [t for t in CORE_TABLES if t not in CORE_TABLE_DOCS]
    if missing:
        raise ValueError(f"the data dictionary has no text for table(s) {', '.join(missing)}")
    return INTRO + "\n".join(table_section(table) for table in TABLES) + "\n" + OUTRO


def write(path: Path = DICTIONARY_PATH) -> Path:
    """Rewrite the data dictionary at ``path``; returns the path."""
    path.write_text(render(), encoding="utf-8")
    return path


DATASETTE_METADATA_NAME = "metadata.json"
README_NAME = "README.md"
# drop-downs Datasette offers on a table's page; each a low-cardinality column
_FACETS: dict[str, list[str]] = {
    "documents": ["doc_kind", "province", "year", "status"],
    "errors": ["code", "stage"],
    "difficulties": ["kind"],
    "references": ["doc_kind", "type_code"],
    "amounts": ["role", "currency"],
    "pages": ["method"],
}


def datasette_metadata() -> dict[str, object]:
    """Datasette's metadata for a store: each table's description and column meanings from the
    data dictionary, the document title as the label of the ``doc_id`` links, facets, and full-text
    search of ``difficulties`` through its FTS5 index (accent-free words: ``dat dai``)."""
    tables: dict[str, dict[str, object]] = {}
    for table in TABLES:
        summary, docs = table_docs(table)
        present = {name for name, _, _ in columns(TABLES[table])}
        entry: dict[str, object] = {
            "description": summary,
            "columns": {name: meaning for name, (meaning, _) in docs.items() if name in present},
        }
        facets = [name for name in _FACETS.get(table, []) if name in present]
        if facets:
            entry["facets"] = facets
        tables[table] = entry
    tables["documents"]["label_column"] = "title"
    tables["difficulties"].update(fts_table="difficulties_fts", fts_pk="rowid")
    return {
        "title": "baocao: facts extracted from Vietnamese government reports",
        "description": "Tables written by `baocao extract`; README.md beside this file is the data dictionary. "
                       "Search the difficulties without accents (dat dai).",
        "databases": {Path(DATABASE_NAME).stem: {"tables": tables}},
    }


def write_output_docs(out_dir: Path) -> list[Path]:
    """Write the data dictionary (``README.md``) and Datasette's ``metadata.json`` into an output
    folder, so it describes itself: ``datasette DIR/reports.sqlite -m DIR/metadata.json``. A
    ``README.md`` that is not a data dictionary is left alone. Returns the files written."""
    written = []
    readme = out_dir / README_NAME
    text = render()
    previous = readme.read_text(encoding="utf-8", errors="replace") if readme.is_file() else None
    if previous is not None and not previous.startswith(INTRO.splitlines()[0]):
        # someone's own README.md (an --out that is a project folder): never overwrite it
        logger.warning("%s is not a data dictionary written by baocao: left as it is", readme)
    elif previous != text:
        _write_atomically(readme, text)
        written.append(readme)
    metadata = out_dir / DATASETTE_METADATA_NAME
    _write_atomically(metadata, json.dumps(datasette_metadata(), ensure_ascii=False, indent=1) + "\n")
    written.append(metadata)
    return written


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.stdout.write(f"wrote {write()}\n")
