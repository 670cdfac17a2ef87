"""Legacy Vietnamese 8-bit font encodings: TCVN3 (ABC, ``.VnTime`` fonts) and VNI (``VNI-Times``).

Text typed in these fonts is stored as single bytes that the font draws as Vietnamese letters;
Word, antiword and pdfplumber hand those bytes over as the Windows-1252 characters of the same
value (``b¸o c¸o`` for ``báo cáo`` in TCVN3, ``baùo caùo`` in VNI). This module tells such text
from Unicode and converts it, from two data tables (``pipeline/data/legacy_tcvn3.tsv`` and
``legacy_vni.tsv``).

Detection is conservative, because a false positive would corrupt a correct document: text that
holds any Vietnamese letter outside Latin-1 (``ư ơ đ ạ ế`` ...) is Unicode and never touched, and
content alone converts text only when it holds enough characters that Unicode Vietnamese never
uses (``µ ¸ ¶ ¹ ®`` for TCVN3, ``ø û ï ö ñ`` for VNI) and the conversion reads as Vietnamese
syllables clearly better than the original. A font name (``.Vn*`` -> TCVN3, ``VNI-*`` -> VNI)
decides the encoding, but the text must still look legacy. The backends call these functions only
when ``ReadOptions.legacy`` is on (``BAOCAO_LEGACY=0`` at the command line switches it off, to
check that Unicode documents come out unchanged).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, MutableSequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pipeline.data import read_table
from pipeline.ingest.syllables import syllable_share

LegacyEncoding = Literal["tcvn3", "vni"]
ENCODINGS: tuple[LegacyEncoding, ...] = ("tcvn3", "vni")

# Content detection thresholds. A Unicode report may hold a stray "§", "°" or "×", never dozens
# of them, and never mostly such characters among its non-ASCII ones.
MIN_MARKERS = 5
MIN_MARKER_SHARE = 0.25
MIN_SYLLABLE_GAIN = 0.1
MIN_CONVERTED_SHARE = 0.6

# Fonts: ".VnTime", ".VnArialH", "ABCDEF+.VnTime,Bold" (PDF subset prefix), "VnTimeH" (some PDF
# producers drop the dot); "VNI-Times", "VNI-Helve-Bold", "VNITimes".
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
_TCVN3_FONT = re.compile(r"^(?:\.|_|#2E)?Vn[A-Z][A-Za-z ]*")
_VNI_FONT = re.compile(r"^VNI[-_ ]?[A-Z]")
_STYLE_SUFFIX = re.compile(r"(?:[-, ]+(?:Bold|Italic|Oblique|BoldItalic|Regular|Roman|Normal|[A-Z]?[a-z]*MT))+$")

_VIETNAMESE_LOWER = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmn"
    "oòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
_VIETNAMESE_LETTERS = frozenset(_VIETNAMESE_LOWER + _VIETNAMESE_LOWER.upper())
# Windows-1252 characters of the bytes 0x80-0x9F (the others are Latin-1, byte value = code point).
_CP1252_HIGH = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
# Symbol-charset fonts reach DOCX/PDF text as the Private Use Area copy of the byte (U+F000 + byte).
_PUA = {chr(0xF000 + b): chr(b) for b in range(0x20, 0x100)}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class _Table:
    """Character-level conversion map of one encoding."""

    to_unicode: dict[str, str]
    to_unicode_upper: dict[str, str]
    markers: frozenset[str]


@lru_cache(maxsize=None)
def _table(encoding: LegacyEncoding) -> _Table:
    return _tcvn3_table() if encoding == "tcvn3" else _vni_table()


def _tcvn3_table() -> _Table:
    lower: dict[str, str] = {}
    upper: dict[str, str] = {}
    for code, letter, capital in read_table("legacy_tcvn3.tsv"):
        char = bytes([int(code, 16)]).decode("cp1252")
        lower[char] = letter
        upper[char] = capital
    return _Table(lower, upper, frozenset(c for c in lower if c not in _VIETNAMESE_LETTERS))


def _vni_table() -> _Table:
    """Per-character VNI map: letter bytes to letters, mark bytes to combining marks (NFC joins them).

    Mapping each byte alone (rather than base + mark pairs) also converts PDF text, where the mark
    is a glyph of its own, and DOCX text whose base and mark sit in two runs.
    """
    rows = read_table("legacy_vni.tsv")
    singles = {seq: letter for letter, seq, _hex in rows if len(seq) == 1}
    mapping = dict(singles)
    for letter, seq, _hex in rows:
        if len(seq) == 1:
            continue
        base = singles.get(seq[0], seq[0])
        decomposed, base_nfd = unicodedata.normalize("NFD", letter), unicodedata.normalize("NFD", base)
        if len(seq) != 2 or not decomposed.startswith(base_nfd):
            raise ValueError(f"legacy_vni.tsv: {letter!r} is not its base {base!r} plus marks")
        mark = decomposed[len(base_nfd):]
        if mapping.setdefault(seq[1], mark) != mark:
            raise ValueError(f"legacy_vni.tsv: mark byte {seq[1]!r} means two different marks")
    return _Table(mapping, mapping, frozenset(c for c in mapping if c not in _VIETNAMESE_LETTERS))


def font_encoding(fontname: str | None) -> tuple[LegacyEncoding | None, bool]:
    """(legacy encoding of a font, whether it is a capitals-only companion font like ``.VnTimeH``)."""
    if not fontname:
        return None, False
    name = _SUBSET_PREFIX.sub("", fontname.strip())
    if _TCVN3_FONT.match(name):
        family = _STYLE_SUFFIX.sub("", name)
        return "tcvn3", family.endswith("H")
    if _VNI_FONT.match(name):
        return "vni", False
    return None, False


def _unpua(text: str) -> str:
    return "".join(_PUA.get(c, c) for c in text) if any("\uf020" <= c <= "\uf0ff" for c in text) else text


def is_representable(text: str) -> bool:
    """Whether ``text`` could come from an 8-bit font: no character beyond Windows-1252.

    Unicode Vietnamese almost always fails this (``ư ơ đ ạ`` ... lie beyond U+00FF).
    """
    return all(ord(c) <= 0xFF or c in _CP1252_HIGH or "\uf020" <= c <= "\uf0ff" for c in text)


def marker_count(text: str, encoding: LegacyEncoding, in_words: bool = False) -> int:
    """Characters of ``text`` that the encoding uses for letters and Unicode Vietnamese never does.

    ``in_words``: count only those next to a letter or another such character, as the letters of
    legacy words are ("b¸o", "®−êng"); symbols of Unicode text ("§ 4", "30 × 40", "« a »") stand alone.
    """
    markers = _table(encoding).markers
    plain = _unpua(text)
    if not in_words:
        return sum(1 for c in plain if c in markers)
    count = 0
    for i, c in enumerate(plain):
        if c in markers:
            neighbours = plain[i - 1 : i] + plain[i + 1 : i + 2]
            if any((n.isascii() and n.isalpha()) or n in markers for n in neighbours):
                count += 1
    return count


def convert(text: str, encoding: LegacyEncoding, capitals: bool | None = False) -> str:
    """Convert legacy text to Unicode NFC.

    ``capitals``: True for a capitals-only font (``.VnTimeH``: every letter upper case), False
    for a normal font, None when the font is unknown (TCVN3 text files): then words and lines
    typed in capitals get their converted letters in capitals too, since the capital letters with
    tone marks exist only in the companion fonts and reach plain text as the small ones.
    """
    table = _table(encoding)
    source = _unpua(text)
    mapping = table.to_unicode_upper if capitals else table.to_unicode
    converted = unicodedata.normalize("NFC", "".join(mapping.get(c, c) for c in source))
    if capitals:
        return _upper(converted)
    if capitals is None and encoding == "tcvn3":
        return "\n".join(_restore_capitals(line) for line in converted.split("\n"))
    return converted


def _upper(text: str) -> str:
    # str.upper() turns "ß" into "SS"; keep the length so offsets stay put.
    return "".join(u if len(u := c.upper()) == 1 else c for c in text)


def _all_caps_word(word: str) -> bool:
    """A converted word typed in capitals: two or more ASCII letters, all of them capitals."""
    plain = [c for c in word if c.isascii()]
    return len(plain) >= 2 and all(c.isupper() for c in plain)


def _restore_capitals(line: str) -> str:
    """Capitalise the converted letters of capitals lines and words (TCVN3 text of unknown font).

    A line is in capitals when none of its ASCII letters is small and one of its words with
    Vietnamese letters shows two capitals ("CéNG" -> "CỘNG"); "Số: 216/BC-STC" shows none and stays.
    """
    words = _WORD.findall(line)
    if not any(c.isascii() and c.islower() for c in line) and any(
        _all_caps_word(w) for w in words if not w.isascii()
    ):
        return _upper(line)
    return _WORD.sub(lambda m: _upper(m.group(0)) if _all_caps_word(m.group(0)) else m.group(0), line)


def _conversion_helps(text: str, converted: str) -> bool:
    before, _ = syllable_share(text)
    after, count = syllable_share(converted)
    return count == 0 or after >= before


def detect(text: str) -> LegacyEncoding | None:
    """The legacy encoding ``text`` is written in, judged by content alone; None for Unicode text.

    Needs at least ``MIN_MARKERS`` legacy-only characters inside words, making up ``MIN_MARKER_SHARE`` of the
    non-ASCII ones, and a conversion whose share of valid syllables is at least
    ``MIN_CONVERTED_SHARE`` and ``MIN_SYLLABLE_GAIN`` above the original's.
    """
    if not text or not is_representable(text):
        return None
    plain = _unpua(text)
    non_ascii = sum(1 for c in plain if ord(c) > 0x7F)
    if non_ascii == 0:
        return None
    before, _ = syllable_share(plain)
    best: tuple[float, LegacyEncoding] | None = None
    for encoding in ENCODINGS:
        markers = marker_count(plain, encoding, in_words=True)
        if markers < MIN_MARKERS or markers / non_ascii < MIN_MARKER_SHARE:
            continue
        after, count = syllable_share(convert(plain, encoding, None))
        if count and after >= MIN_CONVERTED_SHARE and after >= before + MIN_SYLLABLE_GAIN:
            if best is None or after > best[0]:
                best = (after, encoding)
    return best[1] if best else None


def detect_lines(lines: Iterable[str]) -> LegacyEncoding | None:
    """Content detection over the lines of one document that could be legacy text.

    Lines holding Unicode-only Vietnamese letters are left out, so a Unicode document with a few
    legacy paragraphs is still recognised, and a Unicode one is never.
    """
    candidates = [line for line in lines if line.strip() and is_representable(line)]
    return detect("\n".join(candidates)) if candidates else None


def convert_lines(text: str, encoding: LegacyEncoding) -> str:
    """Convert, line by line, the lines of ``text`` that can be legacy text and read better converted."""
    out = []
    for line in text.split("\n"):
        if line.strip() and is_representable(line):
            converted = convert(line, encoding, None)
            out.append(converted if _conversion_helps(line, converted) else line)
        else:
            out.append(line)
    return "\n".join(out)


def convert_document_text(text: str) -> tuple[str, LegacyEncoding | None]:
    """Detect and convert legacy lines of a whole document's text (TXT, antiword output).

    Returns the text unchanged and None when the document is not legacy.
    """
    encoding = detect_lines(text.split("\n"))
    if encoding is None:
        return text, None
    return convert_lines(text, encoding), encoding


def decode_legacy_bytes(data: bytes) -> tuple[str, LegacyEncoding] | None:
    """Decode the bytes of a TCVN3 or VNI text file to Unicode, or None when they are not one."""
    text = _byte_view(data).replace("\r\n", "\n")
    encoding = detect_lines(text.split("\n"))
    if encoding is None:
        return None
    return convert_lines(text, encoding), encoding


# Windows-1252 where it defines the byte, Latin-1 for its five holes: a lossless byte view.
_C1_TO_CP1252 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def _byte_view(data: bytes) -> str:
    return data.decode("latin-1").translate(_C1_TO_CP1252)


def font_text_is_legacy(texts: Iterable[str], encoding: LegacyEncoding) -> bool:
    """Whether the text a document sets in a legacy font really is legacy text.

    A font name alone is not enough: Unicode documents keep ``VNI-Times`` as their Normal style
    font and type Unicode in it. Legacy text is representable in 8 bits and holds characters that
    only the legacy encoding uses.
    """
    candidates = "".join(t for t in texts if is_representable(t))
    markers = marker_count(candidates, encoding)
    non_ascii = sum(1 for c in _unpua(candidates) if ord(c) > 0x7F)
    return markers >= 1 and markers / max(non_ascii, 1) >= MIN_MARKER_SHARE


def convert_font_text(text: str, encoding: LegacyEncoding, capitals: bool) -> str:
    """Convert text set in a legacy font once the document is known to be legacy; Unicode stays."""
    if not text or not is_representable(text):
        return text
    return convert(text, encoding, capitals)


def convert_pdf_chars(chars: MutableSequence[dict[str, Any]]) -> LegacyEncoding | None:
    """Convert, in place, the ``text`` of pdfplumber chars whose font is a TCVN3 or VNI font.

    The chars of one font on a page are converted together, and only when they look legacy
    (``font_text_is_legacy``). VNI mark glyphs become combining marks; the normalisation step
    (NFC) joins them with their base letter. Returns an encoding converted, if any.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for char in chars:
        fontname = str(char.get("fontname", ""))
        if fontname:
            groups.setdefault(fontname, []).append(char)
    used: LegacyEncoding | None = None
    for fontname, group in groups.items():
        encoding, capitals = font_encoding(fontname)
        if encoding is None:
            continue
        texts = [str(c.get("text", "")) for c in group]
        if not font_text_is_legacy(texts, encoding):
            continue
        for char, text in zip(group, texts):
            if is_representable(text):
                char["text"] = convert(text, encoding, capitals)
        used = encoding
    return used
