"""Amounts of money in the normalised text of a Vietnamese report.

Three sources of amounts:

* running text: a number (digits or words) followed by a unit, ``500 triệu đồng``, ``197,3 triệu``,
  ``2.370.000đ``, ``12.000 USD``, ``20€``, ``10k đồng``, ``năm trăm triệu đồng``, ``hai tỷ rưỡi``,
  ``2 tỷ 500 triệu đồng``, ``2 chấm 23 đô la``; a currency code or symbol before it, ``$10.000``,
  ``USD1,23``, ``EUR 20``; a shared unit (``9.037/17.454 tỷ đồng``: a part and a whole) or a range
  (``từ 5 đến 10 triệu đồng``, ``1000-2000 đồng``, ``giữa 1,1 và 1,3 đô la``) gives one match per
  number, linked (``range_role``, ``range_id``); a sign (``-500 triệu``, ``âm 1.200.000 đồng``)
  makes the value negative, a bound (``dưới 7.000 đồng``) is its ``qualifier``, a change (``giảm
  1,2 tỷ đồng``) its ``direction`` (see :func:`pipeline.extract.numbers.modifiers`); an amount in
  digits followed by the same amount in words in parentheses (``500.000.000 đồng (Năm trăm triệu
  đồng)``) is one match whose ``words_agree`` says whether the words give the same value;
* a bare scale word (``197,3 triệu``) is money only when its sentence talks about money and no
  counted noun follows it (``3 triệu người`` is not money);
* table cells: a unit line (``Đơn vị tính: Triệu đồng``), a column header (``Số tiền (triệu
  đồng)``), a unit column (``ĐVT``) or a row label (``Tổng thu (tỷ đồng)``) gives the bare numbers
  of the table's cells their unit (:func:`pipeline.extract.tables.table_cells`, shared with the
  percentage finder).

Every word table lives in ``pipeline/data/money_*``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from pipeline.data import read_list, read_table
from pipeline.extract.numbers import (
    column_direction,
    digit_run_starts,
    link_ranges,
    modifiers,
    number_run_pattern,
    number_word_starts,
    number_words,
    parse_number,
    read_number_run,
    run_start,
    scan_at,
    writes_decimal_comma,
)
from pipeline.extract.tables import table_cells
from pipeline.extract.units import CURRENCIES as _CURRENCIES
from pipeline.extract.units import NUM as _NUM
from pipeline.extract.units import SCALES as _SCALES
from pipeline.extract.units import alternation as _alternation
from pipeline.extract.units import is_year as _is_year
from pipeline.extract.units import units as _units

# A number starts a token: not inside another number, a word ("WB8") or a code ("98/2018").
_NUM_START = r"(?<![\w.,/])(?<!\w-)"
_NUM_END = r"(?![.,]?\d)"
_RANGE_SEP = r"(?:-|–|—|÷|/|đến|tới)"
# Scale words that begin another word when followed by these: "tỷ lệ", "tỷ trọng", "triệu tập".
_NOT_SCALE_AFTER = r"(?!\s+(?:lệ|trọng|giá|suất|số|chứng|tập|phú)\b)"
_SPACE = r"[ \u00a0]*"
_ROLE_NONE = "-"


@dataclass(frozen=True)
class MoneyMatch:
    """One amount of money: its span, value in the currency's base unit, and role."""

    start: int
    end: int
    text: str
    value: float
    currency: str
    role: str | None
    from_table_unit: bool
    direction: str | None = None
    qualifier: str | None = None
    range_role: str | None = None
    range_id: int | None = None
    words_agree: bool | None = None


# --------------------------------------------------------------------------- data tables


def _prefix_currencies() -> list[str]:
    return [row[0].lower() for row in read_table("money_units.tsv") if len(row) > 3 and row[3] == "before"]


def _word_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{_alternation(words)})(?!\w)", re.IGNORECASE)


_UNIT = (
    rf"(?:(?P<scale>(?:{_SCALES}){_NOT_SCALE_AFTER}(?:{_SPACE}(?:{_SCALES}){_NOT_SCALE_AFTER})?)"
    rf"(?:{_SPACE}(?P<cur>{_CURRENCIES}))?|(?P<cur_only>{_CURRENCIES}))(?![\w$])"
)
_AMOUNT = re.compile(
    rf"(?:{_NUM_START}(?P<first>{_NUM}){_SPACE}(?P<sep>{_RANGE_SEP}|và){_SPACE}|{_NUM_START})"
    rf"(?P<num>{_NUM}){_NUM_END}{_SPACE}{_UNIT}",
    re.IGNORECASE,
)
_WRITTEN = re.compile(
    rf"(?P<words>{number_run_pattern(_NOT_SCALE_AFTER)})(?:{_SPACE}(?P<cur>{_CURRENCIES})(?![\w$]))?",
    re.IGNORECASE,
)
# "$10.000", "USD1,23", "EUR 20", "USD 2 triệu": a currency code or symbol before the number
# Codes before a number are written in capitals ("USD", "VNĐ"); matching them case-sensitively keeps
# this scan cheap.
_PREFIXED = re.compile(
    rf"(?<![\w$€£¥₫])(?P<cur>{_alternation([c.upper() for c in _prefix_currencies()])})[ \u00a0]?"
    rf"(?P<num>{_NUM}){_NUM_END}(?:{_SPACE}(?P<scale>(?i:(?:{_SCALES}){_NOT_SCALE_AFTER}))(?![\w$]))?(?![\w%])",
)
_BETWEEN = re.compile(r"(?<!\w)giữa[ \u00a0]+$", re.IGNORECASE)
# "500.000.000 đồng (Bằng chữ: Năm trăm triệu đồng chẵn)": the amount again in words
_WORDS_OPEN = re.compile(r"[ \u00a0]*\([ \u00a0]*(?:bằng[ \u00a0]+chữ[ \u00a0]*:?[ \u00a0]*)?", re.IGNORECASE)
_WORDS_CLOSE = re.compile(r"[ \u00a0]*(?:chẵn)?[ \u00a0./]*\)", re.IGNORECASE)
_CONTEXT = _word_regex(read_list("money_context.txt"))
_FOLLOWERS = frozenset(w.lower() for w in read_list("money_followers.txt"))
_NOT_CURRENCY_AFTER_DONG = frozenset(w.lower() for w in read_list("money_not_currency.txt"))
_ROLES = {cue.lower(): role for cue, role in read_table("money_roles.tsv")}
_ROLE_CUE = _word_regex(tuple(_ROLES))
_NEXT_WORD = re.compile(r"[ \u00a0]*(?P<word>[^\W\d_]+)")
_PREVIOUS_WORD = re.compile(r"(?P<word>[^\W\d_]+)[ \u00a0]*$")
_CAPITALISED = re.compile(r"[ \u00a0]+[A-ZĐÀ-Ỹ]")
_SENTENCE_BOUNDARY = re.compile(r"[.;!?](?=\s|$)|[\n\t]")
_MAX_SENTENCE = 2000


# --------------------------------------------------------------------------- helpers


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``text[start:end]``: bounded by ``. ; ! ?`` before a space, a line
    break or a table cell boundary (tab), so "1.234" and "31/10/2020" never split a sentence."""
    sentence_start = max(0, start - _MAX_SENTENCE)
    for boundary in _SENTENCE_BOUNDARY.finditer(text, sentence_start, start):
        sentence_start = boundary.end()
    following = _SENTENCE_BOUNDARY.search(text, end)
    return sentence_start, following.start() if following else len(text)


def role_of(phrase: str, *, first: bool = False) -> str | None:
    """The role named by the cue nearest the end of ``phrase`` (see ``money_roles.tsv``), or by
    its first cue when ``first`` (a column header names its role first: "Kế hoạch vay")."""
    roles = [_ROLES[cue.group().lower()] for cue in _ROLE_CUE.finditer(phrase)]
    roles = [role for role in roles if role != _ROLE_NONE]
    if not roles:
        return None
    return roles[0] if first else roles[-1]


def _dong_is_currency(text: str, cur_start: int, cur_end: int) -> bool:
    """"đồng" after a number is the currency unless it starts a compound ("đồng chí") or a
    place name ("2020 Đồng Tháp")."""
    word = text[cur_start:cur_end]
    if word.lower() != "đồng":
        return True
    following = _NEXT_WORD.match(text, cur_end)
    if following and following.group("word").lower() in _NOT_CURRENCY_AFTER_DONG:
        return False
    if word == "Đồng" and _CAPITALISED.match(text, cur_end):
        return False
    return True


def _followed_by_count_noun(text: str, end: int, sentence_end: int) -> bool:
    """Whether a word that is not a function word follows (``3 triệu người``)."""
    following = _NEXT_WORD.match(text, end, sentence_end)
    return bool(following) and following.group("word").lower() not in _FOLLOWERS


# --------------------------------------------------------------------------- running text


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    value: float
    currency: str | None  # None: a bare scale word, money only in a money context
    role_at: int  # roles are looked for before this offset
    group_end: int  # end of the last amount sharing this unit: what follows it decides "3-5 triệu người"
    spelled: bool = False  # read from number words ("năm trăm triệu", "2 chấm 23")
    signed: bool = True  # False for the second number of a shared-unit range ("10-15 triệu"): no sign
    words_agree: bool | None = None


def _inline_candidates(text: str) -> Iterator[_Candidate]:
    comma_decimals = writes_decimal_comma(text)
    for m in scan_at(_AMOUNT, text, digit_run_starts(text)):
        multiplier = 1.0
        currency: str | None = None
        scale = m.group("scale")
        if scale and scale.lower() == "k" and m.start("scale") != m.end("num"):
            continue  # "10k" and "100K", but a lone "k" is a letter ("mục 10 k)")
        cur_group = "cur" if m.group("cur") else "cur_only"
        cur_start, cur_end = m.start(cur_group), m.end(cur_group)
        has_currency = cur_start >= 0 and _dong_is_currency(text, cur_start, cur_end)
        if scale:
            for word in scale.split():
                multiplier *= _units()[word.lower()][0]
        if has_currency:
            cur_multiplier, currency = _units()[text[cur_start:cur_end].lower()]
            multiplier *= cur_multiplier
            end = cur_end
        elif scale:
            end = m.end("scale")
        else:
            continue
        # a decimal of a scale ("132,354 tỷ"); no document writes a fraction of a đồng
        decimal_comma = comma_decimals and multiplier > 1
        number = parse_number(m.group("num"), decimal_comma=decimal_comma)
        if number is None:
            continue
        if currency is None and any(_units()[w.lower()][1] for w in scale.split()):
            currency = "VND"
        num_text = m.group("num")
        first = m.group("first")
        if first is not None and m.group("sep").lower() == "và" and not _BETWEEN.search(
            text, max(0, m.start("first") - 10), m.start("first")
        ):
            first = None  # "3 và 5 triệu": a range only as "giữa 3 và 5 triệu"
        # "2019-2020 đồng" may be a date's tail, "1000-2000 đồng" is a range
        in_range = first is not None and not _is_year(first)
        if _is_year(num_text) and not scale and not in_range and _follows_year_word(text, m.start("num")):
            continue
        if first is not None:
            first_number = parse_number(first, decimal_comma=decimal_comma)
            if first_number is not None and not (_is_year(first) and not _is_year(num_text)):
                first_start = m.start("first")
                yield _Candidate(first_start, m.end("first"), first_number * multiplier, currency, first_start, end)
        signed = first is None
        yield _Candidate(m.start("num"), end, number * multiplier, currency, m.start("num"), end, signed=signed)


def _prefixed_candidates(text: str) -> Iterator[_Candidate]:
    for m in _PREFIXED.finditer(text):
        multiplier, currency = _units()[m.group("cur").lower()]
        scale = m.group("scale")
        if scale:
            if scale.lower() == "k" and m.start("scale") != m.end("num"):
                continue
            multiplier *= _units()[scale.lower()][0]
        number = parse_number(m.group("num"), decimal_comma=multiplier > 1 and writes_decimal_comma(text))
        if number is None:
            continue
        yield _Candidate(m.start(), m.end(), number * multiplier, currency, m.start(), m.end())


def _written_candidates(text: str) -> Iterator[_Candidate]:
    for m in scan_at(_WRITTEN, text, number_word_starts(text)):
        cur = m.group("cur")
        if cur and not _dong_is_currency(text, m.start("cur"), m.end("cur")):
            cur = None
        last_kind = number_words().get(m.group("words").split()[-1].lower(), ("numeral", 0.0))[0]
        if not cur and last_kind not in ("scale", "half"):
            continue  # neither a currency nor a scale word at the end: a count, not money
        # "trong năm hai tỷ": the number starts where the rest reads as one
        begin = run_start(text, m.start("words"))
        read = read_number_run(text[begin : m.end("words")])
        if read is None:
            continue
        offset, value = read
        start = begin + offset
        currency = None
        end = m.end("words")
        if cur:
            cur_multiplier, currency = _units()[cur.lower()]
            value *= cur_multiplier
            end = m.end("cur")
        yield _Candidate(start, end, value, currency, start, end, spelled=True)


def _follows_year_word(text: str, start: int) -> bool:
    """Whether the number at ``start`` reads as a year: after "năm", or after "/" / "-" (a date)."""
    before = _PREVIOUS_WORD.search(text, max(0, start - 20), start)
    return bool(before and before.group("word").lower() == "năm") or (start > 0 and text[start - 1] in "-–/")


def _money_context(text: str, start: int, end: int, explicit: list[tuple[int, str]]) -> str | None:
    """The currency a bare scale amount at ``text[start:end]`` is in, or None if not money."""
    sentence_start, sentence_end = sentence_span(text, start, end)
    if _followed_by_count_noun(text, end, sentence_end):
        return None
    currencies = [(abs(at - start), cur) for at, cur in explicit if sentence_start <= at < sentence_end]
    if currencies:
        return min(currencies)[1]
    if _CONTEXT.search(text, sentence_start, start) or _CONTEXT.search(text, end, sentence_end):
        return "VND"
    return None


def _with_words_in_parentheses(text: str, candidates: dict[int, _Candidate]) -> dict[int, _Candidate]:
    """An amount in digits followed by itself in words in parentheses is one amount: the words go,
    and the digits' ``words_agree`` says whether both give the same value."""
    for start, c in sorted(candidates.items()):
        if c.spelled or c.currency is None:
            continue
        opening = _WORDS_OPEN.match(text, c.end)
        words = candidates.get(opening.end()) if opening else None
        if words is None or not words.spelled or not _WORDS_CLOSE.match(text, words.end):
            continue
        same_currency = words.currency in (None, c.currency)
        agree = same_currency and math.isclose(words.value, c.value, rel_tol=1e-9, abs_tol=0.5)
        candidates[start] = replace(c, words_agree=agree)
        del candidates[words.start]
    return candidates


def _running_text_money(text: str) -> Iterator[MoneyMatch]:
    found = {c.start: c for c in [*_inline_candidates(text), *_written_candidates(text), *_prefixed_candidates(text)]}
    candidates = sorted(_with_words_in_parentheses(text, found).values(), key=lambda c: c.start)
    explicit = [(c.start, c.currency) for c in candidates if c.currency]
    taken_until = -1
    chosen: list[tuple[_Candidate, str, str | None]] = []
    for c in candidates:
        if c.start < taken_until:
            continue
        currency = c.currency or _money_context(text, c.start, c.group_end, explicit)
        if currency is None:
            continue
        sentence_start, _ = sentence_span(text, c.start, c.end)
        role = role_of(text[sentence_start : c.role_at])
        taken_until = c.end
        chosen.append((c, currency, role))
    around = [modifiers(text, c.start, c.end, signed=c.signed) for c, _, _ in chosen]
    links = link_ranges(text, [(m.start, c.end, c.value * (-1 if m.negative else 1), currency)
                               for (c, currency, _), m in zip(chosen, around)])
    for i, ((c, currency, role), mods, link) in enumerate(zip(chosen, around, links)):
        qualifier, direction = mods.qualifier, mods.direction
        if link is not None and link.role == "high":
            # "tăng khoảng 5-10 tỷ đồng": the words before the low speak for the high too
            qualifier = qualifier or around[i - 1].qualifier
            direction = direction or around[i - 1].direction
        value = -c.value if mods.negative else c.value
        yield MoneyMatch(
            mods.start, c.end, text[mods.start : c.end], value, currency, role, False,
            direction, qualifier, link.role if link else None, link.range_id if link else None, c.words_agree,
        )


# --------------------------------------------------------------------------- finder


def find_money(text: str) -> Iterator[MoneyMatch]:
    """Every amount of money in ``text``, in text order (see the module docstring for forms)."""
    matches = list(_running_text_money(text))
    taken = [(m.start, m.end) for m in matches]
    for cell in table_cells(text):
        if cell.unit.kind != "money" or any(s < cell.end and cell.start < e for s, e in taken):
            continue
        matches.append(
            MoneyMatch(
                cell.start,
                cell.end,
                cell.text,
                cell.number * cell.unit.multiplier,
                cell.unit.currency or "VND",
                role_of(cell.header, first=True),
                True,
                column_direction(cell.header, cell.number),
            )
        )
    yield from sorted(matches, key=lambda m: m.start)
