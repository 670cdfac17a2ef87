"""Regular expressions shared by several layers, compiled once."""

from __future__ import annotations

import re

_UPPER = "A-ZĐÐÀ-ỸƯƠĂÂÊÔ"
_CODE_PART = rf"[{_UPPER}][{_UPPER}a-zđ0-9]*"

# A document code ("số, ký hiệu"): 3110/QĐ-UBND, 98/2018/NĐ-CP, 23/2012/QH13, 228/VPĐP-NTM,
# 51/2013/TTLT-BNNPTNT-BKHĐT-BTC, and Party codes 57-NQ/TW, 112-KH/ĐU.
DOCUMENT_CODE = re.compile(
    rf"(?<![\w/.,-])(?:"
    rf"\d{{1,6}}[a-zA-Z]?(?:/\d{{4}})?/{_CODE_PART}(?:[-–]{_CODE_PART}|[-–]\d+)*"
    rf"|\d{{1,6}}-{_CODE_PART}/{_CODE_PART}(?:-{_CODE_PART})*"
    rf")(?![\w/])"
)
