"""Document metadata from the header and signature blocks (Nghị định 30/2020/NĐ-CP, Điều 8).

The header is read as a sequence of lines, each tagged with the column it sat in (a DOCX header
table's first cell, a PDF's left half): the issuing agency is the left column above ``Số:``;
the national motto, place and date are on the right; the type word (BÁO CÁO, KẾ HOẠCH …) and
the title follow. Documents without a header block fall back to an appendix line
(``Kèm theo Công văn số … của …``), the body (``<agency> báo cáo …``) and the signature block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from pipeline.data import read_list, read_table
from pipeline.extract.base import iso_date
from pipeline.document import TextBlock
from pipeline.normalize import canonical_tone_placement, fold_accents, normalize_text
from pipeline.extract.agencies import agency_head, canonical_agency
from pipeline.patterns import OWN_NUMBER_LINE

_HEAD_BLOCKS = 30
_MOTTO_AFTER_OPENER = 2
_TAIL_BLOCKS = 30
_MAX_TITLE_LINES = 4
_DRAFT_WITHIN = 12  # the mark stands above or beside the header
_SCANNED_NUMBER_WITHIN = 8  # the number line is among the first lines of the left column
# the mark a draft carries above its header (Nghị định 30/2020, Phụ lục I: "Dự thảo", "Dự thảo lần 2")
_DRAFT_MARK = re.compile(r"^[(\[]?\s*du thao(?:\s+(?:lan\s+)?(?:\d+|thu \w+|[ivx]+))?\s*[)\]]?\s*[:.]?$")

_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc", "dang cong san viet nam")
_SEPARATOR = re.compile(r"^[\s\-_–—=*.·…]+$")
_NUMBER_VALUE = re.compile(r"^(?P<number>\d+[a-zA-Z]?)?\s*(?P<tail>(?:/\s*\d{4}\s*)?[/-]\s*[^\s,;]+(?:\s*[/-]\s*[^\s,;]+)*)")
# on a scan the number is often written by hand: digits with a capital ("6S" for 651) were misread,
# not printed (a number's letter suffix is lower case: "01a/BC-UBND")
_SCANNED_NUMBER_VALUE = re.compile(r"^\d+[a-z]?$")
# what a document's code is made of (Nghị định 30/2020, Phụ lục VI): letters, digits, "/", "-", "&", "(", ")", "."
_CODE_CHARS = re.compile(r"^[\w/&().\s–-]+$")
_DATE_LINE = re.compile(
    r"(?:^(?P<place>[^\d,;:()]{2,60}?)\s*,\s*)?ngày\s*(?P<day>\d{1,2})?\s*(?:tháng|/|-)\s*(?P<month>\d{1,2})?\s*(?:năm|/|-)\s*(?P<year>\d{4})?",
    re.IGNORECASE,
)
# The same line as OCR reads a scan: the day and month are often handwritten into the blanks
# and come out as marks ("ngày.¿ tháng 6", "ngày2YJtháng"), a comma as a full stop; the place
# and the year are printed and stay. A handwritten part that is not plain digits is left out.
_SCANNED_DATE_LINE = re.compile(
    r"^(?P<place>[^\d,;:()]{2,40}?)\s*[,.]\s*ng\w{1,3}\W?\s*"
    # the day and month, or what a handwritten day left of them ("ngày (€hàng 7", "tháng E")
    r"(?:(?P<day>\S{0,4}?)\s*tháng\s*(?P<month>\S{0,4}?)|[^,;:]{0,16}?)\s*"
    r"(?P<year_word>n\wm)\s*\S{0,2}\s*(?P<year>\d{4})\b",  # "năm", also read "nấm"
    re.IGNORECASE,
)
_APPENDIX_LINE = re.compile(
    r"\(\s*(?:Kèm|Ban hành kèm)\s+theo\s+(?P<kind>[^()]*?)\s+số\s*:?\s*(?P<number>\d+[a-zA-Z]?)?\s*(?P<tail>[/-][^\s,;()]+)"
    r"(?:[^()]*?ngày\s*(?P<date>[\d/\s]+|\d{0,2}\s*tháng\s*\d{0,2}\s*năm\s*\d{4}))?"
    r"(?:[^()]*?\bcủa\s+(?P<issuer>[^()]+?))?\s*\)",
    re.IGNORECASE,
)
_BODY_OPENERS = (
    "kinh gui", "can cu", "thuc hien", "theo ", "ngay ", "trong ", "qua ", "nham ", "de ", "i.", "1.", "(kem",
    "kem theo", "(ban hanh kem",
    # a speech's salutation, and the note under its title saying where it was given
    "kinh thua", "(trinh bay tai", "(tham luan tai", "(phat bieu tai",
)
# the types of a speech or conference paper, whose author may stand in a byline under the title
_SPEECH_TYPES = ("THAM LUẬN", "BÀI PHÁT BIỂU", "DIỄN VĂN")
_BYLINE_WITHIN = 3  # lines after the title
_HEADER_TABLE_CELLS = 2
_NOISE_CHARS = 3  # a scan's speck before "Số:" is this long at most
_LETTER_OPENERS = ("kinh gui", "can cu", "i.", "1.", "(kem", "kem theo")
# a part, chapter or article heading opens the body only with its number ("Phần I", "Chương 2",
# "Điều 1", "Phần thứ nhất"): "Chương trình tổng thể …" carries a subject line on
_STRUCTURE_HEADING = re.compile(r"^(?:phan|chuong|dieu)\s+(?:[ivxlc]+\b|\d+|thu\b)")
_CODE_HEAD = re.compile(r"^\s*[\w.]*\s*/\s*[^\s,]+\s*")
_SUBJECT_LINE = re.compile(r"^(?:V\s*/\s*v\b|Về việc\b)\s*[:.]?\s*", re.IGNORECASE)
# "V/v" as OCR misreads it off a scan, its slash a stroke or an accented i ("Víw", "V|v", "Vlv"):
# the công văn's subject formula all the same, when a word in small letters follows
_SCANNED_SUBJECT = re.compile(r"^V\s?[|lIíì1]\s?[vw](?=\s+[a-zà-ỹđ])")
# "Số:" as OCR reads it off a scan ("Sóz/27STC-GCS&TCDN", "Sẻ:/4964 /BTC-THTK", "So;2⁄ /UBND-VP"),
# or lost ("0S /CT-UBND" alone on its line): an S and a few marks, if any, then a slash and the
# issuer's code in capitals with a hyphen (Nghị định 30/2020, Phụ lục VI: "Số: …/QĐ-UBND"); the
# handwritten number itself is rarely readable.
_SCANNED_CODE = r"\S{0,6}?\s*/\s*[A-ZĐ0-9][A-ZĐ0-9&]*(?:\s*-\s*[A-ZĐ0-9&]+)+"
_SCANNED_NUMBER_LINE = re.compile(rf"^(?:S\S{{0,3}}?\s*[:;.]?\s*|(?={_SCANNED_CODE}\s*$))(?P<rest>{_SCANNED_CODE})")
# OCR joins what a scan prints on two lines or in two columns: the agency and its "Số:" line, the
# number and the subject ("Số: 12/UBND-VP V/v …")
_MERGED_NUMBER = re.compile(r"\s+[„,.;]?\s*(?=Số\s*:)")
_MERGED_SUBJECT = re.compile(r"\s+(?=(?:V\s*/\s*v|Về việc)\s)")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_]*\.?$")


@dataclass(frozen=True)
class DocumentMetadata:
    """Who issued the document, when, what it is, and who signed it.

    ``doc_type`` is the type name as printed (null when the document prints none, as a công văn);
    ``doc_kind`` is what the document is: the printed type, ``CÔNG VĂN`` for a letter with a
    ``V/v`` subject line, or the type its number's code names. ``draft`` is true for a draft (see
    :func:`_is_draft`), false otherwise, null when there is no header to tell. ``unreadable``
    names the fields a scanned header prints but OCR could not read (a handwritten number or
    day): they are null, never a guess, and the store flags them (``HEADER_UNREADABLE``).
    ``stamped_number`` and ``stamped_date`` are the number and date a digital-signing system
    stamped into the header's blanks (an annotation of the PDF, not the document's print):
    ``doc_number`` and ``issued_date`` stay null then, as the printed header leaves them.
    """

    doc_type: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    place: str | None = None
    issued_date: str | None = None
    year: int | None = None
    title: str | None = None
    signer: str | None = None
    province: str | None = None
    doc_kind: str | None = None
    agency: str | None = None
    parent_agency: str | None = None
    draft: bool | None = None
    unreadable: tuple[str, ...] = ()
    numbered_by_file_name: bool = False
    dated_by_signature: bool = False
    stamped_number: str | None = None
    stamped_date: str | None = None


@dataclass(frozen=True)
class _Line:
    text: str
    column: str | None
    block: int
    cells: int = 0  # the cells of the table row it was read from (a header table has two)


@lru_cache(maxsize=1)
def _type_words() -> tuple[tuple[str, str, str], ...]:
    """(folded, marked (``_marked``), printed type word), longest first so 'THÔNG TƯ LIÊN TỊCH' wins."""
    words = {row[1] for row in read_table("doc_types.tsv")}
    return tuple(sorted(((fold_accents(w), _marked(w), w) for w in words), key=lambda p: -len(p[0])))


@lru_cache(maxsize=1)
def _type_by_code() -> dict[str, str]:
    return {row[0].upper(): row[1] for row in read_table("doc_types.tsv") if row[0] != "-"}


@lru_cache(maxsize=1)
def _signature_titles() -> tuple[str, ...]:
    return tuple(fold_accents(t) for t in read_list("signature_titles.txt"))


@lru_cache(maxsize=1)
def _provinces() -> tuple[tuple[str, str], ...]:
    """(folded spelling, canonical name) for every name and alias, longest first."""
    pairs = []
    for row in read_table("provinces.txt"):
        for spelling in row:
            pairs.append((fold_accents(spelling), row[0]))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _lines(blocks: Iterable[TextBlock]) -> list[_Line]:
    lines: list[_Line] = []
    for block in blocks:
        if block.kind == "footnote":
            continue
        if block.cells is not None:
            for position, cell in enumerate(block.cells):
                column = "left" if position == 0 and len(block.cells) > 1 else ("right" if position else None)
                for piece in cell.split("\n"):
                    if piece.strip():
                        lines.append(_Line(piece.strip(), column, block.index, len(block.cells)))
        else:
            lines.append(_Line(block.text.strip(), block.column, block.index))
    return lines


def _is_motto(text: str) -> bool:
    folded = fold_accents(text)
    return any(m in folded for m in _MOTTO)


def _after_motto(text: str) -> str:
    """What follows the motto on a line OCR read across the right column ("… Hạnh phúc Đắk
    Nông, ngày …"), or the line."""
    folded = fold_accents(text)
    ends = [folded.find(m) + len(m) for m in _MOTTO if m in folded]
    return text[max(ends):].strip() if ends else text


def _strip_motto(text: str) -> str:
    """Cut the motto off a line that also holds agency text (a PDF line not split in columns)."""
    folded = fold_accents(text)
    for motto in _MOTTO:
        at = folded.find(motto)
        if at > 0:
            return text[:at].strip()
    return text


def _number(rest: str, scanned: bool = False) -> str | None:
    match = _NUMBER_VALUE.match(rest.strip())
    if match is None or not match.group("number"):
        return None
    if scanned and not (_SCANNED_NUMBER_VALUE.match(match.group("number")) and _CODE_CHARS.match(match.group("tail"))):
        return None  # a capital among the digits, or a mark no code has ("CV-PA§3"): misread
    return _joined(match.group("number") + match.group("tail"))


def _joined(number: str) -> str:
    """A number as the gold writes it: no spaces, dashes as hyphens ("35 /BC—UBND" -> "35/BC-UBND")."""
    return re.sub(r"\s+", "", number).replace("–", "-").replace("—", "-")


# the code after the number as a scan prints it, its number unreadable: "#Ô /UBND-VP", "42. /TB-BQL",
# "đ// /TTr-HĐND", "40 /2019/NQ-HĐND"
# the code after the number's slash, its parts maybe spaced around their dashes ("/BC - UBND")
_CODE_AFTER_NUMBER = re.compile(r"/\s*(?P<code>(?:(?P<year>\d{4})\s*/\s*)?[^\W\d_][^\s,;]*(?:\s*[-–]\s*[^\s,;]+)*)\s*$")
_FILE_DIGITS = re.compile(r"(?<!\d)\d+(?!\d)")
_FILE_LETTERS = re.compile(r"[a-z]{2,}")
_FILE_GAP = re.compile(r"[-_. ]?(?:so[-_. ]?)?")  # "BC-so-248": "số" between the type and the number
_FILE_LETTERS_BEFORE = re.compile(rf"(?P<word>[a-z]{{2,}}){_FILE_GAP.pattern}$")
_FILE_NUMBER_DIGITS = 5


def _number_from_file_name(file_name: str, number_rest: str, year: int | None) -> str | None:
    """The number a scanned header prints by hand, as the archive's file name gives it.

    Archives name a document's file by its number and code ("458TBUBsigned_2019.pdf",
    "808-UBND-VPsigned.pdf", "04.TTr-HDND.pdf"): a run of digits in the file name that touches a
    word of the code OCR did read ("/TB-UBND": "tb" or "ubnd", or a word they open) is the number,
    when exactly one run does. The header's year is not a number; a code with its year
    ("/2019/NQ-HĐND") has the year glued after the number ("102019NQ")."""
    code_match = _CODE_AFTER_NUMBER.search(number_rest)
    if code_match is None or not file_name:
        return None
    code = code_match.group("code")
    words = [w for w in re.split(r"[^a-z]+", fold_accents(code).lower()) if len(w) >= 2]
    stem = fold_accents(file_name.rsplit(".", 1)[0]).lower()
    found: set[str] = set()
    for digits in _FILE_DIGITS.finditer(stem):
        number = digits.group()
        if code_match.group("year") and number.endswith(code_match.group("year")) and len(number) > 4:
            number = number[:-4]
        if len(number) > _FILE_NUMBER_DIGITS or (year is not None and number == str(year)):
            continue
        after = _FILE_LETTERS.match(stem, _FILE_GAP.match(stem, digits.end()).end())  # type: ignore[union-attr]
        before = _FILE_LETTERS_BEFORE.search(stem, 0, digits.start())
        neighbours = ([after.group()] if after else []) + ([before.group("word")] if before else [])
        if any(n.startswith(w) or w.startswith(n) for n in neighbours for w in words):
            found.add(number)
    return _joined(f"{found.pop()}/{code}") if len(found) == 1 else None


def _day_signed(signed_on: Sequence[str], year: int, month: int | None) -> str | None:
    """The day a scan was issued, as its first digital signature gives it, when the header's hand
    left the day unreadable: an archive signs the scan it publishes the day it issues it (the
    signed PDFs of the Đắk Nông and Đà Nẵng archives with a gold date: the same day in 31 of 35).
    Only a signature in the year the header prints, and in its month when the hand left that
    readable, witnesses it."""
    if not signed_on:
        return None
    first = signed_on[0]  # a later signature may be a copy's, signed on receipt
    return first if int(first[:4]) == year and month in (None, int(first[5:7])) else None


def _kind_by_code(doc_number: str) -> str | None:
    """The type a number's code names ("…/TB-UBND": THÔNG BÁO), or None."""
    code = re.search(r"/(?:\d{4}/)?([^-/]+)-", doc_number)
    return _type_by_code().get(code.group(1).upper()) if code else None


def _marked(text: str) -> str:
    """``text`` as the document text spells it (``normalize_text``: tone marks in canonical
    place), in lower case."""
    return normalize_text(text).lower()


def _doc_type(text: str, exact: bool = False) -> tuple[str | None, str]:
    """If ``text`` opens with a type word in capitals, return it and the rest of the line.

    The rest is either in capitals too or, as OCR joins the type and the title line of a scan
    ("THÔNG BÁO Kết luận …"), in sentence case: a type word then a capitalised word that is not.
    Words are compared without their marks, which OCR misreads, unless ``exact`` (a text layer)
    and the line has marks: "PHƯỜNG AN HẢI BẮC" is no "PHƯƠNG ÁN", "KE HOACH" is a KẾ HOẠCH."""
    words = text.split()
    capitals = 0
    while capitals < len(words) and _all_capitals(words[capitals]):
        capitals += 1
    if capitals == 0:
        return None, text
    if capitals < len(words) and not words[capitals][:1].isupper():
        return None, text
    head = " ".join(words[:capitals])
    folded = fold_accents(head)
    # a head printed without any mark (an unaccented or legacy text layer) can only be folded
    marked = _marked(head) if exact and folded != head.lower() else None
    for folded_word, marked_word, printed in _type_words():
        if marked is not None and not marked.startswith(marked_word):
            continue
        if capitals == len(words) and (folded == folded_word or folded.startswith(folded_word + " ")):
            return printed, text[len(folded_word):].strip(" :-")
        if capitals < len(words) and folded == folded_word:
            return printed, " ".join(words[capitals:]).strip(" :-")
    return None, text


_STRAY_MARK = re.compile(r"(?<=\s)[_„~|ˆ˜`´]+(?=\s|$)|(?<=[^\W\d_]{3})\.(?=\s+[^\W\d_])")


def _clean_issuer(text: str, scanned: bool) -> str | None:
    """The issuer block as one name: marks a scan leaves between its words dropped ("HỘI. ĐỒNG
    NHÂN DÂN _ TỈNH" -> "HỘI ĐỒNG NHÂN DÂN TỈNH"; "TP." stays) and, on a scan, the words of an
    agency head, an administrative unit and a province spelled as ``_known_names`` spells them
    (OCR misreads their marks: "HỘI ĐÓNG NHÂN DÂN", "THÀNH PHÓ", "ĐÁK NÔNG")."""
    text = " ".join(_STRAY_MARK.sub(" ", text).split())
    if not text:
        return None
    if scanned:
        text = _respell(text)
    return text


def _respell(text: str, place: bool = False, districts_only: bool = False) -> str:
    """``text`` with the names ``_known_names`` lists spelled as listed, word by word: a word whose
    marks differ from its name's spelling (OCR's "NỖ" for "NÔ") takes the listed one, from the
    spelling nearest to the printed words where a name has several ("ĐĂK" of "Đăk R'Lấp"). A
    district's name counts after a unit word ("HUYỆN KRÔNG NỖ") or as a ``place`` whole: elsewhere
    a district's name may be ordinary words ("Vinh" of "Vĩnh Hảo"). ``districts_only``: only a
    district's name after its unit word (a subject line: "huyện Đắk R”lập"), as the other names'
    folded words are ordinary words there ("Ban" is the "bàn" of "địa bàn")."""
    words = _unglued(text.split())
    folded = [fold_accents(w).lower() for w in words]
    out: list[str] = []
    at = 0
    while at < len(words):
        after_unit = any(" ".join(folded[max(at - len(unit), 0) : at]) == " ".join(unit) for unit in _DISTRICT_UNITS)
        whole_place = [n for n in _district_names() if len(n[1]) == len(words)] if place and at == 0 else []
        if districts_only:
            names: tuple[tuple[tuple[list[str], ...], list[str]], ...] = _district_names() if after_unit else ()
        else:
            names = (*_district_names(), *_known_names()) if after_unit else (*whole_place, *_known_names())
        for spellings, folded_parts in names:
            if folded_parts == folded[at : at + len(folded_parts)]:
                printed = [canonical_tone_placement(w.lower()) for w in words[at : at + len(folded_parts)]]
                # the spelling nearest to the printed words gives the marks of the others
                nearest = max(spellings, key=lambda s: sum(canonical_tone_placement(p.lower()) == w for p, w in zip(s, printed)))
                out.extend(
                    _typeset(w if canonical_tone_placement(p.lower()) == c else _cased_as(p, w))
                    for p, w, c in zip(nearest, words[at : at + len(folded_parts)], printed)
                )
                at += len(folded_parts)
                break
        else:
            out.append(words[at])
            at += 1
    return " ".join(out)


# what OCR reads for the apostrophe of "Đắk R’Lấp", "M’Đrắk": the list writes "'"
_APOSTROPHES = re.compile(r"(?<=[^\W\d_])['’‘`´°?”“](?=[^\W\d_])")


def _cased_as(listed: str, printed: str) -> str:
    """The listed spelling in the printed word's case, letter by letter where they align."""
    if printed.isupper():
        return listed.upper()
    if len(listed) != len(printed):
        return listed
    return "".join(l.upper() if p.isupper() else l.lower() for l, p in zip(listed, printed))


def _typeset(word: str) -> str:
    """A listed name's word as a printed document sets it: Word makes the apostrophe curly."""
    return word.replace("'", "’")


def _unglued(words: list[str]) -> list[str]:
    """A scan's words of a listed name put back as the list writes them before they are compared:
    two of its words OCR ran together ("ĐẮKNÔNG", "KRÔNGNÔ"), its apostrophe misread ("R°LÁP",
    "R?LÁP") or lost between a letter and the rest ("R lập")."""
    parts, glued = _name_words()
    out: list[str] = []
    at = 0
    while at < len(words):
        word = words[at]
        respelled = _APOSTROPHES.sub("'", word)
        if respelled != word and fold_accents(respelled).lower() in parts | glued.keys():
            word = respelled
        folded = fold_accents(word).lower()
        if len(word) == 1 and word.isalpha() and at + 1 < len(words):
            joined = f"{word}'{words[at + 1]}"
            if fold_accents(joined).lower() in parts:
                out.append(joined)
                at += 2
                continue
        split = glued.get(folded) if folded not in parts else None
        if split:
            cut = 0
            for length in split:
                out.append(word[cut : cut + length])
                cut += length
        else:
            out.append(word)
        at += 1
    return out


@lru_cache(maxsize=1)
def _name_words() -> tuple[frozenset[str], dict[str, tuple[int, ...]]]:
    """The folded words of every listed name, and each name of several words run together
    (folded) with the lengths of its words."""
    parts: set[str] = set()
    glued: dict[str, tuple[int, ...]] = {}
    for _, folded_parts in (*_known_names(), *_district_names()):
        parts.update(folded_parts)
        if len(folded_parts) > 1:
            glued.setdefault("".join(folded_parts), tuple(len(p) for p in folded_parts))
    return frozenset(parts), glued


@lru_cache(maxsize=1)
def _known_names() -> tuple[tuple[tuple[list[str], ...], list[str]], ...]:
    """Agency heads, the words of administrative units and province names as the data lists spell
    them, longest first: (its spellings, the listed one first; its folded words). A province's
    spellings that fold alike ("Đắk Nông", "Đăk Nông") are each a right spelling."""
    names: dict[str, list[str]] = {}
    for name in [*(h for h in read_list("agency_heads.txt") if not h.isupper()), *_UNIT_WORDS]:
        names.setdefault(name, [name])
    for row in read_table("provinces.txt"):
        names.setdefault(row[0], [row[0]]).extend(a for a in row[1:] if fold_accents(a) == fold_accents(row[0]))
    return _by_length(names.values())


@lru_cache(maxsize=1)
def _districts() -> tuple[tuple[list[str], str], ...]:
    """Each district of ``districts.tsv``: its spellings (the listed one first) and its province."""
    return tuple(
        ([row[0], *(a.strip() for a in row[3].split(";") if a.strip())] if len(row) > 3 else [row[0]], row[2])
        for row in read_table("districts.tsv")
    )


@lru_cache(maxsize=1)
def _district_names() -> tuple[tuple[tuple[list[str], ...], list[str]], ...]:
    """The districts of ``districts.tsv`` in the form of ``_known_names``."""
    return _by_length(spellings for spellings, _ in _districts())


def _by_length(spellings: Iterable[list[str]]) -> tuple[tuple[tuple[list[str], ...], list[str]], ...]:
    rows = [(tuple(s.split() for s in group), [fold_accents(w).lower() for w in group[0].split()]) for group in spellings]
    return tuple(sorted(rows, key=lambda r: (-len(r[1]), r[0][0])))


# the units an agency name says it governs; not "quận" (folded "quan" is also "quân sự") nor
# "phường" ("phương"), whose folded forms are other words of agency names
_UNIT_WORDS = ("Tỉnh", "Huyện", "Thành phố", "Thị xã", "Thị trấn")
# the units a district is (folded): its name follows one of them
_DISTRICT_UNITS = (("huyen",), ("quan",), ("thi", "xa"), ("thanh", "pho"))


def _all_capitals(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return not letters or all(c.isupper() for c in letters)


def _capitals_opening(text: str) -> str:
    """The words in capitals that open ``text`` ("ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG" of
    "ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG | Căn cứ …"); empty when fewer than three do."""
    words = text.split()
    count = next((i for i, word in enumerate(words) if not _all_capitals(word)), len(words))
    opening = [w for w in words[:count] if any(c.isalpha() for c in w)]
    return " ".join(opening) if len(opening) >= 3 else ""


def _is_number_line(text: str) -> bool:
    return bool(OWN_NUMBER_LINE.match(text) or _SCANNED_NUMBER_LINE.match(text))


def _split_merged(lines: Sequence[_Line]) -> list[_Line]:
    """Header lines as printed where OCR joined two of them (see ``_MERGED_NUMBER``)."""
    out: list[_Line] = []
    for line in lines:
        parts = [line.text]
        if not _is_number_line(line.text):
            parts = [p for p in _MERGED_NUMBER.split(line.text, maxsplit=1) if p.strip()]
        if len(parts) == 2 and len(parts[0].strip()) <= _NOISE_CHARS and _is_number_line(parts[1]):
            parts = parts[1:]  # a scan's speck before "Số:" ("zÌ Số: 445 /CV-PA83")
        if len(parts) == 1 or (len(parts) == 2 and _all_capitals(parts[0]) and len(parts[0]) <= 120):
            number_line = parts[-1]
            if _is_number_line(number_line):
                parts[-1:] = [p for p in _MERGED_SUBJECT.split(number_line, maxsplit=1) if p.strip()]
        else:
            parts = [line.text]
        # "|": a column rule OCR read at a line's edge
        out.extend(_Line(part.strip(" „|"), line.column, line.block, line.cells) for part in parts)
    return out


_LABEL = re.compile(r"^[^:]{2,30}:\s")


def _opens_body(text: str) -> bool:
    """Whether a line opens the body with one of the words a body opens with (``Kính gửi``,
    ``Căn cứ``, ``Để`` …); folded, so OCR text without marks counts, but ``Đề xuất …`` (a title)
    is not ``Để …``."""
    folded = fold_accents(text)
    if folded.startswith("de ") and not text[:3].lower() in ("để ", "de "):
        return False
    return folded.startswith(_BODY_OPENERS) or bool(_STRUCTURE_HEADING.match(folded))


def _opens_letter_body(text: str) -> bool:
    """Whether a line can only open a body, never a subject: "Kính gửi", "Căn cứ", a numbered
    part, an article, a label, or a paragraph too long for a subject."""
    folded = fold_accents(text)
    return (
        folded.startswith(_LETTER_OPENERS) or bool(_STRUCTURE_HEADING.match(folded)) or len(text) > 250
        or bool(_LABEL.match(text))
    )


def _is_body_start(text: str) -> bool:
    # a body's paragraph opens with a capital; a line in small letters carries a subject on
    # ("V/v triển khai thực hiện các nhiệm vụ / trọng tâm phục vụ …")
    if text[:1].islower():
        return len(text) > 250
    return _opens_body(text) or len(text) > 250 or bool(_LABEL.match(text))


def _agency_phrase(text: str) -> str | None:
    """The agency name that opens ``text`` when its first words are an agency head."""
    return text if agency_head(fold_accents(text)) is not None else None


def _is_person_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 6 or any(not _NAME_WORD.match(w) for w in words):
        return False
    if not all(w[0].isupper() for w in words):
        return False
    if text.isupper() and len(words) < 3:
        return False  # "DỰ THẢO", "PHÓ GIÁM ĐỐC": upper-case names have three words or more
    folded = fold_accents(text)
    if folded.startswith(_signature_titles()) or _agency_phrase(text) or folded.startswith(("noi nhan", "kinh gui", "luu")):
        return False
    return True


def _province(*texts: str | None) -> str | None:
    """The province a text names, else the province of the one district it names (after a unit
    word: "HUYỆN KRÔNG NÔ" is in Đắk Nông; a name several provinces' districts share says none)."""
    for text in texts:
        if not text:
            continue
        folded = f" {fold_accents(text)} "
        for spelling, canonical in _provinces():
            if re.search(rf"(?<![a-z]){re.escape(spelling)}(?![a-z])", folded):
                return canonical
    pattern, provinces = _district_provinces()
    for text in texts:
        found = {p for match in pattern.finditer(fold_accents(text or "")) for p in provinces[match.group("name")]}
        if len(found) == 1:
            return found.pop()
    return None


@lru_cache(maxsize=1)
def _district_provinces() -> tuple[re.Pattern[str], dict[str, set[str]]]:
    """A pattern of a district named after its unit word (folded), and the provinces of each
    spelling (a name several provinces' districts share has them all)."""
    provinces: dict[str, set[str]] = {}
    for spellings, province in _districts():
        for spelling in spellings:
            provinces.setdefault(fold_accents(spelling), set()).add(province)
    units = "|".join(" ".join(unit) for unit in _DISTRICT_UNITS)
    names = "|".join(re.escape(name) for name in sorted(provinces, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{units})\s+(?P<name>{names})(?![a-z])"), provinces


def _signer(lines: Sequence[_Line]) -> str | None:
    """The name under the last signature title, read from the end of the document."""
    seen_title = False
    candidate: str | None = None
    for line in lines:
        folded = fold_accents(line.text)
        if folded.startswith(_signature_titles()) or (line.column == "right" and _doc_title_like(line.text)):
            seen_title = True
            candidate = None
            continue
        if seen_title and _is_person_name(line.text):
            candidate = line.text
    return candidate


def _doc_title_like(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and fold_accents(text).startswith(_signature_titles())


def _signature_agency(lines: Sequence[_Line]) -> str | None:
    for line in lines:
        match = re.match(r"^(?:TM|T/M)\.?\s*(?P<agency>.+)$", line.text)
        if match and _agency_phrase(match.group("agency")):
            return match.group("agency").strip()
    return None


def _body_agency(lines: Sequence[_Line]) -> str | None:
    """``Liên minh HTX tỉnh Quảng Trị báo cáo kết quả như sau`` -> the agency."""
    for line in lines[:40]:
        for clause in re.split(r"(?<=[.;:])\s+", line.text):
            match = re.search(r"^(?P<agency>.{3,100}?)\s+(?:kính\s+|xin\s+)?báo cáo\b", clause)
            if match and _agency_phrase(match.group("agency")):
                return match.group("agency").strip()
    return None


def _stamped(digits: str, stamps: Sequence[str]) -> bool:
    """Whether the number or day ``digits`` is what an annotation stamped (a run of ``stamps``
    that is those digits, or opens with them: "3797" or "3797/SNV-TCBC")."""
    return bool(digits) and any(re.match(rf"{re.escape(digits)}(?!\d)", run.strip()) for run in stamps)


def _is_draft(head: Sequence[_Line], number_line: str | None, dated_blank: bool, scanned: bool) -> bool | None:
    """Whether the header is a draft's: it carries the draft mark, or (on a text layer only) its
    number line has the code without the number and its date line the year without the day, the
    blanks an issued document fills in. A scan's blanks are no evidence: the number and day are
    often written by hand and read as nothing. None when there is neither a number line nor a mark."""
    if any(_DRAFT_MARK.match(fold_accents(line.text).strip()) for line in head[:_DRAFT_WITHIN]):
        return True
    if number_line is None:
        return None
    blank_number = not re.search(r"\d", number_line.split("/")[0])
    return blank_number and dated_blank and not scanned


def _dated(match: re.Match[str]) -> tuple[str | None, str | None, int | None]:
    """Place, ISO date and year of a ``_DATE_LINE`` match (each None where left blank)."""
    place = (match.group("place") or "").strip() or None
    year = int(match.group("year")) if match.group("year") else None
    return place, iso_date(match.group("day"), match.group("month"), match.group("year")), year


def _heading_lines(head: Sequence[_Line], header_end: int) -> list[str]:
    """A title printed with no type word above it ("TỔNG HỢP KẾT QUẢ …" of a biểu tổng hợp): the
    first line in capitals after the header, the capitals lines that carry it on and a line in
    brackets after them (its period)."""
    lines: list[str] = []
    for line in head[header_end + 1 :]:
        text = line.text.strip()
        words = text.split()
        capitals = sum(any(c.isalpha() for c in w) for w in words) >= 2 and all(_all_capitals(w) for w in words)
        if not lines:
            if _SEPARATOR.match(text) or _is_motto(text) or _is_number_line(text) or _DATE_LINE.search(text) or _SCANNED_DATE_LINE.match(text):
                continue
            if not capitals or _agency_phrase(text):
                return []
            lines.append(text)
        elif len(lines) < _MAX_TITLE_LINES and (
            capitals or (text.startswith("(") and text.endswith(")") and not _opens_body(text))  # "(Kèm theo …)" is a note
        ):
            lines.append(text)
            if text.startswith("("):
                break
        else:
            break
    return lines


def _subject_lines(head: Sequence[_Line], subject_at: int) -> list[str]:
    """A công văn's subject as printed (its title): the ``V/v …`` line and the lines that carry it
    on in its column, up to ``Kính gửi``, the body or the other column's date."""
    subject = head[subject_at]
    lines = [subject.text]
    for line in head[subject_at + 1 :]:
        if (
            len(lines) >= _MAX_TITLE_LINES
            or line.column != subject.column
            or _SEPARATOR.match(line.text)
            or _is_motto(line.text)
            or _doc_type(line.text)[0] is not None
            or _is_body_start(line.text)
            or _DATE_LINE.search(line.text)
            or OWN_NUMBER_LINE.match(line.text)
            or fold_accents(line.text).startswith(_signature_titles())
            # a subject is printed in small letters: a line in capitals under it is an agency or
            # a received stamp ("SỞ TÀI CHÍNH … CÔNG VĂN ĐẾN")
            or (_all_capitals(line.text) and not _all_capitals(subject.text))
        ):
            break
        lines.append(line.text)
    return lines


def extract_metadata(blocks: Sequence[TextBlock], file_name: str = "", signed_on: Sequence[str] = ()) -> DocumentMetadata:
    """Read the document's own number, type, issuer, place, date, title and signer.

    ``file_name`` is a second witness for a number a scanned header writes by hand (see
    :func:`_number_from_file_name`); ``numbered_by_file_name`` says when it was used.
    ``signed_on``, the days of the file's digital signatures, is one for a day the scanned header
    writes by hand (see :func:`_day_signed`); ``dated_by_signature`` says when it was used."""
    head = _lines(blocks[:_HEAD_BLOCKS])
    tail = _lines(blocks[-_TAIL_BLOCKS:])

    head = _split_merged(head)
    scanned = any(b.source == "ocr" for b in blocks[:_HEAD_BLOCKS])
    if scanned:
        head = [replace(ln, text=_SCANNED_SUBJECT.sub("V/v", ln.text)) for ln in head]
    number_at = next((i for i, ln in enumerate(head) if OWN_NUMBER_LINE.match(ln.text) and i < 25), None)
    doc_number: str | None = None
    number_rest: str | None = None
    if number_at is not None:
        number_rest = OWN_NUMBER_LINE.match(head[number_at].text).group("rest")  # type: ignore[union-attr]
        if not re.search(r"[/-]", number_rest) and number_at + 1 < len(head):
            number_rest = f"{number_rest} {head[number_at + 1].text}"  # "Số:" and "/SNV-TCBC" printed apart
        doc_number = _number(number_rest, scanned)
    else:
        number_at = next((i for i, ln in enumerate(head[:_SCANNED_NUMBER_WITHIN]) if _SCANNED_NUMBER_LINE.match(ln.text)), None)
        if number_at is not None:
            number_rest = _SCANNED_NUMBER_LINE.match(head[number_at].text).group("rest")  # type: ignore[union-attr]
            doc_number = _number(number_rest, scanned)

    place = issued = None
    year: int | None = None
    header_month: int | None = None  # what a scanned date line's hand left readable of its month
    blank_day = False
    day_at: tuple[int, str] | None = None  # the date line's block and its day as read
    for at, line in enumerate(head[:25]):
        folded = fold_accents(line.text)
        # a PDF may give the left column whole ("Số", "V/v", "Kính gửi:") before the right one
        # (motto, place and date): a motto right after "Kính gửi:" says the header goes on
        after = [ln for ln in head[at + 1 :] if not _SEPARATOR.match(ln.text)]
        header_follows = any(_is_motto(ln.text) for ln in after[:_MOTTO_AFTER_OPENER])
        if _opens_body(line.text) and not folded.startswith("ngay ") and not header_follows:
            break
        own = OWN_NUMBER_LINE.match(line.text)
        # header columns read across: "Số: 12/SNV-TCBC   Lâm Đồng, ngày … tháng … năm 2025"
        match = _DATE_LINE.search(_CODE_HEAD.sub("", own.group("rest")) if own else line.text)
        if match and (match.group("place") or match.start() == 0):
            place, issued, year = _dated(match)
            blank_day = year is not None and not match.group("day")
            header_month = int(match.group("month")) if match.group("month") else None
            day_at = (line.block, match.group("day") or "")
            break
        scanned_date = _SCANNED_DATE_LINE.match(_after_motto(line.text) if scanned else line.text)
        if scanned_date and not scanned and (
            scanned_date.group("month") is None or scanned_date.group("year_word").lower() != "năm"
        ):
            scanned_date = None  # what only a scan's hand or OCR leaves is no text layer's date line
        if scanned_date and not _agency_phrase(scanned_date.group("place")):
            place = scanned_date.group("place").strip()
            day, month = ((scanned_date.group(part) or "") for part in ("day", "month"))
            day, month = (day if day.isdigit() else None), (month if month.isdigit() else None)
            issued = iso_date(day, month, scanned_date.group("year"))
            year = int(scanned_date.group("year"))
            header_month = int(month) if month else None
            break

    if place is None and issued is None and year is None:
        # a table-form report (biểu tổng hợp) dates itself above the signature, at its end
        for line in reversed(tail):
            match = _DATE_LINE.match(line.text)
            if match and match.group("place") and match.group("year"):
                place, issued, year = _dated(match)
                break
    if scanned and place:
        place = _respell(place, place=True)

    header_end = max(number_at or 0, next((i for i, ln in enumerate(head) if _is_motto(ln.text)), 0))
    issuer_lines: list[str] = []
    for line in head[: number_at if number_at is not None else header_end]:
        if line.column == "right" or _SEPARATOR.match(line.text):
            continue
        text = _strip_motto(line.text)
        if not text or _is_motto(text) or _DATE_LINE.search(text):
            continue
        if _doc_type(text, exact=not scanned)[0] is not None and not _agency_phrase(text):
            break
        issuer_lines.append(text)
    issuer = _clean_issuer(" ".join(issuer_lines), scanned=scanned)

    doc_type: str | None = None
    title_lines: list[str] = []
    type_at = None
    # a công văn names no type: its subject line ("V/v …") stands where the type would; a type
    # name after it belongs to an attached document (a biên bản, a draft tờ trình)
    subject_at = next((i for i, ln in enumerate(head) if _SUBJECT_LINE.match(ln.text)), len(head))
    for i, line in enumerate(head[:subject_at]):
        found, rest = _doc_type(line.text, exact=not scanned)
        if found is not None and not _is_motto(line.text):
            doc_type, type_at = found, i
            if rest:
                title_lines.append(rest)
            break
    byline: str | None = None
    if type_at is not None:
        for line in head[type_at + 1:]:
            if title_lines and doc_type in _SPEECH_TYPES and _agency_phrase(line.text):
                byline = line.text  # "Ủy ban nhân dân huyện Lạc Dương" under a tham luận's title
                break
            # the line right under the type name is its subject (trích yếu), which may open with
            # a word that opens a body elsewhere: "KẾ HOẠCH / Thực hiện phong trào …"
            first = not title_lines and not _opens_letter_body(line.text)
            if (
                len(title_lines) >= _MAX_TITLE_LINES
                or _SEPARATOR.match(line.text)
                or (_is_body_start(line.text) and not first)
                or fold_accents(line.text).startswith(_signature_titles())
                # a resolution's enacting body under its subject: "HỘI ĐỒNG NHÂN DÂN TỈNH …",
                # which OCR may run into the first "Căn cứ" of the body
                or (title_lines and _agency_phrase(_capitals_opening(line.text)))
                # a table of three columns or more is the body's, not the header's
                or line.cells > _HEADER_TABLE_CELLS
            ):
                break
            if _DATE_LINE.search(line.text) and line.column == "right":
                continue
            title_lines.append(line.text)
    if type_at is not None and doc_type in _SPEECH_TYPES and byline is None:
        # the byline may stand under the note that says where the paper was given
        after_title = head[type_at + 1 + len(title_lines) : type_at + 1 + len(title_lines) + _BYLINE_WITHIN]
        byline = next((ln.text for ln in after_title if _agency_phrase(ln.text)), None)
    doc_kind = doc_type
    if type_at is None and subject_at < len(head):
        title_lines = _subject_lines(head, subject_at)
        doc_kind = "CÔNG VĂN"
    elif type_at is None:
        title_lines = _heading_lines(head, header_end)
    if doc_kind is None and doc_number:
        doc_kind = _kind_by_code(doc_number)
    # a subject line (trích yếu) ends without a full stop; a scan's stray mark is not part of it
    title = " ".join(title_lines).strip().rstrip(" .") or None
    if scanned and title:
        title = _respell(title, districts_only=True)

    if issuer is None or doc_number is None:
        for line in head:
            match = _APPENDIX_LINE.search(line.text)
            if match:
                if issuer is None and match.group("issuer"):
                    issuer = match.group("issuer").strip()
                if doc_number is None and number_at is None and match.group("number"):
                    doc_number = re.sub(r"\s+", "", match.group("number") + match.group("tail"))
                if issued is None and match.group("date"):
                    parts = re.findall(r"\d+", match.group("date"))
                    if len(parts) == 3:
                        issued = iso_date(*parts)
                        year = year or int(parts[2])
                break
    if issuer is None:
        issuer = byline or _body_agency(_lines(blocks[:60])) or _signature_agency(tail)
    if year is None and issued:
        year = int(issued[:4])

    agency = canonical_agency(issuer)
    draft = _is_draft(head, number_rest, blank_day, scanned)
    unreadable: list[str] = []
    numbered_by_file_name = dated_by_signature = False
    if scanned and not draft:
        # the number is written by hand into the printed blank, which OCR misreads more often
        # than the archive misnames the file: where the file name gives one, it wins (over all
        # gold scans whose file name gives a number, it was right 23 times of 23 and OCR's
        # reading 17); printed in the header but read nowhere, it is left empty, and said so
        if number_at is not None and number_rest is not None:
            named = _number_from_file_name(file_name, number_rest, year)
            if named is not None and named != doc_number:
                doc_number, numbered_by_file_name = named, True
                doc_kind = doc_kind or _kind_by_code(named)
        if number_at is not None and doc_number is None:
            unreadable.append("doc_number")
        if year is not None and issued is None:
            issued = _day_signed(signed_on, year, header_month)
            dated_by_signature = issued is not None
        if year is not None and issued is None:
            unreadable.append("issued_date")
    # a digital-signing system stamps the number and the day into the header's blanks as an
    # annotation, which the document itself leaves blank: kept apart from what it prints
    stamps = {b.index: b.stamps for b in blocks[:_HEAD_BLOCKS] if b.stamps}
    stamped_number = stamped_date = None
    if stamps and doc_number and number_at is not None and number_rest is not None:
        digits = _NUMBER_VALUE.match(number_rest.strip())
        lines = head[number_at : number_at + 2]
        if digits and _stamped(digits.group("number") or "", [run for ln in lines for run in stamps.get(ln.block, ())]):
            stamped_number, doc_number = doc_number, None
    if stamps and issued and day_at is not None and _stamped(day_at[1], stamps.get(day_at[0], ())):
        stamped_date, issued = issued, None
    return DocumentMetadata(
        doc_type=doc_type,
        doc_kind=doc_kind,
        doc_number=doc_number,
        issuer=issuer,
        place=place,
        issued_date=issued,
        year=year,
        title=title,
        signer=_signer(tail),
        province=_province(issuer, place, title),
        agency=agency.name if agency else None,
        parent_agency=agency.parent if agency else None,
        draft=draft,
        unreadable=tuple(unreadable),
        numbered_by_file_name=numbered_by_file_name,
        dated_by_signature=dated_by_signature,
        stamped_number=stamped_number,
        stamped_date=stamped_date,
    )
