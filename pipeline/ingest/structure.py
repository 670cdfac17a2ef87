"""Block classification shared by the backends that only see plain lines (PDF, DOC, TXT)."""

from __future__ import annotations

import re

from pipeline.ingest.model import BlockKind

_BULLET = re.compile(r"^(?:[-+•●▪∙·*–—]|\d{1,2}\)|[a-zđ]\)|\(\d{1,2}\)|\([a-zđ]\))\s*\S")
_ROMAN_OR_PART = re.compile(
    r"^(?:[IVXLC]{1,6}\s*[.)/-]|[A-Z]\.|(?:Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC|Điều|ĐIỀU)\s+\S)"
)
_NUMBERED = re.compile(r"^\d{1,2}\.(?:\d{1,2}\.?){0,3}\s+\S")
_LETTERED = re.compile(r"^[a-zđ]\.\s+\S")
_MAX_HEADING_CHARS = 200


def is_upper_case_line(text: str) -> bool:
    """True when the letters of ``text`` are all upper case (and there are at least four)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def starts_new_item(text: str) -> bool:
    """True when a line opens a new list item or heading, so it never continues the previous one."""
    return bool(
        _BULLET.match(text)
        or _ROMAN_OR_PART.match(text)
        or _NUMBERED.match(text)
        or _LETTERED.match(text)
    )


def classify_block(text: str, bold: bool = False) -> BlockKind:
    """Guess whether a paragraph of plain text is a heading, a list item or a paragraph."""
    stripped = text.strip()
    short = len(stripped) <= _MAX_HEADING_CHARS
    ends_sentence = stripped.endswith((".", ";", ","))
    if _BULLET.match(stripped):
        return "list_item"
    if _ROMAN_OR_PART.match(stripped) and short:
        return "heading"
    if _NUMBERED.match(stripped) or _LETTERED.match(stripped):
        return "heading" if short and not ends_sentence else "list_item"
    if short and (is_upper_case_line(stripped) or bold) and not ends_sentence:
        return "heading"
    return "paragraph"
