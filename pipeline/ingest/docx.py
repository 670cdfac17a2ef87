"""DOCX backend: body paragraphs and tables in document order, text boxes, footnotes, endnotes."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from pipeline.errors import IngestError
from pipeline.ingest.legacy import LegacyEncoding, convert_font_text, font_encoding, font_text_is_legacy
from pipeline.ingest.model import Block, BlockKind, SourceDocument
from pipeline.ingest.structure import classify_block
from pipeline.ingest.options import ReadOptions

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = f"{{{W_NS}}}"
_SKIPPED_SUBTREES = {f"{_W}txbxContent", f"{{{MC_NS}}}Fallback", f"{_W}del", f"{_W}instrText"}
_MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
_MAX_COMPRESSION_RATIO = 200
# Memory budget of reading a DOCX: python-docx holds the bytes of every part and parses the XML
# parts into lxml trees, which take up to ~20 times their bytes (measured: empty paragraphs
# 20.4×, runs of one letter 14×, running text 2.7×). 512 MiB allows about 24 MiB of XML, 200 times
# the document.xml of a 40-page report; bench/bench_hostile.py measured a worker (~300 MB with its
# NLP model) reading 34 MiB of one-word paragraphs at 1.3 GB, so this keeps it well under 1.5 GB.
_XML_TREE_FACTOR = 20
_MAX_READ_MEMORY_BYTES = 512 * 1024 * 1024
_NOTE_SKIP_TYPES = {"separator", "continuationSeparator", "continuationNotice"}


def _check_zip(path: Path, display_path: str) -> None:
    """Refuse broken archives and zip bombs before python-docx inflates anything."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except zipfile.BadZipFile as e:
        raise IngestError("CORRUPT_DOCX", f"not a readable DOCX/ZIP archive ({e})", display_path) from e
    if "word/document.xml" not in names:
        raise IngestError("CORRUPT_DOCX", "ZIP archive without word/document.xml", display_path)
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if total > _MAX_UNCOMPRESSED_BYTES or total / packed > _MAX_COMPRESSION_RATIO:
        raise IngestError(
            "ZIP_BOMB",
            f"archive inflates to {total:,} bytes (ratio {total / packed:.0f}:1), refused",
            display_path,
        )
    xml = sum(info.file_size for info in infos if info.filename.lower().endswith((".xml", ".rels")))
    memory = total + _XML_TREE_FACTOR * xml
    if memory > _MAX_READ_MEMORY_BYTES:
        raise IngestError(
            "DOCX_TOO_LARGE",
            f"reading it would take about {memory / 2**20:,.0f} MiB of memory ({xml / 2**20:,.0f} MiB of XML), "
            f"over the budget of {_MAX_READ_MEMORY_BYTES / 2**20:,.0f} MiB; refused",
            display_path,
        )


def _run_text(element: etree._Element) -> Iterator[str]:
    """Yield the visible text of a paragraph, skipping text boxes and deleted text."""
    for child in element:
        tag = child.tag
        if tag in _SKIPPED_SUBTREES:
            continue
        if tag == f"{_W}t":
            yield child.text or ""
        elif tag == f"{_W}tab":
            yield " "
        elif tag in (f"{_W}br", f"{_W}cr"):
            yield " "
        else:
            yield from _run_text(child)


def _paragraph_text(p: etree._Element) -> str:
    return "".join(_run_text(p))


def _is_bold(p: etree._Element) -> bool:
    """True when every run with text in the paragraph is bold."""
    runs = [r for r in p.iter(f"{_W}r") if "".join(t.text or "" for t in r.iter(f"{_W}t")).strip()]
    if not runs:
        return False
    for run in runs:
        bold = run.find(f"{_W}rPr/{_W}b")
        if bold is None or bold.get(f"{_W}val") in ("0", "false"):
            return False
    return True


def _style_id(p: etree._Element) -> str | None:
    style = p.find(f"{_W}pPr/{_W}pStyle")
    return style.get(f"{_W}val") if style is not None else None


def _paragraph_kind(p: etree._Element, text: str, style_names: dict[str, str]) -> tuple[BlockKind, str | None, bool]:
    style_id = _style_id(p)
    style_name = style_names.get(style_id or "", style_id)
    bold = _is_bold(p)
    lowered = (style_name or "").lower()
    if lowered.startswith(("heading", "title")) or p.find(f"{_W}pPr/{_W}outlineLvl") is not None:
        return "heading", style_name, bold
    if p.find(f"{_W}pPr/{_W}numPr") is not None or "list" in lowered:
        kind = classify_block(text, bold)
        return ("heading" if kind == "heading" else "list_item"), style_name, bold
    return classify_block(text, bold), style_name, bold


def _in_fallback(element: etree._Element) -> bool:
    """True inside ``mc:Fallback``: the legacy copy of a text box, already read from ``mc:Choice``."""
    return any(a.tag == f"{{{MC_NS}}}Fallback" for a in element.iterancestors())


def _text_boxes(p: etree._Element) -> Iterator[etree._Element]:
    for box in p.iter(f"{_W}txbxContent"):
        if not _in_fallback(box):
            yield from box.iter(f"{_W}p")


def _cell_text(tc: etree._Element) -> str:
    lines = [_paragraph_text(p).strip() for p in tc.iter(f"{_W}p") if not _in_fallback(p)]
    return "\n".join(line for line in lines if line)


def _table_blocks(tbl: etree._Element, table_index: int) -> Iterator[Block]:
    for tr in tbl.iter(f"{_W}tr"):
        if next(tr.iterancestors(f"{_W}tbl")) is not tbl:
            continue  # rows of a nested table are read as text of their cell
        cells = tuple(_cell_text(tc) for tc in tr.iterchildren(f"{_W}tc"))
        if any(cells):
            yield Block(
                kind="table_row",
                text="\t".join(c.replace("\n", " ") for c in cells),
                cells=cells,
                table_index=table_index,
            )


def _body_blocks(container: etree._Element, style_names: dict[str, str], counter: list[int]) -> Iterator[Block]:
    for child in container:
        if child.tag == f"{_W}p":
            text = _paragraph_text(child).strip()
            if text:
                kind, style, bold = _paragraph_kind(child, text, style_names)
                yield Block(kind=kind, text=text, style=style, bold=bold)
            for box_p in _text_boxes(child):
                box_text = _paragraph_text(box_p).strip()
                if box_text:
                    yield Block(kind=classify_block(box_text), text=box_text, style="text box")
        elif child.tag == f"{_W}tbl":
            counter[0] += 1
            yield from _table_blocks(child, counter[0])
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            yield from _body_blocks(child, style_names, counter)


def _note_roots(document: docx.document.Document, kind: str) -> list[etree._Element]:
    """The parsed footnotes or endnotes parts of the document."""
    return [
        etree.fromstring(rel.target_part.blob)
        for rel in document.part.rels.values()
        if rel.reltype.endswith(f"/{kind}s") and not rel.is_external
    ]


def _note_blocks(roots: list[etree._Element], kind: str) -> Iterator[Block]:
    """Footnotes or endnotes: one ``footnote`` block per note, in id order."""
    for root in roots:
        for note in root.iterchildren(f"{_W}{kind}"):
            if note.get(f"{_W}type") in _NOTE_SKIP_TYPES:
                continue
            text = " ".join(_paragraph_text(p).strip() for p in note.iter(f"{_W}p")).strip()
            if text:
                yield Block(kind="footnote", text=text, style=f"{kind} {note.get(f'{_W}id')}")


class _RunFonts:
    """The font a run's (non-East-Asian) text is set in: the run's own, its character style's,
    its paragraph style's (following ``basedOn``), else the document defaults'."""

    def __init__(self, document: docx.document.Document) -> None:
        styles = document.styles.element
        self._fonts: dict[str, str | None] = {}
        self._based_on: dict[str, str] = {}
        self._default_paragraph: str | None = None
        for style in styles.iterchildren(f"{_W}style"):
            style_id = style.get(f"{_W}styleId")
            if not style_id:
                continue
            self._fonts[style_id] = _font_of(style.find(f"{_W}rPr"))
            based = style.find(f"{_W}basedOn")
            if based is not None and based.get(f"{_W}val"):
                self._based_on[style_id] = based.get(f"{_W}val") or ""
            if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true"):
                self._default_paragraph = style_id
        self._default = _font_of(styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr"))

    def _style_font(self, style_id: str | None) -> str | None:
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            font = self._fonts.get(style_id)
            if font:
                return font
            style_id = self._based_on.get(style_id)
        return None

    def font(self, run: etree._Element, paragraph: etree._Element | None) -> str | None:
        """Name of the font the run's text is set in, or None when unknown."""
        rpr = run.find(f"{_W}rPr")
        own = _font_of(rpr)
        if own:
            return own
        if rpr is not None:
            style = rpr.find(f"{_W}rStyle")
            font = self._style_font(style.get(f"{_W}val") if style is not None else None)
            if font:
                return font
        paragraph_style = None
        if paragraph is not None:
            pstyle = paragraph.find(f"{_W}pPr/{_W}pStyle")
            paragraph_style = pstyle.get(f"{_W}val") if pstyle is not None else None
        return self._style_font(paragraph_style or self._default_paragraph) or self._default


def _font_of(rpr: etree._Element | None) -> str | None:
    if rpr is None:
        return None
    fonts = rpr.find(f"{_W}rFonts")
    if fonts is None:
        return None
    # Theme fonts are never legacy fonts; the explicit name comes second in Word's precedence.
    if fonts.get(f"{_W}hAnsiTheme") or fonts.get(f"{_W}asciiTheme"):
        return None
    return fonts.get(f"{_W}hAnsi") or fonts.get(f"{_W}ascii")


def _convert_legacy_runs(roots: list[etree._Element], document: docx.document.Document) -> set[LegacyEncoding]:
    """Convert, in place, the text of runs set in TCVN3 (``.Vn*``) or VNI (``VNI-*``) fonts.

    Only when the text set in those fonts, taken over the whole document, really is legacy text:
    Unicode documents keep ``VNI-Times`` as their Normal font and type Unicode in it.
    """
    fonts = _RunFonts(document)
    runs: dict[LegacyEncoding, list[tuple[list[etree._Element], bool]]] = {}
    for root in roots:
        for run in root.iter(f"{_W}r"):
            texts = [t for t in run.iterchildren(f"{_W}t") if t.text]
            if not texts:
                continue
            paragraph = next(run.iterancestors(f"{_W}p"), None)
            encoding, capitals = font_encoding(fonts.font(run, paragraph))
            if encoding is not None:
                runs.setdefault(encoding, []).append((texts, capitals))
    used: set[LegacyEncoding] = set()
    for encoding, items in runs.items():
        if not font_text_is_legacy((t.text or "" for texts, _ in items for t in texts), encoding):
            continue
        for texts, capitals in items:
            for t in texts:
                t.text = convert_font_text(t.text or "", encoding, capitals)
        used.add(encoding)
    return used


def load_docx(path: Path, display_path: str, options: ReadOptions | None = None) -> SourceDocument:
    """Read a DOCX file into blocks in document order, then its footnotes and endnotes.

    ``options.legacy`` says whether runs typed in TCVN3/VNI fonts are converted.
    """
    options = options if options is not None else ReadOptions.from_environment()
    _check_zip(path, display_path)
    try:
        document = docx.Document(str(path))
        style_names = {s.style_id: s.name for s in document.styles if s.style_id}
        footnotes, endnotes = _note_roots(document, "footnote"), _note_roots(document, "endnote")
        legacy = _convert_legacy_runs([document.element.body, *footnotes, *endnotes], document) if options.legacy else set()
        blocks = list(_body_blocks(document.element.body, style_names, [0]))
        blocks += list(_note_blocks(footnotes, "footnote"))
        blocks += list(_note_blocks(endnotes, "endnote"))
    except (PackageNotFoundError, KeyError, ValueError, AttributeError, etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError) as e:
        # python-docx meets a part it cannot map (a [Content_Types].xml without its elements) as AttributeError
        raise IngestError("CORRUPT_DOCX", f"python-docx cannot read it ({type(e).__name__}: {e})", display_path) from e
    if not blocks:
        raise IngestError("EMPTY_DOCUMENT", "the DOCX holds no text", display_path)
    provenance = {"legacy_encoding": "+".join(sorted(legacy))} if legacy else {}
    return SourceDocument(path=display_path, file_format="docx", blocks=blocks, provenance=provenance)
