"""Percentages in the normalised text of a Vietnamese report.

Forms: ``49,3%``, ``85 %``, ``100% KH`` (the match is ``100%``), ``15 phần trăm``,
``mười lăm phần trăm``, ``hai phẩy năm phần trăm``, ranges ``10-15%``, ``từ 10% đến 15%``, ``giữa
10 và 15%`` (two matches linked as low and high), and bare numbers in table cells under a
``%`` / ``Tỷ lệ (%)`` column or in a table whose unit line says ``Đơn vị tính: %``. A sign
(``-2,5%``, ``âm 3%``) makes the value negative; a bound (``dưới 5%``, ``khoảng 30%``) is its
``qualifier`` and a change (``giảm 5%``: value 5) its ``direction`` (see
:func:`pipeline.extract.numbers.modifiers`).
``tăng 2,5 lần`` is a ratio, not a percentage; a ``%`` inside a URL or code is not one either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from pipeline.extract.money import sentence_span
from pipeline.extract.numbers import (
    column_direction,
    digit_run_starts,
    link_ranges,
    modifiers,
    number_run_pattern,
    number_word_starts,
    parse_number,
    read_number_run,
    run_start,
    scan_at,
    writes_decimal_comma,
)
from pipeline.extract.tables import table_cells

_NUM = r"\d+(?:[.,]\d+)*"
_NUM_START = r"(?<![\w.,/%])(?<!\w-)"
_PERCENT = re.compile(
    rf"(?:{_NUM_START}(?P<first>{_NUM})[ \u00a0]*(?P<sep>-|–|—|÷|đến|tới|và)[ \u00a0]*|{_NUM_START})"
    rf"(?P<num>{_NUM})(?![.,]?\d)[ \u00a0]*(?P<sign>%|phần\s+trăm(?!\w))",
    re.IGNORECASE,
)
_WRITTEN = re.compile(rf"(?P<words>{number_run_pattern()})\s+phần\s+trăm(?!\w)", re.IGNORECASE)
_BETWEEN = re.compile(r"(?<!\w)giữa[ \u00a0]+$", re.IGNORECASE)
_URL_TOKEN = re.compile(r"://|www\.|[=&?]|%[0-9A-Fa-f]{2}")
_TOKEN = re.compile(r"\S+")

# Subject: the noun phrase before "đạt / chiếm / bằng / tăng / giảm / là …" that leads to the number.
_VERB = re.compile(
    r"(?<!\w)(?:đạt|chiếm|bằng|tăng(?!\s+(?:trưởng|cường))|giảm(?!\s+nghèo)|là|còn|ở mức|được|lên|xuống)"
    r"(?!\w)",
    re.IGNORECASE,
)
_VERB_WINDOW = 30
_CLAUSE_BOUNDARY = re.compile(r",(?!\d)|[;:(\[“\"]")
# Between the verb and the number: at most two words ("đạt tỷ lệ 100%"), no punctuation.
_VERB_TO_NUMBER = re.compile(r"^\s*(?:[^\W\d_]+\s+){0,2}$")
_LEADING_FILLER = re.compile(
    r"^(?:\s|[-+•*–]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|kết quả|trong đó|hiện nay|đến nay|theo đó|qua đó|"
    r"nhìn chung|riêng|tổng cộng|tổng số|số lượng|bình quân)+",
    re.IGNORECASE,
)
_SUBJECT_STOP = re.compile(
    r"(?<!\w)(?:đến|tính đến|trong|tại|năm|tháng|quý|của|so với|theo|từ|với|đạt|chiếm|bằng|"
    r"tăng(?!\s+(?:trưởng|cường))|giảm(?!\s+nghèo)|là|còn|"
    r"được|đã|có|ở|khoảng|lên|xuống)(?!\w)|\d|[,;:()\"“”/]",
    re.IGNORECASE,
)
_MAX_SUBJECT_WORDS = 6
_LEADING_BULLET = re.compile(r"^(?:[-+•*–]|\d+(?:\.\d+)*[.)]|[a-zđ]\))\s*")
_LABEL_CELL = re.compile(r"^(?![IVXLC]+[.)]?$)[^%]*[^\W\d_]{2}[^%]*$")


@dataclass(frozen=True)
class PercentMatch:
    """One percentage: its span, its value (``49,3%`` -> 49.3), and what it measures."""

    start: int
    end: int
    text: str
    value: float
    subject: str | None
    from_table_unit: bool
    direction: str | None = None
    qualifier: str | None = None
    range_role: str | None = None
    range_id: int | None = None


def _noun_phrase(clause: str) -> str | None:
    clause = _LEADING_FILLER.sub("", clause.strip())
    stop = _SUBJECT_STOP.search(clause)
    phrase = (clause[: stop.start()] if stop else clause).strip(" -–")
    words = phrase.split()
    if not words:
        return None
    return " ".join(words[:_MAX_SUBJECT_WORDS])


def subject_of(text: str, start: int) -> str | None:
    """What the percentage at ``start`` measures, when its sentence names it.

    In a table row, the row label. In running text, the short noun phrase that opens the clause
    ending in ``đạt / chiếm / bằng / tăng / giảm / là …`` right before the number; when that clause
    is empty (``…, đạt 49,3%``) the clause before it: "Kết quả giải ngân đến 31/10/2020 là 197,3
    triệu, đạt 49,3%" -> "giải ngân". None when no such verb leads to the number.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if "\t" in line:
        label = next((c.strip() for c in line.split("\t") if _LABEL_CELL.match(c.strip())), None)
        return _LEADING_BULLET.sub("", label) if label else None
    sentence_start, _ = sentence_span(text, start, start)
    verbs = list(_VERB.finditer(text, max(sentence_start, start - _VERB_WINDOW), start))
    if not verbs or not _VERB_TO_NUMBER.match(text[verbs[-1].end() : start]):
        return None
    verb_start = verbs[-1].start()
    prefix = text[sentence_start:verb_start]
    clauses = _CLAUSE_BOUNDARY.split(prefix)
    for clause in reversed(clauses):
        phrase = _noun_phrase(clause)
        if phrase:
            return phrase
        if clause.strip():
            return None
    return None


def _in_url_or_code(text: str, start: int, end: int) -> bool:
    token_start = text.rfind(" ", 0, start) + 1
    token = _TOKEN.match(text, token_start)
    return bool(token) and bool(_URL_TOKEN.search(token.group()))


def _inline(text: str) -> Iterator[tuple[PercentMatch, bool]]:
    """Percentages in digits, each with whether a sign may be read before it."""
    decimal_comma = writes_decimal_comma(text)
    for m in scan_at(_PERCENT, text, digit_run_starts(text)):
        if _in_url_or_code(text, m.start(), m.end()):
            continue
        value = parse_number(m.group("num"), decimal_comma=decimal_comma)
        if value is None:
            continue
        subject = subject_of(text, m.start())  # a range shares the subject of its first number
        first_text = m.group("first")
        if first_text is not None and m.group("sep").lower() == "và" and not _BETWEEN.search(
            text, max(0, m.start("first") - 10), m.start("first")
        ):
            first_text = None  # "3 và 5%": a range only as "giữa 3 và 5%"
        if first_text is not None:
            first = parse_number(first_text, decimal_comma=decimal_comma)
            if first is not None:
                start, end = m.start("first"), m.end("first")
                yield PercentMatch(start, end, text[start:end], first, subject, False), True
        start = m.start("num")
        yield PercentMatch(start, m.end(), text[start : m.end()], value, subject, False), first_text is None


def _written(text: str) -> Iterator[tuple[PercentMatch, bool]]:
    for m in scan_at(_WRITTEN, text, number_word_starts(text)):
        begin = run_start(text, m.start("words"))
        read = read_number_run(text[begin : m.end("words")])
        if read is not None:
            start = begin + read[0]
            yield PercentMatch(start, m.end(), text[start : m.end()], read[1], subject_of(text, start), False), True


def _running_text(text: str) -> list[PercentMatch]:
    """Percentages of the running text with their sign, bound, change and range."""
    written = list(_written(text))
    # "2 chấm 5 phần trăm": the words hold "5 phần trăm", which is not a percentage of its own
    inline = [(m, signed) for m, signed in _inline(text) if not any(w.start < m.end and m.start < w.end for w, _ in written)]
    found = sorted([*inline, *written], key=lambda pair: pair[0].start)
    around = [modifiers(text, m.start, m.end, signed=signed) for m, signed in found]
    links = link_ranges(text, [(a.start, m.end, -m.value if a.negative else m.value, None)
                               for (m, _), a in zip(found, around)])
    matches = []
    for i, ((m, _), mods, link) in enumerate(zip(found, around, links)):
        qualifier, direction = mods.qualifier, mods.direction
        if link is not None and link.role == "high":
            qualifier = qualifier or around[i - 1].qualifier
            direction = direction or around[i - 1].direction
        matches.append(replace(
            m, start=mods.start, text=text[mods.start : m.end], value=-m.value if mods.negative else m.value,
            direction=direction, qualifier=qualifier,
            range_role=link.role if link else None, range_id=link.range_id if link else None,
        ))
    return matches


def find_percentages(text: str) -> Iterator[PercentMatch]:
    """Every percentage in ``text``, in text order (see the module docstring for the forms)."""
    matches = _running_text(text)
    taken = [(m.start, m.end) for m in matches]
    for cell in table_cells(text):
        if cell.unit.kind != "percent" or any(s < cell.end and cell.start < e for s, e in taken):
            continue
        matches.append(PercentMatch(
            cell.start, cell.end, cell.text, cell.number, cell.label or None, True, column_direction(cell.header, cell.number),
        ))
    yield from sorted(matches, key=lambda m: m.start)
