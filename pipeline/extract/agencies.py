"""One name per agency: the issuer as printed in a header, read as the body that issued the document.

Nghị định 30/2020/NĐ-CP (Phụ lục I) prints the issuing body under the name of the body it answers to:
``UBND TỈNH LÂM ĐỒNG`` over ``SỞ NỘI VỤ``, ``BỘ CÔNG AN`` over ``CÔNG AN TỈNH LÂM ĐỒNG``. The header
reader joins the two lines; this module splits them again, expands the abbreviations (``UBND``,
``HĐND``), gives a department the place of the committee it belongs to (``Sở Nội vụ tỉnh Lâm Đồng``),
spells provinces one way (``Đăk Nông`` = ``Đắk Nông``) and national bodies by their names in
``pipeline/data/agencies.tsv``, and writes the name as the decree does: the kind of body and the first
word of its name capitalised, the rest lower case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.data import read_list, read_table
from pipeline.normalize import fold_accents

# administrative units, longest first, as the decree spells them
_UNITS = ("thành phố", "thị trấn", "thị xã", "phường", "huyện", "quận", "tỉnh", "xã")
_LOCAL_GOVERNMENTS = ("ủy ban nhân dân", "hội đồng nhân dân")
_ABBREVIATIONS = (
    (re.compile(r"(?<!\w)(?:UBND|U\.B.N.D)(?!\w)", re.IGNORECASE), "Ủy ban nhân dân"),
    (re.compile(r"(?<!\w)HĐND(?!\w)", re.IGNORECASE), "Hội đồng nhân dân"),
    (re.compile(r"(?<!\w)TP\.\s*", re.IGNORECASE), "thành phố "),
    (re.compile(r"(?<!\w)Uỷ ban", re.IGNORECASE), "Ủy ban"),
)
# bodies whose name lists fields: each field's first word is capitalised ("Sở Văn hóa, Thể thao và Du lịch")
_FIELD_LISTS = ("sở", "bộ", "phòng", "cục", "chi cục", "tổng cục", "vụ", "văn phòng")
_FIELD_BREAK = re.compile(r"(,\s+|\s+và\s+|\s+-\s+)")
_PARTY_COMMITTEE = re.compile(r"^(?:tinh|thanh|huyen|quan|thi|dang) uy ", re.IGNORECASE)
# a Party organisation named by its place ("Đảng bộ tỉnh Gia Lai"), over the committee of one of
# its bodies ("Đảng ủy Sở Tài chính")
_PARTY_ORGANISATION = "đảng bộ"
_PARTY_UNITS = ("đảng ủy", "đảng uỷ", "chi bộ", "đảng bộ")
# a body of the council or committee itself, named after it rather than after the place: its
# office printed as "VĂN PHÒNG" alone ("Văn phòng Ủy ban nhân dân tỉnh …"; a "Văn phòng Đăng ký đất
# đai" is the province's), and any "Ban" of a council ("Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh …")
_OWN_BODIES = {"uy ban nhan dan": ("van phong",), "hoi dong nhan dan": ("van phong", "ban ")}  # folded
_MAX_PLACE_WORDS = 4


@dataclass(frozen=True)
class Agency:
    """An issuing body by one canonical name, and the body it answers to when the header names it."""

    name: str
    parent: str | None


@lru_cache(maxsize=1)
def _national() -> dict[str, str]:
    """Folded spelling or abbreviation -> canonical name of a national body."""
    names: dict[str, str] = {}
    for row in read_table("agencies.tsv"):
        for spelling in row:
            names.setdefault(_key(spelling), row[0])
    return names


@lru_cache(maxsize=1)
def agency_heads() -> tuple[str, ...]:
    """Folded first words of agency names, longest first."""
    heads = {fold_accents(h).lower() for h in read_list("agency_heads.txt")}
    return tuple(sorted(heads, key=len, reverse=True))


def agency_head(folded: str) -> str | None:
    """The agency head word (``sở``, ``ủy ban``, ``bộ`` …) that opens an accent-folded text, or None."""
    return next((h for h in agency_heads() if folded == h or folded.startswith(h + " ")), None)


@lru_cache(maxsize=1)
def _provinces() -> dict[str, str]:
    return {_key(spelling): row[0] for row in read_table("provinces.txt") for spelling in row}


def _key(text: str) -> str:
    return " ".join(fold_accents(text).lower().replace("-", " ").split())


def agency_key(name: str) -> str:
    """What two spellings of one agency share: accents, case, hyphens and spacing aside."""
    return _key(name)


def _expand(issuer: str) -> str:
    text = " ".join(issuer.split())
    letters = [c for c in text if c.isalpha()]
    # in a name printed in capitals the expansion is in capitals too, so that it is cased as one
    capitals = bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement.upper() if capitals else replacement, text)
    return text


def _local_government(text: str) -> tuple[str, str, str] | None:
    """(body, unit, place) of ``Ủy ban nhân dân tỉnh Lâm Đồng`` and the like, or None."""
    folded = _key(text)
    for body in _LOCAL_GOVERNMENTS:
        if not folded.startswith(_key(body) + " "):
            continue
        rest = text.split(maxsplit=len(body.split()))[-1]
        unit, place = _unit_and_place(rest)
        if unit and place and (unit != "tỉnh" or _key(place) in _provinces()) and len(place.split()) <= _MAX_PLACE_WORDS:
            return body[0].upper() + body[1:], unit, place
    return None


def _unit_and_place(text: str) -> tuple[str | None, str | None]:
    """``tỉnh Lâm Đồng`` -> ("tỉnh", "Lâm Đồng"); the place as the provinces table spells it."""
    folded = _key(text)
    for unit in _UNITS:
        unit_key = _key(unit)
        if folded == unit_key:
            return unit, None
        if folded.startswith(unit_key + " "):
            place = text.split(maxsplit=len(unit.split()))[-1]
            return unit, _place(place)
    return None, None


def _place(text: str) -> str:
    canonical = _provinces().get(_key(text))
    if canonical:
        return canonical
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split())


def _party_committee(text: str) -> str | None:
    """``TỈNH ỦY LÂM ĐỒNG`` -> ``Tỉnh ủy Lâm Đồng``: a Party committee named by its place, or None."""
    words = text.split()
    if not _PARTY_COMMITTEE.match(_key(text) + " ") or not 3 <= len(words) <= 2 + _MAX_PLACE_WORDS:
        return None
    place = _place(" ".join(words[2:]))
    return f"{words[0][:1].upper()}{words[0][1:].lower()} ủy {place}"


def _party_organisation(text: str) -> tuple[str, str] | None:
    """The unit and place of a Party organisation named by its place (``ĐẢNG BỘ TỈNH GIA LAI`` ->
    ("tỉnh", "Gia Lai")), or None."""
    if not _key(text).startswith(_key(_PARTY_ORGANISATION) + " "):
        return None
    unit, place = _unit_and_place(text.split(maxsplit=2)[-1])
    if not (unit and place) or len(place.split()) > _MAX_PLACE_WORDS:
        return None
    return unit, place


def is_whole_body(text: str) -> bool:
    """Whether ``text`` names a whole body on its own (a national body, a local government or a
    Party committee or organisation)."""
    return (
        _key(text) in _national() or _local_government(text) is not None or _party_committee(text) is not None
        or _party_organisation(text) is not None
    )


def _split(text: str) -> tuple[str | None, str]:
    """(the body answered to, the issuing body) of a header's joined lines."""
    words = text.split()
    for i in range(1, len(words)):
        rest = " ".join(_key(w) for w in words[i:])
        if agency_head(rest) is None:
            continue
        parent = " ".join(words[:i])
        if is_whole_body(parent):
            return parent, " ".join(words[i:])
    return None, text


def _party_unit_name(text: str) -> str:
    """``ĐẢNG ỦY SỞ TÀI CHÍNH`` -> ``Đảng ủy Sở Tài chính``: the Party unit, then its body's name."""
    folded = _key(text)
    for unit in _PARTY_UNITS:
        if folded.startswith(_key(unit) + " ") and agency_head(folded[len(_key(unit)) + 1 :]):
            return f"{unit[:1].upper()}{unit[1:]} {_cased(text.split(maxsplit=2)[-1])}"
    return _cased(text)


def _cased(name: str, fields: bool = False) -> str:
    """The decree's capitals for a name printed in capitals: the kind of body and the first word of
    its name (and of each field a ministry or department lists, or, with ``fields``, any body)
    capitalised, the rest lower case."""
    letters = [c for c in name if c.isalpha()]
    if sum(c.isupper() for c in letters) < 0.7 * len(letters):
        return name
    lower = name.lower()
    head = agency_head(_key(lower))
    head_words = len(head.split()) if head else 1
    words = lower.split()
    words[0] = words[0][:1].upper() + words[0][1:]
    if len(words) > head_words:
        words[head_words] = words[head_words][:1].upper() + words[head_words][1:]
    text = " ".join(words)
    if head and (fields or head in {_key(f) for f in _FIELD_LISTS}):
        pieces = _FIELD_BREAK.split(text)
        text = "".join(p if i % 2 else p[:1].upper() + p[1:] for i, p in enumerate(pieces))
    return text


def _with_place(name: str) -> str:
    """Units and places inside a name spelled the canonical way (``TINH`` -> ``tỉnh``, ``Đăk`` -> ``Đắk``)."""
    words = name.split()
    for i in range(len(words)):
        unit, place = _unit_and_place(" ".join(words[i:]))
        if unit and place and _key(place) in _provinces():
            return " ".join([*words[:i], unit, place])
    return name


def canonical_agency(issuer: str | None) -> Agency | None:
    """The agency an issuer as printed names, by its canonical name, with its parent body.

    ``UBND TỈNH LÂM ĐỒNG SỞ NỘI VỤ`` -> Agency("Sở Nội vụ tỉnh Lâm Đồng", "Ủy ban nhân dân tỉnh Lâm Đồng").
    None when nothing in the issuer reads as an agency (no agency head word: an OCR misreading).
    """
    if not issuer or not issuer.strip():
        return None
    text = _expand(issuer)
    parent_text, own = _split(text)
    parent = _name(parent_text) if parent_text else None
    if _key(own) not in _national() and agency_head(_key(own)) is None:
        return None
    if any(_key(own).startswith(_key(body)) for body in _LOCAL_GOVERNMENTS) and _local_government(own) is None:
        return None  # a committee whose place cannot be read (the motto run into it by OCR)
    name = _name(own)
    local = _local_government(parent_text) if parent_text else None
    organisation = _party_organisation(parent_text) if parent_text else None
    if parent_text and _party_committee(parent_text) and _key(parent or "") not in _key(name):
        name = f"{name} {parent}"  # "Ban Tuyên giáo Tỉnh ủy Lâm Đồng"
    elif organisation is not None:
        # "Đảng ủy Sở Tài chính" of the Đảng bộ tỉnh Gia Lai: the body's own name, then the place
        name = _party_unit_name(own)
        unit, place = organisation
        if _key(place) not in _key(name):
            name = f"{name} {unit} {place}"
    elif (
        local is not None
        and any(_key(own) == body or (body.endswith(" ") and _key(own).startswith(body))
                for body in _OWN_BODIES.get(_key(local[0]), ()))
        and not any(_key(body) in _key(own) for body in _LOCAL_GOVERNMENTS)  # "Văn phòng HĐND và UBND"
    ):
        name = f"{_cased(own, fields=True)} {parent}"  # "Văn phòng Ủy ban nhân dân tỉnh Đắk Nông"
    elif local is not None and _local_government(own) is None and _key(own) not in _national():
        _, unit, place = local
        *first, last = name.split()
        own_unit, own_place = _unit_and_place(last)
        if own_unit and not own_place:
            name = " ".join([*first, own_unit, place])  # "Thanh tra tỉnh" of the committee of tỉnh Đắk Nông
        elif _key(place) not in _key(name):
            name = f"{name} {unit} {place}"
    return Agency(name, parent)


def _name(text: str) -> str:
    national = _national().get(_key(text))
    if national:
        return national
    local = _local_government(text)
    if local is not None:
        body, unit, place = local
        return f"{body} {unit} {place}"
    party = _party_committee(text)
    if party is not None:
        return party
    return _with_place(_cased(text))
