"""The section tree of a report: numbered and un-numbered headings with their extent.

Vietnamese administrative reports number their outline with a few schemes — ``Phần thứ nhất`` /
``Phần I``, Roman ``I.``, Arabic ``1.``, multi-level ``1.1.`` / ``2.1.3``, letters ``a)`` / ``đ)``,
``(1)``, and bullets ``-`` / ``+`` / ``•`` — and every document nests them in its own order. So
levels are not fixed per scheme: the outline is read with a stack, a scheme seen for the first time
opens a deeper level, and a scheme already on the stack closes everything below it (the usual way
a reader follows a numbered outline). Un-numbered upper-case lines, DOCX heading styles and bold
short lines are headings of their own scheme.

The backend's block kind is only a hint: numbering is read here from the text. Footnote blocks
never take part in the outline and never extend a section; the national-motto header and the
signature / ``Nơi nhận`` tail are not sections.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.document import DocumentText, TextBlock
from pipeline.normalize import fold_prefix

# "1/", "a/", "II/" (followed by a space: "1/2024" is a date) are numbers as many agencies type them;
# "* " is a bullet ("*Những …" is emphasis)
_MARKER = re.compile(
    r"""^(?:
      (?P<part>(?:Phần|PHẦN|Chương|CHƯƠNG)\s+(?:thứ|THỨ|Thứ)\s+[^\W\d_]+|(?:Phần|PHẦN|Chương|CHƯƠNG)\s+(?:[IVXLC]{1,6}|\d{1,2})\b)
     |(?P<appendix>(?:Phụ\s+lục|PHỤ\s+LỤC)(?:\s+(?:số\s+)?[IVXLC\d]{1,6}\b)?)
     |(?P<roman>[IVXL]{1,6})(?:\s*[.)]|\s[-–]|/(?=\s))
     |(?P<upper>[A-HJ-KM-UWYZ])\.(?=\s)
     |(?P<multi>\d{1,2}(?:\.\d{1,2}){1,3})\.?(?=\s)
     |(?P<arabic>\d{1,2})(?:\s*[.)](?=\s|[^\W\d_])|/(?=\s))
     |\((?P<paren>\d{1,2})\)
     |\((?P<paren_letter>[a-zđ])\)
     |(?P<letter>[a-zđ])(?:\s*[).]|/)(?=\s)
     |(?P<dash>[-–—])
     |(?P<plus>\+)
     |(?P<dot>[•●▪∙·○◦➢❖✓►]|\*(?=\s))
    )[ \t]*""",
    re.VERBOSE,
)
_BULLET_SCHEMES = frozenset({"dash", "plus", "dot"})
_SALUTATION = re.compile(r"^\W*kinh gui\b")
_SALUTATION_WITHIN = 20  # blocks of a document's head where its "Kính gửi:" stands
# an addressee's line under "Kính gửi:" ends with ";" or is the list's last, ending with "."
_ADDRESSEE_LINE = re.compile(r";\s*$")
# marks OCR reads in a scan's margin before a line: strokes, a lone "l", "I" or "li", tildes, underscores
_MARGIN_NOISE = re.compile(r"^(?:[|lIiỊị!~]{1,2}\s+|_+\s*)+(?=\S)")
_EMPHASIS = re.compile(r"\*+")
_HEADING_STYLE = re.compile(r"^(?:heading|tiêu đề|title)\s*(?P<n>\d)?", re.IGNORECASE)
_MAX_HEADING_CHARS = 200
_MAX_QUOTED_BLOCKS = 12
_MOTTO = ("cong hoa xa hoi chu nghia", "doc lap - tu do", "doc lap – tu do", "dang cong san viet nam")
_TAIL_START = re.compile(r"^(?:noi nhan|tm\.|kt\.|q\.|tl\.|th\.)", re.IGNORECASE)
_BODY_MIN_CHARS = 80
_PREFIX_CHARS = 40  # longer than the motto and tail words sought at a block's start
_QUOTE_OPEN = ("“", '"', "‘", "'", "«")


@dataclass(frozen=True)
class Section:
    """One heading of the outline and the text it governs (``text[start:end]``)."""

    section_id: int
    parent_id: int | None
    level: int
    number: str | None
    heading: str
    start: int
    end: int
    page: int | None


@dataclass(frozen=True)
class OutlineNode:
    """A numbered / bulleted / heading block of the body, at its depth in the outline.

    ``first``..``last`` are block indexes of the node's own block(s) (a ``Phần`` line merged with
    its title line spans two); ``stop`` is the block index where the node's extent ends.
    """

    first: int
    last: int
    stop: int
    level: int
    scheme: str
    number: str | None
    marker_end: int
    is_heading: bool
    parent: int | None


def _is_upper_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def marker_of(text: str) -> tuple[str | None, str | None, int]:
    """Numbering scheme, number and the length of the marker (with its spaces) opening ``text``.

    Returns ``(None, None, 0)`` for a line without numbering (and for quoted text, whose numbering
    belongs to the document it quotes).
    """
    if text.startswith(_QUOTE_OPEN):
        return None, None, 0
    match = _MARKER.match(text)
    if not match:
        return None, None, 0
    scheme = match.lastgroup or ""
    number = match.group(scheme)
    if scheme == "multi":
        scheme = f"multi{number.count('.') + 1}"
    if scheme in _BULLET_SCHEMES:
        number = None
    elif scheme in {"part", "appendix"}:
        number = " ".join(number.split())
    return scheme, number, match.end()


def _block_marker(block: TextBlock) -> tuple[str | None, str | None, int]:
    """``marker_of`` the block; on a scan, after the marks OCR reads in the page's margin before
    a line ("li a/ phần nội dung:", "l ~ Về …", "I _- Đối với …")."""
    found = marker_of(block.text)
    if found[0] is not None or block.source != "ocr":
        return found
    noise = _MARGIN_NOISE.match(block.text)
    if noise is None:
        return found
    scheme, number, length = marker_of(block.text[noise.end() :])
    return (scheme, number, noise.end() + length) if scheme is not None else found


def _style_level(style: str | None) -> str | None:
    if not style or style.startswith("footnote"):
        return None
    match = _HEADING_STYLE.match(style)
    if not match:
        return None
    return f"style{match.group('n') or 0}"


def _opens_with_motto(block: TextBlock) -> bool:
    # the motto is all that is looked for in a block's first characters
    return fold_prefix(block.text, _PREFIX_CHARS).startswith(_MOTTO)


def _is_salutation(block: TextBlock) -> bool:
    """Whether the block is a letter's "Kính gửi: …"."""
    return bool(_SALUTATION.match(fold_prefix(block.text, _PREFIX_CHARS)))


def body_bounds(blocks: Sequence[TextBlock], first: int = 0) -> tuple[int, int]:
    """Index of the first body block and of the first block of the signature tail, reading the
    document that starts at block ``first``."""
    start = first
    addressed = False  # after "Kính gửi:" and its list of addressees the letter's body begins
    # a letter's header ends with "Kính gửi:": what stands before it (a long subject line) is no body
    salutation = next((b.index for b in blocks[first : first + _SALUTATION_WITHIN] if _is_salutation(b)), first)
    for block in blocks[salutation:]:
        if block.kind == "footnote":
            break
        scheme, _, _ = marker_of(block.text)
        if block.column is None and not _opens_with_motto(block) and (
            scheme in {"part", "roman", "arabic", "multi2"}
            or (block.kind in {"paragraph", "list_item"} and len(block.text) >= _BODY_MIN_CHARS)
            or (addressed and block.kind == "paragraph" and scheme is None and not _ADDRESSEE_LINE.search(block.text))
        ):
            start = block.index
            break
        addressed = addressed or _is_salutation(block)
    end = len(blocks)
    for block in blocks[start + 1 :]:
        if block.kind == "footnote":
            end = block.index
            break
        if _TAIL_START.match(fold_prefix(block.text, _PREFIX_CHARS)):
            end = block.index
            break
    return start, end


def body_parts(blocks: Sequence[TextBlock]) -> list[tuple[int, int]]:
    """``body_bounds`` of every document a file holds, in order.

    A cover letter forwards another agency's letter, a tờ trình carries its draft: after the first
    document's signature tail, each document with a header of its own (the national motto, Nghị
    định 30/2020, Điều 8) has a body of its own, read like the first.
    """
    parts = [body_bounds(blocks)]
    while parts[-1][1] < len(blocks):
        motto = next(
            (
                block.index
                for block in blocks[parts[-1][1] :]
                if block.kind != "footnote" and _opens_with_motto(block)
            ),
            None,
        )
        if motto is None:
            break
        start, end = body_bounds(blocks, motto + 1)
        if start <= motto or end <= start:
            break
        parts.append((start, end))
    return parts


def _heading_scheme(block: TextBlock) -> str | None:
    """Scheme of an un-numbered heading line, or None when the block is running text."""
    text = block.text.strip("* ")
    if not text or len(text) > _MAX_HEADING_CHARS or block.column is not None:
        return None
    if text[0].islower() or text.endswith((".", ";", ",")):
        return None
    style = _style_level(block.style)
    if style:
        return style
    if block.kind != "heading":
        return None
    if _is_upper_line(text):
        return "caps"
    if block.bold:
        return "bold"
    return None


def quoted_blocks(blocks: Sequence[TextBlock], first: int, stop: int) -> set[int]:
    """Blocks of ``[first, stop)`` that open with a quotation mark or lie inside a quotation.

    A report quotes a law or a draft with its own numbering ("“…2. Hồ sơ … gồm:", "a) Đơn đề
    nghị …", "c) … (bản chính);”."): those numbers are the quoted text's, not the report's
    outline. Only curly quotes and guillemets count (a straight quote does not say whether it
    opens or closes), and a quotation counts only where it closes within
    ``_MAX_QUOTED_BLOCKS`` blocks: a mark left open by a typo or a misread says nothing.
    """
    balance = [
        blocks[i].text.count("“") + blocks[i].text.count("«") - blocks[i].text.count("”") - blocks[i].text.count("»")
        for i in range(first, stop)
    ]
    quoted = {first + k for k in range(stop - first) if blocks[first + k].text.lstrip().startswith(("“", "«"))}
    k = 0
    while k < len(balance):
        if balance[k] <= 0:
            k += 1
            continue
        depth, end = balance[k], None
        for later in range(k + 1, min(len(balance), k + 1 + _MAX_QUOTED_BLOCKS)):
            depth += balance[later]
            if depth <= 0:
                end = later
                break
        if end is None:
            k += 1
            continue
        quoted.update(first + j for j in range(k + 1, end))
        if not _GOES_ON.search(_after_last_close(blocks[first + end].text)):
            quoted.add(first + end)  # the quotation ends the block; else the block goes on in its own words
        k = end + 1
    return quoted


_GOES_ON = re.compile(r"[^\W\d_]{2,}")


def _after_last_close(text: str) -> str:
    return text[max(text.rfind("”"), text.rfind("»")) + 1 :]


def build_outline(doc: DocumentText) -> list[OutlineNode]:
    """All outline nodes of the bodies (``body_parts``), in document order, with levels read from a
    scheme stack; an attached document's outline starts afresh."""
    nodes: list[OutlineNode] = []
    for body_start, body_end in body_parts(doc.blocks):
        nodes.extend(_part_outline(doc.blocks, body_start, body_end, len(nodes)))
    return nodes


def _part_outline(blocks: Sequence[TextBlock], body_start: int, body_end: int, offset: int) -> list[OutlineNode]:
    """The outline nodes of one body; their ``parent`` positions count from ``offset``."""
    raw: list[tuple[int, int, str, str | None, int]] = []  # first, last, scheme, number, marker_end
    quoted = quoted_blocks(blocks, body_start, body_end)
    index = body_start
    while index < body_end:
        block = blocks[index]
        if block.kind in {"footnote", "table_row"} or index in quoted:
            index += 1
            continue
        scheme, number, marker_len = _block_marker(block)
        if scheme is None:
            scheme = _heading_scheme(block)
            marker_len = 0
        if scheme is None:
            index += 1
            continue
        last = index
        if scheme in {"part", "appendix"} and len(block.text.strip()) <= marker_len + 3:
            # "Phần thứ nhất" alone on its line: its title is the next heading line.
            following = index + 1
            if following < body_end and marker_of(blocks[following].text)[0] is None and (
                _is_upper_line(blocks[following].text) or blocks[following].kind == "heading"
            ):
                last = following
        raw.append((index, last, scheme, number, block.start + marker_len))
        index = last + 1

    nodes: list[OutlineNode] = []
    stack: list[tuple[str, int]] = []  # (scheme, node position)
    levels: list[int] = []
    parents: list[int | None] = []
    for position, (first, _last, scheme, _number, _marker_end) in enumerate(raw):
        schemes = [entry[0] for entry in stack]
        if scheme in schemes:
            del stack[schemes.index(scheme) :]
        parents.append(stack[-1][1] if stack else None)
        stack.append((scheme, position))
        levels.append(len(stack))
    for position, (first, last, scheme, number, marker_end) in enumerate(raw):
        stop = body_end
        for later in range(position + 1, len(raw)):
            if levels[later] <= levels[position]:
                stop = raw[later][0]
                break
        has_children = position + 1 < len(raw) and parents[position + 1] == position
        text = " ".join(blocks[i].text for i in range(first, last + 1))
        content_follows = last + 1 < stop and any(
            blocks[i].kind not in {"footnote", "table_row"} for i in range(last + 1, stop)
        )
        if scheme in _BULLET_SCHEMES:
            is_heading = has_children or (text.rstrip().endswith(":") and content_follows)
        elif scheme in {"part", "appendix", "roman", "upper", "caps", "bold"} or scheme.startswith("style"):
            is_heading = True
        else:
            short = len(text) <= _MAX_HEADING_CHARS and not text.rstrip().endswith(";")
            is_heading = has_children or (short and (content_follows or text.rstrip().endswith(":")))
        nodes.append(
            OutlineNode(
                first=first,
                last=last,
                stop=stop,
                level=levels[position],
                scheme=scheme,
                number=number,
                marker_end=marker_end,
                is_heading=is_heading,
                parent=None if parents[position] is None else parents[position] + offset,
            )
        )
    return nodes


def node_heading(doc: DocumentText, node: OutlineNode) -> str:
    """The heading text after its number, emphasis marks removed (a merged title uses its title)."""
    blocks = doc.blocks
    if node.last != node.first:
        text = blocks[node.last].text
    else:
        text = doc.text[node.marker_end : blocks[node.first].end]
    return _EMPHASIS.sub("", text).strip()


def node_end(doc: DocumentText, node: OutlineNode) -> int:
    """End offset of the node's extent: its last non-footnote block before ``stop``."""
    end = doc.blocks[node.last].end
    for index in range(node.last + 1, node.stop):
        if doc.blocks[index].kind != "footnote":
            end = doc.blocks[index].end
    return end


def find_sections(doc: DocumentText) -> list[Section]:
    """The section tree of ``doc``: one Section per heading of the body, in document order.

    ``level`` is the depth in the outline (1 = outermost scheme of this document), ``end`` is where
    the next heading of the same or a higher level starts (footnotes and the signature tail
    excluded), ``parent_id`` the enclosing section.
    """
    nodes = build_outline(doc)
    ids: dict[int, int] = {}
    sections: list[Section] = []
    for position, node in enumerate(nodes):
        if not node.is_heading:
            continue
        parent = node.parent
        while parent is not None and parent not in ids:
            parent = nodes[parent].parent
        level = 1
        ancestor = parent
        while ancestor is not None:
            level += 1
            ancestor = nodes[ancestor].parent
            while ancestor is not None and ancestor not in ids:
                ancestor = nodes[ancestor].parent
        ids[position] = len(sections)
        block = doc.blocks[node.first]
        sections.append(
            Section(
                section_id=len(sections),
                parent_id=ids[parent] if parent is not None else None,
                level=level,
                number=node.number,
                heading=node_heading(doc, node),
                start=block.start,
                end=node_end(doc, node),
                page=block.page,
            )
        )
    return sections
