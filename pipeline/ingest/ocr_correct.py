"""Syllable-aware correction of Vietnamese OCR output.

Tesseract's ``vie`` model mostly errs on tone marks (a mark above ô/ê/â dropped or read as another
tone: cấp→câp, tổ→tố, quyết→quyêt) and reads Đ as Ð (U+00D0). A syllable is only ever replaced by
another spelling of the same letters with a different tone, chosen by syllable unigram and bigram
statistics of clean Vietnamese text (``pipeline/data/ocr_syllables.tsv``, built from the text-layer
PDF, DOCX and TXT documents of the corpus by ``build_table``). An invalid syllable takes the best
candidate; a valid one is replaced only when its neighbours make another tone far more likely, and
never when it bears a tone mark that Tesseract read with good confidence (see ``correct_text``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.data import read_table
from pipeline.ingest.syllables import VIETNAMESE_LETTERS, is_syllable, split_tone
from pipeline.normalize import canonical_tone_placement, split_char_tone

TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "ocr_syllables.tsv"
_TOKEN = re.compile(r"[^\W\d_]+|[^\w\s]+|\d+|\s+|_+")
# log-odds a valid syllable's rival must win by, so that correct rare words are left alone
_MARGIN = 4.0
_MIN_BIGRAM_COUNT = 2
# Word confidence (0-100) from which a valid syllable's tone mark, as Tesseract read it, is kept.
# Tesseract's tone errors are mostly a mark it did not see (the small mark stacked over â, ê, ô:
# nhiều→nhiêu, triển→triên, read at 90-97 as often as right words are); a mark it did see and is
# sure of is evidence the model's counts must not overrule. On the real-scan benchmark
# (bench/bench_real_scans.py) the valid marked syllables the model changed at 90 or more were wrong
# in 36 of the 42 cases the transcription decides (thánh→thành, Chúa→Chua, phái→phải, quận→quần,
# bội→bồi: words the reports it was counted on seldom or never use), those below 90 right in 15 of 17.
CONFIDENT_MARK = 90.0


@dataclass(frozen=True)
class SyllableModel:
    """Syllable counts, bigram counts and, per toneless form, the spellings seen."""

    unigrams: dict[str, int]
    bigrams: dict[tuple[str, str], int]
    by_base: dict[str, tuple[str, ...]]
    total: int
    by_letters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # spellings by bare letters (``_bare_letters``)

    def logp(self, syllable: str) -> float:
        """Smoothed log unigram probability."""
        return math.log((self.unigrams.get(syllable, 0) + 0.1) / (self.total + 1))

    def logp_next(self, previous: str, syllable: str) -> float:
        """Smoothed log P(syllable | previous), backing off to the unigram."""
        pair = self.bigrams.get((previous, syllable), 0)
        return math.log((pair + 0.2 * math.exp(self.logp(syllable)) * 50) / (self.unigrams.get(previous, 0) + 10))


def syllable_sequence(text: str) -> list[str]:
    """Lower-cased syllables of ``text`` in order; anything that is not a syllable becomes ``""``."""
    result = []
    for word in re.findall(r"[^\W\d_]+|\S", text):
        lowered = word.lower()
        result.append(lowered if is_syllable(lowered) else "")
    return result


def build_table(texts: Iterable[str], path: Path = TABLE_PATH) -> int:
    """Count syllables and syllable bigrams of clean texts and write the table; return its rows."""
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for text in texts:
        sequence = syllable_sequence(text)
        unigrams.update(s for s in sequence if s)
        bigrams.update((a, b) for a, b in zip(sequence, sequence[1:]) if a and b)
    rows = [f"1\t{s}\t\t{n}" for s, n in sorted(unigrams.items())]
    rows += [f"2\t{a}\t{b}\t{n}" for (a, b), n in sorted(bigrams.items()) if n >= _MIN_BIGRAM_COUNT]
    path.write_text("# order\tsyllable\tnext\tcount (built by pipeline.ingest.ocr_correct.build_table)\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


@lru_cache(maxsize=1)
def load_model(path: Path = TABLE_PATH) -> SyllableModel | None:
    """The syllable model of the data file (None when the file is missing)."""
    if not path.is_file():
        return None
    unigrams: dict[str, int] = {}
    bigrams: dict[tuple[str, str], int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line:
            continue
        order, first, second, count = line.split("\t")
        if order == "1":
            unigrams[first] = int(count)
        else:
            bigrams[(first, second)] = int(count)
    by_base: dict[str, list[str]] = defaultdict(list)
    by_letters: dict[str, list[str]] = defaultdict(list)
    for syllable in unigrams:
        by_base[split_tone(syllable)[0]].append(syllable)
        by_letters[_bare_letters(syllable)].append(syllable)
    return SyllableModel(
        unigrams, bigrams, {k: tuple(v) for k, v in by_base.items()}, sum(unigrams.values()),
        {k: tuple(v) for k, v in by_letters.items()},
    )


def _apply_case(model_word: str, original: str) -> str:
    if original.isupper() and len(original) > 1:
        return model_word.upper()
    if original[:1].isupper():
        return model_word[:1].upper() + model_word[1:]
    return model_word


def _foreign_letter(char: str) -> str:
    """A marked Latin letter that Vietnamese does not use (Ñ, Ç, Ü …) without its mark."""
    if char.isascii() or not char.isalpha() or char.lower() in VIETNAMESE_LETTERS:
        return char
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() else char


# A document code as OCR may misread it: letters for digits in its number, a doubled letter in its type.
_OCR_CODE = re.compile(r"(?<![\w/])(?P<number>[0-9IlOo]{1,6})/(?P<year>(?:19|20)\d\d/)?(?P<kind>[^\W\d_]{2,6})(?=[-/\s.,;)]|$)")
# Letters (and a rule's "|") that OCR reads for digits.
DIGIT_LOOKALIKES = str.maketrans("IlOo|", "11001")


@lru_cache(maxsize=1)
def _document_kinds() -> frozenset[str]:
    return frozenset(row[0].upper() for row in read_table("doc_types.tsv") if row[0] != "-")


def _repair_code(match: re.Match[str]) -> str:
    number, kind = match.group("number"), match.group("kind")
    if any(c.isdigit() for c in number):
        number = number.translate(DIGIT_LOOKALIKES)
    kinds = _document_kinds()
    if kind.upper() not in kinds:
        for i in range(1, len(kind)):
            if kind[i] == kind[i - 1] and (kind[:i] + kind[i + 1:]).upper() in kinds:
                kind = kind[:i] + kind[i + 1:]
                break
    return f"{number}/{match.group('year') or ''}{kind}"


_CODE_LETTER_PART = re.compile(r"(?<=[/-])[5§](?=[A-ZĐ]{2,}(?:[-/\s.,;)]|$))")
# A Party document's code names its issuer after the slash, most often TW (Trung ương: 29-NQ/TW);
# OCR reads its T as I, 1 or l, or doubles it as TI.
_PARTY_CENTRAL = re.compile(r"(?<=\d[-–][A-ZĐ]{2}/)(?:[I1l]W|T[I1l]W|I[1l]W)(?=[\s.,;:)]|$)")


# A code as OCR text shows it: a number, a slash, its parts (``3110/QĐ-UBND``).
_CODE_TOKEN = re.compile(r"(?<![\w/])\d{1,6}/[^\s,;:()]+")
# A code's letters are initials, written without tone marks (TU: Tỉnh ủy); a mark on one of its
# capitals is noise OCR added (10-NQ/TỦ). Letter shapes (Đ, Ư, Ơ) are kept. Party codes put their
# type before the slash (10-NQ/TU).
_CODE_WITH_CAPITALS = re.compile(rf"(?<![\w/])\d{{1,6}}-[^\s,;:()]*/[^\s,;:()]*|{_CODE_TOKEN.pattern}")


def _untoned_capitals(match: re.Match[str]) -> str:
    return "".join(split_char_tone(c)[0] if c.isupper() else c for c in match.group())


def repair_codes(text: str) -> str:
    """Undo OCR misreadings in document codes: ``l268/QĐ`` → ``1268/QĐ``, ``69/QĐĐ-STC`` → ``69/QĐ-STC``.

    Letters that look like digits are read as digits in a code's number when it holds a digit,
    a 5 or § opening a part of capitals is an S (``216/BC-5TC``), the Party's central issuer is
    TW (``36-CT/IW``, ``132-KL/TIW``), a code's capitals carry no tone mark (``10-NQ/TỦ``), and a
    doubled letter in the type part is dropped when that makes an unknown type a known one (the
    types of Nghị định 30/2020/NĐ-CP, ``pipeline/data/doc_types.tsv``).
    """
    if "/" not in text:
        return text
    text = _CODE_LETTER_PART.sub("S", text) if _OCR_CODE.search(text) else text
    text = _PARTY_CENTRAL.sub("TW", text)
    text = _CODE_WITH_CAPITALS.sub(_untoned_capitals, text)
    return _OCR_CODE.sub(_repair_code, text)


# Characters Tesseract confuses inside codes: a part that differs from a more frequent part of
# the same document by one of these is that part misread.
_CONFUSABLE = [frozenset(group) for group in ("0OÓÒƠDG", "6G", "1Il", "5S", "8B", "2Z")]


def _misreads(part: str, model: str) -> bool:
    # A doubled letter is not evidence here: BTTP (bổ trợ tư pháp) and BTP are both real parts.
    if len(part) != len(model):
        return False
    differing = [(a, b) for a, b in zip(part, model) if a != b]
    if len(differing) != 1:
        return False
    a, b = differing[0]
    # a letter read for a digit or the reverse; two digits are two real numbers (2020, 2026)
    return a.isdigit() != b.isdigit() and any(a in g and b in g for g in _CONFUSABLE)


def _code_core(text: str) -> tuple[str, str, str]:
    """(leading, core, trailing): a code word without the punctuation around it."""
    match = re.fullmatch(r"(\W*)(.*?\w)(\W*)", text)
    return (match.group(1), match.group(2), match.group(3)) if match else ("", text, "")


def _known_misreads(in_line: str, alone: str) -> int | None:
    """How many known misreads turn ``alone`` into ``in_line``; None when they differ otherwise.

    Known misreads: a capital doubled (``CATT`` for ``CAT``), and a letter read for the digit it
    resembles beside another digit (``PCG6`` for ``PC06``).
    """
    i = j = count = 0
    while i < len(in_line):
        if j < len(alone) and in_line[i] == alone[j]:
            i, j = i + 1, j + 1
        elif i > 0 and in_line[i] == in_line[i - 1] and in_line[i].isupper():
            i, count = i + 1, count + 1
        elif (
            j < len(alone) and alone[j].isdigit() and in_line[i].isalpha() and _misreads(in_line[i], alone[j])
            and ((i > 0 and in_line[i - 1].isdigit()) or (i + 1 < len(in_line) and in_line[i + 1].isdigit()))
        ):
            i, j, count = i + 1, j + 1, count + 1
        else:
            return None
    return count if j == len(alone) else None


def preferred_reading(in_line: str, alone: str) -> str:
    """Choose between a code word as read in its line and as read again on its own.

    Tesseract, reading running text, doubles a letter of a code (``CAT`` → ``CATT``,
    ``CĐS`` → ``CĐĐS``) or reads a digit as the letter it resembles (``PC06`` → ``PCG6``) more
    often than when the word stands alone. The second reading is taken only when it differs from
    the first by such misreads alone; any other difference means the two readings disagree and the
    first is kept.
    """
    lead, core, trail = _code_core(in_line)
    other = _code_core(alone)[1]
    return lead + other + trail if _known_misreads(core, other) else in_line


def code_part_fixes(texts: Iterable[str]) -> dict[str, str]:
    """Replacements for OCR words holding a misread part of a document code, from the whole document.

    The parts of the codes a report cites recur (``130/KH-CAT-PC06``, ``146/KH-CAT-PC06``), so a
    part seen once that is a frequent part with one letter read for a digit or the reverse
    (``PCG6``) is that part misread. Returns {word: corrected word}.
    """
    tokens = [m.group() for text in texts for m in _CODE_TOKEN.finditer(text)]
    counts: Counter[str] = Counter()
    for token in tokens:
        counts.update(p for p in re.split(r"[-/]", token.split("/", 1)[1]) if len(p) >= 2)
    frequent = [p for p, n in counts.items() if n >= 2]
    fixes: dict[str, str] = {}
    for part, count in counts.items():
        if count != 1:
            continue
        models = [m for m in frequent if _misreads(part, m)]
        if len(models) == 1:
            fixes[part] = models[0]
    result = {}
    for token in tokens:
        number, symbol = token.split("/", 1)
        pieces = re.split(r"([-/])", symbol)
        fixed = "".join(fixes.get(p, p) for p in pieces)
        if fixed != symbol:
            result[token] = f"{number}/{fixed}"
    return result


def eth_as_d(text: str) -> str:
    """Tesseract's Ð (Icelandic eth) as Đ: in Vietnamese OCR it is always Đ."""
    return text.replace("\u00d0", "\u0110")


# Tesseract reads the list letter "c)" as the copyright sign where the line opens with it
_MARKER_AS_SIGN = re.compile(r"(?m)^(\s*)©(?=[).]\s)")


# and the full stop after a section number as a semicolon or a comma ("2.1; Các tồn tại")
_NUMBER_STOP_MISREAD = re.compile(r"(?m)^(\s*\d{1,2}(?:\.\d{1,2})+)[;,](?=\s+[A-ZĐÀ-Ỹ])")


# and a round bullet as the letter "e" or "o" ("e_ Nghị định số 45/2010/NĐ-CP …", "e Tên hiện tại: …")
_BULLET_AS_LETTER = re.compile(r"(?m)^(\s*)(?:e_?|o)\s+(?=(\w))")


def _bullet(match: re.Match[str]) -> str:
    # neither "e" nor "o" opens a Vietnamese line as a word before a capital
    return f"{match.group(1)}• " if match.group(2).isupper() else match.group(0)


def list_marker_letters(text: str) -> str:
    """List markers as printed: a line opening with "©)" or "©." opens with the list letter c (a
    report never lists by ©), "2.1;" or "2.1," before a capital is the section number "2.1.", and
    a line opening with a lone "e", "e_" or "o" before a capital opens with a bullet."""
    text = _NUMBER_STOP_MISREAD.sub(r"\1.", _MARKER_AS_SIGN.sub(r"\1c", text))
    return _BULLET_AS_LETTER.sub(_bullet, text)


def correct_text(text: str, model: SyllableModel | None = None, confident: Sequence[bool] | None = None) -> str:
    """Correct the tone marks of OCR syllables in ``text``; everything else is kept as it is.

    Marked letters outside the Vietnamese alphabet (``3665/UBND-ÑC``) lose their mark first:
    in a Vietnamese document they are misread Vietnamese or ASCII letters.

    ``confident`` says, for each whitespace-separated word of ``text``, whether OCR read it with
    good confidence (``CONFIDENT_MARK``). A valid syllable with a tone mark in such a word is kept
    as read: the model's counts come from one corpus of reports, and a syllable it has seen rarely
    or never (``thánh``, ``Chúa``, ``phái``) is not therefore a misreading of a frequent one
    (``thành``, ``chua``, ``phải``). A valid syllable without a mark may still gain one: a mark
    Tesseract did not see is its usual tone error, confident or not (``nhiêu`` → ``nhiều``).
    """
    model = model or load_model()
    text = list_marker_letters(eth_as_d(text))
    if not text.isascii():
        text = "".join(_foreign_letter(c) for c in text)
    text = repair_codes(text)
    if model is None:
        return text
    tokens = _TOKEN.findall(text)
    lowered = [t.lower() if t[:1].isalpha() else "" for t in tokens]
    kept = _confident_tokens(tokens, confident) if confident is not None and len(confident) == len(text.split()) else None
    # neighbours: previous and next syllable token, skipping whitespace only
    syllables = [i for i, t in enumerate(tokens) if lowered[i]]
    for position, index in enumerate(syllables):
        word = tokens[index]
        low = lowered[index]
        if word.isupper() and len(word) > 1 and not is_syllable(low):
            continue  # an abbreviation such as UBND
        if _in_code(tokens, index):
            continue  # "59-CV/ĐU" (Đảng ủy): the letters of a code are not syllables
        previous = lowered[syllables[position - 1]] if position > 0 and _adjacent(tokens, syllables[position - 1], index) else ""
        following = lowered[syllables[position + 1]] if position + 1 < len(syllables) and _adjacent(tokens, index, syllables[position + 1]) else ""
        word_form = _word_form(low, previous, following, model.by_letters.get(_bare_letters(low), ()), model)
        if word_form is not None:
            tokens[index] = _apply_case(word_form, word)
            lowered[index] = word_form
            continue
        candidates = model.by_base.get(split_tone(low)[0])
        if not candidates:
            continue
        if kept is not None and kept[index] and split_tone(low)[1] is not None and is_syllable(low):
            continue  # a tone mark read with confidence on a valid syllable

        def score(candidate: str) -> float:
            value = model.logp_next(previous, candidate) if previous else model.logp(candidate)
            if following:
                value += model.logp_next(candidate, following)
            return value

        best = max(candidates, key=score)
        if best == low:
            continue
        valid = is_syllable(low)
        if valid and low in model.unigrams and score(best) - score(low) < _MARGIN:
            continue
        if valid and low not in model.unigrams and score(best) - score(low) < _MARGIN / 2:
            continue
        tokens[index] = _apply_case(best, word)
        lowered[index] = best
    _lower_lone_capitals(tokens, syllables)
    return "".join(tokens)


def _bare_letters(syllable: str) -> str:
    """A syllable without any mark: tone, hat, horn, breve (``quyết``, ``quyét`` -> ``quyet``)."""
    return "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))


# how many times more often a word form must occur in the model's reports than the syllable read,
# and at least how often (a syllable the reports never use, "chợ", is no misreading of a rare "chỗ")
_WORD_FORM_ODDS = 5
_WORD_FORM_LEAST = 10


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    """Vietnamese words of two syllables or more: underthesea's word dictionary (inside its wheel)."""
    from pipeline.segmenter import word_dictionary  # loading it takes a second: only when OCR text is corrected

    return frozenset(_canonical(w) for w in word_dictionary() if " " in w)


def _canonical(words: str) -> str:
    """Each syllable's tone mark in its canonical place (``cộng hoà`` -> ``cộng hòa``)."""
    return " ".join(canonical_tone_placement(syllable) for syllable in words.split(" "))


def _word_form(low: str, previous: str, following: str, candidates: Sequence[str], model: SyllableModel) -> str | None:
    """The one other marking of ``low`` that makes a word of the dictionary with a neighbour, when
    ``low`` itself makes none (``kết quá`` -> ``kết quả``, ``Thâm tra`` -> ``Thẩm tra``, ``xét
    đuyệt`` -> ``xét duyệt``); None otherwise. A compound is stronger evidence than syllable counts:
    it holds even where Tesseract was sure of the mark it read. The dictionary also holds rare
    compounds ("bàn tính", "thủy lôi", "bộ lòng"), so the compound must be one the reports the
    model was counted on use, the only such marking ("chi bố sung": "chi bộ" and "bổ sung" both
    are), and far more frequent there than the syllable read (``_WORD_FORM_ODDS``): a frequent
    syllable ("tỉnh", "lợi") is no misreading."""
    if not (previous or following):
        return None
    canonical = canonical_tone_placement(low)
    candidates = [c for c in candidates if canonical_tone_placement(c) != canonical]
    if not candidates:
        return None
    words = _words()
    before, after = canonical_tone_placement(previous), canonical_tone_placement(following)

    def compounds(syllable: str) -> tuple[bool, bool]:
        """Whether ``syllable`` makes a dictionary word with the previous and with the next syllable."""
        placed = canonical_tone_placement(syllable)
        return bool(before) and f"{before} {placed}" in words, bool(after) and f"{placed} {after}" in words

    def reports_use(syllable: str) -> bool:
        # a compound the reports the model was counted on use ("bộ lòng", "chi bộ" beside "bỏ
        # lòng", "bổ sung" are words of the dictionary, not of these reports)
        with_previous, with_next = compounds(syllable)
        return (with_previous and (previous, syllable) in model.bigrams) or (with_next and (syllable, following) in model.bigrams)

    if any(compounds(low)):
        return None
    forms = [c for c in candidates if reports_use(c)]
    least = max(_WORD_FORM_ODDS * model.unigrams.get(low, 0), _WORD_FORM_LEAST)
    if len(forms) != 1 or model.unigrams.get(forms[0], 0) < least:
        return None
    return forms[0]


def _confident_tokens(tokens: list[str], confident: Sequence[bool]) -> list[bool]:
    """Per token, whether the whitespace-separated word it belongs to was read with confidence."""
    result = []
    word = 0
    for i, token in enumerate(tokens):
        if token.isspace():
            result.append(False)
            if i > 0:
                word += 1
        else:
            result.append(word < len(confident) and confident[word])
    return result


def _in_code(tokens: list[str], index: int) -> bool:
    """Whether the letters at ``index`` are glued to a code's slash or dash (``KH/ĐU``, ``CV/ĐU``)."""
    before = tokens[index - 1] if index > 0 else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    return (before != "" and before[-1] in "/-") or after.startswith("/")


def _lower_lone_capitals(tokens: list[str], syllables: list[int]) -> None:
    """A capitalised or mixed-case syllable inside running lower-case text is lower case (``văn SỐ 59``).

    Title case (a name) is left alone; so are runs of capitals (a heading) and abbreviations.
    """
    for position, index in enumerate(syllables):
        word = tokens[index]
        if len(word) < 2 or word.islower() or word.istitle() or not is_syllable(word.lower()):
            continue
        if position == 0 or not _adjacent(tokens, syllables[position - 1], index) or not tokens[syllables[position - 1]].islower():
            continue
        following = syllables[position + 1] if position + 1 < len(syllables) else None
        if following is not None and _adjacent(tokens, index, following) and not tokens[following].islower():
            continue
        tokens[index] = word.lower()


def _adjacent(tokens: list[str], first: int, second: int) -> bool:
    return all(tokens[i].isspace() for i in range(first + 1, second))
