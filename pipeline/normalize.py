"""Destructive text normalisation, applied once before NLP.

Every offset in the dataset refers to the text this module returns. The steps:

* Unicode NFC (PDFs typed in decomposed Unicode, Windows-1258 text);
* look-alike letters from broken PDF font maps and OCR: ``Ƣ/ƣ`` -> ``Ư/ư``, ``Ð/ð`` -> ``Đ/đ``;
* invisible characters removed, non-breaking and other spaces made plain spaces;
* runs of justification spaces collapsed, lines stripped;
* one canonical tone-mark placement per syllable (``hoà`` -> ``hòa``, ``thuỷ`` -> ``thủy``): the
  mark goes on the vowel that carries a diacritic (``ê ơ ô â ă ư``), else on the last vowel of a
  closed syllable, else on the first of two / the middle of three vowels of an open syllable.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")

_LOOKALIKES = str.maketrans(
    {
        "\u01a2": "\u01af",  # Ƣ (Latin OI) printed by broken PDF font maps -> Ư
        "\u01a3": "\u01b0",  # ƣ -> ư
        "\u00d0": "\u0110",  # Ð (Icelandic Eth) from OCR and old fonts -> Đ
        "\u00f0": "\u0111",  # ð -> đ
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u3000": " ",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\r": None,
        "\x0b": "\n",
        "\x0c": "\n",
    }
)
_SPACE_RUN = re.compile(r"[ ]{2,}")
_SPACE_AROUND_TAB = re.compile(r" *\t *")
_TONED_WORD = re.compile(r"[^\W\d_]+")


def split_char_tone(char: str) -> tuple[str, str | None]:
    """Return the character without its tone mark, and the mark (a combining char) if any."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = next((c for c in decomposed if c in _TONE_MARKS), None)
    if tone is None:
        return char, None
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c != tone))
    return bare, tone


def _tone_position(bare_lower: str) -> int | None:
    """Index in the syllable where the tone mark belongs, or None if it is not a syllable."""
    start = 0
    if bare_lower.startswith("qu") and len(bare_lower) > 2 and bare_lower[2] in _VOWELS:
        start = 2
    elif bare_lower.startswith("gi") and len(bare_lower) > 2 and bare_lower[2] in _VOWELS:
        start = 2
    else:
        while start < len(bare_lower) and bare_lower[start] not in _VOWELS:
            start += 1
    end = start
    while end < len(bare_lower) and bare_lower[end] in _VOWELS:
        end += 1
    nucleus = bare_lower[start:end]
    if not nucleus or len(nucleus) > 3 or any(c in _VOWELS for c in bare_lower[end:]):
        return None
    marked = [i for i, c in enumerate(nucleus) if c in _MARKED_VOWELS]
    if marked:
        return start + marked[-1]
    if end < len(bare_lower):  # closed syllable: hoàng, tuyến, khuyên
        return end - 1
    if len(nucleus) == 3:  # khuỷu, ngoài
        return start + 1
    return start  # hòa, thủy, mùa, tài


@lru_cache(maxsize=65536)
def canonical_tone_placement(word: str) -> str:
    """Move the tone mark of one Vietnamese syllable to its canonical vowel (``hoà`` -> ``hòa``).

    Words that are not a single Vietnamese syllable with one tone mark are returned unchanged.
    """
    bare_chars: list[str] = []
    tone: str | None = None
    for char in word:
        bare, mark = split_char_tone(char)
        if mark is not None:
            if tone is not None:
                return word
            tone = mark
        bare_chars.append(bare)
    if tone is None:
        return word
    bare_word = "".join(bare_chars)
    position = _tone_position(bare_word.lower())
    if position is None:
        return word
    bare_chars[position] = unicodedata.normalize("NFC", bare_chars[position] + tone)
    return "".join(bare_chars)


def _fix_tones(text: str) -> str:
    return _TONED_WORD.sub(lambda m: canonical_tone_placement(m.group(0)), text)


def normalize_text(text: str) -> str:
    """Normalise one block of text (see the module docstring). Idempotent."""
    text = unicodedata.normalize("NFC", text.translate(_LOOKALIKES))
    lines = []
    for line in text.split("\n"):
        line = _SPACE_RUN.sub(" ", line.replace("\u2028", " "))
        line = _SPACE_AROUND_TAB.sub("\t", line).strip(" \t")
        lines.append(line)
    return _fix_tones("\n".join(lines)).strip("\n")


_FOLD_EXTRA = {"đ": "d", "Đ": "D"}


@lru_cache(maxsize=1)
def _folding() -> dict[int, str | None]:
    # one str.translate table (built once, about 0.5 s): every code point whose canonical
    # decomposition differs maps to it without its combining marks, a combining mark to nothing,
    # đ/Đ to d/D; what NFD then dropping the marks would give, character by character
    table: dict[int, str | None] = {}
    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        if unicodedata.combining(char):
            table[cp] = None
            continue
        decomposed = unicodedata.normalize("NFD", char)
        if decomposed != char:
            table[cp] = "".join(c for c in decomposed if not unicodedata.combining(c))
    table.update({ord(k): v for k, v in _FOLD_EXTRA.items()})
    return table


def fold_accents(text: str) -> str:
    """Lower-case ASCII-like form for matching: no tone marks or diacritics, ``đ`` -> ``d``."""
    return text.translate(_folding()).lower()


@lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    return fold_accents(text)


def fold_prefix(text: str, length: int) -> str:
    """``fold_accents`` of the first ``length`` characters of ``text``, remembered: the finders
    look at each block's opening words on every pass over a document."""
    return _folded(text[:length])
