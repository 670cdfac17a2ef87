"""Printed and written numbers in Vietnamese documents.

Two readers: :func:`parse_number` for digits as printed (``1.234,5``, ``95.120.259.153``, ``197,3``,
and the English style some documents mix in), :func:`parse_written_number` for number words
(``năm trăm``, ``hai mươi mốt``, ``hai tỷ rưỡi``, ``5 nghìn``, ``hai phẩy năm``). The word table is
``data/numbers_words.tsv``.

What the money and percentage finders share about the words around a number: runs of number words
in running text (:func:`number_run_pattern`, :func:`read_number_run`), its sign, bound and change
(:func:`modifiers`, tables ``data/numbers_qualifiers.tsv`` and ``data/numbers_directions.tsv``) and
ranges (:func:`link_ranges`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from pipeline.data import read_table

_NUMBER_SHAPE = re.compile(r"^(?P<head>\d+)(?P<tail>(?:[.,]\d+)*)$")
_SPACE_GROUPED = re.compile(r"^\d{1,3}(?: \d{3})+$")
_PART = re.compile(r"(?P<sep>[.,])(?P<digits>\d+)")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")

# A few number words only exist after a tens word: "hai mươi mốt", "mười lăm", "ba mươi tư".
_ONLY_AFTER_TENS = frozenset({"mốt", "lăm", "nhăm", "tư"})


def parse_number(s: str, *, decimal_comma: bool = False) -> float | None:
    """The value of a number printed with digits, or None when its shape is not a number.

    Vietnamese documents group thousands with "." and mark decimals with ",", but many mix in
    the English style, so the separators are read by shape:

    * digits only: an integer (``2020``); groups of three split by single spaces too (``1 234 567``);
    * both "." and ",": the one that comes last, once, is the decimal mark and the other groups
      thousands, so every group between them has three digits (``1.234,5``, ``1,234.5``,
      ``1.144,30``);
    * one kind of separator used more than once: thousands, every group after the first has
      three digits (``95.120.259.153``, ``1,234,567``); anything else (``20.10.2025``) is None;
    * one separator used once: followed by exactly three digits it groups thousands
      (``161.773``, ``2,500``) unless the part before it is ``0`` (``0,125``); followed by any
      other number of digits it is the decimal mark (``197,3``, ``2.5``, ``3,1416``). With
      ``decimal_comma`` (the document writes decimals with "," and never groups thousands with it:
      :func:`writes_decimal_comma`) a lone "," is the decimal mark whatever follows
      (``132,354 tỷ`` = 132.354 tỷ).
    """
    s = s.strip()
    if _SPACE_GROUPED.match(s):
        return float(s.replace(" ", ""))
    shape = _NUMBER_SHAPE.match(s)
    if not shape:
        return None
    head = shape.group("head")
    parts = [(m.group("sep"), m.group("digits")) for m in _PART.finditer(shape.group("tail"))]
    if not parts:
        return float(head)
    separators = [sep for sep, _ in parts]
    if len(set(separators)) == 2:
        decimal_mark = separators[-1]
        if separators.count(decimal_mark) != 1 or len(head) > 3:
            return None
        if any(len(digits) != 3 for _, digits in parts[:-1]):
            return None
        return float(head + "".join(digits for _, digits in parts[:-1]) + "." + parts[-1][1])
    if len(parts) > 1:
        if len(head) > 3 or any(len(digits) != 3 for _, digits in parts):
            return None
        return float(head + "".join(digits for _, digits in parts))
    digits = parts[0][1]
    if len(digits) == 3 and head != "0" and len(head) <= 3 and not (decimal_comma and separators[0] == ","):
        return float(head + digits)
    return float(head + "." + digits)


@lru_cache(maxsize=None)
def number_words() -> dict[str, tuple[str, float]]:
    """Vietnamese number words: word -> (kind, value), from ``data/numbers_words.tsv``."""
    return {word: (kind, float(value)) for word, kind, value in read_table("numbers_words.tsv")}


def parse_written_number(words: str) -> float | None:
    """The value of a number written in Vietnamese words, or None if ``words`` is not one.

    ``năm trăm`` = 500, ``mười lăm`` = 15, ``hai mươi mốt`` = 21, ``một trăm linh năm`` /
    ``một trăm lẻ năm`` = 105, ``một nghìn lẻ một`` = 1001, ``ba mươi tư`` = 34, ``một trăm mốt`` =
    110, ``hai chục`` = 20, ``hai tỷ rưỡi`` = 2.5e9 ("rưỡi" is half of the unit word just before it),
    ``một nghìn tỷ`` = 1e12 (a larger scale multiplies what precedes), ``hai nghìn ba`` = 2300 (a
    trailing digit after a scale counts in tenths of that scale). Digits may stand for the
    number part: ``5 nghìn`` = 5000, ``1,5 triệu`` = 1.5e6, ``2 tỷ 500 triệu`` = 2.5e9. A decimal
    mark in words: ``hai phẩy năm`` = 2.5, ``2 chấm 23`` = 2.23, ``ba phẩy hai lăm tỷ`` = 3.25e9
    (the words after the mark are its digits, or a number read as digits: ``phẩy hai mươi lăm``).
    Every word must be a number word: ``hai người`` is None.
    """
    tokens = _TOKEN.findall(words.lower())
    if not tokens:
        return None
    table = number_words()
    points = [i for i, token in enumerate(tokens) if table.get(token, ("", 0.0))[0] == "point"]
    if not points:
        return _integer(tokens)
    if len(points) > 1 or points[0] == 0:
        return None
    whole = _integer(tokens[: points[0]])
    tail = tokens[points[0] + 1 :]
    scale_at = next((i for i, t in enumerate(tail) if table.get(t, ("", 0.0))[0] == "scale"), len(tail))
    digits = _fraction_digits(tail[:scale_at])
    if whole is None or whole != int(whole) or digits is None:
        return None
    multiplier = 1.0
    if scale_at < len(tail):
        scales = tail[scale_at:]
        if any(table.get(t, ("", 0.0))[0] != "scale" for t in scales):
            return None
        multiplier = _integer(scales) or 0.0
    return float(f"{int(whole)}.{digits}") * multiplier


def _fraction_digits(tokens: list[str]) -> str | None:
    """The digits after a decimal mark in words: ``23``, ``hai lăm`` (25), ``không năm`` (05),
    ``hai mươi lăm`` (25)."""
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].isdigit():
        return tokens[0]
    table = number_words()
    kinds = [table.get(t, ("", 0.0)) for t in tokens]
    if all(kind == "digit" for kind, _ in kinds):
        return "".join(str(int(value)) for _, value in kinds)
    value = _integer(tokens)
    return None if value is None or value != int(value) else str(int(value))


def _integer(tokens: list[str]) -> float | None:
    """The number read from word and digit tokens without a decimal mark (see parse_written_number)."""
    if not tokens:
        return None
    table = number_words()
    total = 0.0
    group = 0.0
    digit: float | None = None
    numeral: float | None = None  # digits written as digits: "1,5", "500"
    before_digit = ""
    largest_scale = 0.0
    last_scale = 0.0
    previous = ""
    for token in tokens:
        if token[0].isdigit():
            value = parse_number(token)
            if value is None or digit is not None or numeral is not None or group:
                return None
            if len(token) == 1:  # one digit reads like its word: "5 nghìn", "2 trăm", "2 chục"
                digit = value
                before_digit = previous
                previous = "digit"
            else:
                numeral = value
                previous = "numeral"
            continue
        entry = table.get(token)
        if entry is None:
            return None
        kind, value = entry
        if numeral is not None and kind != "scale":
            return None
        if kind == "digit":
            if digit is not None:
                return None
            if token in _ONLY_AFTER_TENS and previous not in ("ten", "tens", "hundred", "chuc"):
                return None
            if token in _ONLY_AFTER_TENS and previous == "hundred":
                # "một trăm mốt" = 110, "hai trăm tư nghìn" = 240 000: these words are never units there
                group += value * 10
                previous = "tens"
                continue
            digit = value
            before_digit = previous
        elif kind == "ten":
            if digit is not None or group % 100:
                return None
            group += value
        elif kind == "tens":
            if digit is None or digit < 2 or group % 100:
                return None
            group += digit * value
            digit = None
        elif kind == "chuc":
            if digit is None or digit < 1 or group % 100:
                return None
            group += digit * value
            digit = None
        elif kind == "hundred":
            if group:
                return None
            group += (1.0 if digit is None else digit) * value
            digit = None
        elif kind == "zero_tens":
            if previous not in ("hundred", "scale"):
                return None
        elif kind == "scale":
            amount = group + (digit or 0.0)
            if numeral is not None:
                amount, numeral = numeral, None
            elif amount >= 1000:
                return None
            digit = None
            if value > largest_scale:
                if amount == 0 and total == 0:
                    amount = 1.0
                total = (total + amount) * value
                largest_scale = value
            else:
                if amount == 0:
                    return None
                total += amount * value
            group = 0.0
            last_scale = value
        elif kind == "half":
            if previous == "scale":
                total += last_scale * value
            elif previous == "hundred":
                group += 100 * value
            else:
                return None
        else:  # a decimal mark: read by parse_written_number
            return None
        previous = kind
    if numeral is not None:
        # "2 tỷ 500": the digits after a scale say nothing of their own scale
        return None if total else numeral
    if digit is not None:
        if before_digit == "scale" and last_scale >= 1000:
            total += digit * last_scale / 10
        elif before_digit == "hundred":
            group += digit * 10
        else:
            group += digit
    return total + group


# --------------------------------------------------------------------------- runs of number words


def number_run_pattern(word: str = "") -> str:
    """Regex source of a run of number tokens separated by spaces that starts with a number word
    (digits may follow: ``tỷ 500 triệu``); :func:`run_start` takes in the digits before it (``2 tỷ
    500 triệu``, ``2 chấm 23``), which a scan starting at any digit would make slow. ``word`` is
    appended to each word alternative (a negative lookahead such as "not followed by lệ")."""
    words = "|".join(re.escape(w) for w in sorted(number_words(), key=len, reverse=True))
    token = rf"(?:(?:{words}){word}|\d+(?:[.,]\d+)*)"
    return rf"(?<![\w.,/])(?:{words}){word}(?:\s+{token})*(?!\w)"


_DIGIT_RUN = re.compile(r"\d+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")


# Letters re's case folding matches to a number word's letter though their lower case differs.
_ODD_FOLDS = ("\u0130", "\u0131", "\u017f")  # İ, ı, ſ


@lru_cache(maxsize=1)
def _number_word() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in number_words()), re.IGNORECASE)


@lru_cache(maxsize=1)
def _lower_number_word() -> re.Pattern[str]:
    # case-sensitive, without a look-behind: re skips to the words' first letters, which is what
    # makes this scan cheap; a case-insensitive one costs as much as the finders' own patterns
    return re.compile(rf"(?:{_alternation_of(number_words())})(?![^\W\d_])")


def _alternation_of(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# The money and percentage finders run one after the other on the same text: what both read of
# it is kept for the last few texts (a pure function's result, so sharing it changes nothing).
SHARED_TEXTS = 2


# a number with separators, whole: not inside a code, a date or a longer run of digits
_SEPARATED_NUMBER = re.compile(r"(?<![\w.,/-])\d+(?:[.,]\d+)+(?![/-]|[.,]\d)")


@lru_cache(maxsize=SHARED_TEXTS)
def writes_decimal_comma(text: str) -> bool:
    """Whether ``text`` follows the Vietnamese way of writing numbers for its decimals: "," marks
    them (``197,3``, ``1.234,5``: at least twice, where the shape leaves no doubt) and no number
    groups thousands with "," (``1,234,567``, ``1,234.5``). Then ``parse_number(..., decimal_comma=True)``
    reads a lone "," before three digits as the decimal mark too, as the rest of the document
    does; the finders ask it only where a decimal is possible (a scale word, a percentage)."""
    decimals = 0
    for m in _SEPARATED_NUMBER.finditer(text):
        number = m.group()
        if "," not in number:
            continue
        groups = re.split(r"[.,]", number)
        last_comma = number.rfind(",")
        if number.count(",") > 1 or "." in number[last_comma:]:
            return False  # "," groups thousands here: the document mixes in the English style
        if len(number) - last_comma - 1 != 3 or groups[0] == "0":
            decimals += 1
    return decimals >= 2


@lru_cache(maxsize=SHARED_TEXTS)
def digit_run_starts(text: str) -> tuple[int, ...]:
    """Where each run of digits begins: the only places a number not inside a word can start."""
    return tuple(m.start() for m in _DIGIT_RUN.finditer(text))


@lru_cache(maxsize=SHARED_TEXTS)
def number_word_starts(text: str) -> tuple[int, ...]:
    """Every place a number word begins that a :func:`number_run_pattern` match can start at (a
    superset: its first word follows no letter or digit and is followed by neither)."""
    lowered = text.lower()
    if len(lowered) == len(text) and not any(odd in text for odd in _ODD_FOLDS):
        return tuple(m.start() for m in _lower_number_word().finditer(lowered))
    # the lower case moved offsets, or a letter folds to a number word's only in re: each word
    is_number_word = _number_word().fullmatch
    return tuple(m.start() for m in _LETTER_RUN.finditer(text) if is_number_word(m.group()))


def scan_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``'s matches, trying only at ``starts`` (ascending): the same
    matches whenever every match of ``pattern`` begins at one of them and none is empty. A scan that
    tries every offset of a long report costs more than the rest of a number finder."""
    done = 0
    for start in starts:
        if start >= done and (m := pattern.match(text, start)) is not None:
            done = m.end()
            yield m


_DIGITS_BEFORE = re.compile(r"(?:\d+(?:[.,]\d+)*[ \u00a0]+)+$")
_DIGITS_WINDOW = 40


def run_start(text: str, start: int) -> int:
    """Where the run of number tokens whose first word is at ``start`` begins, taking in the
    numbers in digits just before it (``2`` of ``2 chấm 23``); ``start`` when there are none."""
    before = _DIGITS_BEFORE.search(text, max(0, start - _DIGITS_WINDOW), start)
    if before is None:
        return start
    begin = before.start()
    if begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in ".,/"):
        return start  # inside a code, a word or a longer number than the window holds
    return begin


def read_number_run(run: str) -> tuple[int, float] | None:
    """The first tail of a run of number tokens that reads as one spelled-out number: (offset of
    the tail in ``run``, value), or None.

    "trong năm hai tỷ" reads from "hai"; a tail of digits and scale words only ("500 triệu") is
    None, as the digit finders read it; a tail must start with a digit or "mười", not with "mốt",
    "lăm", "chục", a scale or a decimal mark.
    """
    tokens = list(_TOKEN.finditer(run))
    table = number_words()
    for i, token in enumerate(tokens):
        word = token.group().lower()
        if not word[0].isdigit() and (table.get(word, ("", 0.0))[0] not in ("digit", "ten") or word in _ONLY_AFTER_TENS):
            continue
        tail = [t.group() for t in tokens[i:]]
        kinds = [table[t.lower()][0] if not t[0].isdigit() else "numeral" for t in tail]
        if sum(k == "numeral" for k in kinds) < 2 and all(k in ("numeral", "scale") for k in kinds):
            return None
        value = parse_written_number(" ".join(tail))
        if value is not None:
            return token.start(), value
    return None


# --------------------------------------------------------------------------- signs, bounds, changes, ranges


def _cue_table(name: str) -> dict[str, tuple[str, str | None]]:
    rows = read_table(name)
    return {row[0].lower(): (row[1] if len(row) > 2 else "", None if row[-1] == "-" else row[-1]) for row in rows}


@lru_cache(maxsize=None)
def _qualifier_cues() -> dict[str, tuple[str, str | None]]:
    return _cue_table("numbers_qualifiers.tsv")


_CHANGE_HEADER = re.compile(r"chênh\s+lệch|tăng\s*[(/,;-]\s*giảm|tăng\s*\(\s*\+\s*\)", re.IGNORECASE)


def column_direction(header: str, value: float) -> str | None:
    """The direction of a figure in a column of changes ("Mức tăng (giảm)", "Tăng/giảm so với cùng
    kỳ", "Chênh lệch"): its sign tells it, "giảm" below zero and "tăng" above; None for a zero or
    another column."""
    if not value or not _CHANGE_HEADER.search(header):
        return None
    return "giảm" if value < 0 else "tăng"


def names_a_direction(phrase: str) -> bool:
    """Whether ``phrase`` is only a change's direction: ``giảm`` of a header ``Mức tăng (giảm)``,
    ``+/-``. Such a parenthesis tells how to read a figure's sign, not its unit."""
    folded = phrase.strip(" .:()").lower()
    if folded and not folded.strip("+-−±/ "):
        return True
    return _direction_cues().get(folded, ("", None))[1] is not None


@lru_cache(maxsize=None)
def _direction_cues() -> dict[str, tuple[str, str | None]]:
    return _cue_table("numbers_directions.tsv")


def _cue_alternation(cues: list[str]) -> str:
    return "|".join(re.escape(c).replace(r"\ ", r"[ \u00a0]+") for c in sorted(cues, key=len, reverse=True))


_GAP = r"[ \u00a0]+"
_BEFORE = re.compile(
    rf"(?:(?<!\w)(?P<direction>{_cue_alternation(list(_direction_cues()))}){_GAP}"
    rf"(?:(?:thêm|bớt|đi|được){_GAP})?)?"
    rf"(?:(?<!\w)(?P<qualifier>{_cue_alternation([c for c, (p, _) in _qualifier_cues().items() if p == 'before'])})"
    rf"{_GAP}(?:(?:từ|giữa){_GAP})?)?$",
    re.IGNORECASE,
)
_AFTER = re.compile(
    rf"{_GAP}(?P<qualifier>{_cue_alternation([c for c, (p, _) in _qualifier_cues().items() if p == 'after'])})(?!\w)",
    re.IGNORECASE,
)
_NEGATIVE_WORD = re.compile(r"(?<!\w)âm[ \u00a0]+$", re.IGNORECASE)
_BEFORE_WINDOW = 60
_SIGN_FOLLOWS = " \u00a0\t(:[;"


@dataclass(frozen=True)
class Modifiers:
    """What the words around a number say of it: its sign, a bound and a change."""

    start: int  # where the value starts, its sign ("-", "âm") included
    negative: bool
    qualifier: str | None
    direction: str | None


def modifiers(text: str, start: int, end: int, *, signed: bool = True) -> Modifiers:
    """The sign, qualifier and direction of the number printed at ``text[start:end]``.

    Sign: a "-" glued to the number after a space, tab or "(" (``tăng trưởng -2,5%``), a "−"
    anywhere, or the word "âm" (``âm 1.200.000 đồng``); a "-" opening a line is a bullet. With
    ``signed`` False (the second number of "10-15%") no sign is read. Qualifier
    (``numbers_qualifiers.tsv``): ``dưới``, ``trên``, ``hơn``, ``gần``, ``khoảng``, ``tối
    thiểu``, ``tối đa``, ``không quá`` and their synonyms just before the number (or before the
    "từ" of its range), ``trở lên`` / ``trở xuống`` just after it. Direction
    (``numbers_directions.tsv``): ``tăng`` / ``giảm`` just before it, perhaps with ``thêm``, ``đi``
    and a qualifier between; the value keeps its printed sign.
    """
    negative = False
    if signed and start > 0:
        mark = text[start - 1]
        before = text[start - 2] if start > 1 else "\n"
        if mark == "\u2212" or (mark == "-" and before in _SIGN_FOLLOWS):
            negative, start = True, start - 1
        else:
            word = _NEGATIVE_WORD.search(text, max(0, start - 10), start)
            if word:
                negative, start = True, word.start()
    qualifier = direction = None
    before = _BEFORE.search(text, max(0, start - _BEFORE_WINDOW), start)
    if before and before.group("qualifier"):
        qualifier = _qualifier_cues()[_collapse(before.group("qualifier"))][1]
    if before and before.group("direction"):
        direction = _direction_cues()[_collapse(before.group("direction"))][1]
    if qualifier is None:
        after = _AFTER.match(text, end)
        if after:
            qualifier = _qualifier_cues()[_collapse(after.group("qualifier"))][1]
    return Modifiers(start, negative, qualifier, direction)


def _collapse(cue: str) -> str:
    return " ".join(cue.lower().split())


_RANGE_GAP = re.compile(r"[ \u00a0]*(?P<sep>-|–|—|÷|/|đến|tới|và)[ \u00a0]*", re.IGNORECASE)
_OPENS_BETWEEN = re.compile(r"(?<!\w)giữa[ \u00a0]+$", re.IGNORECASE)


@dataclass(frozen=True)
class RangeLink:
    """A number's place in a range (``low`` / ``high``) or a part-of-whole pair ``A/B``
    (``part`` / ``whole``), and the offset of the pair's first number, which both share."""

    role: str
    range_id: int


def link_ranges(
    text: str, numbers: list[tuple[int, int, float, str | None]]
) -> list[RangeLink | None]:
    """Pair consecutive numbers (start, end, value, unit; in text order) that make one range.

    ``từ 5 đến 10 triệu``, ``5-10%``, ``5 – 10 triệu đồng``, ``giữa 1,1 và 1,3 đô la`` give a low and
    a high (the low not above the high); ``9.037/17.454 tỷ đồng`` a part and a whole. Both numbers
    must have the same unit (currency). A number is in one pair at most.
    """
    links: list[RangeLink | None] = [None] * len(numbers)
    for i in range(len(numbers) - 1):
        if links[i] is not None:
            continue
        (a_start, a_end, a_value, a_unit), (b_start, _, b_value, b_unit) = numbers[i], numbers[i + 1]
        gap = _RANGE_GAP.fullmatch(text, a_end, b_start) if a_end <= b_start else None
        if gap is None or a_unit != b_unit:
            continue
        sep = gap.group("sep").lower()
        if sep == "/":
            links[i], links[i + 1] = RangeLink("part", a_start), RangeLink("whole", a_start)
            continue
        if sep == "và" and not _OPENS_BETWEEN.search(text, max(0, a_start - 10), a_start):
            continue
        if a_value <= b_value:
            links[i], links[i + 1] = RangeLink("low", a_start), RangeLink("high", a_start)
    return links
