"""Units of measure as reports name them: money scales and currencies, percent, or anything else.

Shared by the money finder (running text) and the table reader (unit lines, column headers, unit
columns). The word table is ``pipeline/data/money_units.tsv``.
"""

from __future__ import annotations

import re
import unicodedata
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


# -- units OCR damaged --------------------------------------------------------------------------

# What a price in a report is given per (đồng/kg, đ/lít, đồng/tháng): the quantities a damaged
# price unit may name besides those its own table reads right.
PRICE_QUANTITIES = (
    "kg", "lít", "tấn", "tạ", "yến", "m2", "m3", "km", "ha", "cái", "chiếc", "con", "quả", "bộ", "hộp",
    "gói", "chai", "bao", "thùng", "tháng", "ngày", "năm", "người", "lượt", "kwh", "giờ", "vé", "viên",
)
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
# Below this many letters (tone marks ignored) a phrase is too short to be judged one edit away.
_MIN_REPAIRED = 4


def _toneless(text: str) -> str:
    """Lower case, tone marks dropped (letter shapes ă â ê ô ơ ư đ kept), whitespace as one space."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", " ".join(text.lower().split())).translate(_TONE_MARKS))


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by at most one inserted, deleted or replaced character."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


@lru_cache(maxsize=1)
def _money_phrases() -> tuple[str, ...]:
    """Money units as a table's unit position names them: a currency word, or a scale and one."""
    table = units()
    scales = [w for w, (_, cur) in table.items() if cur is None and w.isalpha() and len(w) >= 2]
    currencies = [w for w, (_, cur) in table.items() if cur is not None and w.replace(" ", "").isalpha()]
    return tuple(currencies + [f"{s} {c}" for s in scales for c in currencies])


@lru_cache(maxsize=64)
def _repair_targets(quantities: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(money unit, its toneless form) of the units a damaged phrase may be taken for."""
    prices = [f"{m}/{q}" for m in ("đ", "đồng") for q in dict.fromkeys((*PRICE_QUANTITIES, *quantities))]
    targets = [(t, _toneless(t)) for t in (*_money_phrases(), *prices)]
    return tuple((t, bare) for t, bare in targets if len(bare.replace(" ", "")) >= _MIN_REPAIRED)


def nearest_money_unit(phrase: str, quantities: tuple[str, ...] = ()) -> str | None:
    """The money unit an OCR-damaged unit phrase stands for (``Triệu đôn`` → ``Triệu đồng``,
    ``đíkg`` and ``đkg`` → ``đ/kg``), or None.

    For the text of a unit position only (a unit line, a unit column's cell, a unit in a header's
    parentheses): there a phrase that is no unit but one character away from exactly one money
    unit, tone marks aside (Tesseract's commonest slips: a mark, a letter dropped or added, the
    slash of a price read as a letter), is that unit. The phrase must keep the unit's first letter
    and the unit have at least four letters, so a word such as ``công`` or ``đôi`` is not taken for
    ``đồng`` or ``đ/i``. A price names a quantity of ``PRICE_QUANTITIES`` or of ``quantities``.
    """
    text = " ".join(phrase.split())
    if not text or any(c.isdigit() for c in text):
        return None
    unit = parse_unit(text)
    if unit is None or unit.kind != "other":
        return None
    key = _toneless(text)
    near = [(target, bare) for target, bare in _repair_targets(quantities) if bare[0] == key[0] and _one_edit(key, bare)]
    # a unit that differs only in tone marks comes before one a character away (tỉ đông: tỉ đồng, not tỷ đồng)
    found = [target for target, bare in near if bare == key] or [target for target, _ in near]
    if len(found) != 1:
        return None
    target = found[0]
    if text.isupper() and any(c.isalpha() for c in target[1:]):
        return target.upper()
    return target[:1].upper() + target[1:] if text[:1].isupper() else target
