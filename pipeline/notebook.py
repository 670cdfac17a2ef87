"""The notebook layer: load the dataset as typed DataFrames, summarise it, plot it, show a document.

Everything a notebook in ``notebooks/`` calls lives here, so notebooks hold no logic of their own::

    import pipeline
    data = pipeline.load("../extracted")          # one DataFrame per table
    pipeline.show("QT-001")                        # a document with its facts highlighted (displaCy)

The aggregations (``difficulty_counts``, ``recurring_groups``, ``amounts_by_role``,
``disbursement``, ``most_cited``, ``citation_edges`` …) return plain DataFrames; the ``plot_*``
helpers draw them with matplotlib in a font that has every Vietnamese glyph (DejaVu Sans).
Nothing here changes the store: it is read-only.
"""

from __future__ import annotations

import dataclasses
import html
import inspect
import json
import re
from bisect import bisect_left, bisect_right
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline import facts as fact_registry
from pipeline import filters as filter_registry
from pipeline.extras import require
from pipeline.facts import format_money, vietnamese_number
from pipeline.extract.tables import HEADER_PATH_SEPARATOR
from pipeline.store import DATABASE_NAME, TABLES, columns, date_columns, read_table, text_dtype

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from spacy.language import Language

    from pipeline.batch import RunSummary
    from pipeline.runner import DocumentResult

__all__ = [
    "Dataset",
    "load",
    "show",
    "Highlighted",
    "document_labels",
    "overview",
    "table_sizes",
    "errors_by_code",
    "difficulty_counts",
    "find_difficulties",
    "find_amounts",
    "recurring_groups",
    "amounts_by_role",
    "disbursement",
    "most_cited",
    "citation_edges",
    "extract_with_progress",
    "score_table",
    "score_details",
    "use_vietnamese_font",
    "missing_glyphs",
    "plot_heatmap",
    "plot_amounts_by_role",
    "plot_disbursement",
    "plot_citation_graph",
    "plot_scores",
]

UNKNOWN = "(không rõ)"
"""Label used for a missing province, year or role in aggregations."""

VIETNAMESE_FONT = "DejaVu Sans"
"""Ships with matplotlib and covers every precomposed Vietnamese letter."""

VIETNAMESE_SAMPLE = (
    "ĂÂĐÊÔƠƯăâđêôơư ÀÁẢÃẠ àáảãạ ẰẮẲẴẶ ằắẳẵặ ẦẤẨẪẬ ầấẩẫậ ÈÉẺẼẸ èéẻẽẹ ỀẾỂỄỆ ềếểễệ ÌÍỈĨỊ ìíỉĩị "
    "ÒÓỎÕỌ òóỏõọ ỒỐỔỖỘ ồốổỗộ ỜỚỞỠỢ ờớởỡợ ÙÚỦŨỤ ùúủũụ ỪỨỬỮỰ ừứửữự ỲÝỶỸỴ ỳýỷỹỵ – × ₫"
)
"""Every letter with a diacritic used in Vietnamese, plus the dash and signs the charts print."""

# Roles of ``amounts.role`` that mean money planned / disbursed (see ``disbursement``).
PLANNED_ROLES = frozenset({"kế hoạch", "giao", "phân bổ", "dự toán", "bố trí"})
DISBURSED_ROLES = frozenset({"giải ngân", "thực hiện", "thanh toán"})



def fact_tables() -> tuple[str, ...]:
    """The fact tables ``show`` highlights (references, amounts, percentages, dates, difficulties …)."""
    return tuple(f.table for f in fact_registry.registered() if f.kind)


def span_labels() -> dict[str, str]:
    """displaCy label of each highlighted fact table (``amounts`` -> ``MONEY``). A table whose facts
    come in kinds (difficulties) labels each span with its kind's label instead (see ``span_colors``)."""
    return {f.table: f.label_en for f in fact_registry.registered() if f.kind}


def _kind_labels() -> dict[str, dict[str, str]]:
    """table -> kind -> displaCy label, for the tables whose facts come in kinds."""
    return {f.table: {sub.name: sub.label_en for sub in f.kinds} for f in fact_registry.registered() if f.kind and f.kinds}


def span_colors() -> dict[str, str]:
    """Colour of every displaCy label ``show`` uses (the same colours as the web page's)."""
    colors: dict[str, str] = {}
    for fact_type in fact_registry.registered():
        if fact_type.kind and not fact_type.kinds:
            colors[fact_type.label_en] = fact_type.color
        for sub in fact_type.kinds:
            colors[sub.label_en] = sub.color
    return colors


_LINE_BREAK = "\ue000"  # private-use sentinel token, turned into <br> after rendering


# --------------------------------------------------------------------------------------------
# Loading


@dataclass(repr=False)
class Dataset:
    """One typed pandas DataFrame per table of a ``baocao extract`` output folder.

    Dates are ``datetime64`` (unparseable or missing: ``NaT``), numeric values ``float64``,
    optional integers (``year``, ``page``, ``pages``, ``parent_id``) nullable ``Int64``,
    ``difficulties.categories`` Python lists of strings and ``from_table_unit`` plain ``bool``.
    """

    path: Path
    documents: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)
    blocks: pd.DataFrame = field(default_factory=pd.DataFrame)
    pages: pd.DataFrame = field(default_factory=pd.DataFrame)
    table_cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    signatures: pd.DataFrame = field(default_factory=pd.DataFrame)
    sections: pd.DataFrame = field(default_factory=pd.DataFrame)
    references: pd.DataFrame = field(default_factory=pd.DataFrame)
    amounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    percentages: pd.DataFrame = field(default_factory=pd.DataFrame)
    dates: pd.DataFrame = field(default_factory=pd.DataFrame)
    difficulties: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a table not given (or added to the contract later) is an empty frame with its columns
        for name in TABLES:
            frame = getattr(self, name, None)
            if frame is None or (frame.empty and len(frame.columns) == 0):
                setattr(self, name, _typed(name, _empty(name)))

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in the order of the data dictionary."""
        return {name: getattr(self, name) for name in TABLES}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(frame)}" for name, frame in self.tables.items())
        return f"Dataset({str(self.path)!r}: {sizes})"

    def document(self, key: str) -> pd.Series:
        """The ``documents`` row of ``key``: a doc_id, a source path, a file-name prefix
        (``QT-001``) or a document number (``216/BC-STC``)."""
        return self.documents.loc[_resolve_document(self.documents, key)]

    def text(self, key: str) -> str:
        """The normalised text of a document (all offsets of the dataset refer to it)."""
        return str(self.document(key)["text"])

    def table(self, key: str, n: int = 0, *, values: bool = False) -> pd.DataFrame:
        """Table ``n`` (from 0) of document ``key`` as a DataFrame: one row per body row, in order,
        its columns named by the header paths (a MultiIndex when a merged header has two or more
        rows; the column number where a column has no header). Cells hold the text as printed;
        with ``values`` a column with figures holds their numbers (NaN elsewhere).
        ``frame.attrs`` names the document, the table, its pages and each column's unit.

        Raises ``KeyError`` when the document has no table ``n``.
        """
        doc_id = self.document(key)["doc_id"]
        cells = self.table_cells
        of_doc = cells[cells["doc_id"] == doc_id]
        cells = of_doc[of_doc["table_index"] == n]
        if cells.empty:
            raise KeyError(f"{key!r} has {of_doc['table_index'].nunique()} table(s); there is no table {n}")
        return table_frame(cells, values=values)


def table_frame(cells: pd.DataFrame, *, values: bool = False) -> pd.DataFrame:
    """One table from its ``table_cells`` rows (see :meth:`Dataset.table`)."""
    body = cells[cells["part"] == "body"]
    width = int(cells["column_index"].max()) + 1
    paths: list[tuple[str, ...]] = [()] * width
    for column, header in body.dropna(subset=["header"]).groupby("column_index")["header"].first().items():
        paths[int(column)] = tuple(str(header).split(HEADER_PATH_SEPARATOR))
    depth = max((len(p) for p in paths), default=0)
    names: list[object]
    if depth > 1:
        # a column under fewer header rows repeats its last header below
        padded = [p + (p[-1],) * (depth - len(p)) if p else (str(j),) * depth for j, p in enumerate(paths)]
        names = list(pd.MultiIndex.from_tuples(padded))
    else:
        names = [p[0] if p else j for j, p in enumerate(paths)]
    grid = body.pivot_table(index="row_index", columns="column_index", values="text", aggfunc="first")
    grid = grid.reindex(columns=range(width)).astype(object)
    if values:
        with_figures = body.dropna(subset=["value"])
        grid[list(with_figures["column_index"].unique())] = float("nan")
        for row, column, value in with_figures[["row_index", "column_index", "value"]].itertuples(index=False):
            grid.at[row, column] = value
    columns_index = pd.MultiIndex.from_tuples(names) if depth > 1 else pd.Index(names)
    frame = pd.DataFrame(grid.to_numpy(), index=pd.RangeIndex(len(grid)), columns=columns_index)
    units = body.dropna(subset=["unit"]).groupby("column_index")["unit"].agg(lambda u: u.mode().iloc[0])
    frame.attrs = {
        "doc_id": str(cells["doc_id"].iloc[0]),
        "table_index": int(cells["table_index"].iloc[0]),
        "pages": sorted({int(p) for p in cells["page"].dropna()}),
        "units": {names[int(j)]: unit for j, unit in units.items()},
    }
    return frame


_LAST_LOADED: list[Dataset] = []


def load(path: str | Path = "extracted", tables: Iterable[str] | None = None) -> Dataset:
    """Load the dataset written by ``baocao extract ... --out PATH`` as typed DataFrames.

    Each table is read from ``PATH/<table>.parquet``; a table whose Parquet file is missing is
    read from ``PATH/reports.sqlite`` instead. ``tables`` limits loading to some tables (the
    others stay empty with their columns). The loaded dataset becomes the default of ``show``.

    Raises ``FileNotFoundError`` when the folder holds neither Parquet files nor the database.
    """
    folder = Path(path)
    wanted = list(TABLES) if tables is None else list(tables)
    unknown = [t for t in wanted if t not in TABLES]
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; the tables are {list(TABLES)}")
    database = folder / DATABASE_NAME
    if not database.is_file() and not any((folder / f"{t}.parquet").is_file() for t in wanted):
        raise FileNotFoundError(
            f"no dataset in {folder.resolve()}: run `baocao extract corpus/ --out {path}` first "
            f"(it writes {DATABASE_NAME} and <table>.parquet)"
        )
    dataset = Dataset(path=folder)
    connection: sqlite3.Connection | None = None
    try:
        for table in TABLES:
            if table not in wanted:
                frame, source = _empty(table), "not loaded"
            elif (folder / f"{table}.parquet").is_file():
                frame, source = pd.read_parquet(folder / f"{table}.parquet"), "parquet"
            elif database.is_file():
                if connection is None:
                    connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
                frame, source = _read_sqlite(connection, table), "sqlite"
            else:
                frame, source = _empty(table), "missing"
            setattr(dataset, table, _typed(table, frame))
            dataset.sources[table] = source
    finally:
        if connection is not None:
            connection.close()
    _LAST_LOADED[:] = [dataset]
    return dataset


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=object) for name, _, _ in columns(TABLES[table])})


def _read_sqlite(connection: sqlite3.Connection, table: str) -> pd.DataFrame:
    try:
        return read_table(connection, table)
    except (sqlite3.OperationalError, pd.errors.DatabaseError) as e:
        if "no such table" in str(e):
            return _empty(table)  # a store written before this table existed
        raise


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        decoded = json.loads(value) if value.startswith("[") else [value]
        return [str(v) for v in decoded]
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [str(v) for v in value]  # type: ignore[attr-defined]


def _typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give each column of a table the type its contract promises."""
    frame = frame.copy()
    dates = date_columns(table)
    for name, py_type, nullable in columns(TABLES[table]):
        if name not in frame.columns:
            frame[name] = pd.Series([None] * len(frame), dtype=object)
        if name in dates:
            # one unit whatever the source: Parquet's date32 gives seconds, SQLite's ISO text microseconds
            frame[name] = pd.to_datetime(frame[name], errors="coerce", format="ISO8601").astype("datetime64[us]")
        elif py_type is list:
            frame[name] = pd.Series([_as_list(v) for v in frame[name]], index=frame.index, dtype=object)
        elif py_type is bool:
            frame[name] = frame[name].astype("boolean").fillna(False).astype(bool)
        elif py_type is float:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        elif py_type is int:
            numbers = pd.to_numeric(frame[name], errors="coerce")
            frame[name] = numbers.astype("Int64" if nullable or numbers.isna().any() else "int64")
        elif py_type is str:
            # the dtype pandas gives text (object before pandas 3, str from 3 on), also for a column
            # SQLite returned all null, so that Parquet and SQLite give the same frame
            frame[name] = frame[name].astype(text_dtype())
    return frame


def _dataset(data: Dataset | str | Path | None, tables: Iterable[str] | None = None) -> Dataset:
    if isinstance(data, Dataset):
        return data
    if data is not None:
        return load(data, tables)
    if _LAST_LOADED:
        return _LAST_LOADED[0]
    for candidate in (Path("extracted"), Path("../extracted")):
        if (candidate / DATABASE_NAME).is_file() or (candidate / "documents.parquet").is_file():
            return load(candidate, tables)
    raise ValueError("no dataset loaded: call pipeline.load(DIR) first or pass data=DIR")


def _resolve_document(documents: pd.DataFrame, key: str) -> Any:
    """Index label of the document called ``key`` (doc_id, source path, name prefix or number)."""
    if documents.empty:
        raise KeyError(f"{key!r}: the dataset has no documents")
    names = documents["source_path"].map(lambda p: Path(str(p)).name)
    for mask in (
        documents["doc_id"] == key,
        documents["source_path"] == key,
        names == key,
        names.str.startswith(f"{key}__") | names.str.startswith(f"{key}."),
        documents["doc_number"] == key,
        names.str.startswith(key),
    ):
        mask = mask.fillna(False).astype(bool)
        hits = documents.index[mask]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            found = ", ".join(documents.loc[hits, "source_path"].astype(str).head(5))
            raise KeyError(f"{key!r} names {len(hits)} documents ({found}); give the doc_id")
    raise KeyError(f"{key!r} is not a doc_id, source path or number of any document")


# --------------------------------------------------------------------------------------------
# Showing one document


class Highlighted(str):
    """The displaCy HTML of a document; a notebook renders it, ``str`` methods see the markup."""

    doc_id: str
    label: str
    spans: int
    window: tuple[int, int]

    def __new__(cls, markup: str, doc_id: str, label: str, spans: int, window: tuple[int, int]) -> Highlighted:
        """Wrap ``markup`` with what it shows (document, number of spans, character window)."""
        obj = super().__new__(cls, markup)
        obj.doc_id, obj.label, obj.spans, obj.window = doc_id, label, spans, window
        return obj

    def _repr_html_(self) -> str:
        # tex2jax_ignore: keeps MathJax from reading "$" in documents as formulas
        return f'<span class="tex2jax_ignore">{str(self)}</span>'

    def __repr__(self) -> str:
        return f"<Highlighted {self.label}: {self.spans} spans, characters {self.window[0]}–{self.window[1]}>"


@dataclass(frozen=True, order=True)
class _Span:
    start: int
    end: int
    label: str
    note: str | None


_vietnamese_number = vietnamese_number
_format_value = format_money


def _present(value: object) -> object:
    """A cell as a plain value: missing (NaN, NaT, None) becomes None."""
    if isinstance(value, (list, tuple, dict)):
        return value
    return None if pd.isna(value) else value  # type: ignore[call-overload]


def _fact_spans(data: Dataset, doc_id: str, tables: Iterable[str] | None = None) -> list[_Span]:
    """Every highlighted span of a document: (start, end, displaCy label, normalised value)."""
    spans: list[_Span] = []
    wanted = set(fact_tables() if tables is None else tables)
    labels, kind_labels = span_labels(), _kind_labels()
    for fact_type in fact_registry.registered():
        if fact_type.table not in wanted or fact_type.table not in labels:
            continue
        frame = getattr(data, fact_type.table)
        kinds = kind_labels.get(fact_type.table)
        for row in frame[frame["doc_id"] == doc_id].to_dict("records"):
            if kinds is not None:
                # categories: too long for a label
                label, note = kinds.get(str(row["kind"]), str(row["kind"]).upper()), None
            else:
                values = {name: _present(value) for name, value in row.items()}
                label = labels[fact_type.table]
                note = fact_type.note(values) if fact_type.note is not None else None
            spans.append(_Span(int(row["start"]), int(row["end"]), label, note))
    return sorted(s for s in spans if s.end > s.start) if spans else []


def _window(text: str, start: int, max_chars: int | None) -> tuple[int, int]:
    """``[begin, end)`` of at most ``max_chars`` characters from ``start``, not cutting words."""
    begin = max(0, min(start, len(text)))
    if 0 < begin < len(text) and not text[begin - 1].isspace():  # inside a word: start at the next one
        match = re.compile(r"\s").search(text, begin)
        begin = match.end() if match and match.start() - begin < 80 else begin
    if max_chars is None or begin + max_chars >= len(text):
        return begin, len(text)
    end = begin + max_chars
    cut = max(text.rfind(" ", begin, end), text.rfind("\n", begin, end))
    return begin, (cut if cut > begin + max_chars // 2 else end)


def _tokens(text: str, begin: int, end: int, spans: Sequence[_Span]) -> tuple[list[str], list[int]]:
    """Tokens of ``text[begin:end]`` for displaCy, with their start offsets (ascending).

    Whitespace separates tokens and every span boundary cuts one; a short fact (reference,
    money, percentage, date) with no other boundary inside stays one token, so it reads as
    printed. Line breaks (at most two in a row) become tokens too: a sentinel outside spans,
    turned into ``<br>`` after rendering, and a plain newline inside one.
    """
    boundaries = sorted({s.start for s in spans} | {s.end for s in spans})
    inner = set(boundaries)
    mentions = {f.label_en for f in fact_registry.registered() if f.kind and not f.items}
    glued = sorted(
        (s.start, s.end) for s in spans
        if s.label in mentions and s.end - s.start <= 80 and "\n" not in text[s.start:s.end]
        and not any(s.start < b < s.end for b in boundaries[bisect_right(boundaries, s.start):bisect_left(boundaries, s.end)])
    )
    glued_starts = [g[0] for g in glued]
    covered = sorted((s.start, s.end) for s in spans)  # to tell whether a line break is inside a span

    def inside_span(position: int) -> bool:
        return any(a < position < b for a, b in covered[: bisect_left(covered, (position, position))])

    tokens: list[str] = []
    starts: list[int] = []
    previous = begin
    for match in re.finditer(r"\S+", text[begin:end]):
        m_start, m_end = begin + match.start(), begin + match.end()
        for count, newline in enumerate(re.finditer("\n", text[previous:m_start])):
            if count == 2:
                break
            position = previous + newline.start()
            tokens.append("\n" if inside_span(position) else _LINE_BREAK)
            starts.append(position)
        cuts = [m_start] + [c for c in range(m_start + 1, m_end) if c in inner] + [m_end]
        for a, b in zip(cuts, cuts[1:]):
            g = bisect_right(glued_starts, a - 1) - 1  # the last glued fact starting before a
            if g >= 0 and starts and glued[g][0] <= starts[-1] and b <= glued[g][1] and a > glued[g][0]:
                tokens[-1] = re.sub(r"\s+", " ", text[starts[-1]:b])  # same fact: extend its token
                continue
            tokens.append(text[a:b])
            starts.append(a)
        previous = m_end
    return tokens, starts


def show(
    doc_id: str,
    data: Dataset | str | Path | None = None,
    *,
    start: int = 0,
    max_chars: int | None = 5000,
    find: str | None = None,
    facts: Iterable[str] | None = None,
    values: bool = True,
) -> Highlighted:
    """Render one document with its extracted facts highlighted (spaCy displaCy, span style).

    ``doc_id`` may also be a source path, a file-name prefix such as ``QT-001`` or a document
    number. ``data`` is a ``Dataset``, a folder to load, or ``None`` for the dataset loaded last
    (else ``extracted/`` or ``../extracted/``). Long documents are shown in a window of
    ``max_chars`` characters from ``start`` (``None``: the whole text); ``find`` moves the window
    to just before the first occurrence of that text. ``facts`` picks tables among
    ``fact_tables()`` (all of them when None); ``values`` adds the normalised value to each label.

    Returns the HTML as a ``Highlighted`` string, which a notebook renders when it is the last
    expression of a cell.
    """
    from spacy import displacy

    shown = fact_tables() if facts is None else tuple(facts)
    dataset = _dataset(data, tables=("documents", *fact_tables()))
    row = dataset.document(doc_id)
    text = str(row["text"])
    if find is not None:
        found = text.find(find)
        if found < 0:
            found = text.casefold().find(find.casefold())
        if found < 0:
            raise ValueError(f"{find!r} does not occur in {row['source_path']}")
        start = max(0, text.rfind("\n", 0, max(0, found - 200)) + 1)
    begin, end = _window(text, start, max_chars)
    spans = [
        _Span(max(s.start, begin), min(s.end, end), s.label, s.note)
        for s in _fact_spans(dataset, str(row["doc_id"]), shown)
        if s.start < end and s.end > begin
    ]
    tokens, token_starts = _tokens(text, begin, end, spans)
    manual_spans = []
    for span in spans:
        first, after = bisect_left(token_starts, span.start), bisect_left(token_starts, span.end)
        if after <= first:
            continue
        item: dict[str, Any] = {"start_token": first, "end_token": after, "label": span.label}
        if values and span.note:
            item["kb_id"] = html.escape(span.note)
            item["kb_url"] = "#"
        manual_spans.append(item)
    label = _label(row)
    shown = "" if (begin, end) == (0, len(text)) else " · ký tự {}–{} / {}".format(
        *(_vietnamese_number(f"{n:,}") for n in (begin, end, len(text)))
    )
    title = html.escape(f"{label} · {row['doc_type'] if pd.notna(row['doc_type']) else ''} {_short(row['title'])}{shown}")
    markup = displacy.render(
        {"text": text[begin:end], "tokens": tokens, "spans": manual_spans, "title": title},
        style="span",
        manual=True,
        jupyter=False,
        options={"colors": span_colors()},
    )
    markup = markup.replace(_LINE_BREAK + " ", "<br>").replace(_LINE_BREAK, "<br>")
    return Highlighted(markup, str(row["doc_id"]), label, len(manual_spans), (begin, end))


def _short(value: object, limit: int = 90) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Summaries


def _label(row: pd.Series) -> str:
    name = Path(str(row["source_path"])).name
    if "__" in name:
        return name.split("__", 1)[0]
    if pd.notna(row.get("doc_number")):
        return str(row["doc_number"])
    return _short(name, 30)


def document_labels(data: Dataset) -> pd.Series:
    """A short readable label per doc_id: the file-name prefix (``QT-001``), else the document
    number, else the file name."""
    documents = data.documents
    if documents.empty:
        return pd.Series([], dtype="str", name="label", index=pd.Index([], name="doc_id"))
    labels = documents.apply(_label, axis=1)
    return pd.Series(labels.to_numpy(), index=pd.Index(documents["doc_id"], name="doc_id"), name="label")


def table_sizes(data: Dataset) -> pd.Series:
    """Number of rows per table."""
    return pd.Series({name: len(frame) for name, frame in data.tables.items()}, name="rows")


def overview(data: Dataset) -> pd.DataFrame:
    """One row per document: label, format, status, metadata and how many facts of each kind."""
    documents = data.documents
    names = {
        "file_format": "format", "status": "status", "doc_type": "type", "doc_number": "number",
        "province": "province", "year": "year", "pages": "pages",
    }
    frame = documents[list(names)].rename(columns=names)
    frame.index = pd.Index(documents["doc_id"].to_numpy(), name="doc_id")
    frame.insert(0, "document", document_labels(data).to_numpy())
    frame["chars"] = documents["text"].str.len().astype("int64").to_numpy()
    for table in fact_tables():
        counts = getattr(data, table).groupby("doc_id").size()
        frame[table] = counts.reindex(frame.index).fillna(0).astype(int).to_numpy()
    errors = data.errors.dropna(subset=["doc_id"]).groupby("doc_id").size()
    frame["errors"] = errors.reindex(frame.index).fillna(0).astype(int).to_numpy()
    return frame.sort_values("document").reset_index()


def errors_by_code(data: Dataset) -> pd.DataFrame:
    """Problems with input files counted by stage and code, with one example file each."""
    errors = data.errors
    if errors.empty:
        return pd.DataFrame({"stage": [], "code": [], "files": [], "example": []}).astype(
            {"stage": "str", "code": "str", "files": "int64", "example": "str"}
        )
    grouped = errors.groupby(["stage", "code"], as_index=False).agg(
        files=("source_path", "nunique"), example=("source_path", "first")
    )
    return grouped.sort_values(["files", "code"], ascending=[False, True], ignore_index=True)


def _difficulties_with_documents(data: Dataset) -> pd.DataFrame:
    # a Dataset built by hand may lack the newer columns (agency): they read as missing
    meta = data.documents.reindex(columns=["doc_id", "province", "year", "issuer", "agency"])
    return data.difficulties.merge(meta, on="doc_id", how="left")


def difficulty_counts(data: Dataset, by: str = "province", kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Difficulty items per category (rows) × ``by`` (columns: ``province``, ``year`` or any
    ``documents`` column). An item with several categories counts once in each; missing values
    of ``by`` are grouped under ``(không rõ)``. ``kinds`` keeps only some kinds (e.g.
    ``["difficulty", "limitation"]``). Rows are ordered by total, columns by value."""
    items = _difficulties_with_documents(data)
    if by not in items.columns:
        raise ValueError(f"cannot group by {by!r}: not a column of documents")
    if kinds is not None:
        items = items[items["kind"].isin(list(kinds))]
    exploded = items.explode("categories")
    exploded = exploded[exploded["categories"].notna()]
    if exploded.empty:
        return pd.DataFrame(dtype="int64")
    column = exploded[by]
    if by == "year":
        column = column.map(lambda y: UNKNOWN if pd.isna(y) else str(int(y)))
    else:
        column = column.astype(object).where(column.notna(), UNKNOWN).astype(str)
    table = pd.crosstab(exploded["categories"].astype(str), column.to_numpy())
    table.index.name, table.columns.name = "category", by
    known = sorted(c for c in table.columns if c != UNKNOWN)
    table = table[known + ([UNKNOWN] if UNKNOWN in table.columns else [])]
    order = table.sum(axis=1).sort_values(ascending=False, kind="stable").index
    return table.loc[order].astype("int64")


class _FilteredSearch:
    """A search of the store with the filters of :mod:`pipeline.filters` as keyword arguments.

    ``find(source, province="lam dong", year=2025)`` returns every matching row (at most
    ``limit``) as a DataFrame, in the order of the office's page and of ``baocao query``. ``source``
    is a :class:`Dataset`, an output folder, a ``reports.sqlite`` path or an open connection; None
    means the last loaded dataset. The keyword arguments are those the registry declares for the
    search, read at each call (``inspect.signature`` and ``help`` list them): a filter registered
    there is accepted here.
    """

    def __init__(self, search: str, name: str, summary: str) -> None:
        self.search = search
        self.__name__ = self.__qualname__ = name
        self.__doc__ = f"{summary}\n\n{inspect.cleandoc(_FilteredSearch.__doc__ or '')}"

    @property
    def __signature__(self) -> inspect.Signature:
        source = inspect.Parameter("source", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                                   annotation="Dataset | str | Path | sqlite3.Connection | None")
        limit = inspect.Parameter("limit", inspect.Parameter.KEYWORD_ONLY, default=10_000, annotation=int)
        return filter_registry.signature(self.search, [source], [limit])

    def __call__(self, source: Dataset | str | Path | sqlite3.Connection | None = None, *, limit: int = 10_000,
                 **filters: Any) -> pd.DataFrame:
        from pipeline.query import AmountHit, DifficultyHit, all_pages, connect_read_only, iter_difficulties, search_amounts

        values = filter_registry.FilterValues(self.search, filters)
        row_type = DifficultyHit if self.search == "difficulties" else AmountHit
        connection = source if isinstance(source, sqlite3.Connection) else connect_read_only(_database(source))
        try:
            if self.search == "difficulties":
                rows = list(iter_difficulties(connection, values, limit=limit))
            else:
                rows = list(all_pages(search_amounts, connection, filters=values, limit=limit))
        finally:
            if connection is not source:
                connection.close()
        columns = [f.name for f in dataclasses.fields(row_type)]
        return pd.DataFrame([dataclasses.asdict(row) for row in rows], columns=columns)


def _database(source: Dataset | str | Path | None) -> Path:
    """The ``reports.sqlite`` of a dataset, an output folder or a database path."""
    if source is None:
        source = _dataset(None)
    path = source.path if isinstance(source, Dataset) else Path(source)
    return path / DATABASE_NAME if path.is_dir() else path


find_difficulties = _FilteredSearch(
    "difficulties", "find_difficulties",
    "Difficulty, limitation, cause and recommendation items matching the filters, with their documents' metadata.",
)
find_amounts = _FilteredSearch("amounts", "find_amounts", "Money amounts matching the filters, largest first.")


def recurring_groups(data: Dataset, top: int = 10) -> pd.DataFrame:
    """Recurring complaints (``difficulties.group_id`` with more than one item), ranked by the
    number of distinct agencies (``documents.agency``) that reported them, then documents and items."""
    items = _difficulties_with_documents(data)
    items = items[items["group_id"].notna()]
    result_columns = ["group_id", "agencies", "documents", "items", "provinces", "years", "categories", "example"]
    if items.empty:
        return pd.DataFrame(columns=result_columns)
    from pipeline.query import agency_key

    names = items["agency"].where(items["agency"].notna(), items["issuer"])
    items = items.assign(agency=[agency_key(i if isinstance(i, str) else None, d) for i, d in zip(names, items["doc_id"])])

    def summarise(group: pd.DataFrame) -> pd.Series:
        categories = sorted({c for cats in group["categories"] for c in cats})
        example = min(group["text"].astype(str), key=len)
        return pd.Series(
            {
                "agencies": group["agency"].nunique(),
                "documents": group["doc_id"].nunique(),
                "items": len(group),
                "provinces": sorted(group["province"].dropna().astype(str).unique()),
                "years": sorted(int(y) for y in group["year"].dropna().unique()),
                "categories": categories,
                "example": example,
            }
        )

    rows = [summarise(group).rename(group_id) for group_id, group in items.groupby("group_id") if len(group) > 1]
    if not rows:
        return pd.DataFrame(columns=result_columns)
    table = pd.DataFrame(rows)
    table.index.name = "group_id"
    table = table.reset_index().sort_values(
        ["agencies", "documents", "items", "group_id"], ascending=[False, False, False, True], ignore_index=True
    )
    return table[result_columns].head(top)


def group_members(data: Dataset, group_id: str) -> pd.DataFrame:
    """The items of one recurring group side by side: who reported what, where and when."""
    items = _difficulties_with_documents(data)
    members = items[items["group_id"] == group_id]
    columns = ["issuer", "province", "year", "kind", "text", "categories", "doc_id"]
    return members.sort_values(["year", "issuer", "doc_id"], kind="stable", na_position="last")[columns].reset_index(drop=True)


def _role_group(role: object) -> str:
    if role in PLANNED_ROLES:
        return "kế hoạch"
    if role in DISBURSED_ROLES:
        return "giải ngân"
    return "khác"


def amounts_by_role(data: Dataset, currency: str = "VND") -> pd.DataFrame:
    """Money mentions per role: how many, their total and largest value (in ``currency``), and
    whether the role means money planned (``kế hoạch``), disbursed (``giải ngân``) or other.
    Totals add every mention, so a sum repeated in a text counts twice."""
    amounts = data.amounts[data.amounts["currency"] == currency]
    if amounts.empty:
        return pd.DataFrame({"role": [], "group": [], "mentions": [], "documents": [], "total": [], "largest": []})
    roles = amounts["role"].astype(object).where(amounts["role"].notna(), UNKNOWN)
    table = (
        amounts.assign(role=roles)
        .groupby("role", as_index=False)
        .agg(mentions=("value", "size"), documents=("doc_id", "nunique"), total=("value", "sum"), largest=("value", "max"))
    )
    table.insert(1, "group", table["role"].map(_role_group))
    return table.sort_values(["mentions", "total"], ascending=False, ignore_index=True)


def disbursement(data: Dataset, currency: str = "VND") -> pd.DataFrame:
    """Planned vs disbursed money per document, with the disbursement rates the text reports.

    ``planned`` / ``disbursed`` are the largest amount with a planned role (kế hoạch, giao, phân
    bổ, dự toán, bố trí) / disbursed role (giải ngân, thực hiện, thanh toán) — the total is usually
    the largest figure, its parts smaller. ``computed_pct`` = disbursed / planned × 100;
    ``reported_pct`` lists the percentages printed in sentences that mention giải ngân.
    Only documents with a planned or disbursed amount or a reported rate appear.
    """
    amounts = data.amounts[data.amounts["currency"] == currency]
    groups = amounts["role"].map(_role_group)
    planned = amounts[groups == "kế hoạch"].groupby("doc_id")["value"].max()
    disbursed = amounts[groups == "giải ngân"].groupby("doc_id")["value"].max()
    percentages = data.percentages
    about = percentages["subject"].fillna("").str.contains("giải ngân", case=False) | percentages[
        "sentence"
    ].fillna("").str.contains("giải ngân", case=False)
    reported = percentages[about].groupby("doc_id")["value"].agg(lambda v: [float(x) for x in v])
    doc_ids = sorted(set(planned.index) | set(disbursed.index) | set(reported.index))
    labels = document_labels(data)
    table = pd.DataFrame(
        {
            "doc_id": doc_ids,
            "document": [labels.get(d, d) for d in doc_ids],
            "planned": [float(planned.get(d, float("nan"))) for d in doc_ids],
            "disbursed": [float(disbursed.get(d, float("nan"))) for d in doc_ids],
            "reported_pct": [reported.get(d, []) for d in doc_ids],
        }
    )
    table["computed_pct"] = (table["disbursed"] / table["planned"] * 100).round(1)
    return table[["doc_id", "document", "planned", "disbursed", "computed_pct", "reported_pct"]]


def _citation_key(frame: pd.DataFrame) -> pd.Series:
    by_name = frame["text"].astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    return frame["code"].astype(object).where(frame["code"].notna(), by_name)


def citation_edges(data: Dataset, with_names: bool = False) -> pd.DataFrame:
    """The citation graph as edges: citing document -> cited code, with the number of mentions.

    Columns: ``doc_id``, ``citing`` (short label), ``cited`` (normalised code; with
    ``with_names`` laws cited by name only are kept under their printed name), ``mentions``,
    ``in_dataset`` (the cited code is the number of a document of the dataset).
    """
    references = data.references
    if not with_names:
        references = references[references["code"].notna()]
    if references.empty:
        return pd.DataFrame({"doc_id": [], "citing": [], "cited": [], "mentions": [], "in_dataset": []}).astype(
            {"mentions": "int64", "in_dataset": "bool"}
        )
    edges = (
        references.assign(cited=_citation_key(references).to_numpy())
        .groupby(["doc_id", "cited"], as_index=False)
        .size()
        .rename(columns={"size": "mentions"})
    )
    labels = document_labels(data)
    edges.insert(1, "citing", edges["doc_id"].map(labels).fillna(edges["doc_id"]))
    numbers = data.documents["doc_number"]
    if "stamped_number" in data.documents:  # a dataset an older version wrote has none
        numbers = numbers.fillna(data.documents["stamped_number"])
    own_numbers = set(numbers.dropna().astype(str))
    edges["in_dataset"] = edges["cited"].isin(own_numbers)
    return edges.sort_values(["mentions", "cited"], ascending=[False, True], ignore_index=True)


def most_cited(data: Dataset, top: int = 15, with_names: bool = True) -> pd.DataFrame:
    """The documents cited by the most documents (then by mentions): code (or printed name for a
    law cited by name), type word, year, citing documents, mentions, and an example mention."""
    references = data.references
    if not with_names:
        references = references[references["code"].notna()]
    result_columns = ["cited", "kind", "year", "citing_documents", "mentions", "example"]
    if references.empty:
        return pd.DataFrame(columns=result_columns)
    frame = references.assign(cited=_citation_key(references).to_numpy())
    table = frame.groupby("cited", as_index=False).agg(
        kind=("doc_kind", lambda s: s.dropna().mode().iloc[0] if s.notna().any() else None),
        year=("year", "max"),
        citing_documents=("doc_id", "nunique"),
        mentions=("doc_id", "size"),
        example=("text", lambda s: min(s.astype(str), key=len)),
    )
    table = table.sort_values(["citing_documents", "mentions", "cited"], ascending=[False, False, True], ignore_index=True)
    return table[result_columns].head(top)


# --------------------------------------------------------------------------------------------
# Running the pipeline and scoring it from a notebook


def _progress_class() -> Callable[..., Any]:
    """tqdm's notebook widget when ipywidgets is there, else its text bar (works everywhere)."""
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None and "IPKernelApp" in shell.config:
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm
    except ImportError:
        pass
    from tqdm.std import tqdm as text_tqdm

    return text_tqdm


def extract_with_progress(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    progress: bool = True,
    nlp: Language | None = None,
    **options: Any,
) -> RunSummary:
    """``pipeline.extract`` with a progress bar (tqdm) showing files done and the last status.

    Same arguments and result as ``pipeline.extract`` (``options`` are passed on, e.g.
    ``workers=`` or ``force=``); ``progress=False`` runs without a bar. Files the store already
    holds unchanged are skipped by the pipeline and counted when the run ends.
    """
    from pipeline.batch import discover, extract

    paths = [Path(p) for p in inputs]
    if not progress:
        return extract(paths, out_dir, nlp=nlp, **options)
    total = sum(1 for _ in discover(paths))
    bar = _progress_class()(total=total, desc="baocao extract", unit="file")

    def advance(result: DocumentResult) -> None:
        bar.set_postfix_str(f"{result.status}: {_short(Path(result.source_path).name, 40)}", refresh=False)
        bar.update(1)

    try:
        summary = extract(paths, out_dir, on_document=advance, nlp=nlp, **options)
        if bar.n < total:  # unchanged files and duplicates are not reported one by one
            bar.set_postfix_str(f"{total - bar.n} already in the store", refresh=False)
            bar.update(total - bar.n)
        return summary
    finally:
        bar.close()


def score_table(gold_dir: str | Path, out_dir: str | Path) -> pd.DataFrame:
    """Every evaluation of ``pipeline.evaluate`` as one table: metadata accuracy, then precision,
    recall and F1 of references, money, percentages and difficulty items, against the gold
    annotations in ``gold_dir`` (only the gold documents present in the dataset count)."""
    from pipeline.evaluate import score_difficulties, score_facts, score_metadata

    gold, out = Path(gold_dir), Path(out_dir)
    metadata = score_metadata(gold, out)
    rows: list[dict[str, object]] = [
        {
            "measure": "metadata fields",
            "documents": metadata.documents,
            "correct": metadata.matched,
            "extra": pd.NA,
            "missed": metadata.fields - metadata.matched,
            "precision": pd.NA,
            "recall": pd.NA,
            "f1": pd.NA,
            "accuracy": metadata.accuracy,
        }
    ]
    items = score_difficulties(gold, out)
    scores = [*score_facts(gold, out).values(), items.items, *items.by_kind.values()]
    for score in scores:
        rows.append(
            {
                "measure": score.fact,
                "documents": metadata.documents,
                "correct": score.true_positives,
                "extra": score.false_positives,
                "missed": score.false_negatives,
                "precision": score.precision,
                "recall": score.recall,
                "f1": score.f1,
                "accuracy": pd.NA,
            }
        )
    table = pd.DataFrame(rows)
    for name in ("precision", "recall", "f1", "accuracy"):
        table[name] = pd.to_numeric(table[name], errors="coerce").astype("float64")
    for name in ("documents", "correct", "extra", "missed"):
        table[name] = pd.to_numeric(table[name], errors="coerce").astype("Int64")
    return table


def score_details(gold_dir: str | Path, out_dir: str | Path) -> pd.DataFrame:
    """What the scores of ``score_table`` are made of: one row per gold document and measure with
    the gold facts that were not extracted (``missed``) and the extracted ones not in the gold
    (``extra``); metadata rows name the field, the gold value and the extracted value."""
    from pipeline.evaluate import score_difficulties, score_facts, score_metadata

    gold, out = Path(gold_dir), Path(out_dir)
    rows: list[dict[str, object]] = []
    for miss in score_metadata(gold, out).misses:
        rows.append({"measure": f"metadata: {miss.field}", "document": miss.gold_id,
                     "missed": [] if miss.expected is None else [str(miss.expected)],
                     "extra": [] if miss.extracted is None else [str(miss.extracted)]})
    for score in [*score_facts(gold, out).values(), score_difficulties(gold, out).items]:
        for document in sorted(set(score.misses) | set(score.false_hits)):
            rows.append({"measure": score.fact, "document": document,
                         "missed": list(score.misses.get(document, [])),
                         "extra": list(score.false_hits.get(document, []))})
    return pd.DataFrame(rows, columns=["measure", "document", "missed", "extra"])


# --------------------------------------------------------------------------------------------
# Charts


def missing_glyphs(text: str = VIETNAMESE_SAMPLE, family: str = VIETNAMESE_FONT) -> set[str]:
    """Characters of ``text`` that the font ``family`` cannot draw (empty: all there)."""
    require("charts", "pipeline.notebook's charts")
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    font = FT2Font(path)
    return {ch for ch in set(text) if not ch.isspace() and font.get_char_index(ord(ch)) == 0}


def use_vietnamese_font(family: str = VIETNAMESE_FONT) -> str:
    """Make matplotlib draw every text in ``family`` and check it has all Vietnamese glyphs.

    Returns the font file's path. Raises ``ValueError`` when the font is not installed or lacks
    a Vietnamese letter (the chart would show empty boxes and warn "missing from font").
    """
    require("charts", "pipeline.notebook's charts")
    import matplotlib as mpl
    from matplotlib import font_manager

    try:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError as e:
        raise ValueError(f"font {family!r} is not installed") from e
    missing = missing_glyphs(VIETNAMESE_SAMPLE, family)
    if missing:
        raise ValueError(f"font {family!r} has no glyph for {''.join(sorted(missing))}")
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [family, *[f for f in mpl.rcParams["font.sans-serif"] if f != family]]
    mpl.rcParams["axes.unicode_minus"] = True
    return str(path)


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax``, or the axes of a new figure; every chart starts here (MissingExtra without matplotlib)."""
    require("charts", "pipeline.notebook's charts")
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=size)
    return new_ax


def _no_data(ax: Axes, title: str | None) -> Axes:
    ax.text(0.5, 0.5, "Không có dữ liệu", ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_heatmap(matrix: pd.DataFrame, title: str | None = None, ax: Axes | None = None, cmap: str = "YlOrRd") -> Axes:
    """Draw a count matrix (e.g. ``difficulty_counts``) as an annotated heatmap."""
    ax = _axes(ax, (1.6 + 0.9 * max(1, matrix.shape[1]), 1.2 + 0.45 * max(1, matrix.shape[0])))
    from matplotlib.ticker import MaxNLocator

    if matrix.empty or matrix.to_numpy().sum() == 0:
        return _no_data(ax, title)
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, cmap=cmap, aspect="auto", vmin=0)
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], rotation=35, ha="right")
    ax.set_yticks(range(matrix.shape[0]), [str(i) for i in matrix.index])
    threshold = values.max() * 0.6
    for (i, j), value in pd.DataFrame(values).stack().items():
        if value:
            ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=9, color="white" if value > threshold else "black")
    ax.set_xlabel(_AXIS_NAMES.get(str(matrix.columns.name), str(matrix.columns.name or "")))
    ax.set_ylabel(_AXIS_NAMES.get(str(matrix.index.name), str(matrix.index.name or "")))
    if title:
        ax.set_title(title)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.8, label="số mục")
    colorbar.locator = MaxNLocator(integer=True)
    colorbar.update_ticks()
    return ax


_AXIS_NAMES = {"province": "tỉnh", "year": "năm", "category": "nhóm", "issuer": "cơ quan", "doc_type": "loại văn bản"}
_GROUP_COLORS = {"kế hoạch": "#4c72b0", "giải ngân": "#55a868", "khác": "#b0b0b0"}


def plot_amounts_by_role(table: pd.DataFrame, ax: Axes | None = None, top: int = 15) -> Axes:
    """Horizontal bars: money mentions per role (from ``amounts_by_role``), coloured planned /
    disbursed / other, with each role's total in tỷ đồng."""
    title = "Số tiền theo vai trò (số lần nhắc)"
    ax = _axes(ax, (7, 0.35 * max(4, min(top, len(table))) + 1))
    if table.empty:
        return _no_data(ax, title)
    shown = table.head(top).iloc[::-1]
    colors = [_GROUP_COLORS.get(g, "#b0b0b0") for g in shown["group"]]
    ax.barh(shown["role"].astype(str), shown["mentions"], color=colors)
    for y, (count, total) in enumerate(zip(shown["mentions"], shown["total"])):
        ax.text(count, y, f"  {_format_value(float(total), 1)} đ", va="center", fontsize=8)
    ax.set_xlabel("số lần nhắc (nhãn: tổng giá trị)")
    ax.set_title(title)
    ax.set_xlim(0, shown["mentions"].max() * 1.35)
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=g) for g, c in _GROUP_COLORS.items()]
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    return ax


def plot_disbursement(table: pd.DataFrame, ax: Axes | None = None, top: int = 12) -> Axes:
    """Disbursement rate per document (from ``disbursement``): a bar for disbursed / planned
    (labelled with both amounts) and a diamond for each rate the text itself reports."""
    title = "Tỷ lệ giải ngân theo văn bản"
    ax = _axes(ax, (7, 0.5 * max(3, min(top, len(table))) + 1.2))
    shown = table[table["computed_pct"].notna() | table["reported_pct"].map(bool)].head(top).iloc[::-1]
    if shown.empty:
        return _no_data(ax, title)
    positions = list(range(len(shown)))
    ax.barh(positions, shown["computed_pct"].fillna(0), color=_GROUP_COLORS["giải ngân"], height=0.5,
            label="giải ngân / kế hoạch (tính)")
    reported_label = "tỷ lệ in trong văn bản"
    for y, (_, row) in zip(positions, shown.iterrows()):
        for value in row["reported_pct"]:
            ax.scatter([value], [y], marker="D", color="#c44e52", zorder=3, label=reported_label)
            reported_label = "_nolegend_"
        if pd.notna(row["planned"]) and pd.notna(row["disbursed"]):
            note = f"  {_format_value(row['disbursed'], 1)} / {_format_value(row['planned'], 1)} đ"
            ax.text(max(row["computed_pct"], *row["reported_pct"], 0), y, note, va="center", fontsize=8)
    ax.set_yticks(positions, shown["document"].astype(str))
    ax.set_xlim(0, 130)
    ax.set_xlabel("% kế hoạch")
    ax.axvline(100, color="grey", linewidth=0.8, linestyle="--")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_citation_graph(edges: pd.DataFrame, ax: Axes | None = None, top_cited: int = 10, max_citing: int = 12) -> Axes:
    """A two-column citation graph (no graph library needed): citing documents on the left, the
    ``top_cited`` codes cited by the most documents on the right, one line per citation (wider
    for more mentions). Codes that are documents of the dataset are drawn in bold."""
    title = "Văn bản được trích dẫn nhiều nhất"
    ax = _axes(ax, (9, 0.45 * max(top_cited, 6) + 1))
    if edges.empty:
        return _no_data(ax, title)
    cited_rank = (
        edges.groupby("cited")
        .agg(documents=("doc_id", "nunique"), mentions=("mentions", "sum"))
        .sort_values(["documents", "mentions"], ascending=False)
        .head(top_cited)
    )
    kept = edges[edges["cited"].isin(cited_rank.index)]
    citing_rank = kept.groupby("citing")["cited"].nunique().sort_values(ascending=False).head(max_citing)
    kept = kept[kept["citing"].isin(citing_rank.index)]
    right = [c for c in cited_rank.index if c in set(kept["cited"])]

    def spread(n: int) -> list[float]:
        return [1.0 - (i + 0.5) / n for i in range(n)] if n else []

    y_right = dict(zip(right, spread(len(right))))
    # order citing documents by the mean height of what they cite: fewer crossing lines
    mean_height = kept.assign(y=kept["cited"].map(y_right)).groupby("citing")["y"].mean()
    left = sorted(citing_rank.index, key=lambda name: (-mean_height[name], str(name)))
    y_left = dict(zip(left, spread(len(left))))
    heaviest = max(int(kept["mentions"].max()), 1)
    for row in kept.itertuples(index=False):
        ax.plot([0.25, 0.75], [y_left[row.citing], y_right[row.cited]], color="#4c72b0",
                alpha=0.55, linewidth=0.8 + 3.0 * row.mentions / heaviest)
    ax.scatter([0.25] * len(left), [y_left[n] for n in left], s=60, color="#dd8452", zorder=3)
    sizes = [40 + 25 * int(cited_rank.loc[c, "documents"]) for c in right]
    ax.scatter([0.75] * len(right), [y_right[n] for n in right], s=sizes, color="#55a868", zorder=3)
    internal = set(kept.loc[kept["in_dataset"], "cited"])
    for name in left:
        ax.text(0.23, y_left[name], str(name), ha="right", va="center", fontsize=9)
    for name in right:
        count = int(cited_rank.loc[name, "documents"])
        ax.text(0.77, y_right[name], f"{name}  ({count} văn bản)", ha="left", va="center", fontsize=9,
                fontweight="bold" if name in internal else "normal")
    ax.set_xlim(-0.15, 1.25)
    ax.set_ylim(-0.05, 1.05)
    ax.text(0.25, 1.04, "văn bản trích dẫn", ha="center", fontsize=9, color="grey")
    ax.text(0.75, 1.04, "văn bản được trích dẫn", ha="center", fontsize=9, color="grey")
    ax.axis("off")
    ax.set_title(title, pad=14)
    return ax


def plot_scores(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Grouped bars of precision, recall and F1 per measure (from ``score_table``), and the
    metadata accuracy as a single bar."""
    title = "Đánh giá so với dữ liệu gán nhãn (gold)"
    ax = _axes(ax, (8, 4))
    if table.empty or int(table["documents"].max() or 0) == 0:
        return _no_data(ax, title)
    measures = list(table["measure"])
    colors = {"precision": "#4c72b0", "recall": "#dd8452", "f1": "#55a868", "accuracy": "#8172b3"}
    for offset, name in zip((-0.27, 0.0, 0.27), ("precision", "recall", "f1")):
        values = table[name]
        ax.bar([i + offset for i in range(len(measures))], values.fillna(0), width=0.26, color=colors[name],
               label=name)
    accuracy = table["accuracy"]
    ax.bar([i for i, v in enumerate(accuracy) if pd.notna(v)], accuracy.dropna(), width=0.5,
           color=colors["accuracy"], label="độ chính xác")
    ax.set_xticks(range(len(measures)), measures, rotation=15)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=4, loc="lower center")
    return ax
