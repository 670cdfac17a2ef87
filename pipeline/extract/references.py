"""Citations of other documents: codes (``3110/QĐ-UBND``, ``98/2018/NĐ-CP``, ``57-NQ/TW``) and
laws cited by name (``Luật Hợp tác xã 2012``).

For each code the finder reads what is printed with it: the type word before it (``Quyết định
số``), and after it the date (``ngày 7/12/2016``), the issuer (``của UBND tỉnh Quảng Trị``) and the
subject (``về việc …``). The document's own number (its ``Số:`` line, or the ``Kèm theo … số``
line of an appendix) is not a reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pipeline.data import read_list, read_table
from pipeline.extract.agencies import agency_head, is_whole_body
from pipeline.extract.base import iso_date
from pipeline.normalize import fold_accents
from pipeline.patterns import DOCUMENT_CODE, OWN_NUMBER_LINE

_DATE_AFTER = re.compile(
    r"[\s,]*(?:\(?\s*)?(?:ban hành\s+)?ngày\s*:?\s*(?:"
    r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
    r"|(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4}))(?!\d)",
    re.IGNORECASE,
)
_ISSUER_AFTER = re.compile(r"[\s,]*của\s+(?P<issuer>[^,;:.()\n\t]+)", re.IGNORECASE)
_ISSUER_STOP = re.compile(
    r"\s(?:về|v/v|quy định|ban hành|hướng dẫn|phê duyệt|thành lập|tại|theo|và|trong|thì|đã|để|nhằm|giao|gồm|thuộc|"
    r"sửa đổi|phân công|thực hiện|triển khai|đối với|cho|với|nay|được|là|đến|từ|ngày|số|kèm|"
    r"gửi|yêu cầu|tổng kết|sơ kết|kết luận)(?!\w)",
    re.IGNORECASE,
)
# a date left blank in a draft or a slip: "Thông tư số 342/2016/TT-BTC ngày của Bộ Tài chính ngày 30/12/2016"
_BLANK_DATE = re.compile(r"[\s,]*ngày\s+(?=của\s)", re.IGNORECASE)
# The issuer named before the citation, as reports write it: "ý kiến chỉ đạo của UBND tỉnh tại Công văn
# số …", "Thủ tướng Chính phủ có công văn số …", "theo quy định của Chính phủ (Nghị định số …".
_ISSUER_BEFORE = re.compile(
    r"(?:(?<!\w)của\s+(?P<of>[^,;:.()\n\t]{2,120}?)\s+tại|(?:(?<!\w)của\s+|[,;]\s*)(?P<paren>[^,;:.()\n\t]{2,120}?)\s*\(|"
    r"(?:^|[,;:(]\s*|\.\s+)(?P<subject>[^,;:.()\n\t]{2,120}?)(?:\s+(?:cũng|đã|vừa|mới|sẽ|lại|tiếp tục))*"
    r"\s+(?:có|ban hành|ký|gửi))\s*$",
    re.IGNORECASE,
)
_BEFORE_WINDOW = 160
_SUBJECT_AFTER = re.compile(r"[\s,]*(?:về việc|v/v|về)\s+(?P<subject>[^;()\n\t]{3,300}?)(?=[;()\n\t]|\.\s|\.$|$)", re.IGNORECASE)
_INLINE_NUMBER_LABEL = re.compile(r"(?:^|\s)S[ốôóòõoồổ6]\s*:\s*(?=\d)")  # capital S: "Công văn số: …" cites
_APPENDIX = re.compile(r"\(\s*(?:Ban hành\s+)?kèm\s+theo\b", re.IGNORECASE)
_MAX_ISSUER_WORDS = 12
_HEAD_LINES = 25


@dataclass(frozen=True)
class ReferenceMatch:
    """One citation of another document."""

    start: int
    end: int
    text: str
    code: str | None
    doc_kind: str | None
    number: str | None
    year: int | None
    type_code: str | None
    issuer_code: str | None
    issued_date: str | None
    issuer: str | None
    subject: str | None


@lru_cache(maxsize=1)
def _kinds() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Regexes for the type words, longest first, each anchored at the end of the text before a code."""
    kinds = sorted(read_list("reference_kinds.txt"), key=len, reverse=True)
    return tuple((re.compile(rf"(?<!\w){_words_pattern(k)}\s*(?:số\s*:?\s*)?$", re.IGNORECASE), k) for k in kinds)


def _words_pattern(phrase: str) -> str:
    """Regex for a phrase whose words may be separated by any run of whitespace."""
    return r"\s+".join(re.escape(word) for word in phrase.split())


@lru_cache(maxsize=1)
def _type_codes() -> frozenset[str]:
    codes = {row[0].upper() for row in read_table("doc_types.tsv") if row[0] != "-"}
    return frozenset(codes | {"QD", "ND", "TTLT", "NQLT", "CTLT", "QĐLT"})


_ASCII_TYPE_CODES = {"QD": "QĐ", "ND": "NĐ", "QDLT": "QĐLT"}


@lru_cache(maxsize=1)
def _laws() -> tuple[tuple[re.Pattern[str], str], ...]:
    patterns = []
    for row in read_table("laws.txt"):
        kind = row[1] if len(row) > 1 else "Luật"
        names = row[0].split("|")
        alternatives = "|".join(
            r"[\s,–-]+".join(re.escape(word) for word in re.split(r"[\s,–-]+", name) if word) for name in names
        )
        prefix = _words_pattern(kind)
        patterns.append(
            (
                re.compile(
                    rf"(?<!\w)(?:{prefix})\s+(?:số\s+\S+\s+)?(?:{alternatives})(?!\w)(?:\s+(?:năm\s+)?(?P<year>(?:19|20)\d{{2}})(?!\d))?",
                    re.IGNORECASE,
                ),
                kind,
            )
        )
    return tuple(patterns)


def normalise_code(printed: str) -> str:
    """Spaces removed, en-dashes made hyphens, ASCII ``QD``/``ND`` type codes given their ``Đ``."""
    code = re.sub(r"\s+", "", printed).replace("–", "-")
    return re.sub(r"(?<=/)(QD|ND|QDLT)(?=-|$)", lambda m: _ASCII_TYPE_CODES[m.group(1)], code)


def _split_symbol(symbol: str) -> tuple[str | None, str | None]:
    parts = symbol.split("-")
    if parts[0].upper() in _type_codes() and len(parts) > 1:
        return _ASCII_TYPE_CODES.get(parts[0], parts[0]), "-".join(parts[1:])
    return None, symbol


_OWN_NUMBER_REACH = 12


def own_numbers(text: str) -> frozenset[str]:
    """Codes that are the document's own number: on its ``Số:`` line or an appendix's ``Kèm theo`` line."""
    own = set()
    lines = text.split("\n")
    for line in lines[:_HEAD_LINES]:
        for cell in line.split("\t"):
            label = OWN_NUMBER_LINE.match(cell.strip())
            if label:
                match = DOCUMENT_CODE.search(cell.strip(), label.start("rest"))
                # the number follows its label; a code further on is cited by the subject
                # ("Số: ý? /UBND V/v thực hiện Thông báo số 496-TB/TU" with the number misread)
                if match and match.start() - label.start("rest") <= _OWN_NUMBER_REACH:
                    own.add(normalise_code(match.group(0)))
            # OCR pages may run the header columns into one line: "SỞ TÀI CHÍNH Số: 3125 /KH-STC"
            for label in _INLINE_NUMBER_LABEL.finditer(cell):
                match = DOCUMENT_CODE.match(cell, label.end())
                if match:
                    own.add(normalise_code(match.group(0)))
    for line in lines:
        if _APPENDIX.search(line) and not own.intersection(normalise_code(m.group(0)) for m in DOCUMENT_CODE.finditer(line)):
            match = DOCUMENT_CODE.search(line, _APPENDIX.search(line).end())  # type: ignore[union-attr]
            if match and len(own) == 0:
                own.add(normalise_code(match.group(0)))
    return frozenset(own)


def _kind_before(text: str, start: int) -> tuple[str | None, int]:
    window = text[max(0, start - 40):start]
    for pattern, kind in _kinds():
        match = pattern.search(window)
        if match:
            return kind, start - (len(window) - match.start())
    return None, start


_LIST_GAP = re.compile(
    r"^(?:[\s,;:]|và|hoặc|số|ngày\s*\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})*$",
    re.IGNORECASE,
)


def _issuer_after(text: str, position: int) -> tuple[str | None, int]:
    match = _ISSUER_AFTER.match(text, position)
    if not match:
        return None, position
    issuer = match.group("issuer")
    for stop in _ISSUER_STOP.finditer(issuer):
        # "và" joins the fields of one name ("Sở Thông tin và Truyền thông") unless a whole body stands before it
        if stop.group().strip().lower() == "và" and not is_whole_body(issuer[: stop.start()]):
            following = issuer[stop.end():].lstrip()
            if following[:1].isupper() and not _kind_before(following + " số", len(following) + 3)[0]:
                continue
        issuer = issuer[: stop.start()]
        break
    issuer = issuer.strip()
    if not issuer or len(issuer.split()) > _MAX_ISSUER_WORDS or not issuer[0].isupper():
        return None, position
    return issuer, match.start("issuer") + len(issuer)


def _issuer_before(text: str, kind_start: int, floor: int) -> str | None:
    """The agency a sentence names just before a citation as its issuer (see ``_ISSUER_BEFORE``);
    nothing before ``floor``, where the previous citation and the issuer it names end."""
    window_start = max(0, kind_start - _BEFORE_WINDOW, floor)
    match = _ISSUER_BEFORE.search(text[window_start:kind_start])
    if not match:
        return None
    issuer = (match.group("of") or match.group("paren") or match.group("subject") or "").strip()
    folded = fold_accents(issuer).lower()
    if (
        not issuer[:1].isupper()
        or (match.group("subject") and len(issuer.split()) < 2)  # "Sở đã ban hành": the writer itself
        or len(issuer.split()) > _MAX_ISSUER_WORDS
        or agency_head(folded) is None
    ):
        return None
    return issuer


def find_references(text: str) -> Iterator[ReferenceMatch]:
    """Every citation in ``text`` by code, then laws cited by name, each in text order."""
    own = own_numbers(text)
    previous_kind: str | None = None
    previous_end = previous_tail = -1
    for match in DOCUMENT_CODE.finditer(text):
        printed = match.group(0)
        code = normalise_code(printed)
        if code in own:
            continue
        if match.group("party_number"):
            number = match.group("party_number")
            year_text = None
            type_code = _ASCII_TYPE_CODES.get(match.group("party_type"), match.group("party_type"))
            issuer_code: str | None = normalise_code(match.group("party_issuer"))
        else:
            number = match.group("number")
            year_text = match.group("year")
            type_code, issuer_code = _split_symbol(normalise_code(match.group("symbol")))
        kind, kind_start = _kind_before(text, match.start())
        if kind is None and previous_kind and 0 <= match.start() - previous_end <= 60:
            if _LIST_GAP.match(text[previous_end:match.start()]):
                kind = previous_kind  # "Quyết định số 216/QĐ-UBND; 516/QĐ-UBND và 760/QĐ-UBND"
        position = match.end()
        issued = None
        date_match = _DATE_AFTER.match(text, position)
        if date_match:
            if date_match.group("d"):
                issued = iso_date(date_match.group("d"), date_match.group("m"), date_match.group("y"))
            else:
                issued = iso_date(date_match.group("d2"), date_match.group("m2"), date_match.group("y2"))
            position = date_match.end()
        blank = None if date_match else _BLANK_DATE.match(text, position)
        issuer, position = _issuer_after(text, blank.end() if blank else position)
        if issued is None and issuer is not None and (late_date := _DATE_AFTER.match(text, position)):
            issued = iso_date(*(late_date.group("d", "m", "y") if late_date.group("d") else late_date.group("d2", "m2", "y2")))
            position = late_date.end()
        if issuer is None:
            issuer = _issuer_before(text, kind_start if kind else match.start(), previous_tail)
        subject_match = _SUBJECT_AFTER.match(text, position)
        subject = subject_match.group("subject").strip() if subject_match else None
        year = int(year_text) if year_text else (int(issued[:4]) if issued else None)
        yield ReferenceMatch(
            start=kind_start if kind else match.start(),
            end=match.end(),
            text=text[kind_start if kind else match.start():match.end()],
            code=code,
            doc_kind=kind,
            number=number,
            year=year,
            type_code=type_code,
            issuer_code=issuer_code,
            issued_date=issued,
            issuer=issuer,
            subject=subject,
        )
        previous_kind, previous_end, previous_tail = kind, match.end(), position
    yield from find_named_laws(text)


_LAW_ANCHOR = re.compile(r"(?<!\w)(?:Bộ\s+luật|BỘ\s+LUẬT|Luật|LUẬT|Pháp\s+lệnh|PHÁP\s+LỆNH|Hiến\s+pháp|HIẾN\s+PHÁP)(?=\s)")


def find_named_laws(text: str) -> Iterator[ReferenceMatch]:
    """Laws cited by name only (``Luật Ngân sách nhà nước năm 2015``), from the gazetteer.

    Only a capitalised ``Luật`` / ``Bộ luật`` / ``Pháp lệnh`` opens a name ("pháp luật" does not);
    the gazetteer is tried at those places only, which keeps the finder linear in the text.
    """
    end_of_last = -1
    for anchor in _LAW_ANCHOR.finditer(text):
        if anchor.start() < end_of_last:
            continue
        best = None
        for pattern, kind in _laws():
            match = pattern.match(text, anchor.start())
            if match and (best is None or match.end() > best[0].end()):
                best = (match, kind)
        if best is None:
            continue
        match, kind = best
        if DOCUMENT_CODE.search(match.group(0)):
            continue  # "Luật số 23/2012/QH13" is cited by its code
        end_of_last = match.end()
        year = match.group("year")
        yield ReferenceMatch(
            start=match.start(), end=match.end(), text=match.group(0), code=None, doc_kind=kind, number=None,
            year=int(year) if year else None, type_code=None, issuer_code=None, issued_date=None,
            issuer=None, subject=None,
        )


def folded_law_name(text: str) -> str:
    """A key for comparing law names: folded, without punctuation and the year."""
    return re.sub(r"[\W\d_]+", " ", fold_accents(text)).strip()
