"""The coordination office's page and JSON API: a thin FastAPI shell over :mod:`pipeline.query`.

The database is opened read-only for every request; every parameter is typed and validated
(a malformed one gives a 4xx with a message, never a stack trace); templates autoescape and the
HTML pieces built in Python escape their input; a Content-Security-Policy forbids scripts.
"""

from __future__ import annotations

import inspect
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Optional
from urllib.parse import unquote_plus, urlencode

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline import __version__
from pipeline import filters as filter_registry
from pipeline.facts import facts_css
from pipeline.filters import FilterValues
from pipeline.query import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    AmountHit,
    CitingDocument,
    Count,
    DifficultyHit,
    DocumentDetail,
    QueryError,
    all_pages,
    connect_read_only,
    document_detail,
    documents_citing,
    facet_values,
    fact_kinds,
    group_agencies,
    iter_difficulties,
    most_cited,
    MAX_GROUPS,
    SharedComplaint,
    search_amounts,
    search_difficulties,
    shared_complaints,
)
from pipeline.search_index import SearchArrays, SearchIndexMissing, load_search_arrays, match_spans, require_search_index
from pipeline.web.export import citing_columns, difficulty_columns, to_csv, to_xlsx
from pipeline.web.render import (
    bar_chart,
    fact_labels,
    highlight_facts,
    kind_label,
    kind_labels,
    mark_matches,
    page_numbers,
    vn_date,
    vn_number,
)

HERE = Path(__file__).resolve().parent
EXPORT_CITING_LIMIT = 10_000
ExportFormat = Literal["csv", "xlsx"]
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"


# ----------------------------------------------------------------------------- plumbing
class _DropEmptyQueryValues:
    """ASGI middleware: drop ``name=`` pairs with an empty value, as an HTML form sends for "any"."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            parts = scope["query_string"].split(b"&")
            kept = [p for p in parts if p and unquote_plus(p.partition(b"=")[2].decode("latin-1")).strip()]
            scope = {**scope, "query_string": b"&".join(kept)}
        await self.app(scope, receive, send)


class _SecurityHeaders:
    """ASGI middleware adding a strict Content-Security-Policy and related headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def host_name(header: str) -> str:
    """The host of a ``Host`` header, without its port, lower-cased (``[::1]:8000`` → ``::1``)."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    name, colon, port = value.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        value = name
    return value.rstrip(".")


class _CheckHost:
    """ASGI middleware: a request whose ``Host`` header names none of ``allowed`` gets 400.

    The page writes the request's host into links (exports link every row to its document), so
    a forged Host must never get that far; DNS rebinding is refused the same way. ``*`` in
    ``allowed`` turns the check off (behind a proxy that checks it).
    """

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = frozenset(host_name(h) for h in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "*" not in self.allowed:
            hosts = [value.decode("latin-1") for key, value in scope["headers"] if key == b"host"]
            if len(hosts) != 1 or host_name(hosts[0]) not in self.allowed:
                response = JSONResponse({"detail": "the Host header names no address this server answers to"},
                                        status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _HeadAsGet:
    """ASGI middleware: HEAD is answered wherever GET is, with GET's status and headers and no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class _BoundedCache(OrderedDict):  # type: ignore[type-arg]
    """A small thread-safe LRU mapping for counts (of one version of the store: see ``_StoreCaches``)."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity
        self.lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        with self.lock:
            if key in self:
                self.move_to_end(key)
                return super().__getitem__(key)
            return default

    def __setitem__(self, key: Any, value: Any) -> None:
        with self.lock:
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.capacity:
                self.popitem(last=False)


class _StoreCaches:
    """The facets, the counts and the search arrays of the store as it is now, recomputed after any write to it.

    The server only reads, but ``baocao extract`` may write into the same store while it runs.
    The key of the cached values is the file's identity (a store replaced by another file) and
    SQLite's ``PRAGMA data_version`` on a connection kept open, which changes whenever another
    connection commits; when the key changes, the facets and the search arrays (every item's facets
    and size, :func:`~pipeline.search_index.load_search_arrays`, about 2 s per million items) are
    read again and the counts dropped.
    """

    def __init__(self, db: Path, capacity: int = 512) -> None:
        self.db = db
        self.capacity = capacity
        self.lock = threading.Lock()
        self.watcher: sqlite3.Connection | None = None
        self.inode: int | None = None
        self.key: tuple[int | None, int] | None = None
        self.facets: dict[str, list[Any]] = {}
        self.counts = _BoundedCache(capacity)
        self.arrays: SearchArrays | None = None

    def _version(self) -> tuple[int | None, int]:
        try:
            inode: int | None = self.db.stat().st_ino
        except OSError:
            inode = None
        if self.watcher is None or inode != self.inode:
            if self.watcher is not None:
                self.watcher.close()
            self.watcher, self.inode = connect_read_only(self.db), inode
        return inode, self.watcher.execute("PRAGMA data_version").fetchone()[0]

    def current(self, connection: sqlite3.Connection) -> tuple[dict[str, list[Any]], _BoundedCache, SearchArrays]:
        """The facets, the counts cache and the search arrays for the store as ``connection`` is about to read it."""
        with self.lock:
            key = self._version()
            if key != self.key or self.arrays is None:
                # read after the version: what the request reads is at least this new
                self.facets = facet_values(connection)
                self.counts = _BoundedCache(self.capacity)
                self.arrays = load_search_arrays(connection)
                self.key = key
            return self.facets, self.counts, self.arrays


def _connection(request: Request) -> Iterator[sqlite3.Connection]:
    connection = connect_read_only(request.app.state.db_path)
    try:
        yield connection
    finally:
        connection.close()


Connection = Annotated[sqlite3.Connection, Depends(_connection)]


def _only(*allowed: str) -> Any:
    """Dependency rejecting query parameters the API does not know (a typo would silently match all)."""

    def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - set(allowed))
        if unknown:
            raise HTTPException(400, f"unknown query parameter(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}")

    return Depends(check)


@dataclass(frozen=True)
class SearchQuery:
    """The validated parameters of a search: its filters and the page asked for."""

    filters: FilterValues
    page: int
    size: int


def _search_dependency(search: str) -> tuple[Callable[..., SearchQuery], tuple[str, ...]]:
    """The dependency of a paged search and the names of the query parameters it takes.

    One query parameter per filter of ``search`` (from :mod:`pipeline.filters`), then ``page`` and
    ``size``. Built when the app is created, so that the API, its OpenAPI description and the page
    follow the filter registry: text is bounded by the filter's ``max_length``, numbers by its
    range, and a filter with choices is an enumeration (anything else: 422 naming the parameter).
    """
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = []
    for f in filter_registry.for_search(search):
        annotation = f.annotation
        if f.choices is not None:
            annotation = Optional[Literal[tuple(f.choices())]]  # type: ignore[misc]  # noqa: UP007
        query = Query(description=f.description_vi or f.help, max_length=f.max_length, ge=f.minimum, le=f.maximum,
                      allow_inf_nan=False if f.type is float else None)
        parameters.append(inspect.Parameter(f.name, keyword, default=None, annotation=Annotated[annotation, query]))
    parameters += [
        inspect.Parameter("page", keyword, default=1,
                          annotation=Annotated[int, Query(ge=1, le=MAX_PAGE, description="Trang, từ 1")]),
        inspect.Parameter("size", keyword, default=20, annotation=Annotated[
            int, Query(ge=1, description=f"Số mục mỗi trang (tối đa {MAX_PAGE_SIZE})")]),
    ]

    def dependency(page: int = 1, size: int = 20, **values: Any) -> SearchQuery:
        return SearchQuery(FilterValues(search, values), page, min(size, MAX_PAGE_SIZE))

    dependency.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return dependency, tuple(p.name for p in parameters)


# the page sizes the search page offers (any size up to MAX_PAGE_SIZE is accepted)
PAGE_SIZES = (20, 50, MAX_PAGE_SIZE)

CodeParam = Annotated[str, Query(min_length=1, max_length=200, description="Số hiệu văn bản, ví dụ 1763/QĐ-UBND")]
PageParam = Annotated[int, Query(ge=1, le=MAX_PAGE)]
SizeParam = Annotated[int, Query(ge=1, description=f"capped at {MAX_PAGE_SIZE}")]
MinAgenciesParam = Annotated[int, Query(ge=1, le=1000, description="Số cơ quan báo cáo tối thiểu")]
DocIdParam = Annotated[str, PathParam(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")]


def _search(connection: sqlite3.Connection, request: Request, params: SearchQuery):  # type: ignore[no-untyped-def]
    _, counts, arrays = request.app.state.caches.current(connection)
    return search_difficulties(connection, filters=params.filters, page=params.page, size=params.size,
                               counts_cache=counts, arrays=arrays)


def _url(path: str, values: dict[str, Any]) -> str:
    clean = {k: v for k, v in values.items() if v not in (None, "")}
    return path + ("?" + urlencode(clean) if clean else "")


# ----------------------------------------------------------------------------- API models
class CountsModel(BaseModel):
    """Counts over the whole result."""

    by_category: list[Count]
    by_year: list[Count]


class DifficultiesResponse(BaseModel):
    """A page of difficulty items."""

    total: int
    page: int
    size: int
    pages: int
    items: list[DifficultyHit]
    counts: CountsModel


class CitingResponse(BaseModel):
    """A page of documents citing a code."""

    code: str
    total: int
    page: int
    size: int
    items: list[CitingDocument]
    by_year: list[Count]


class AmountsResponse(BaseModel):
    """A page of money amounts."""

    total: int
    page: int
    size: int
    items: list[AmountHit]
    by_year: list[Count]


class SharedComplaintsResponse(BaseModel):
    """Complaints that several agencies report, most agencies first (``total`` of them; the first 200 listed)."""

    min_agencies: int
    total: int
    items: list[SharedComplaint]


class DocumentResponse(BaseModel):
    """A document, its normalised text and every extracted fact span."""

    document: DocumentDetail
    counts: dict[str, int]


# ----------------------------------------------------------------------------- the app
def create_app(db_path: Path | str, allowed_hosts: Iterable[str] | None = None) -> FastAPI:
    """The web application over the store at ``db_path`` (opened read-only).

    ``allowed_hosts``: the names and addresses a request's ``Host`` header may give (any other
    gets 400; ``*`` allows any); ``None`` checks nothing (a test client, or a proxy in front that
    checks it). :func:`pipeline.web.serve` always gives them. Raises ``FileNotFoundError`` when the file does not exist and
    :class:`~pipeline.search_index.SearchIndexMissing` when it has no search index.
    """
    db = Path(db_path).resolve()
    caches = _StoreCaches(db)
    with closing(connect_read_only(db)) as connection:
        require_search_index(connection)
        caches.current(connection)
    app = FastAPI(
        title="baocao — trang tra cứu của Văn phòng điều phối",
        version=__version__,
        description="Tìm khó khăn, vướng mắc, kiến nghị trong báo cáo; văn bản dẫn chiếu; số tiền. "
        f"Read-only JSON API; page sizes are capped at {MAX_PAGE_SIZE}.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",  # Swagger UI would load from a CDN
    )
    app.state.db_path = db
    app.state.caches = caches
    app.add_middleware(_SecurityHeaders)
    app.add_middleware(_DropEmptyQueryValues)
    app.add_middleware(_HeadAsGet)
    if allowed_hosts is not None:
        app.add_middleware(_CheckHost, allowed=frozenset(allowed_hosts))  # outermost: before anything else
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    stylesheet = facts_css()

    @app.get("/facts.css", include_in_schema=False)
    def fact_colours() -> Response:
        """The colours of the fact highlights, generated from the fact registry."""
        return Response(stylesheet, media_type="text/css; charset=utf-8")

    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(kind_labels=kind_labels(), fact_labels=fact_labels(), kind_label=kind_label,
                                 db_name=db.name, version=__version__)
    templates.env.filters.update(vn_date=vn_date, vn_number=vn_number)
    _install_error_handlers(app, templates)
    difficulty_search = _search_dependency("difficulties")
    _add_api_routes(app, difficulty_search, _search_dependency("amounts"))
    _add_page_routes(app, templates, difficulty_search)
    return app


# what an error page says, in Vietnamese, for the statuses the page can answer with
_STATUS_VI = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy trang hoặc văn bản này.",
    405: "Trang này không nhận kiểu yêu cầu đó.",
    422: "Giá trị tìm kiếm không hợp lệ.",
    500: "Lỗi khi đọc cơ sở dữ liệu.",
    503: "Cơ sở dữ liệu chưa có chỉ mục tìm kiếm: chạy lại baocao extract.",
}


def _field_name(error: Mapping[str, Any]) -> str:
    return ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))


def _install_error_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    def respond(request: Request, status: int, message: str, message_vi: str | None = None) -> Response:
        """JSON for the API (English ``detail``); an error page in Vietnamese for the pages."""
        if not request.url.path.startswith(("/api/", "/openapi")):
            if message_vi is None and not message.isascii():
                message_vi = message  # already written in Vietnamese
            context = {"status": status, "summary": _STATUS_VI.get(status, "Không thực hiện được yêu cầu."),
                       "message": message_vi, "detail": None if message_vi else message}
            return templates.TemplateResponse(request, "error.html", context, status_code=status)
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        message = "; ".join(f"{_field_name(error)}: {error.get('msg', '')}" for error in errors)
        labels = {f.name: f.label_vi for f in filter_registry.registered()} | {"page": "Trang", "size": "Số mục mỗi trang"}
        message_vi = "; ".join(
            f"«{labels.get(_field_name(error), _field_name(error))}» ({_field_name(error)}) không nhận giá trị «{error.get('input', '')}»"
            for error in errors
        )
        return respond(request, 422, message or "invalid request", message_vi or None)

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return respond(request, 422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return respond(request, exc.status_code, str(exc.detail))

    @app.exception_handler(SearchIndexMissing)
    async def no_index(request: Request, exc: SearchIndexMissing) -> Response:
        return respond(request, 503, str(exc))

    @app.exception_handler(sqlite3.Error)
    async def database_error(request: Request, exc: sqlite3.Error) -> Response:
        return respond(request, 500, "database error")


SearchDependency = tuple[Callable[..., SearchQuery], tuple[str, ...]]


def _add_api_routes(app: FastAPI, difficulty_search: SearchDependency, amount_search: SearchDependency) -> None:
    difficulty_query, difficulty_names = difficulty_search
    amount_query, amount_names = amount_search

    @app.get("/api/difficulties", response_model=DifficultiesResponse, tags=["api"],
             dependencies=[_only(*difficulty_names)])
    def api_difficulties(request: Request, connection: Connection,
                         params: SearchQuery = Depends(difficulty_query)) -> DifficultiesResponse:
        """Difficulty, limitation, cause and recommendation items: ranked search, filters, counts."""
        result = _search(connection, request, params)
        return DifficultiesResponse(total=result.total, page=result.page, size=result.size, pages=result.pages,
                                    items=result.items,
                                    counts=CountsModel(by_category=result.by_category, by_year=result.by_year))

    @app.get("/api/references", response_model=CitingResponse, tags=["api"], dependencies=[_only("code", "page", "size")])
    def api_references(connection: Connection, code: CodeParam, page: PageParam = 1, size: SizeParam = 20) -> CitingResponse:
        """The documents citing a code such as ``1763/QĐ-UBND`` (accent-, case- and space-insensitive)."""
        result = documents_citing(connection, code, page=page, size=min(size, MAX_PAGE_SIZE))
        return CitingResponse(code=code, total=result.total, page=result.page, size=result.size, items=result.items,
                              by_year=result.by_year)

    @app.get("/api/documents/{doc_id}", response_model=DocumentResponse, tags=["api"], dependencies=[_only()])
    def api_document(connection: Connection, doc_id: DocIdParam) -> DocumentResponse:
        """A document's metadata, normalised text and every extracted fact span (offsets into the text)."""
        detail = document_detail(connection, doc_id)
        if detail is None:
            raise HTTPException(404, f"no document {doc_id}")
        return DocumentResponse(document=detail, counts=detail.counts)

    @app.get("/api/amounts", response_model=AmountsResponse, tags=["api"], dependencies=[_only(*amount_names)])
    def api_amounts(connection: Connection, params: SearchQuery = Depends(amount_query)) -> AmountsResponse:
        """Money amounts, largest first."""
        result = search_amounts(connection, filters=params.filters, page=params.page, size=params.size)
        return AmountsResponse(total=result.total, page=result.page, size=result.size, items=result.items,
                               by_year=result.by_year)

    @app.get("/api/groups", response_model=SharedComplaintsResponse, tags=["api"], dependencies=[_only("min_agencies")])
    def api_groups(connection: Connection, min_agencies: MinAgenciesParam = 2) -> SharedComplaintsResponse:
        """Groups of items that state the same problem or request, reported by at least ``min_agencies`` issuers."""
        groups = shared_complaints(connection, min_agencies, limit=None)
        return SharedComplaintsResponse(min_agencies=min_agencies, total=len(groups), items=groups[:MAX_GROUPS])

    @app.get("/api/facets", response_model=dict[str, list[str | int | float]], tags=["api"], dependencies=[_only()])
    def api_facets(request: Request, connection: Connection) -> dict[str, list[Any]]:
        """The values each drop-down filter of the difficulty search can take, by facet key."""
        facets, _, _ = request.app.state.caches.current(connection)
        return facets


def _add_page_routes(app: FastAPI, templates: Jinja2Templates, difficulty_search: SearchDependency) -> None:
    difficulty_query, _ = difficulty_search

    def document_link(request: Request) -> Callable[[Any], str]:
        base = str(request.base_url).rstrip("/")
        return lambda item: f"{base}/documents/{item.doc_id}" + (f"#d{item.id}" if isinstance(item, DifficultyHit) else "")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, connection: Connection,
                    params: SearchQuery = Depends(difficulty_query)) -> Response:
        result = _search(connection, request, params)
        facets, _, _ = request.app.state.caches.current(connection)
        values = dict(params.filters)
        hits = [(hit, mark_matches(hit.text, match_spans(hit.text, params.filters.q))) for hit in result.items]
        agencies = group_agencies(connection, [hit.group_id for hit in result.items])
        charts = {
            "category": bar_chart(result.by_category, lambda v: _url("/", {**values, "category": v}),
                                  "Số mục theo lĩnh vực"),
            "year": bar_chart(result.by_year, lambda v: _url("/", {**values, "year": v}), "Số mục theo năm"),
        }
        pages = {
            "previous": _url("/", {**values, "page": result.page - 1, "size": params.size}) if result.page > 1 else None,
            "next": _url("/", {**values, "page": result.page + 1, "size": params.size}) if result.page < result.pages else None,
            "numbers": [None if n is None else (n, _url("/", {**values, "page": n, "size": params.size}))
                        for n in page_numbers(result.page, result.pages)] if result.pages > 1 else [],
        }
        sizes = sorted({*PAGE_SIZES, params.size})
        exports = {fmt: _url(f"/export/difficulties.{fmt}", values) for fmt in ("csv", "xlsx")}
        api = _url("/api/difficulties", {**values, "page": params.page, "size": params.size})
        return templates.TemplateResponse(request, "search.html", {
            "filters": params.filters, "form_filters": filter_registry.for_search("difficulties"),
            "result": result, "hits": hits, "facets": facets, "charts": charts,
            "pages": pages, "exports": exports, "api_url": api, "group_agencies": agencies,
            "sizes": sizes, "size": params.size,
        })

    @app.get("/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, connection: Connection, doc_id: DocIdParam) -> Response:
        detail = document_detail(connection, doc_id)
        if detail is None:
            raise HTTPException(404, f"Không có văn bản {doc_id}")
        body = highlight_facts(detail.text, detail.spans, fact_kinds())
        return templates.TemplateResponse(request, "document.html", {"doc": detail, "body": body,
                                                                     "counts": detail.counts})

    @app.get("/citations", response_class=HTMLResponse, include_in_schema=False)
    def citations_page(
        request: Request, connection: Connection,
        code: Annotated[str | None, Query(max_length=200)] = None, page: PageParam = 1,
    ) -> Response:
        result = documents_citing(connection, code, page=page, size=MAX_PAGE_SIZE) if code and code.strip() else None
        exports = {fmt: _url(f"/export/references.{fmt}", {"code": code}) for fmt in ("csv", "xlsx")} if result else {}
        pages = {}
        if result is not None:
            pages = {
                "previous": _url("/citations", {"code": code, "page": page - 1}) if page > 1 else None,
                "next": _url("/citations", {"code": code, "page": page + 1}) if page < result.pages else None,
            }
        return templates.TemplateResponse(request, "citations.html", {
            "code": code or "", "result": result, "top": most_cited(connection, 25), "exports": exports,
            "pages": pages, "citations_url": lambda c: _url("/citations", {"code": c}),
        })

    @app.get("/groups", response_class=HTMLResponse, include_in_schema=False)
    def groups_page(
        request: Request, connection: Connection, min_agencies: MinAgenciesParam = 2,
        group: Annotated[str | None, Query(max_length=40, pattern=r"^g[0-9a-f]{1,39}$")] = None,
    ) -> Response:
        groups = shared_complaints(connection, 1 if group else min_agencies, group_id=group)
        return templates.TemplateResponse(request, "groups.html", {"groups": groups, "min_agencies": min_agencies,
                                                                   "group": group})

    @app.get("/export/difficulties.{fmt}", include_in_schema=True, tags=["export"])
    def export_difficulties(request: Request, connection: Connection, fmt: ExportFormat,
                            params: SearchQuery = Depends(difficulty_query)) -> Response:
        """The whole current result (every page, up to 100,000 items) as CSV or XLSX."""
        items = iter_difficulties(connection, params.filters)
        columns = difficulty_columns(document_link(request))
        return _download(fmt, items, columns, "kho-khan-kien-nghi", "Khó khăn, kiến nghị")

    @app.get("/export/references.{fmt}", include_in_schema=True, tags=["export"])
    def export_references(request: Request, connection: Connection, code: CodeParam, fmt: ExportFormat) -> Response:
        """The documents citing ``code``, as CSV or XLSX."""
        items = list(all_pages(documents_citing, connection, code, limit=EXPORT_CITING_LIMIT))
        return _download(fmt, items, citing_columns(document_link(request)), "van-ban-dan-chieu", "Văn bản dẫn chiếu")


def _download(fmt: str, items: Any, columns: Any, stem: str, sheet: str) -> Response:
    if fmt == "csv":
        return Response(to_csv(items, columns), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{stem}.csv"'})
    return Response(to_xlsx(items, columns, sheet),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="{stem}.xlsx"'})
