"""What every extractor shares: the match type contract and sentence bounds."""

from __future__ import annotations

import re
from datetime import date
from typing import Protocol

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9-])|\n")


class Match(Protocol):
    """A finder's result: a span of the normalised text plus typed values."""

    start: int
    end: int
    text: str


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence holding ``text[start:end]``.

    A sentence ends at a line break or at ``. ! ? ;`` followed by a capital, a digit or a bullet.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    sentence_start = line_start
    for boundary in _SENTENCE_END.finditer(text, line_start, start):
        sentence_start = boundary.end()
    following = _SENTENCE_END.search(text, end, line_end)
    sentence_end = following.start() if following else line_end
    return sentence_start, sentence_end


def iso_date(day: str | None, month: str | None, year: str | None) -> str | None:
    """``2016-12-07`` from printed day, month and year; None when a part is blank or the date invalid."""
    if not (day and month and year):
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None
