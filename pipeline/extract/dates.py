"""Dates and periods in Vietnamese report text: days, months, quarters, halves, years and ranges.

A pure finder over the normalised text (blocks joined by ``\\n``, table cells by ``\\t``). Every
match carries the first and last day of the period it names, as ISO strings:

- day: ``ngày 16 tháng 11 năm 2020``, ``16/11/2020``, ``07/7/2017``, ``16-11-2020``, ``16.11.2020``,
  ``3/3/17`` (a two-digit year is 2000-2068 up to ``68``, 1969-1999 from ``69``, as POSIX reads it)
- month: ``tháng 11/2020``, ``tháng 11 năm 2020``, ``tháng 5-2019``, ``tháng mười năm 2017``,
  ``tháng Mười Hai năm 2018``, ``tháng 10 của năm 2017``; a bare ``11/2020`` only after a word such
  as từ/đến/trong/cuối or as a whole table cell
- quarter: ``Quý IV/2020``, ``quý I năm 2019``, ``Quý 2/2020``, ``quý 4 của năm 2018``, ``quý một
  năm 2019``
- half / range: ``6 tháng đầu năm 2019``, ``6 tháng cuối năm 2019``, ``9 tháng đầu năm 2019``,
  ``nửa đầu năm 2019``; ``6 tháng năm 2019`` counts from January
- year: ``năm 2025``, ``niên độ 2019``; ranges of years ``giai đoạn 2016-2020``, ``năm 2018-2019``
- range: ``từ <date> đến [hết] <date>``, ``<day> - <day>``, and a start lacking what the end gives
  (``từ ngày 01 đến ngày 15/6/2018``, ``từ tháng 1 đến tháng 6/2019``)

Nothing is ever filled in from today's date: ``Quý II`` or ``ngày 16/11`` without a year and
``từ ngày 01/7/2025 đến nay`` (only the start day is kept) are what the text gives and no more.
A draft's blank day (``ngày   tháng 12 năm 2025``, ``ngày   /01/2025``) yields the month
(``tháng 12 năm 2025``, ``01/2025``, without the ``ngày``); a blank day and month (``ngày tháng
năm 2025``) yields the year ``năm 2025``. A bare four-digit number is never a year, not even alone
in a table cell, because counts and amounts fill table cells too.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from pipeline.data import read_table

_MIN_YEAR = 1900
_MAX_YEAR = 2100


@dataclass(frozen=True)
class DateMatch:
    """A date or period found in the text; ``date``/``end_date`` are its first and last day."""

    start: int
    end: int
    text: str
    date: str | None
    end_date: str | None
    granularity: str


def _words(kind: str) -> dict[str, str]:
    return {row[1].lower(): row[2] if len(row) > 2 else "" for row in read_table("dates_words.tsv") if row[0] == kind}


def _alternation(words: dict[str, str]) -> str:
    # Longest first, so "III" is tried before "I" and "mười hai" before "mười".
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_QUARTERS = _words("quarter")
_MONTH_NAMES = _words("month")
_COUNTS = _words("count")
_PARTS = _words("part")
_MONTH_CONTEXT = _words("month_context")
_YEAR_INTRO = _words("year_intro")

# After a year: not more digits, a code ("98/2018/NĐ-CP") or a decimal ("2020,5"). A letter may
# follow, as PDF extraction glues words ("ngày 08/11/2011của").
_END = r"(?![\d/_]|[.,]\d)"
_DAY_START = r"(?:(?<!\w)ngày *|(?<![\w/.,]))"
_FLAGS = re.IGNORECASE

# the month: digits or its name ("tháng mười", "tháng Mười Hai"); "của năm" as well as "năm"
_MONTH_NUMBER = rf"(?P<m>\d{{1,2}}|(?:{_alternation(_MONTH_NAMES)})(?!\w))"
_OF_YEAR = r"(?:của *)?năm *"
_DAY_WORDS = re.compile(
    rf"{_DAY_START}(?P<d>\d{{1,2}}) *tháng *{_MONTH_NUMBER} *{_OF_YEAR}(?P<y>\d{{4}}){_END}", _FLAGS
)
# "3/3/17": a two-digit year only with "/", as "3.3.17" numbers sections and "3-3-17" codes; not
# before more digits, as a broken text layer splits a year ("ngày 30/5/20 19"). One pattern with the
# four-digit form, as each scan of this shape costs as much as all the others.
_DAY_NUMERIC = re.compile(
    rf"{_DAY_START}(?P<d>\d{{1,2}})(?P<sep>[/.-])(?P<m>\d{{1,2}})(?P=sep)"
    rf"(?P<y>\d{{4}}{_END}|(?<=/)\d{{2}}(?![\d/_]|[.,]\d| +\d))",
    _FLAGS,
)
_MONTH = re.compile(
    rf"(?<!\w)tháng *{_MONTH_NUMBER} *(?:{_OF_YEAR}|[/-] *)(?P<y>\d{{4}}){_END}", _FLAGS
)
# A draft's blank day in numeric form ("ngày   /01/2025"): the month, printed as "01/2025".
_MONTH_BLANK_DAY = re.compile(
    rf"(?<!\w)ngày *[._…]* */ *(?P<span>(?P<m>\d{{1,2}})/(?P<y>\d{{4}})){_END}", _FLAGS
)
_MONTH_BARE = re.compile(rf"(?<![\w/.,-])(?P<m>\d{{1,2}})/(?P<y>\d{{4}}){_END}", _FLAGS)
_QUARTER = re.compile(
    rf"(?<!\w)(?:quý|quí|qúy) *(?P<q>{_alternation(_QUARTERS)})(?!\w) *(?:{_OF_YEAR}|[/-] *)(?P<y>\d{{4}}){_END}",
    _FLAGS,
)
_MONTH_COUNT = re.compile(
    rf"(?<!\w)(?<!ngày )(?P<n>\d{{1,2}}|{_alternation(_COUNTS)}|nửa) *(?:tháng *)?"
    rf"(?:(?P<part>{_alternation(_PARTS)}) *)?{_OF_YEAR}(?P<y>\d{{4}}){_END}",
    _FLAGS,
)
_YEAR_RANGE = re.compile(
    rf"(?<!\w)(?:từ +)?(?:giai đoạn|{_alternation(_YEAR_INTRO)})(?: *từ)?(?: *năm)? *(?P<y1>\d{{4}})"
    rf" *(?:[-–—]|đến|tới) *(?:năm *)?(?P<y2>\d{{4}}){_END}",
    _FLAGS,
)
_YEAR = re.compile(rf"(?<!\w)(?:{_alternation(_YEAR_INTRO)}) *(?P<y>\d{{4}}){_END}", _FLAGS)

_MONTH_CONTEXT_BEFORE = re.compile(rf"(?<!\w)(?:{_alternation(_MONTH_CONTEXT)}) +$", _FLAGS)
_RANGE_GAP = re.compile(r" *(?P<word>đến|tới|[-–—]) *(?:hết +)?", _FLAGS)
_RANGE_FROM = re.compile(r"(?<!\w)từ *$", _FLAGS)
_PARTIAL_FROM = re.compile(
    r"(?<!\w)từ *(?:ngày *(?P<d>\d{1,2})(?:[/.-](?P<m>\d{1,2}))?|tháng *(?P<mo>\d{1,2}))"
    r" *(?:đến|tới|[-–—]) *(?:hết +)?$",
    _FLAGS,
)
_PARTIAL_WINDOW = 40

_Period = tuple[date, date, str]


def _year(value: str) -> int | None:
    year = int(value)
    return year if _MIN_YEAR <= year <= _MAX_YEAR else None


def _day(year: str, month: str, day: str) -> date | None:
    y = _year(year)
    if y is None:
        return None
    try:
        return date(y, int(month), int(day))
    except ValueError:
        return None


def _months(year: int, first: int, last: int) -> _Period | None:
    if not 1 <= first <= last <= 12:
        return None
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1]), "month"


def _month_number(month: str) -> int:
    """``11`` or a month's name (``mười một``, ``Mười Hai``) -> its number."""
    return int(month) if month.isdigit() else int(_MONTH_NAMES[" ".join(month.lower().split())])


def _as_day(m: re.Match[str]) -> _Period | None:
    year = m["y"]
    if len(year) == 2:
        year = str(int(year) + (2000 if int(year) < 69 else 1900))
    day = _day(year, str(_month_number(m["m"])), m["d"])
    return (day, day, "day") if day else None


def _as_month(m: re.Match[str]) -> _Period | None:
    year = _year(m["y"])
    month = _month_number(m["m"])
    return _months(year, month, month) if year else None


def _as_quarter(m: re.Match[str]) -> _Period | None:
    year = _year(m["y"])
    if year is None:
        return None
    quarter = int(_QUARTERS[m["q"].lower()])
    period = _months(year, 3 * quarter - 2, 3 * quarter)
    return (period[0], period[1], "quarter") if period else None


def _as_month_count(m: re.Match[str]) -> _Period | None:
    year = _year(m["y"])
    word = m["n"].lower()
    part = _PARTS.get((m["part"] or "").lower(), "first")
    if year is None:
        return None
    if word == "nửa":
        # "nửa năm 2019" says neither which half nor, alone, anything but the year.
        if not m["part"]:
            return None
        count = 6
    else:
        # "6 năm 2019" (no "tháng") is not a period: the count needs its "tháng".
        if "tháng" not in m.group(0).lower():
            return None
        count = int(word) if word.isdigit() else int(_COUNTS[word])
    if not 1 <= count <= 12:
        return None
    period = _months(year, 1, count) if part == "first" else _months(year, 13 - count, 12)
    if period is None:
        return None
    granularity = {3: "quarter", 6: "half", 12: "year"}.get(count, "range")
    return period[0], period[1], granularity


def _as_year_range(m: re.Match[str]) -> _Period | None:
    first, last = _year(m["y1"]), _year(m["y2"])
    if first is None or last is None or first >= last:
        return None
    return date(first, 1, 1), date(last, 12, 31), "range"


def _as_year(m: re.Match[str]) -> _Period | None:
    year = _year(m["y"])
    return (date(year, 1, 1), date(year, 12, 31), "year") if year else None


# (pattern, reader, a shape match with impossible values blocks shorter matches inside it)
_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], _Period | None], bool], ...] = (
    (_DAY_WORDS, _as_day, True),
    (_DAY_NUMERIC, _as_day, True),
    (_MONTH, _as_month, True),
    (_MONTH_BLANK_DAY, _as_month, True),
    (_MONTH_BARE, _as_month, False),
    (_QUARTER, _as_quarter, True),
    (_MONTH_COUNT, _as_month_count, False),
    (_YEAR_RANGE, _as_year_range, False),
    (_YEAR, _as_year, False),
)


def _bare_month_allowed(text: str, start: int, end: int) -> bool:
    """A bare ``11/2020`` is a month after a context word or as a whole table cell, else a fraction or code."""
    if _MONTH_CONTEXT_BEFORE.search(text, max(0, start - 20), start):
        return True
    return (start == 0 or text[start - 1] in "\t\n") and (end == len(text) or text[end] in "\t\n")


# Every form ends in a year: four digits, or two after "/". No form crosses a block ("\n") or a
# table cell ("\t"), so the forms need only scan the segments between those that hold one; each
# pattern's scan of a whole report cost more than all the rest of the finder.
_YEAR_DIGITS = re.compile(r"\d{4}|/\d\d")
_SEGMENT_END = re.compile(r"[\n\t]")


def _segments(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each run of text between ``\\n``/``\\t`` that holds a year's digits."""
    segments: list[tuple[int, int]] = []
    done = 0  # the end of the last segment: nothing before it is looked at again
    while (digits := _YEAR_DIGITS.search(text, done)) is not None:
        at = digits.start()
        start = max(done, text.rfind("\n", done, at) + 1, text.rfind("\t", done, at) + 1)
        stop = _SEGMENT_END.search(text, at)
        done = stop.start() if stop else len(text)
        segments.append((start, done))
    return segments


def _candidates(text: str) -> list[tuple[int, int, _Period]]:
    found: list[tuple[int, int, _Period]] = []
    blocked: list[tuple[int, int]] = []
    segments = _segments(text)
    for pattern, read, blocks in _FORMS:
        for m in (m for start, end in segments for m in pattern.finditer(text, start, end)):
            if pattern is _MONTH_BARE and not _bare_month_allowed(text, m.start(), m.end()):
                continue
            period = read(m)
            start, end = m.span("span") if "span" in pattern.groupindex else m.span()
            if period is not None:
                found.append((start, end, period))
            elif blocks:
                # "31/02/2020" or "ngày 32 tháng 11 năm 2020" is no date, and its "02/2020" or
                # "tháng 11 năm 2020" must not be read as a month either.
                blocked.append((start, end))
    # Overlap tests by bisection, not against every other candidate (quadratic in the text's
    # length): a span [s, e) overlaps one of a list of spans sorted by (start, end) whose ends
    # never decrease iff the last of those starting before e ends after s.
    blocked.sort()
    blocked_starts = [b_start for b_start, _ in blocked]
    reach: list[int] = []  # the furthest end of the blocked spans up to each one
    for _, b_end in blocked:
        reach.append(max(reach[-1], b_end) if reach else b_end)
    found = [c for c in found if not _reaches(blocked_starts, reach, c[0], c[1])]
    chosen: list[tuple[int, int, _Period]] = []
    chosen_keys: list[tuple[int, int]] = []  # (start, end) of the chosen, sorted; they never overlap
    chosen_starts: list[int] = []
    chosen_ends: list[int] = []
    for cand in sorted(found, key=lambda c: (c[0] - c[1], c[0])):
        if not _reaches(chosen_starts, chosen_ends, cand[0], cand[1]):
            at = bisect.bisect_left(chosen_keys, (cand[0], cand[1]))
            chosen_keys.insert(at, (cand[0], cand[1]))
            chosen_starts.insert(at, cand[0])
            chosen_ends.insert(at, cand[1])
            chosen.append(cand)
    return sorted(chosen)


def _reaches(starts: list[int], ends: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the spans (``starts[i]``, ``ends[i]``), sorted by start
    with ``ends`` non-decreasing: ``s < end and start < e`` for one of them."""
    before = bisect.bisect_left(starts, end)
    return before > 0 and ends[before - 1] > start


def _partial_start(text: str, lower: int, end: tuple[int, int, _Period]) -> tuple[int, date] | None:
    """``từ ngày 01 đến ngày 15/6/2018``: the start borrows its missing month and year from the end."""
    m = _PARTIAL_FROM.search(text, max(lower, end[0] - _PARTIAL_WINDOW), end[0])
    if m is None:
        return None
    last_first, _, granularity = end[2]
    try:
        if m["mo"]:
            if granularity not in ("day", "month"):
                return None
            start = date(last_first.year, int(m["mo"]), 1)
        elif m["m"]:
            start = date(last_first.year, int(m["m"]), int(m["d"]))
        else:
            if granularity not in ("day", "month"):
                return None
            start = date(last_first.year, last_first.month, int(m["d"]))
    except ValueError:
        return None
    return (m.start(), start) if start <= end[2][1] else None


def _ranges(text: str, atoms: list[tuple[int, int, _Period]]) -> list[tuple[int, int, _Period]]:
    """Join ``từ A đến [hết] B`` (and ``A - B`` for two days) into one range."""
    out: list[tuple[int, int, _Period]] = []
    i = 0
    while i < len(atoms):
        first = atoms[i]
        second = atoms[i + 1] if i + 1 < len(atoms) else None
        if second is not None:
            gap = _RANGE_GAP.fullmatch(text, first[1], second[0])
            opener = _RANGE_FROM.search(text, max(0, first[0] - 10), first[0])
            dash_days = gap is not None and gap["word"] in "-–—" and first[2][2] == second[2][2] == "day"
            if gap and (opener or dash_days) and first[2][0] <= second[2][1]:
                start = opener.start() if opener else first[0]
                out.append((start, second[1], (first[2][0], second[2][1], "range")))
                i += 2
                continue
        lower = out[-1][1] if out else 0
        partial = _partial_start(text, lower, first)
        if partial is not None:
            out.append((partial[0], first[1], (partial[1], first[2][1], "range")))
        else:
            out.append(first)
        i += 1
    return out


def find_dates(text: str) -> Iterator[DateMatch]:
    """Dates and periods of ``text`` in text order, non-overlapping, the longest reading winning.

    Each match gives its span, the printed text, the first and last day of the period (ISO) and
    its granularity: day, month, quarter, half, year or range. Missing parts are never taken
    from today's date; codes (``98/2018/NĐ-CP``), fractions (``45/45``), amounts and bare
    four-digit numbers are not dates.
    """
    for start, end, (first, last, granularity) in _ranges(text, _candidates(text)):
        yield DateMatch(start, end, text[start:end], first.isoformat(), last.isoformat(), granularity)
