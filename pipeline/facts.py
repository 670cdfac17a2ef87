"""The fact registry: every fact type the pipeline extracts, declared once.

A :class:`FactType` names its span key (``doc.spans["money"]`` and the ``span._.money_*`` values),
its table (``amounts``), its typed row, the spaCy factory that finds it, its labels (Vietnamese for
the office's page, English for displaCy), its colour and the data-dictionary text of its columns.
Everything else derives from the registry: the store schema and the Parquet export
(:mod:`pipeline.store`), the NLP components and the rows loop (:mod:`pipeline.extract.components`,
:mod:`pipeline.extract.rows`), eval's fact scores, the document queries, the web labels and
``/facts.css``, the notebook's labels and colours, and ``extracted/README.md``
(:mod:`pipeline.dictionary`).

A new fact type is one :func:`register` call with a pure finder over the text (``finder(text) ->
Iterable[match]``, each match carrying ``start``, ``end`` and one attribute per value column of the
row). This module imports no spaCy and no extractor: built-in finders are named by import path and
loaded when the NLP object is built.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------------------------
# Typed rows of the built-in fact tables (the data contract; the store derives its schema from them)


@dataclass
class ReferenceRow:
    """One citation of another document (table ``references``)."""

    doc_id: str
    text: str
    start: int
    end: int
    page: int | None
    sentence: str | None
    code: str | None
    doc_kind: str | None
    number: str | None
    year: int | None
    type_code: str | None
    issuer_code: str | None
    issued_date: str | None
    issuer: str | None
    subject: str | None
    cited_doc_id: str | None = None
    fact_id: str | None = None


@dataclass
class AmountRow:
    """One amount of money (table ``amounts``)."""

    doc_id: str
    text: str
    start: int
    end: int
    page: int | None
    sentence: str | None
    value: float
    currency: str
    role: str | None
    from_table_unit: bool
    direction: str | None = None
    qualifier: str | None = None
    range_role: str | None = None
    range_id: int | None = None
    words_agree: bool | None = None
    fact_id: str | None = None


@dataclass
class PercentageRow:
    """One percentage (table ``percentages``)."""

    doc_id: str
    text: str
    start: int
    end: int
    page: int | None
    sentence: str | None
    value: float
    subject: str | None
    from_table_unit: bool
    direction: str | None = None
    qualifier: str | None = None
    range_role: str | None = None
    range_id: int | None = None
    fact_id: str | None = None


@dataclass
class DateRow:
    """One date or period (table ``dates``)."""

    doc_id: str
    text: str
    start: int
    end: int
    page: int | None
    sentence: str | None
    date: str | None
    end_date: str | None
    granularity: str
    fact_id: str | None = None


@dataclass
class DifficultyRow:
    """One listed difficulty, cause or recommendation (table ``difficulties``)."""

    doc_id: str
    kind: str
    text: str
    section: str | None
    categories: list[str] = field(default_factory=list)
    group_id: str | None = None
    start: int = 0
    end: int = 0
    page: int | None = None
    fact_id: str | None = None


@dataclass
class SectionRow:
    """One heading of a document's section tree and the text it governs (table ``sections``)."""

    doc_id: str
    section_id: int
    parent_id: int | None
    level: int
    number: str | None
    heading: str
    start: int
    end: int
    page: int | None
    fact_id: str | None = None


# --------------------------------------------------------------------------------------------
# The declaration

# Columns filled from the span itself rather than from the finder's values.
POSITION_COLUMNS = ("doc_id", "text", "start", "end", "page", "sentence", "fact_id")
# Data-dictionary text of the position columns, unless a fact type says otherwise.
DEFAULT_COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "fact_id": ((
        "stable id of the row: document, fact type, start and end offsets (`.2`, `.3` … for a repeat of "
        "the same span); the same file read by the same pipeline gives the same ids on every run"
    ), "`5b0f6c1d2a9e8f71-money-812-830`"),
    "doc_id": ("document", ""),
    "text": ("as printed", ""),
    "start": ("offset", ""),
    "end": ("end offset", ""),
    "page": ("page", ""),
    "sentence": ("sentence", ""),
}


@dataclass(frozen=True)
class SubKind:
    """One kind of a fact type whose spans come in kinds (difficulty items: difficulty, cause …)."""

    name: str
    label_vi: str
    label_en: str
    color: str


@dataclass(frozen=True)
class Scoring:
    """How ``baocao eval`` compares a fact table with the gold annotations (``../shared/gold/GUIDE.md``).

    ``name`` is both the key of the gold list in an annotation and the name of the score. Each
    extracted row (its ``columns``, restricted by ``where``) and each gold item becomes a string
    key; the keys are compared as multisets, or as sets when ``distinct``. A gold item whose key is
    None is not gold for this fact.
    """

    name: str
    columns: tuple[str, ...]
    row_key: Callable[[Mapping[str, Any]], str]
    gold_key: Callable[[Mapping[str, Any]], str | None]
    where: str | None = None
    distinct: bool = False


@dataclass(frozen=True)
class FactType:
    """One fact type, declared once.

    ``key`` is the span key (``doc.spans[key]``) and the prefix of its span values
    (``span._.<key>_<column>``); ``table`` and ``row_type`` its table and typed row; ``factory``
    the spaCy factory and pipe name. ``finder`` is a pure function over the document text (or its
    ``"module:function"`` import path) yielding matches with ``start``, ``end`` and one attribute
    per value column; None when ``factory`` is a component registered by hand (sections and
    difficulty items read the document's blocks). ``columns`` gives the data-dictionary meaning
    and example of each column (position columns have defaults). ``kind`` is the fact's name on the
    web page and in the API; a fact without one is not highlighted. ``items`` marks facts that are
    whole items (a paragraph, drawn around the other facts) rather than short mentions;
    ``text_from_span`` False takes ``text`` from the finder instead of the span. ``web_label`` and
    ``note`` turn a row (a mapping of its columns) into the value shown on the web page and in the
    notebook. ``date_columns`` hold ISO dates (datetimes in the notebook).
    """

    key: str
    table: str
    row_type: type
    factory: str
    summary: str
    columns: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    finder: Callable[[str], Iterable[Any]] | str | None = None
    kind: str | None = None
    label_vi: str = ""
    label_en: str = ""
    color: str = "#dddddd"
    kinds: tuple[SubKind, ...] = ()
    items: bool = False
    text_from_span: bool = True
    id_prefix: str | None = None
    web_label: Callable[[Mapping[str, Any]], str] | None = None
    note: Callable[[Mapping[str, Any]], str | None] | None = None
    date_columns: tuple[str, ...] = ()
    scoring: Scoring | None = None
    # columns computed over the whole store after each run (their row type gives them a default)
    store_columns: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        """The columns of the table, in the order of the row type."""
        return tuple(f.name for f in dataclasses.fields(self.row_type))

    @property
    def value_columns(self) -> tuple[str, ...]:
        """The columns whose values the finder gives (read from ``span._.<key>_<column>``)."""
        position = set(POSITION_COLUMNS) - ({"text"} if not self.text_from_span else set())
        return tuple(name for name in self.column_names if name not in position and name not in self.store_columns)

    @functools.cached_property
    def list_columns(self) -> frozenset[str]:
        """The columns holding a list of strings (JSON in SQLite, lists in Parquet)."""
        hints = typing.get_type_hints(self.row_type)
        return frozenset(name for name, hint in hints.items() if typing.get_origin(hint) is list or hint is list)

    def extension(self, column: str) -> str:
        """``money`` + ``value`` -> ``money_value``: the span extension holding a value."""
        return f"{self.key}_{column}"

    def find(self, text: str) -> Iterable[Any]:
        """Run the finder over ``text`` (importing it first when it is named by path)."""
        return resolve_finder(self)(text)

    @property
    def anchor_prefix(self) -> str:
        """Prefix of the HTML ids of this fact's spans on the web page (``a`` + rowid)."""
        if self.id_prefix is not None:
            return self.id_prefix
        return (self.kind or self.key)[0]

    def column_doc(self, column: str) -> tuple[str, str]:
        """(meaning, example) of a column for the data dictionary."""
        if column in self.columns:
            return self.columns[column]
        return DEFAULT_COLUMN_DOCS[column]

    def label_of(self, row: Mapping[str, Any]) -> str:
        """The value of a row shown on the web page (its text unless the fact says otherwise)."""
        return self.web_label(row) if self.web_label is not None else str(row.get("text") or "")


_REGISTRY: dict[str, FactType] = {}


def register(fact: FactType) -> FactType:
    """Add a fact type to the registry (replacing one with the same key); returns it.

    Raises ``ValueError`` when its table or factory is another fact's, when its row type is not a
    dataclass with ``doc_id``, ``start``, ``end`` and ``fact_id``, or when a column has no dictionary text.
    """
    if not dataclasses.is_dataclass(fact.row_type):
        raise ValueError(f"fact {fact.key}: row type {fact.row_type!r} is not a dataclass")
    names = fact.column_names
    missing = [n for n in ("doc_id", "start", "end", "fact_id") if n not in names]
    if missing:
        raise ValueError(f"fact {fact.key}: row type {fact.row_type.__name__} lacks {', '.join(missing)}")
    undocumented = [n for n in names if n not in fact.columns and n not in DEFAULT_COLUMN_DOCS]
    if undocumented:
        raise ValueError(f"fact {fact.key}: no dictionary text for column(s) {', '.join(undocumented)}")
    for other in _REGISTRY.values():
        if other.key == fact.key:
            continue
        if other.table == fact.table or other.factory == fact.factory or (fact.kind and other.kind == fact.kind):
            raise ValueError(f"fact {fact.key}: table, factory or kind already used by fact {other.key}")
    _REGISTRY[fact.key] = fact
    return fact


def fact_id(doc_id: str, key: str, start: int, end: int, repeat: int = 1) -> str:
    """The stable id of a fact row: ``<doc_id>-<key>-<start>-<end>``, with ``.N`` for the N-th
    (from 2) row of one fact type over the same span of one document."""
    base = f"{doc_id}-{key}-{start}-{end}"
    return base if repeat == 1 else f"{base}.{repeat}"


def unregister(key: str) -> None:
    """Remove a fact type (tests that register a toy type clean up with it)."""
    _REGISTRY.pop(key, None)


def registered() -> tuple[FactType, ...]:
    """Every fact type, in the order of registration (the order of the tables and the pipes)."""
    return tuple(_REGISTRY.values())


def fact(key: str) -> FactType:
    """The fact type of a span key; ``KeyError`` naming the known keys when there is none."""
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(f"no fact type {key!r}; registered: {', '.join(_REGISTRY)}") from None


def by_table(table: str) -> FactType | None:
    """The fact type stored in ``table``, or None for a table that is not a fact table."""
    return next((f for f in _REGISTRY.values() if f.table == table), None)


def highlighted() -> tuple[FactType, ...]:
    """The facts shown on a document (those with a ``kind``): items first, then mentions.

    Items first, because an item holds the mentions inside it: at equal offsets it is the outer tag.
    """
    shown = [f for f in _REGISTRY.values() if f.kind]
    return tuple([f for f in shown if f.items] + [f for f in shown if not f.items])


def tables() -> dict[str, type]:
    """Fact table -> row type, in registration order."""
    return {f.table: f.row_type for f in _REGISTRY.values()}


def resolve_finder(fact_type: FactType) -> Callable[[str], Iterable[Any]]:
    """The finder of a fact type, imported when it is given as ``"module:function"``."""
    finder = fact_type.finder
    if finder is None:
        raise ValueError(f"fact {fact_type.key} has no finder: its component {fact_type.factory} is registered by hand")
    if isinstance(finder, str):
        module, _, name = finder.partition(":")
        return typing.cast(Callable[[str], Iterable[Any]], getattr(importlib.import_module(module), name))
    return finder


# --------------------------------------------------------------------------------------------
# Labels and colours


def tint(color: str, share: float) -> str:
    """``color`` (``#rrggbb``) mixed with white: ``share`` of the colour, the rest white."""
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in (red, green, blue))


def facts_css() -> str:
    """The stylesheet of fact highlights on the web page (served as ``/facts.css``).

    A mention is marked with its colour (the same as in the notebook's displaCy view); an item gets
    a faint tint of its colour and a bar of its kind's colour, and its kind's badge a light tint.
    """
    lines = ["/* generated from pipeline/facts.py: one colour per fact type */"]
    for fact_type in highlighted():
        css_class = f".fact-{fact_type.kind}"
        if fact_type.items:
            lines.append(f"{css_class} {{ background: {tint(fact_type.color, 0.12)}; "
                         f"box-shadow: inset 3px 0 0 {fact_type.color}; }}")
            lines.append(f"span{css_class}:target {{ outline: 2px solid {fact_type.color}; }}")
        else:
            lines.append(f"{css_class} {{ background: {fact_type.color}; }}")
        for sub in fact_type.kinds:
            lines.append(f"{css_class}.item-{sub.name} {{ box-shadow: inset 3px 0 0 {sub.color}; }}")
            lines.append(f".badge.kind-{sub.name} {{ background: {tint(sub.color, 0.3)}; }}")
    return "\n".join(lines) + "\n"


def vietnamese_number(text: str) -> str:
    """``1,234.5`` -> ``1.234,5`` (Vietnamese groups thousands with "." and marks decimals with ",")."""
    return text.translate(str.maketrans(",.", ".,"))


def format_money(value: float, decimals: int = 4) -> str:
    """A sum of money in Vietnamese style: ``197,3 triệu``, ``1.074,33 tỷ``, ``550.000``."""
    for scale, word in ((1e9, " tỷ"), (1e6, " triệu")):
        if abs(value) >= scale:
            number = f"{value / scale:,.{decimals}f}".rstrip("0").rstrip(".")
            return vietnamese_number(number) + word
    return vietnamese_number(f"{value:,.0f}")


def format_period(first: Any, last: Any, granularity: str) -> str:
    """A date or period (``datetime``-like bounds) in short ISO form: ``2020-11-16``, ``2020-10``,
    ``2020``, ``2016–2020``, ``2020-10-01/2020-12-31``."""
    if last is None or granularity == "day" or last == first:
        return first.date().isoformat()
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    if granularity == "month":
        return first.strftime("%Y-%m")
    return f"{first.date().isoformat()}/{last.date().isoformat()}"


def _first_present(*values: Any) -> str:
    return str(next((v for v in values if v is not None), ""))


def _money_label(row: Mapping[str, Any]) -> str:
    value, currency, role = row["value"], row["currency"], row["role"]
    amount = f"{value:,.0f}".replace(",", ".") if value == int(value) else f"{value:,.2f}"
    return f"{amount} {currency}" + (f" ({role})" if role else "")


def _percentage_label(row: Mapping[str, Any]) -> str:
    return f"{row['value']:g}%" + (f" ({row['subject']})" if row["subject"] else "")


def _date_label(row: Mapping[str, Any]) -> str:
    return (row["date"] or "") + (f" – {row['end_date']}" if row["end_date"] is not None else "")


def _money_note(row: Mapping[str, Any]) -> str | None:
    if row["value"] is None:
        return None
    currency = "đ" if row["currency"] == "VND" else str(row["currency"])
    return f"{format_money(float(row['value']))} {currency}"


def _percentage_note(row: Mapping[str, Any]) -> str | None:
    return None if row["value"] is None else vietnamese_number(f"{float(row['value']):g}") + "%"


def _date_note(row: Mapping[str, Any]) -> str | None:
    return None if row["date"] is None else format_period(row["date"], row["end_date"], str(row["granularity"]))


# Columns shared by amounts and percentages (pipeline.extract.numbers.modifiers and link_ranges)
_NUMBER_COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "direction": ("`tăng` / `giảm` printed just before the number: the value is a change, kept with its printed "
                  "sign (`giảm 5%` is 5 with `giảm`; `-2,5%` and `âm 3%` are negative values); in a table's column "
                  "of changes (`Mức tăng (giảm)`, `Chênh lệch`) the figure's sign", "`giảm`"),
    "qualifier": ("bound or approximation: `dưới` / `trên` / `hơn` / `gần` / `khoảng` / `tối thiểu` / `tối đa` / "
                  "`không quá` (synonyms such as `xấp xỉ`, `ít nhất`, `trở lên` are normalised to these)", "`khoảng`"),
    "range_role": ("`low` / `high` in a range (`từ 5 đến 10`, `5-10`, `giữa 5 và 10`), `part` / `whole` in `A/B` "
                   "(`9.037/17.454 tỷ đồng`)", "`low`"),
    "range_id": ("offset in `documents.text` where the range's first number is found; its two rows share it",
                 "`1520`"),
}

# --------------------------------------------------------------------------------------------
# The built-in fact types, in the order of their tables

register(FactType(
    key="section", table="sections", row_type=SectionRow, factory="baocao_sections",
    summary="the section tree of each document",
    columns={
        "doc_id": ("document", "`5b0f6c1d2a9e8f71`"),
        "section_id": ("number of the section in the document, from 0, in text order", "`4`"),
        "parent_id": ("section_id of the enclosing section; null at the top", "`1`"),
        "level": ("depth, from 1 (the numbering schemes nest in the order a document uses them: `Phần` > `I.` > "
                  "`1.` > `a)`)", "`2`"),
        "number": ("the numbering as printed, without its punctuation", "`5`"),
        "heading": ("heading text without the numbering", "`Những khó khăn, tồn tại, kiến nghị`"),
        "start": ("offset where the heading starts", "`9120`"),
        "end": ("end of the section (where the next section of the same or a higher level starts)", "`11230`"),
        "page": ("page of the heading", "`3`"),
    },
))

register(FactType(
    key="reference", table="references", row_type=ReferenceRow, factory="baocao_references", store_columns=("cited_doc_id",),
    summary="citations of other documents", finder="pipeline.extract.references:find_references",
    kind="reference", label_vi="Văn bản dẫn chiếu", label_en="REFERENCE", color="#7aecec",
    columns={
        "doc_id": ("citing document", "`5b0f6c1d2a9e8f71`"),
        "text": ("the mention as printed", "`Quyết định số 3110/QĐ-UBND ngày 7/12/2016`"),
        "start": ("offset in `documents.text`", "`1520`"),
        "end": ("end offset", "`1560`"),
        "page": ("page", "`1`"),
        "sentence": ("the sentence holding the mention", ""),
        "code": ("normalised code; null for laws cited by name", "`3110/QĐ-UBND`"),
        "doc_kind": ("type word printed with it", "`Quyết định`"),
        "number": ("number part", "`3110`"),
        "year": ("year in the code or date", "`2016`"),
        "type_code": ("type code", "`QĐ`"),
        "issuer_code": ("issuer code", "`UBND`"),
        "issued_date": ("date printed with the citation", "`2016-12-07`"),
        "issuer": ("issuer printed with the citation", "`UBND tỉnh Quảng Trị`"),
        "subject": ("`về việc …` printed with it", ""),
        "cited_doc_id": ((
            "the cited document when it is itself in the store: the one document whose own number is this code "
            "(of the citation's year when it names one); recomputed after every run"
        ), "`042beb04e734c46e`"),
    },
    web_label=lambda row: _first_present(row["code"], row["doc_kind"], row["text"]),
    note=lambda row: None if row["code"] is None else str(row["code"]),
    date_columns=("issued_date",),
    scoring=Scoring(
        name="references", columns=("code",), where="code IS NOT NULL", distinct=True,
        row_key=lambda row: str(row["code"]),
        gold_key=lambda item: None if item.get("number_only") else str(item["code"]),
    ),
))

register(FactType(
    key="money", table="amounts", row_type=AmountRow, factory="baocao_money",
    summary="money", finder="pipeline.extract.money:find_money",
    kind="amount", label_vi="Số tiền", label_en="MONEY", color="#bfe1d9",
    columns={
        "text": ("as printed", "`197,3 triệu đồng`"),
        "value": ("value in the currency's base unit", "`197300000.0`"),
        "currency": ("ISO code", "`VND`"),
        "role": ("kế hoạch / giao / phân bổ / giải ngân / ước / hỗ trợ / thu / chi …", "`giải ngân`"),
        "from_table_unit": ("unit given by a table header or column", "`0`"),
        **_NUMBER_COLUMN_DOCS,
        "words_agree": ("the amount is printed again in words in parentheses (`500.000.000 đồng (Năm trăm triệu "
                        "đồng)`, one row): whether the words give the same value; null when not repeated", "`1`"),
    },
    web_label=_money_label, note=_money_note,
    scoring=Scoring(
        name="money", columns=("value", "currency"),
        row_key=lambda row: f"{round(row['value'])} {row['currency']}",
        gold_key=lambda item: f"{round(float(item['value']))} {item.get('currency') or 'VND'}",
    ),
))

register(FactType(
    key="percent", table="percentages", row_type=PercentageRow, factory="baocao_percent",
    summary="percentages", finder="pipeline.extract.percent:find_percentages",
    kind="percentage", label_vi="Tỷ lệ phần trăm", label_en="PERCENT", color="#e4e7d2",
    columns={
        "text": ("as printed", "`49,3%`"),
        "value": ("the number", "`49.3`"),
        "subject": ("what is measured", "`giải ngân`"),
        "from_table_unit": ("unit given by a `%` column", "`0`"),
        **_NUMBER_COLUMN_DOCS,
    },
    web_label=_percentage_label, note=_percentage_note,
    scoring=Scoring(
        name="percent", columns=("value",),
        row_key=lambda row: f"{float(row['value']):g}%",
        gold_key=lambda item: f"{float(item['value']):g}%",
    ),
))

register(FactType(
    key="date", table="dates", row_type=DateRow, factory="baocao_dates",
    summary="dates and periods", finder="pipeline.extract.dates:find_dates",
    kind="date", label_vi="Ngày, thời gian", label_en="DATE", color="#bfeeb7",
    columns={
        "text": ("as printed", "`Quý IV/2020`"),
        "date": ("ISO, first day of the period", "`2020-10-01`"),
        "end_date": ("ISO, last day of the period", "`2020-12-31`"),
        "granularity": ("day / month / quarter / half / year / range", "`quarter`"),
    },
    web_label=_date_label, note=_date_note, date_columns=("date", "end_date"),
))

register(FactType(
    key="difficulty", table="difficulties", row_type=DifficultyRow, factory="baocao_difficulties",
    summary="difficulties, causes and recommendations",
    kind="difficulty", label_vi="Mục khó khăn / kiến nghị", label_en="ITEM", color="#e0a800",
    items=True, text_from_span=False, id_prefix="d", web_label=lambda row: str(row["kind"]),
    kinds=(
        SubKind("difficulty", "Khó khăn, vướng mắc", "DIFFICULTY", "#ff9561"),
        SubKind("limitation", "Hạn chế, tồn tại", "LIMITATION", "#feca74"),
        SubKind("cause", "Nguyên nhân", "CAUSE", "#c887fb"),
        SubKind("recommendation", "Kiến nghị, đề xuất", "RECOMMENDATION", "#aa9cfc"),
    ),
    columns={
        "kind": ("difficulty / limitation / cause / recommendation", "`difficulty`"),
        "text": ("the whole item, joined across line and page breaks, bullet and footnote markers removed (so it "
                 "may differ from `documents.text[start:end]`)", "`Trình độ cán bộ quản lý HTX còn thấp`"),
        "section": ("heading it sits under, as printed", "`Những khó khăn, tồn tại`"),
        "categories": ("categories from the taxonomy in `pipeline/data/categories_taxonomy.tsv` (several allowed; "
                       "`khác` when none)", "`[\"vốn – kinh phí – tín dụng\"]`"),
        "group_id": ("recurring-complaint group across the whole store: items that say the same thing (TF-IDF over "
                     "underthesea words, cosine ≥ 0.5) share it; recomputed after every run, deterministic",
                     "`g2f5d48c77926`"),
    },
))


def kinds_of(key: str) -> tuple[str, ...]:
    """The kinds of a fact type with kinds (``difficulty``: difficulty, limitation, cause, recommendation)."""
    return tuple(sub.name for sub in fact(key).kinds)


def iter_kinds() -> Iterator[tuple[FactType, SubKind]]:
    """Every (fact type, kind) pair of the facts that have kinds."""
    for fact_type in _REGISTRY.values():
        for sub in fact_type.kinds:
            yield fact_type, sub


__all__ = [
    "AmountRow", "DateRow", "DifficultyRow", "FactType", "PercentageRow", "ReferenceRow", "Scoring", "SectionRow",
    "SubKind", "by_table", "fact", "facts_css", "format_money", "format_period", "highlighted", "iter_kinds",
    "kinds_of", "register", "registered", "resolve_finder", "tables", "tint", "unregister", "vietnamese_number",
]
