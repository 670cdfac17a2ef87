"""The normalised text of a document and its blocks with offsets into that text."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath

from pipeline.ingest.model import BlockKind, Column, SourceDocument, TextSource
from pipeline.ingest.structure import classify_block
from pipeline.normalize import normalize_text

BLOCK_SEPARATOR = "\n"
CELL_SEPARATOR = "\t"  # between the cells of a table row's text


@dataclass(frozen=True)
class TextBlock:
    """A block of the normalised document text: ``text[start:end]``."""

    index: int
    kind: BlockKind
    start: int
    end: int
    text: str
    page: int | None
    source: TextSource
    column: Column | None
    cells: tuple[str, ...] | None
    style: str | None
    bold: bool
    # the runs of the text a PDF's annotations stamp (``Block.stamps``), normalised
    stamps: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentText:
    """The one normalised text of a document, to which every offset in the dataset refers."""

    text: str
    blocks: tuple[TextBlock, ...]
    # the file's name: an archive often names a file by the document's number ("458TBUB_2019.pdf")
    name: str = ""
    # the days its digital signatures were made (ISO, earliest first): an archive signs a scan
    # the day it issues it, which witnesses a day the header writes by hand
    signed_on: tuple[str, ...] = ()

    @cached_property
    def _block_starts(self) -> list[int]:
        return [block.start for block in self.blocks]

    def page_at(self, offset: int) -> int | None:
        """Page number of the block that holds ``offset`` (None for formats without pages)."""
        # blocks are in text order and each covers its text and the separator after it
        position = bisect_right(self._block_starts, offset) - 1
        if position < 0:
            return None
        block = self.blocks[position]
        return block.page if offset < block.end + len(BLOCK_SEPARATOR) else None


def assemble(source: SourceDocument) -> DocumentText:
    """Normalise every block and join them, one block per line, recording offsets."""
    pieces: list[str] = []
    blocks: list[TextBlock] = []
    offset = 0
    for block in source.blocks:
        if block.cells is not None:
            cells = tuple(normalize_text(cell) for cell in block.cells)
            text = CELL_SEPARATOR.join(cell.replace("\n", " ") for cell in cells)
        else:
            cells = None
            text = normalize_text(block.text).replace("\n", " ")
        if not text.strip():
            continue
        if pieces:
            offset += len(BLOCK_SEPARATOR)
        blocks.append(
            TextBlock(
                index=len(blocks),
                kind=block.kind,
                start=offset,
                end=offset + len(text),
                text=text,
                page=block.page,
                source=block.source,
                column=block.column,
                cells=cells,
                style=block.style,
                bold=block.bold,
                stamps=tuple(normalize_text(run) for run in block.stamps),
            )
        )
        pieces.append(text)
        offset += len(text)
    signed_on = tuple(sorted({s.signed_at[:10] for s in source.signatures if s.signed_at}))
    return DocumentText(
        text=BLOCK_SEPARATOR.join(pieces), blocks=tuple(blocks), name=PurePath(source.path).name, signed_on=signed_on,
    )


def text_as_document(text: str) -> DocumentText:
    """A ``DocumentText`` for a plain string: one paragraph block per non-empty line."""
    blocks = []
    offset = 0
    for line in text.split(BLOCK_SEPARATOR):
        if line.strip():
            blocks.append(
                TextBlock(
                    index=len(blocks), kind=classify_block(line), start=offset, end=offset + len(line), text=line,
                    page=None, source="text", column=None, cells=None, style=None, bold=False,
                )
            )
        offset += len(line) + len(BLOCK_SEPARATOR)
    return DocumentText(text=text, blocks=tuple(blocks))
