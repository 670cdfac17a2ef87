"""The filter registry: every filter of the store's searches, declared once.

A :class:`Filter` names its parameter (``province``), its type, its English help text (the CLI's
``--help`` and the API's OpenAPI description), its Vietnamese label (the office's search form), the
table and column it tests and how (:data:`Match`), and the searches it belongs to (a search is named
by its fact table: ``difficulties``, ``amounts``). Everything else derives from the registry:

* :mod:`pipeline.query` applies the filters of a search generically (``search_difficulties``,
  ``search_amounts`` and the exports take any registered filter as a keyword argument);
* ``baocao query difficulties|amounts`` gets one option per filter (:mod:`pipeline.cli`);
* the web API gets one query parameter per filter, the search page one form field per filter, and
  ``/api/facets`` the drop-down values of the filters that have a ``facet`` (:mod:`pipeline.web.app`);
* the notebook helpers ``pipeline.notebook.difficulties`` and ``amounts`` take them as keyword
  arguments (their signatures list them).

A new filter is one :func:`register` call (and its test). This module imports neither the store nor
the web stack; choices that need data (the item kinds, the taxonomy's categories) are functions
called when needed.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pipeline import facts

Match = Literal["text", "contains", "folded", "equals", "has", "at_least", "at_most"]
"""How a filter tests its column (the value is accent-folded where the name says so):

* ``text``: full-text search, accent-insensitive, ranked (the difficulty search's FTS5 index);
  elsewhere the same as ``contains``;
* ``contains``: the folded column contains the folded value (``lam dong`` matches ``Lâm Đồng``);
* ``folded``: the folded column equals the folded value (``bao cao`` = ``BÁO CÁO``);
* ``equals``: the column equals the value;
* ``has``: the column (a JSON list) holds the value;
* ``at_least`` / ``at_most``: the column is ≥ / ≤ the value (a number).
"""

DOCUMENTS = "documents"
"""The table of document metadata: a filter on it applies to the items of the matching documents."""

SEARCHES = ("difficulties", "amounts")
"""The searches that take filters, each named by the fact table it returns rows of."""

FilterType = type[str] | type[int] | type[float]


class QueryError(ValueError):
    """A malformed query parameter (unknown kind, page out of range …); the message says which."""


@dataclass(frozen=True)
class Filter:
    """One filter, declared once.

    ``name`` is the keyword argument (Python, notebooks), the API query parameter and, with dashes,
    the CLI option (``doc_type`` -> ``--doc-type``; ``flags`` overrides it). ``table`` and
    ``column`` say what it tests: :data:`DOCUMENTS` (the document of each row) or a search's own
    table; ``match`` says how. ``searches`` lists the searches it belongs to (by default the
    table's own search, or every search for a documents filter). ``choices`` (strict: any other
    value is an error) and ``suggestions`` (a drop-down's values, any value allowed) are called
    when needed; a filter with a ``facet`` (its key in ``/api/facets``) is a drop-down on the
    search page, listing ``choices``, ``suggestions`` or else the column's distinct values.
    ``option_label`` names a choice on the page (the item kinds' Vietnamese names).
    ``minimum``/``maximum`` bound numbers and ``max_length`` text at the CLI and API boundary;
    ``normalize`` turns an accepted value into the one compared (``usd`` -> ``USD``).
    """

    name: str
    type: FilterType
    help: str
    label_vi: str
    table: str
    column: str
    match: Match
    searches: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    description_vi: str = ""
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: Callable[[], Sequence[str]] | None = None
    suggestions: Callable[[], Sequence[Any]] | None = None
    facet: str | None = None
    option_label: Callable[[Any], str] | None = None
    placeholder: str = ""
    normalize: Callable[[Any], Any] | None = None

    @property
    def cli_flags(self) -> tuple[str, ...]:
        """The CLI option names (``--doc-type``)."""
        return self.flags or ("--" + self.name.replace("_", "-"),)

    @property
    def annotation(self) -> Any:
        """The Python type of a value of this filter, None allowed (None means "any")."""
        return typing.Optional[self.type]  # noqa: UP007 (Typer and FastAPI read this at run time)

    def clean(self, value: Any) -> Any:
        """The value a query compares, or None for "any": text stripped (blank is "any"), the type
        and the choices checked. Raises :class:`QueryError` naming the filter on a bad value."""
        if value is None:
            return None
        if self.type is str:
            if not isinstance(value, str):
                raise QueryError(f"{self.name} must be text, not {value!r}")
            value = value.strip()
            if not value:
                return None
        elif self.type is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise QueryError(f"{self.name} must be an integer, not {value!r}")
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
            raise QueryError(f"{self.name} must be a number, not {value!r}")
        if self.choices is not None:
            allowed = tuple(self.choices())
            if value not in allowed:
                raise QueryError(f"{self.name} must be one of {', '.join(map(str, allowed))}, not {value!r}")
        return self.normalize(value) if self.normalize is not None else value

    def label(self, value: Any) -> str:
        """How a value is shown in the search form's drop-down."""
        return self.option_label(value) if self.option_label is not None else str(value)


_REGISTRY: list[Filter] = []


def register(new: Filter) -> Filter:
    """Add a filter (replacing one of the same name in the same searches); returns it as registered.

    Fills in ``searches`` when empty. Raises ``ValueError`` for an unknown search, a table that is
    neither :data:`DOCUMENTS` nor one of its searches' table, or a name another filter of one of
    its searches already uses.
    """
    searches = new.searches or (SEARCHES if new.table == DOCUMENTS else (new.table,))
    unknown = [s for s in searches if s not in SEARCHES]
    if unknown:
        raise ValueError(f"filter {new.name}: unknown search(es) {', '.join(unknown)}; known: {', '.join(SEARCHES)}")
    if new.table != DOCUMENTS and searches != (new.table,):
        raise ValueError(f"filter {new.name}: a filter on {new.table} belongs to the {new.table} search only")
    if not new.name.isidentifier() or new.name in ("page", "size", "filters", "connection"):
        raise ValueError(f"filter {new.name!r}: not a usable parameter name")
    new = dataclasses.replace(new, searches=searches)
    for index, old in enumerate(_REGISTRY):
        if old.name == new.name and set(old.searches) & set(searches):
            if set(old.searches) != set(searches):
                raise ValueError(f"filter {new.name}: already declared for {', '.join(old.searches)}")
            _REGISTRY[index] = new
            return new
    _REGISTRY.append(new)
    return new


def unregister(name: str, search: str | None = None) -> None:
    """Remove the filter ``name`` (of ``search`` only, when given); tests of a toy filter clean up with it."""
    _REGISTRY[:] = [f for f in _REGISTRY if not (f.name == name and (search is None or search in f.searches))]


def for_search(search: str) -> tuple[Filter, ...]:
    """The filters of a search, in declaration order (the order of CLI options, API parameters and form fields)."""
    if search not in SEARCHES:
        raise ValueError(f"unknown search {search!r}; known: {', '.join(SEARCHES)}")
    return tuple(f for f in _REGISTRY if search in f.searches)


def registered() -> tuple[Filter, ...]:
    """Every filter, in declaration order."""
    return tuple(_REGISTRY)


class FilterValues(Mapping[str, Any]):
    """The cleaned values of a search's filters (a read-only, hashable mapping; "any" values left out).

    ``FilterValues("difficulties", province="lam dong", year=None)`` holds ``{"province": "lam dong"}``;
    an unknown name or a malformed value raises :class:`QueryError`. ``values.province`` reads a
    value (None when not set), as templates do.
    """

    __slots__ = ("search", "_values")

    def __init__(self, search: str, values: Mapping[str, Any] | None = None, **more: Any) -> None:
        given = {**(values or {}), **more}
        declared = {f.name: f for f in for_search(search)}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise QueryError(f"unknown filter(s) of {search}: {', '.join(unknown)}; known: {', '.join(declared)}")
        cleaned = {name: f.clean(given[name]) for name, f in declared.items() if name in given}
        object.__setattr__(self, "search", search)
        object.__setattr__(self, "_values", {k: v for k, v in cleaned.items() if v is not None})

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._values.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FilterValues is read-only")

    def __hash__(self) -> int:
        return hash((self.search, tuple(sorted(self._values.items(), key=lambda kv: kv[0]))))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FilterValues):
            return NotImplemented
        return self.search == other.search and self._values == other._values

    def __repr__(self) -> str:
        return f"FilterValues({self.search!r}, {self._values!r})"

    def items_with_filters(self) -> Iterator[tuple[Filter, Any]]:
        """(filter, value) of every set filter, in declaration order."""
        for f in for_search(self.search):
            if f.name in self._values:
                yield f, self._values[f.name]


def signature(search: str, leading: Sequence[inspect.Parameter] = (), trailing: Sequence[inspect.Parameter] = ()) -> inspect.Signature:
    """A signature with one keyword-only parameter per filter of ``search`` (default None), between
    ``leading`` and ``trailing`` parameters: what ``help()`` shows for a function taking filters."""
    params = [*leading]
    params += [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=f.annotation)
               for f in for_search(search)]
    params += [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if p.kind is not inspect.Parameter.VAR_KEYWORD else p
               for p in trailing]
    return inspect.Signature(params)


# --------------------------------------------------------------------------------------------
# The built-in filters, in the order of the CLI options, API parameters and form fields


def _kinds() -> tuple[str, ...]:
    return facts.kinds_of("difficulty")


def _kind_label(kind: Any) -> str:
    return {sub.name: sub.label_vi for sub in facts.fact("difficulty").kinds}.get(str(kind), str(kind))


def _categories() -> tuple[str, ...]:
    from pipeline.extract.categories import category_names

    return category_names()


register(Filter(
    "q", str, "Words, with or without accents (`dat dai` finds `đất đai`).", "Từ khóa (gõ có dấu hoặc không dấu)",
    "difficulties", "text", "text", flags=("--q", "-q"), max_length=500,
    description_vi="Từ khóa, có hoặc không dấu (`dat dai` = `đất đai`); dấu phẩy tách các cụm, `*` ở cuối = tiền tố",
    placeholder="ví dụ: tin dung, dat dai, can bo",
))
register(Filter(
    "q", str, "Words the sentence must contain (accents optional).", "Từ khóa trong câu",
    "amounts", "sentence", "contains", flags=("--q", "-q"), max_length=500,
))
register(Filter(
    "province", str, "Province (part of the name, accents optional).", "Tỉnh, thành phố",
    DOCUMENTS, "province", "contains", max_length=200, facet="provinces",
    description_vi="Tỉnh, thành phố (không cần dấu)",
))
register(Filter(
    "issuer", str, "Issuing agency (part of its one name, documents.agency; accents optional).", "Cơ quan ban hành",
    DOCUMENTS, "agency", "contains", max_length=300, facet="issuers", description_vi="Cơ quan ban hành (một phần tên)",
))
register(Filter(
    "year", int, "Year of issue.", "Năm", DOCUMENTS, "year", "equals", minimum=1900, maximum=2100, facet="years",
    description_vi="Năm ban hành",
))
register(Filter(
    "doc_type", str, "Document type word, e.g. 'BÁO CÁO', 'bao cao' or 'công văn' (documents.doc_kind).", "Loại văn bản",
    DOCUMENTS, "doc_kind", "folded", max_length=100, facet="doc_types", description_vi="Loại văn bản, ví dụ BÁO CÁO",
))
register(Filter(
    "kind", str, "difficulty, limitation, cause or recommendation.", "Loại mục",
    "difficulties", "kind", "equals", choices=_kinds, facet="kinds", option_label=_kind_label,
    description_vi="Loại mục",
))
register(Filter(
    "category", str, "Category of the taxonomy, e.g. 'đất đai'.", "Lĩnh vực",
    "difficulties", "categories", "has", max_length=200, suggestions=_categories, facet="categories",
    description_vi="Lĩnh vực (theo bảng phân loại)",
))
register(Filter(
    "role", str, "kế hoạch, giải ngân, thu, chi … (accents optional).", "Vai trò của số tiền",
    "amounts", "role", "folded", max_length=100,
))
register(Filter(
    "currency", str, "VND, USD …", "Đơn vị tiền", "amounts", "currency", "equals", max_length=10,
    normalize=str.upper,
))
register(Filter(
    "min_value", float, "Smallest value (in the currency's base unit).", "Từ (giá trị)",
    "amounts", "value", "at_least", flags=("--min",),
))
register(Filter(
    "max_value", float, "Largest value.", "Đến (giá trị)", "amounts", "value", "at_most", flags=("--max",),
))


__all__ = [
    "DOCUMENTS", "Filter", "FilterValues", "Match", "QueryError", "SEARCHES", "for_search", "register",
    "registered", "signature", "unregister",
]
