"""Regular expressions shared by several layers, compiled once."""

from __future__ import annotations

import re

_UP = "A-ZĐÀ-ỸƯƠĂÂÊÔ"
# A symbol part is upper case with at most single lower-case letters (TTr, CTr, QyĐ, TTg): a
# capitalised word after a slash ("15/Khu") is not a code.
_SYMBOL_PART = rf"[{_UP}](?:[{_UP}&0-9]|[a-zđ](?![a-zđà-ỹ]))*(?:\([{_UP}0-9]+\))?"
_DASH = r"\s?[-–]\s?"
_SLASH = r"\s?/\s?"

# A document code ("số, ký hiệu"): 3110/QĐ-UBND, 98/2018/NĐ-CP, 23/2012/QH13, 228/VPĐP-NTM,
# 51/2013/TTLT-BNNPTNT-BKHĐT-BTC, and Party codes 57-NQ/TW, 112-KH/ĐU.
# Codes may carry one space around "/" and "-" (``216 /BC-STC``, ``QĐ- UBND``) and en-dashes.
DOCUMENT_CODE = re.compile(
    rf"(?<![\w/.,-])(?:"
    rf"(?P<number>\d{{1,6}}[a-zA-Z]?)(?:{_SLASH}(?P<year>(?:19|20)\d{{2}}))?{_SLASH}(?P<symbol>{_SYMBOL_PART}(?:{_DASH}{_SYMBOL_PART})*)"
    rf"|(?P<party_number>\d{{1,6}}){_DASH}(?P<party_type>[{_UP}][{_UP}a-z]{{0,4}}){_SLASH}(?P<party_issuer>{_SYMBOL_PART}(?:{_DASH}{_SYMBOL_PART})*)"
    rf")(?![\w/])"
)

# The line of a document's own number: "Số: 216/BC-STC", "Số 216/BC-STC", "Số:" alone, "Số /TTr-CAT"
# (no colon, the number left blank before the code's slash). OCR may read "Số" without its marks
# ("So", "Sô", "Só") or with a 6 for the ô ("S6").
OWN_NUMBER_LINE = re.compile(r"^S[ốôóòõoồổ6]\s*(?:[:.]|(?=\d)|(?=/)|$)\s*(?P<rest>.*)$", re.IGNORECASE)
