"""Vietnamese syllable structure: is a word a well-formed Vietnamese syllable?

Used to judge a PDF text layer (a poor OCR layer reads "Hcok xA HQI CHiJ") and to score OCR
output. A syllable is onset + rime + tone; the rime inventory is the closed set of standard
Vietnamese orthography, and stop-final rimes (-c, -ch, -p, -t) only take the sắc or nặng tone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining tone marks: grave (huyền), acute (sắc), hook above (hỏi), tilde (ngã), dot below (nặng).
_TONES = {"\u0300": "huyen", "\u0301": "sac", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
_ONSETS = (
    "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
_RIMES = frozenset(
    """a ai ao au ay ac ach am an ang anh ap at
    ă ăc ăm ăn ăng ăp ăt
    â âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et
    ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oc oe oen oeo oet oi om on ong
    op ot oong ooc
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua uân uâng uât uây uc uê uêch uênh uy uya uych uyên uyêt uyn uynh uyt uyu ui um un ung uôc uôi uôm
    uôn uông uôt up ut uơ uơn
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêng yêt yêu""".split()
)
_STOP_FINALS = ("c", "ch", "p", "t")
_WORD = re.compile(r"[^\W\d_]+")


def split_tone(syllable: str) -> tuple[str, str | None]:
    """Return (the syllable without its tone mark, lower-cased and NFC; the tone name or None).

    More than one tone mark makes the tone ``"many"`` (not a valid syllable).
    """
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tones = [_TONES[c] for c in decomposed if c in _TONES]
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    if len(tones) > 1:
        return bare, "many"
    return bare, tones[0] if tones else None


@lru_cache(maxsize=200_000)
def is_syllable(word: str) -> bool:
    """Whether ``word`` (any case) is a well-formed Vietnamese syllable."""
    if not word or len(word) > 7 or not (word.islower() or word.isupper() or word.istitle()):
        return False
    bare, tone = split_tone(word)
    if tone == "many" or not bare.isalpha():
        return False
    for onset in _ONSETS:
        if not bare.startswith(onset):
            continue
        rime = bare[len(onset):]
        if onset == "gi":
            if not (rime == "" or rime in _RIMES or ("i" + rime) in _RIMES):
                continue
        elif onset == "qu":
            if rime[:1] in ("", "u", "o") or rime not in _RIMES:
                continue
        elif rime not in _RIMES:
            continue
        if rime.endswith(_STOP_FINALS) and tone not in ("sac", "nang"):
            continue
        if onset in ("k", "gh", "ngh") and rime[:1] not in ("i", "e", "ê", "y"):
            continue
        return True
    return False


def words(text: str) -> list[str]:
    """The letter runs of ``text`` (codes and numbers are not words)."""
    return _WORD.findall(text)


def syllable_share(text: str) -> tuple[float, int]:
    """(share of letter runs that are Vietnamese syllables, number of runs considered).

    All-capital runs of up to five letters (UBND, HĐND, KT-XH) are abbreviations and skipped.
    """
    runs = [w for w in words(text) if not (w.isupper() and len(w) <= 5 and not is_syllable(w))]
    if not runs:
        return 1.0, 0
    return sum(1 for w in runs if is_syllable(w)) / len(runs), len(runs)


_DIACRITIC_LETTERS = frozenset("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
VIETNAMESE_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz") | _DIACRITIC_LETTERS


def diacritic_share(text: str) -> float:
    """Share of letter runs holding at least one Vietnamese letter outside ASCII.

    Real Vietnamese prose is above 0.5; a text layer that lost its marks ("CONG HOA XA HOI") is near 0.
    """
    runs = words(text)
    if not runs:
        return 0.0
    return sum(1 for w in runs if any(c in _DIACRITIC_LETTERS for c in w.lower())) / len(runs)
