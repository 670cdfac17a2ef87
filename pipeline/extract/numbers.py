"""Printed and written numbers in Vietnamese documents.

Two readers: :func:`parse_number` for digits as printed (``1.234,5``, ``95.120.259.153``, ``197,3``,
and the English style some documents mix in), :func:`parse_written_number` for number words
(``năm trăm``, ``hai mươi mốt``, ``hai tỷ rưỡi``). The word table is ``data/numbers_words.tsv``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.data import read_table

_NUMBER_SHAPE = re.compile(r"^(?P<head>\d+)(?P<tail>(?:[.,]\d+)*)$")
_SPACE_GROUPED = re.compile(r"^\d{1,3}(?: \d{3})+$")
_PART = re.compile(r"(?P<sep>[.,])(?P<digits>\d+)")
_WORD = re.compile(r"[^\W\d_]+")

# A few number words only exist after a tens word: "hai mươi mốt", "mười lăm", "ba mươi tư".
_ONLY_AFTER_TENS = frozenset({"mốt", "lăm", "nhăm", "tư"})


def parse_number(s: str) -> float | None:
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
      other number of digits it is the decimal mark (``197,3``, ``2.5``, ``3,1416``).
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
    if len(digits) == 3 and head != "0" and len(head) <= 3:
        return float(head + digits)
    return float(head + "." + digits)


@lru_cache(maxsize=None)
def number_words() -> dict[str, tuple[str, float]]:
    """Vietnamese number words: word -> (kind, value), from ``data/numbers_words.tsv``."""
    return {word: (kind, float(value)) for word, kind, value in read_table("numbers_words.tsv")}


def parse_written_number(words: str) -> float | None:
    """The value of a number written in Vietnamese words, or None if ``words`` is not one.

    ``năm trăm`` = 500, ``mười lăm`` = 15, ``hai mươi mốt`` = 21, ``một trăm linh năm`` /
    ``một trăm lẻ năm`` = 105, ``ba mươi tư`` = 34, ``hai tỷ rưỡi`` = 2.5e9 ("rưỡi" is half of the
    unit word just before it), ``một nghìn tỷ`` = 1e12 (a larger scale multiplies what precedes),
    ``hai nghìn ba`` = 2300 (a trailing digit after a scale counts in tenths of that scale).
    Every word must be a number word: ``hai người`` is None.
    """
    tokens = _WORD.findall(words.lower())
    if not tokens:
        return None
    table = number_words()
    total = 0.0
    group = 0.0
    digit: float | None = None
    before_digit = ""
    largest_scale = 0.0
    last_scale = 0.0
    previous = ""
    for token in tokens:
        entry = table.get(token)
        if entry is None:
            return None
        kind, value = entry
        if kind == "digit":
            if digit is not None:
                return None
            if token in _ONLY_AFTER_TENS and previous not in ("ten", "tens"):
                return None
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
        elif kind == "hundred":
            if group:
                return None
            group += (1.0 if digit is None else digit) * value
            digit = None
        elif kind == "zero_tens":
            if previous != "hundred":
                return None
        elif kind == "scale":
            amount = group + (digit or 0.0)
            digit = None
            if amount >= 1000:
                return None
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
        else:  # half
            if previous == "scale":
                total += last_scale * value
            elif previous == "hundred":
                group += 100 * value
            else:
                return None
        previous = kind
    if digit is not None:
        if before_digit == "scale" and last_scale >= 1000:
            total += digit * last_scale / 10
        elif before_digit == "hundred":
            group += digit * 10
        else:
            group += digit
    return total + group
