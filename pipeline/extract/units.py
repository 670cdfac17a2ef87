"""Units of measure as reports name them: money scales and currencies, percent, or anything else.

Shared by the money finder (running text) and the table reader (unit lines, column headers, unit
columns). The word table is ``pipeline/data/money_units.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.data import read_table
from pipeline.extract.numbers import parse_number

NUM = r"\d+(?:[.,]\d+)*"
_SPACE = r"[ \u00a0]*"
_YEAR_RANGE = (1900, 2100)


@dataclass(frozen=True)
class Unit:
    """What a number measures: money (scale, currency), percent, or other."""

    kind: str  # "money" | "percent" | "other"
    multiplier: float = 1.0
    currency: str | None = None
    text: str = field(default="", compare=False)  # as the table names it: "triệu đồng", "%", "người"


@lru_cache(maxsize=None)
def units() -> dict[str, tuple[float, str | None]]:
    """Scale and currency words (lower case) -> (multiplier, ISO currency or None for a scale)."""
    return {
        row[0].lower(): (float(row[1]), None if row[2] == "-" else row[2])
        for row in read_table("money_units.tsv")  # a fourth column says a code may stand before the number
    }


def alternation(words: list[str] | tuple[str, ...]) -> str:
    """A regex alternation of ``words``, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


SCALES = alternation([s for s, (_, cur) in units().items() if cur is None])
CURRENCIES = alternation([s for s, (_, cur) in units().items() if cur is not None])
_UNIT_PHRASE = re.compile(
    rf"^(?:(?P<count>{NUM}){_SPACE})?(?P<scale>(?:(?:{SCALES}){_SPACE})*)(?P<cur>{CURRENCIES})?$", re.IGNORECASE
)


_PRICE = re.compile(r"^(?P<money>[^/]{1,20}?)\s*/\s*[^\W\d_][^/]{0,15}$")


def parse_unit(phrase: str) -> Unit | None:
    """The unit named by a unit line or header: ``Triệu đồng``, ``1.000 đồng``, ``%``, ``người``."""
    phrase = phrase.strip(" .:()").strip()
    if not phrase:
        return None
    if phrase.startswith("%") or phrase.lower() in ("phần trăm", "tỷ lệ %", "tỉ lệ %"):
        return Unit("percent", text="%")
    price = _PRICE.match(phrase)
    if price:
        # a price: "đồng/kg", "đ/lít", "Đồng/tháng", "1000đ/chỉ" are money per some quantity
        money = parse_unit(price.group("money"))
        if money is not None and money.kind == "money":
            return Unit("money", money.multiplier, money.currency, phrase)
    shape = _UNIT_PHRASE.match(phrase)
    if shape and (shape.group("scale").strip() or shape.group("cur")):
        multiplier = 1.0
        if shape.group("count"):
            count = parse_number(shape.group("count"))
            if count is None:
                return None
            multiplier = count
        for word in shape.group("scale").split():
            multiplier *= units()[word.lower()][0]
        currency = "VND"
        if shape.group("cur"):
            cur_multiplier, currency_code = units()[shape.group("cur").lower()]
            multiplier *= cur_multiplier
            currency = currency_code or "VND"
        return Unit("money", multiplier, currency, phrase)
    return Unit("other", text=phrase)


def is_year(number: str) -> bool:
    """Whether a number as written (``2019``) reads as a year."""
    return number.isdigit() and len(number) == 4 and _YEAR_RANGE[0] <= int(number) <= _YEAR_RANGE[1]
