"""Typed containers produced by the ingestion backends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "footnote"]
TextSource = Literal["text", "ocr", "none"]
Column = Literal["left", "right"]


@dataclass
class Block:
    """One structural unit of a document, in reading order.

    ``text`` is the block's text as the backend read it (before normalisation).
    ``cells`` holds the cell texts of a ``table_row``; ``text`` then joins them with tabs.
    ``column`` is set when the block sat in one column of a two-column zone of the page
    (the header and signature zones of a Vietnamese administrative document).
    ``stamps`` are the runs of its text that a PDF's annotations print rather than the page:
    the number and day a digital-signing system stamps into the header's blanks.
    """

    kind: BlockKind
    text: str
    page: int | None = None
    source: TextSource = "text"
    cells: tuple[str, ...] | None = None
    column: Column | None = None
    style: str | None = None
    bold: bool = False
    table_index: int | None = None
    stamps: tuple[str, ...] = ()


@dataclass
class PageInfo:
    """What the backend learned about one page.

    For an OCRed page: ``ocr_confidence`` is Tesseract's mean word confidence (0-100), ``skew`` the
    measured tilt in degrees (the page is turned upright from 0.5°), ``coverage`` the share of the
    page's text ink inside recognised words, ``unreadable`` the share of recognised characters in
    words of confidence below 30, and ``lost_text`` whether either says text was lost.
    """

    page: int
    method: TextSource
    chars: int
    needs_ocr: bool = False
    ocr_confidence: float | None = None
    skew: float | None = None
    coverage: float | None = None
    unreadable: float | None = None
    lost_text: bool = False


@dataclass
class Signature:
    """A digital signature of the file, as the file holds it (not verified).

    ``signed_at`` is ISO 8601 with the signer's offset; ``signer`` the certificate's common name
    (a person or a body), ``signer_kind`` "person" or "agency"; ``unit``, ``organization`` and
    ``place`` its OU, O and L; ``reason`` the text the signing software wrote.
    """

    index: int
    signed_at: str | None
    signer: str | None
    unit: str | None
    organization: str | None
    place: str | None
    email: str | None
    reason: str | None
    signer_kind: Literal["person", "agency"] | None = None


@dataclass
class SourceDocument:
    """Everything a backend extracted from one file, before normalisation."""

    path: str
    file_format: str
    blocks: list[Block] = field(default_factory=list)
    pages: list[PageInfo] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)

    @property
    def page_count(self) -> int | None:
        """Number of pages, or None when the format has no fixed pages (TXT, DOCX, DOC)."""
        return len(self.pages) or None

    @property
    def pages_needing_ocr(self) -> list[int]:
        """Page numbers (1-based) that have no usable text layer."""
        return [p.page for p in self.pages if p.needs_ocr]
