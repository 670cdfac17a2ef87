"""HTML pieces built in Python (escaped here, marked safe for the templates): highlighted text,
server-side SVG bar charts, and the Vietnamese labels of kinds and facts (from the fact registry)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from pipeline import facts
from pipeline.query import Count, FactSpan


def vn_date(value: str | None) -> str:
    """An ISO date as Vietnamese offices write it (``2020-11-16`` -> ``16/11/2020``); anything else
    (a year, an empty value) as it is."""
    if not value:
        return ""
    text = str(value)
    parts = text[:10].split("-")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return text


def vn_number(value: float | int | None) -> str:
    """A number with Vietnamese separators: ``.`` between thousands, ``,`` before decimals
    (``1234567`` -> ``1.234.567``, ``2.5`` -> ``2,5``)."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        whole, _, decimals = f"{value:,.2f}".rstrip("0").partition(".")
        return whole.replace(",", ".") + ("," + decimals if decimals else "")
    return f"{int(value):,}".replace(",", ".")


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: the first, the last and ``around`` on each side of the
    current one; ``None`` where numbers are left out (drawn as ``…``)."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)} - {0})
    out: list[int | None] = []
    for number in shown:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


def fact_labels() -> dict[str, str]:
    """Vietnamese name of each kind of fact shown on a document page (from the fact registry)."""
    return {f.kind: f.label_vi for f in facts.highlighted() if f.kind}


def kind_labels() -> dict[str, str]:
    """Vietnamese name of each item kind (difficulty, limitation, cause, recommendation)."""
    return {sub.name: sub.label_vi for _, sub in facts.iter_kinds()}


def kind_label(kind: str | None) -> str:
    """Vietnamese name of an item kind (the kind itself when unknown)."""
    return kind_labels().get(kind or "", kind or "")


def _item_kinds() -> frozenset[str]:
    """The fact kinds that are whole items (drawn as a ``span`` around the mentions inside)."""
    return frozenset(f.kind for f in facts.highlighted() if f.items and f.kind)


def mark_matches(text: str, spans: Sequence[tuple[int, int]]) -> Markup:
    """``text`` escaped, with the given (start, end) spans wrapped in ``<mark class="hit">``."""
    out = []
    position = 0
    for start, end in spans:
        if start < position:
            continue
        out.append(escape(text[position:start]))
        out.append(Markup('<mark class="hit">') + escape(text[start:end]) + Markup("</mark>"))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


@dataclass(order=True)
class _Piece:
    start: int
    neg_end: int
    rank: int
    serial: int
    span: FactSpan
    continued: bool = False

    @property
    def end(self) -> int:
        return -self.neg_end


def _open_tag(span: FactSpan, continued: bool, items: frozenset[str], labels: dict[str, str]) -> Markup:
    item = span.kind in items
    title = kind_label(span.label) if item else f"{labels.get(span.kind, span.kind)}: {span.label}"
    anchor = "" if continued else f' id="{escape(span.id)}"'
    tag = "span" if item else "mark"
    css = f"fact fact-{span.kind}" + (f" item-{span.label}" if item else "")
    return Markup(f'<{tag} class="{escape(css)}"{anchor} title="{escape(title)}" data-kind="{escape(span.kind)}">')


def _close_tag(span: FactSpan, items: frozenset[str]) -> Markup:
    return Markup("</span>" if span.kind in items else "</mark>")


def highlight_facts(text: str, spans: Sequence[FactSpan], kind_order: Sequence[str]) -> Markup:
    """The document text, escaped, with every fact span wrapped in a tag (well nested).

    Spans are nested by position (an item holds the references and amounts inside it); a span
    that crosses the end of the span it starts in is split in two, so the HTML stays valid.
    Items (difficulty items) become ``<span class="fact fact-difficulty" id="d…">``; other facts
    ``<mark class="fact fact-KIND">`` with a title giving the extracted value.
    """
    items, labels = _item_kinds(), fact_labels()
    rank = {kind: n for n, kind in enumerate(kind_order)}
    queue = [
        _Piece(s.start, -s.end, rank.get(s.kind, len(rank)), n, s)
        for n, s in enumerate(spans)
        if 0 <= s.start < s.end <= len(text)
    ]
    heapq.heapify(queue)
    serial = len(queue)
    out: list[str] = []
    stack: list[_Piece] = []
    position = 0

    def close_until(limit: int) -> None:
        nonlocal position
        while stack and stack[-1].end <= limit:
            top = stack.pop()
            out.append(escape(text[position:top.end]))
            position = top.end
            out.append(_close_tag(top.span, items))

    while queue:
        piece = heapq.heappop(queue)
        close_until(piece.start)
        if piece.start < position:  # only after a split; cannot happen otherwise
            continue
        out.append(escape(text[position:piece.start]))
        position = piece.start
        if stack and piece.end > stack[-1].end:
            parent_end = stack[-1].end
            heapq.heappush(queue, _Piece(parent_end, piece.neg_end, piece.rank, serial, piece.span, True))
            serial += 1
            piece = _Piece(piece.start, -parent_end, piece.rank, piece.serial, piece.span, piece.continued)
        out.append(_open_tag(piece.span, piece.continued, items, labels))
        stack.append(piece)
    close_until(len(text))
    out.append(escape(text[position:]))
    return Markup("").join(out)


def bar_chart(
    counts: Sequence[Count],
    href: Callable[[str | int | None], str],
    title: str,
    label: Callable[[str | int | None], str] = lambda v: "Không rõ" if v is None else str(v),
    width: int = 520,
) -> Markup:
    """A horizontal SVG bar chart of ``counts``; each bar links to ``href(value)`` (escaped)."""
    if not counts:
        return Markup("")
    row, label_width, gap = 22, 230, 6
    bar_space = width - label_width - 60
    biggest = max(c.count for c in counts) or 1
    height = row * len(counts) + gap
    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for n, count in enumerate(counts):
        y = n * row + gap
        bar = max(2, round(bar_space * count.count / biggest))
        text = label(count.value)
        short = text if len(text) <= 34 else text[:33] + "…"
        parts.append(
            f'<a href="{escape(href(count.value))}"><g class="bar">'
            f"<title>{escape(text)}: {count.count}</title>"
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{bar}" height="{row - 8}" rx="2"></rect>'
            f'<text class="count" x="{label_width + bar + 5}" y="{y + 14}">{count.count}</text></g></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
