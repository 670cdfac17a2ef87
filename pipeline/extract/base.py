"""What every extractor shares: the match type contract and sentence bounds."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
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


class SentenceIndex:
    """The sentence bounds of many spans of one text, found without re-scanning it per span.

    Gives the same bounds as :func:`sentence_bounds`: every line's sentence ends are found once,
    and each span looks up its line and the ends around it by bisection, so a document with many
    facts costs time linear in its length.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._line_starts: list[int] = []
        self._line_ends: list[int] = []
        # per line: starts and ends of the sentence-end matches inside it
        self._match_starts: list[list[int]] = []
        self._match_ends: list[list[int]] = []
        line_start = 0
        while True:
            line_end = text.find("\n", line_start)
            line_end = len(text) if line_end < 0 else line_end
            matches = list(_SENTENCE_END.finditer(text, line_start, line_end))
            self._line_starts.append(line_start)
            self._line_ends.append(line_end)
            self._match_starts.append([m.start() for m in matches])
            self._match_ends.append([m.end() for m in matches])
            if line_end >= len(text):
                break
            line_start = line_end + 1

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """Start and end of the sentence holding ``text[start:end]``."""
        line = bisect_right(self._line_starts, start) - 1
        starts, ends = self._match_starts[line], self._match_ends[line]
        before = bisect_left(ends, start) - 1
        if before >= 0 and ends[before] == start - 1:
            # sentence_bounds scans only up to ``start``: an end whose look-ahead needs the
            # span's first character ('. (Quyết định …') is not seen there
            seen = _SENTENCE_END.match(self._text, starts[before], start)
            if seen is None or seen.end() != ends[before]:
                before -= 1
        sentence_start = ends[before] if before >= 0 else self._line_starts[line]
        end_line = bisect_right(self._line_starts, end) - 1
        starts = self._match_starts[end_line]
        after = bisect_left(starts, end)
        sentence_end = starts[after] if after < len(starts) else self._line_ends[end_line]
        return sentence_start, sentence_end


def iso_date(day: str | None, month: str | None, year: str | None) -> str | None:
    """``2016-12-07`` from printed day, month and year; None when a part is blank or the date invalid."""
    if not (day and month and year):
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None
