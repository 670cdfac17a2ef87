"""Multi-label categories of difficulty and recommendation items (primary category first).

The taxonomy and its cues live in ``pipeline/data/categories_taxonomy.tsv``, the vocabulary of the
labelling conventions in ``pipeline/data/categories_conventions.tsv`` (both documented there).
An item is read as underthesea words, cut into clauses at ``. ; : ! ?``. For every category the
reader notes *where* its cues occur: in the head of the item (the first clause holding a cue), in
the first clause that states a problem or a request, as the subject of such a clause, right after
"thiếu"/"chưa có"/"đề nghị", earliest of all categories. The gold GUIDE's conventions add cues
and features of their own: a request to issue, amend or guide a legal text and a rule found
wanting -> "cơ chế – chính sách"; a hội's Đại hội, dissolution, merger or establishment -> "thủ tục
hành chính"; habits, propaganda, dependency on the State, leaders' attention -> "nhận thức";
citizens' digital skills count for "công nghệ – dữ liệu", not for staff; a means ("Phối hợp ...,
giải quyết <problem>") does not head an item; "khác" when no cue at all is found.

Those facts, per category, are the features of two linear models that also carry per-category
weights for the kind of item and for its words:

* a softmax over the categories picks the primary category;
* one logistic model per category says which further categories the item also states.

Both are trained once, lazily, on the gold items shipped in ``pipeline/data/categories_training.tsv``
(deterministic full-batch gradient descent in numpy, well under a second). The weights of the
shared features are kept non-negative, and those of the conventions are pulled towards a prior
taken from the GUIDE rather than towards zero. :func:`leave_one_document_out` measures how the
whole generalises to documents the model has not seen.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import numpy as np

from pipeline.data import read_list, read_table
from pipeline.normalize import canonical_tone_placement

OTHER = "khác"
KINDS = ("difficulty", "limitation", "cause", "recommendation")
TRAINING_TABLE = "categories_training.tsv"
MODEL_FILE = "categories_model.npz"
"""The model trained on ``TRAINING_TABLE``, shipped so that no process trains it at start-up."""
_MODEL_INPUTS = ("categories_taxonomy.tsv", "categories_conventions.tsv", TRAINING_TABLE)
_MODEL_WEIGHTS = ("primary", "member")  # the two models' _Weights, in _Model's order
_MODEL_PARTS = ("shared", "category", "words")  # the arrays of one _Weights, in its order

_CLAUSE_BREAKS = frozenset({".", ";", ":", "!", "?", "…"})
_FOCUS_WINDOW = 5
_SUBJECT_WINDOW = 3
_LEGAL_WINDOW = 12
_NEAR_WINDOW = 2
_OPENING_WORDS = 6
_GAP_WINDOW = 14
_NUMBERISH = re.compile(r"\d")
_PROVISION_LABEL = re.compile(r"\d+[a-zđ]?|[ivxlc]+|[a-zđ]", re.IGNORECASE)

# A typed row of labelled data: (document group, text, kind, categories primary first).
LabelledItem = tuple[str, str, str, Sequence[str]]

Phrase = tuple[str, ...]


def _syllable(text: str) -> str:
    return canonical_tone_placement(unicodedata.normalize("NFC", text.lower()))


def _phrase(text: str) -> Phrase:
    return tuple(_syllable(part) for part in text.replace("+", " ").split())


def _phrases(cell: str) -> tuple[Phrase, ...]:
    return tuple(_phrase(cue) for cue in cell.split(" ; ") if cue.strip())


@dataclass(frozen=True)
class _Category:
    name: str
    cues: tuple[Phrase, ...]
    weak: tuple[Phrase, ...]


@lru_cache(maxsize=1)
def _taxonomy() -> tuple[_Category, ...]:
    categories = []
    for row in read_table("categories_taxonomy.tsv"):
        cues = _phrases(row[1]) if len(row) > 1 else ()
        weak = _phrases(row[2]) if len(row) > 2 else ()
        categories.append(_Category(row[0], cues, weak))
    return tuple(categories)


@lru_cache(maxsize=1)
def _conventions() -> dict[str, tuple[Phrase, ...]]:
    return {row[0]: _phrases(row[1]) for row in read_table("categories_conventions.tsv")}


def category_names() -> tuple[str, ...]:
    """Every category of the taxonomy, in file order (``khác`` last)."""
    return tuple(category.name for category in _taxonomy())


@lru_cache(maxsize=4096)
def _cased_tokens(text: str) -> tuple[str, ...]:
    from pipeline.segmenter import segment  # imported lazily: loading the model takes a second

    return tuple(segment(text))


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """Lower-cased underthesea word tokens of ``text`` (no token normalisation)."""
    return tuple(token.lower() for token in _cased_tokens(text))


@lru_cache(maxsize=1)
def _agency_heads() -> frozenset[str]:
    return frozenset(" ".join(phrase) for phrase in _conventions()["agency_head"])


def _agency_mask(cased: Sequence[str], words: Sequence[str]) -> tuple[bool, ...]:
    """True for the words of an agency's proper name ("Sở [Giáo dục và Đào tạo]")."""
    heads = _agency_heads()
    mask = [False] * len(cased)
    i = 0
    while i < len(cased):
        if words[i] not in heads:
            # the tokenizer may fuse a whole name into one word ("Bộ Giáo dục và Đào tạo"): the
            # longest head it opens with, then a capital
            syllables = words[i].split()
            size = next((k for k in range(len(syllables) - 1, 0, -1) if " ".join(syllables[:k]) in heads), 0)
            rest = cased[i].split()[size:] if size else []
            mask[i] = bool(rest) and rest[0][:1].isupper()
            i += 1
            continue
        j = i + 1
        while j < len(cased):
            token = cased[j]
            if token[:1].isupper():
                mask[j] = True
            elif token in {",", ":", "-", "và"} or token.endswith(" và"):
                # a list of names ("các Sở: Ngoại vụ, Văn hóa") goes on only if a name follows,
                # not a cited document ("… của Bộ Tài chính và Thông tư số 36 …")
                if not (j + 1 < len(cased) and cased[j + 1][:1].isupper()) or _document_kind(cased[j + 1]):
                    break
                mask[j] = token.endswith(" và")
            else:
                break
            j += 1
        i = j
    return tuple(mask)


@lru_cache(maxsize=1)
def _document_kinds() -> frozenset[str]:
    return frozenset(_syllable(kind) for kind in read_list("reference_kinds.txt"))


def _document_kind(token: str) -> bool:
    """Whether ``token`` opens with the type word of a cited document ("Thông tư", "Nghị định")."""
    folded = " ".join(_syllable(s) for s in token.split())
    return any(folded == kind or folded.startswith(kind + " ") for kind in _document_kinds())


# a cue table's phrases by their first syllable, per table (the tables live as long as the
# process): an item is looked up only for the phrases that can start in it, not for hundreds
_FIRST_SYLLABLE_INDEX: dict[int, tuple[tuple[Phrase, ...], dict[str, tuple[Phrase, ...]]]] = {}


def _by_first_syllable(phrases: tuple[Phrase, ...]) -> dict[str, tuple[Phrase, ...]]:
    known = _FIRST_SYLLABLE_INDEX.get(id(phrases))
    if known is not None and known[0] is phrases:
        return known[1]
    index: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        if phrase:
            index.setdefault(phrase[0], []).append(phrase)
    by_first = {first: tuple(group) for first, group in index.items()}
    if len(_FIRST_SYLLABLE_INDEX) < _MAX_INDEXED_TABLES:
        _FIRST_SYLLABLE_INDEX[id(phrases)] = (phrases, by_first)
    return by_first


_MAX_INDEXED_TABLES = 256


@dataclass(frozen=True)
class _Text:
    """An item as words, syllables and clauses, ready for phrase look-ups."""

    words: tuple[str, ...]
    masked: tuple[bool, ...]
    syllables: tuple[str, ...]
    syllable_word: tuple[int, ...]
    clause_of: tuple[int, ...]
    clauses: tuple[tuple[int, int], ...]
    starts: dict[str, tuple[int, ...]]  # syllable -> its positions, to look phrases up fast

    def find(self, phrase: Phrase, *, unmasked: bool = True) -> list[int]:
        """Word positions where ``phrase`` starts (a one-syllable phrase must be a whole word)."""
        if not phrase:
            return []
        if len(phrase) == 1:
            hits = (self.syllable_word[s] for s in self.starts.get(phrase[0], ()))
            return [i for i in hits if self.words[i] == phrase[0] and not (unmasked and self.masked[i])]
        found: list[int] = []
        width = len(phrase)
        for s in self.starts.get(phrase[0], ()):
            if self.syllables[s : s + width] != phrase:
                continue
            word = self.syllable_word[s]
            if unmasked and any(self.masked[self.syllable_word[s + k]] for k in range(width)):
                continue
            if not found or found[-1] != word:
                found.append(word)
        return found

    def find_any(self, phrases: tuple[Phrase, ...], *, unmasked: bool = True) -> list[int]:
        """Sorted word positions where any of ``phrases`` starts."""
        by_first = _by_first_syllable(phrases)
        return sorted({
            i for first in self.starts.keys() & by_first.keys() for phrase in by_first[first]
            for i in self.find(phrase, unmasked=unmasked)
        })

    def end_of(self, start: int, phrase: Phrase) -> int:
        """Word position just after ``phrase`` found at word ``start``."""
        syllables = 0
        i = start
        while i < len(self.words) and syllables < len(phrase):
            syllables += len(self.words[i].split())
            i += 1
        return i


@lru_cache(maxsize=4096)
def _read(text: str) -> _Text:
    """Words (lower case, canonical tone marks), syllables, clauses and agency names of ``text``."""
    cased = _cased_tokens(text)
    words = tuple(" ".join(_syllable(s) for s in token.split()) for token in cased)
    syllables: list[str] = []
    syllable_word: list[int] = []
    for i, word in enumerate(words):
        for part in word.split():
            syllables.append(part)
            syllable_word.append(i)
    clause_of = []
    clauses = []
    start = 0
    for i, word in enumerate(words):
        clause_of.append(len(clauses))
        if word in _CLAUSE_BREAKS:
            clauses.append((start, i + 1))
            start = i + 1
    if start < len(words):
        clauses.append((start, len(words)))
    clause_of = [min(c, len(clauses) - 1) for c in clause_of] if clauses else clause_of
    starts: dict[str, list[int]] = {}
    for s, syllable in enumerate(syllables):
        starts.setdefault(syllable, []).append(s)
    return _Text(
        words,
        _agency_mask(cased, words),
        tuple(syllables),
        tuple(syllable_word),
        tuple(clause_of),
        tuple(clauses),
        {syllable: tuple(positions) for syllable, positions in starts.items()},
    )


# --- conventions -------------------------------------------------------------------------------
# Each returns the word positions where the convention is met (empty when it is not): they count
# as cues of the convention's category, so its head / earliest / subject features see them.


def _words(name: str) -> set[str]:
    return {" ".join(p) for p in _conventions()[name]}


def _legal_request(item: _Text, kind: str | None) -> list[int]:
    """Requests to issue, amend or guide a legal text (GUIDE: "cơ chế – chính sách" first)."""
    lists = _conventions()
    not_request = _words("not_request")
    triggers = item.find_any(lists["request_trigger"])
    legal_texts = item.find_any(lists["legal_text"])
    guide_leads = set(item.find_any(lists["guide_lead"]))
    guide = _phrase("hướng dẫn")
    found = []
    near = set(lists["legal_verb_near"])
    verbs = _words("legal_verb") | {",", "và"}
    stops = _words("object_end")
    for phrase in (*lists["legal_verb"], *near):
        window = _NEAR_WINDOW if phrase in near else _LEGAL_WINDOW
        for verb in item.find(phrase):
            before = verb - 1
            while before >= 0 and item.words[before] in verbs:
                before -= 1  # "sửa đổi, bổ sung": judge the pair by what precedes it
            if before >= 0 and item.words[before] in not_request:
                continue  # "theo hướng dẫn", "đã ban hành", the title "Nghị định sửa đổi, bổ sung"
            clause = item.clause_of[verb]
            opening = item.clauses[clause][0]
            # asked for: after "đề nghị", "nghiên cứu" ... in its clause, or opening a clause of a
            # recommendation ("Bộ Xây dựng ban hành Thông tư ...")
            asked = any(item.clause_of[t] == clause and t < verb for t in triggers) or (
                phrase not in near and kind in (None, "recommendation") and verb - opening <= _OPENING_WORDS
            )
            if not asked:
                continue
            after = item.end_of(verb, phrase)
            if after < len(item.words) and item.words[after] == "số":
                continue  # "bổ sung số văn bản" adds a number, it does not amend a text
            reach = after
            while reach < min(after + window, item.clauses[clause][1]) and item.words[reach] not in stops:
                reach += 1
            if any(after <= t < reach for t in legal_texts):
                found.append(verb)
            elif phrase == guide and (verb - 1 in guide_leads or verb - 2 in guide_leads):
                found.append(verb)
    return sorted(set(found))


def _draft_amendment(item: _Text, kind: str | None) -> list[int]:
    """Edits asked of a draft legal text or of one of its provisions ("sửa lại khoản 2 Điều 4")."""
    lists = _conventions()
    references = set(item.find_any(lists["provision_reference"]))
    legal_words = _words("legal_text")
    provisions = {
        i for i in item.find_any(lists["provision"])
        if i + 1 < len(item.words) and _PROVISION_LABEL.fullmatch(item.words[i + 1])
    }
    cited = []
    for i in sorted(provisions):
        if item.words[i] != "điều":
            continue  # plans have parts and points too; only a legal text has articles
        start = i
        while start - 2 in provisions:
            start -= 2  # "điểm c khoản 2 Điều 30": the chain is cited as a whole
        cited_text = i + 2 < len(item.words) and item.words[i + 2] in legal_words
        if not cited_text and not any(start - 3 <= r < start for r in references):
            cited.append(i)  # not "theo Điều 5", nor "Điều 1 Nghị định số 367/2025/NĐ-CP" in force
    if not (cited or item.find_any(lists["draft"])):
        return []
    triggers = item.find_any(lists["request_trigger"])
    return [
        verb for verb in item.find_any(lists["draft_edit"])
        if kind == "recommendation" or any(t < verb and item.clause_of[t] == item.clause_of[verb] for t in triggers)
    ]


def _legal_gap(item: _Text) -> list[int]:
    """Rules said to be missing, unfit or incomplete; no legal basis to act."""
    lists = _conventions()
    found = item.find_any(lists["legal_basis_gap"])
    markers = item.find_any(lists["legal_gap_marker"])
    references = _words("reference_lead")
    for head in item.find_any(lists["legal_gap_head"]):
        if head > 0 and item.words[head - 1] in references:
            continue  # "theo hướng dẫn ..., đã hoàn thiện": the rule is followed, not wanting
        clause = item.clause_of[head]
        if any(head < m <= head + _GAP_WINDOW and item.clause_of[m] == clause for m in markers):
            found.append(head)
    return sorted(set(found))


def _association_procedure(item: _Text) -> list[int]:
    """A hội's Đại hội, dissolution, merger, establishment or dossier."""
    lists = _conventions()
    excluded = _words("association_not")
    has_association = bool(item.find_any(lists["association"], unmasked=False)) or any(
        word.startswith("hội ") and word not in excluded for word in item.words
    )
    return item.find_any(lists["association_procedure"], unmasked=False) if has_association else []


def _clauses(item: _Text, positions: Iterable[int]) -> set[int]:
    return {item.clause_of[i] for i in positions}


def _citizen_skill_clauses(item: _Text, it_cues: list[int]) -> set[int]:
    """Clauses about citizens' digital skills (GUIDE: "công nghệ – dữ liệu", not staff)."""
    lists = _conventions()
    skills = _clauses(item, item.find_any(lists["skill"]))
    citizens = _clauses(item, item.find_any(lists["citizen"]))
    return skills & citizens & _clauses(item, it_cues)


def _means(item: _Text) -> set[int]:
    """Cues of a means ("Phối hợp với ..., giải quyết <problem>"): they do not head the item."""
    lists = _conventions()
    solves = item.find_any(lists["solve"])
    return {
        i for i in item.find_any(lists["means"])
        if any(i < j and item.clause_of[j] == item.clause_of[i] for j in solves)
    }


def _awareness(item: _Text) -> list[int]:
    """Habits, propaganda, dependency on the State, leaders' lacking attention, formalism."""
    lists = _conventions()
    found = item.find_any(lists["habit_propaganda"]) + item.find_any(lists["formalism"]) + item.find_any(lists["attitude"])
    state = item.find_any(lists["state"])
    found += [d for d in item.find_any(lists["dependency"]) if any(d < s <= d + 6 for s in state)]
    gaps = item.find_any(lists["attention_gap"])
    found += [g for g in gaps if item.clause_of[g] in _clauses(item, item.find_any(lists["leader"]))]
    return sorted(set(found))


def _money_amount(item: _Text) -> list[int]:
    """Amounts of money ("100 tỷ đồng", "1,4 triệu đồng/tháng"): what is lacking or asked for."""
    units = _words("money_unit")
    return [
        i + 1 for i in range(len(item.words) - 1)
        if _NUMBERISH.search(item.words[i]) and item.words[i + 1] in units  # not "100 đồng bào"
    ]


# --- features ----------------------------------------------------------------------------------

_PAIR_FEATURES = (
    "cue",  # a cue of the category occurs
    "weak cue",
    "cue count",  # log(1 + occurrences)
    "head",  # a cue in the first clause that holds any cue
    "earliest",  # the category's cue comes first of all categories
    "weak head",  # only weak cues in the first clause with a cue, and one is the category's
    "problem head",  # a cue in the first clause that states a problem or request
    "subject",  # a cue among the first content words of a problem clause
    "focus",  # a cue right after "thiếu", "chưa có", "đề nghị"
    "convention",  # a GUIDE convention names the category
    "legal request",  # a request to issue/amend/guide a legal text (cơ chế – chính sách)
    "no cue",  # khác: no cue of any category
    "no weak cue",  # khác: not even a weak cue
)
_F = {name: i for i, name in enumerate(_PAIR_FEATURES)}


@dataclass(frozen=True)
class _Analysis:
    pair: np.ndarray  # (categories, features)
    words: tuple[str, ...]  # bag-of-words vocabulary items


def _cue_positions(item: _Text, phrases: Iterable[Phrase], references: set[str]) -> list[int]:
    # "theo quy định", "đúng quy định của pháp luật": the rules one acts by are no problem with them
    generic = _words("generic_rule")
    return [
        i for i in item.find_any(phrases)
        if not (i > 0 and item.words[i] in generic and item.words[i - 1] in references)
    ]


@lru_cache(maxsize=4096)
def _analyse(text: str, kind: str | None) -> _Analysis:
    """The per-category features of one item (see ``_PAIR_FEATURES``) and its words."""
    item = _read(text)
    taxonomy = _taxonomy()
    names = category_names()
    lists = _conventions()
    references = _words("reference_lead")
    strong = [_cue_positions(item, c.cues, references) for c in taxonomy]
    weak = [_cue_positions(item, c.weak, references) for c in taxonomy]

    it, staff = names.index("công nghệ – dữ liệu"), names.index("nhân lực – năng lực cán bộ")
    citizen_clauses = _citizen_skill_clauses(item, strong[it] + weak[it])
    if citizen_clauses:
        # "trình độ ... công nghệ thông tin của người dân" is a digital-skill problem, not staff
        moved = {i for i in strong[staff] + weak[staff] if item.clause_of[i] in citizen_clauses}
        strong[it] = sorted(set(strong[it]) | moved)
        strong[staff] = [i for i in strong[staff] if i not in moved]
        weak[staff] = [i for i in weak[staff] if i not in moved]

    conventions = {
        names.index("cơ chế – chính sách"): _legal_gap(item),
        names.index("thủ tục hành chính"): _association_procedure(item),
        names.index("nhận thức"): _awareness(item),
        names.index("vốn – kinh phí – tín dụng"): _money_amount(item),
    }
    legal_request = sorted(set(_legal_request(item, kind)) | set(_draft_amendment(item, kind)))
    policy = names.index("cơ chế – chính sách")
    for c, positions in [*conventions.items(), (policy, legal_request)]:
        strong[c] = sorted(set(strong[c]) | set(positions))

    problem_words = set(item.find_any(lists["problem"]))
    problem_clauses = {n for n, (a, b) in enumerate(item.clauses) if any(a <= p < b for p in problem_words)}
    focus_words: set[int] = set()
    for phrase in lists["focus"]:
        for start in item.find(phrase):
            end = item.end_of(start, phrase)
            focus_words.update(range(end, min(end + _FOCUS_WINDOW, len(item.words))))
    skip = _words("skip")
    subject_words: set[int] = set()
    for n in problem_clauses:
        a, b = item.clauses[n]
        subject_words.update([i for i in range(a, b) if item.words[i] not in skip][:_SUBJECT_WINDOW])

    if not any(strong):
        strong, weak = weak, [[] for _ in weak]  # nothing better: the weak cues are all there is
    means = _means(item)
    placed = [[i for i in positions if i not in means] for positions in strong]
    strong_clauses = sorted(_clauses(item, (i for p in placed for i in p)))
    any_clauses = sorted(_clauses(item, (i for p in placed + weak for i in p)))
    head = strong_clauses[0] if strong_clauses else None
    weak_head = any_clauses[0] if any_clauses and any_clauses[0] not in strong_clauses else None
    problem_head = next((n for n in strong_clauses if n in problem_clauses), None)
    first = min((p[0] for p in placed if p), default=None)

    features = np.zeros((len(taxonomy), len(_PAIR_FEATURES)))
    for c, category in enumerate(taxonomy):
        row = features[c]
        if category.name == OTHER:
            row[_F["no cue"]] = float(not strong_clauses)
            row[_F["no weak cue"]] = float(not any_clauses)
            continue
        both = placed[c] + weak[c]
        row[_F["cue"]] = float(bool(strong[c]))
        row[_F["weak cue"]] = float(bool(weak[c]))
        row[_F["cue count"]] = float(np.log1p(len(strong[c])))
        row[_F["head"]] = float(any(item.clause_of[i] == head for i in placed[c]))
        row[_F["earliest"]] = float(bool(placed[c]) and placed[c][0] == first)
        row[_F["weak head"]] = float(any(item.clause_of[i] == weak_head for i in weak[c]))
        row[_F["problem head"]] = float(any(item.clause_of[i] == problem_head for i in placed[c]))
        row[_F["subject"]] = float(any(i in subject_words for i in both))
        row[_F["focus"]] = float(any(i in focus_words for i in both))
        row[_F["convention"]] = float(bool(conventions.get(c)))
        row[_F["legal request"]] = float(c == policy and bool(legal_request))
    return _Analysis(features, _bag_of_words(item))


def _bag_of_words(item: _Text) -> tuple[str, ...]:
    bag: set[str] = set()
    for word, masked in zip(item.words, item.masked):
        if masked or not any(ch.isalpha() for ch in word) or _NUMBERISH.search(word):
            continue
        bag.add(word)
    return tuple(sorted(bag))


# --- model -------------------------------------------------------------------------------------

_ITERATIONS = 400
_STEP = 0.5
_MOMENTUM = 0.9
# L2 penalties: the few shared features may grow, per-category weights and words stay small
_PENALTY_SHARED = 0.01
_PENALTY_CATEGORY = 1.0
_PENALTY_WORDS = 0.3
# The GUIDE states these outright (a legal request is "cơ chế – chính sách" first, a hội's Đại hội
# is "thủ tục hành chính", "khác" only when nothing fits, the primary is the problem stated and
# "not the first cue word"), so their weights start from, and are pulled towards, a value of
# that strength instead of zero: a hundred items cannot be trusted to rediscover them.
_PRIOR = {"legal request": 4.0, "convention": 3.0, "no weak cue": 3.0, "problem head": 1.5}
_PENALTY_PRIOR = 0.1
# the primary category is where the problem is stated, not the most repeated cue
_NOT_FOR_PRIMARY = frozenset({"cue count"})
_MIN_WORD_ITEMS = 2


@dataclass(frozen=True)
class _Weights:
    shared: np.ndarray  # (features,)
    category: np.ndarray  # (kinds + 1, categories): bias row, then one row per kind
    words: np.ndarray  # (vocabulary, categories)


@dataclass(frozen=True)
class _Model:
    vocabulary: dict[str, int]
    primary: _Weights
    member: _Weights


def _design(
    analyses: Sequence[_Analysis], kinds: Sequence[str | None], vocabulary: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pair = np.stack([a.pair for a in analyses])  # (items, categories, features)
    kind_rows = np.zeros((len(analyses), len(KINDS) + 1))
    kind_rows[:, 0] = 1.0
    for n, kind in enumerate(kinds):
        if kind in KINDS:
            kind_rows[n, 1 + KINDS.index(kind)] = 1.0
    bag = np.zeros((len(analyses), len(vocabulary)))
    for n, analysis in enumerate(analyses):
        hits = [vocabulary[w] for w in analysis.words if w in vocabulary]
        if hits:
            bag[n, hits] = 1.0 / np.sqrt(len(hits))
    return pair, kind_rows, bag


def _scores(weights: _Weights, pair: np.ndarray, kind_rows: np.ndarray, bag: np.ndarray) -> np.ndarray:
    return pair @ weights.shared + kind_rows @ weights.category + bag @ weights.words


def _fit(
    pair: np.ndarray, kind_rows: np.ndarray, bag: np.ndarray, target: np.ndarray, softmax: bool
) -> _Weights:
    """Deterministic full-batch gradient descent with momentum on the L2-penalised log loss.

    ``softmax``: one primary category per item (the rows of ``target`` are one-hot); otherwise an
    independent logistic model per category (``target`` marks every category of the item).
    A step that raises the objective is undone and the step size halved, so any penalty converges.
    """
    items, categories, _ = pair.shape
    used = np.array([not (softmax and name in _NOT_FOR_PRIMARY) for name in _PAIR_FEATURES], dtype=float)
    prior = np.array([_PRIOR.get(name, 0.0) for name in _PAIR_FEATURES]) * used
    shared_penalty = np.array([_PENALTY_PRIOR if name in _PRIOR else _PENALTY_SHARED for name in _PAIR_FEATURES])
    centres = (prior, 0.0, 0.0)
    penalties = (shared_penalty, _PENALTY_CATEGORY, _PENALTY_WORDS)

    def objective(params: list[np.ndarray]) -> tuple[float, list[np.ndarray]]:
        scores = pair @ params[0] + kind_rows @ params[1] + bag @ params[2]
        if softmax:
            scores = scores - scores.max(axis=1, keepdims=True)
            log_probability = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
            probability = np.exp(log_probability)
            loss = -float((target * log_probability).sum())
        else:
            probability = 1.0 / (1.0 + np.exp(-scores))
            loss = float((np.logaddexp(0.0, scores) - target * scores).sum())
        error = (probability - target) / items
        gradients = [np.einsum("ic,icf->f", error, pair), kind_rows.T @ error, bag.T @ error]
        loss /= items
        for k in range(3):
            offset = params[k] - centres[k]
            loss += 0.5 * float((penalties[k] * offset * offset).sum())
            gradients[k] = gradients[k] + penalties[k] * offset
        return loss, gradients

    def project(params: list[np.ndarray]) -> list[np.ndarray]:
        # every shared feature is evidence *for* its category: a negative weight would only fit
        # the collinearity of a hundred items, so the shared weights stay non-negative
        return [np.maximum(params[0], 0.0) * used, params[1], params[2]]

    params = [prior.copy(), np.zeros((kind_rows.shape[1], categories)), np.zeros((bag.shape[1], categories))]
    velocity = [np.zeros_like(p) for p in params]
    loss, _ = objective(params)
    step = _STEP
    for _ in range(_ITERATIONS):
        ahead = [p + _MOMENTUM * v for p, v in zip(params, velocity)]
        _, gradients = objective(ahead)
        candidate = project([a - step * g for a, g in zip(ahead, gradients)])
        candidate_loss, _ = objective(candidate)
        if candidate_loss > loss:
            velocity = [np.zeros_like(p) for p in params]
            step *= 0.5
            continue
        velocity = [c - p for c, p in zip(candidate, params)]
        params, loss = candidate, candidate_loss
    return _Weights(*params)


def _train(rows: Sequence[tuple[str, str | None, Sequence[str]]]) -> _Model:
    """Both models from ``(text, kind, categories)`` rows (categories primary first)."""
    names = category_names()
    analyses = [_analyse(text, kind) for text, kind, _ in rows]
    counts: dict[str, int] = {}
    for analysis in analyses:
        for word in analysis.words:
            counts[word] = counts.get(word, 0) + 1
    vocabulary = {w: i for i, w in enumerate(sorted(w for w, n in counts.items() if n >= _MIN_WORD_ITEMS))}
    pair, kind_rows, bag = _design(analyses, [kind for _, kind, _ in rows], vocabulary)
    primary = np.zeros((len(rows), len(names)))
    member = np.zeros((len(rows), len(names)))
    for n, (_, _, labels) in enumerate(rows):
        primary[n, names.index(labels[0])] = 1.0
        for label in labels:
            member[n, names.index(label)] = 1.0
    return _Model(
        vocabulary,
        _fit(pair, kind_rows, bag, primary, softmax=True),
        _fit(pair, kind_rows, bag, member, softmax=False),
    )


def _predict(model: _Model, text: str, kind: str | None) -> list[str]:
    names = category_names()
    pair, kind_rows, bag = _design([_analyse(text, kind)], [kind], model.vocabulary)
    primary_scores = _scores(model.primary, pair, kind_rows, bag)[0]
    member_scores = _scores(model.member, pair, kind_rows, bag)[0]
    best = int(np.argmax(primary_scores))
    if names[best] == OTHER:
        return [OTHER]
    others = [c for c in range(len(names)) if c != best and names[c] != OTHER and member_scores[c] > 0.0]
    others.sort(key=lambda c: -primary_scores[c])
    return [names[best], *(names[c] for c in others)]


def read_training_items() -> list[LabelledItem]:
    """The labelled items shipped in ``pipeline/data/categories_training.tsv``."""
    return [
        (row[0], row[3], row[1], tuple(c.strip() for c in row[2].split(";") if c.strip()))
        for row in read_table(TRAINING_TABLE)
    ]


def model_digest() -> str:
    """A fingerprint of what the model is trained from and reads items with: the taxonomy,
    conventions and training tables, this module and the normalisation it uses, and the version
    of underthesea that tokenises."""
    from pipeline import normalize, segmenter

    digest = hashlib.sha256()
    data = resources.files("pipeline.data")
    for name in _MODEL_INPUTS:
        digest.update(data.joinpath(name).read_bytes())
    for module in (Path(__file__), Path(normalize.__file__), Path(segmenter.__file__)):
        digest.update(module.read_bytes())
    digest.update(metadata.version("underthesea").encode())
    return digest.hexdigest()


def _trained_model() -> _Model:
    return _train([(text, kind, labels) for _, text, kind, labels in read_training_items()])


def write_shipped_model(path: Path | None = None) -> Path:
    """Train the model on the training table and write it, with its ``model_digest``, to ``path``
    (default: ``MODEL_FILE`` in ``pipeline/data``, where the package ships it). Run it after
    changing anything ``model_digest`` covers; a test fails while the shipped file is stale."""
    target = path if path is not None else Path(__file__).resolve().parents[1] / "data" / MODEL_FILE
    model = _trained_model()
    vocabulary = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    arrays = {f"{which}_{part}": getattr(getattr(model, which), part) for which in _MODEL_WEIGHTS for part in _MODEL_PARTS}
    with target.open("wb") as handle:
        np.savez_compressed(handle, digest=np.array(model_digest()), vocabulary=np.array(vocabulary, dtype=str), **arrays)
    return target


def _read_model(path: Path | resources.abc.Traversable, digest: str) -> _Model | None:
    """The model stored at ``path``, or None when it is missing or was trained from other inputs."""
    try:
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as stored:
            if str(stored["digest"]) != digest:
                return None
            vocabulary = {str(word): index for index, word in enumerate(stored["vocabulary"])}
            weights = {which: _Weights(*(stored[f"{which}_{part}"] for part in _MODEL_PARTS)) for which in _MODEL_WEIGHTS}
    except (OSError, KeyError, ValueError):
        return None
    return _Model(vocabulary, *(weights[which] for which in _MODEL_WEIGHTS))


@lru_cache(maxsize=1)
def _shipped_model() -> _Model:
    # trained here only when the shipped file is missing or stale (a development tree)
    stored = _read_model(resources.files("pipeline.data").joinpath(MODEL_FILE), model_digest())
    return stored if stored is not None else _trained_model()


def classify(text: str, kind: str | None = None) -> list[str]:
    """Categories of one item, primary first; ``["khác"]`` alone when no category fits.

    ``kind`` is the item's kind (``difficulty``, ``limitation``, ``cause``, ``recommendation``);
    without it a request is recognised from its wording only.
    """
    return _predict(_shipped_model(), text, kind)


# --- evaluation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryReport:
    """Scores of the category classifier on held-out labelled items."""

    items: int
    primary_correct: int
    per_category: dict[str, tuple[float, float, int]]  # name -> (precision, recall, support)
    predictions: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]  # group, text, gold, guess

    @property
    def primary_accuracy(self) -> float:
        """Share of items whose predicted primary category is the gold primary."""
        return self.primary_correct / self.items if self.items else 0.0


def set_scores(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> dict[str, tuple[float, float, int]]:
    """Per-category (precision, recall, support) of ``(gold, guess)`` category lists.

    Precision is 1.0 for a category never guessed, recall 1.0 for one never in the gold.
    """
    true_positive: dict[str, int] = {}
    predicted: dict[str, int] = {}
    support: dict[str, int] = {}
    for gold, guess in pairs:
        for name in set(gold):
            support[name] = support.get(name, 0) + 1
        for name in set(guess):
            predicted[name] = predicted.get(name, 0) + 1
            if name in gold:
                true_positive[name] = true_positive.get(name, 0) + 1
    scores = {}
    for name in category_names():
        hits = true_positive.get(name, 0)
        precision = hits / predicted[name] if predicted.get(name) else 1.0
        recall = hits / support[name] if support.get(name) else 1.0
        scores[name] = (precision, recall, support.get(name, 0))
    return scores


def leave_one_document_out(items: Iterable[LabelledItem]) -> CategoryReport:
    """Train on every document group but one, predict that one's items; repeat for each group.

    ``items`` are ``(doc_group_id, text, kind, categories)`` rows, categories primary first. Give
    twin documents (two files of one report) the same group id, or the score is inflated.
    Precision is 1.0 for a category never predicted, recall 1.0 for one never labelled.
    """
    rows = [(group, text, kind, tuple(labels)) for group, text, kind, labels in items]
    predictions = []
    for held_out in sorted({row[0] for row in rows}):
        model = _train([(text, kind, labels) for group, text, kind, labels in rows if group != held_out])
        for group, text, kind, labels in rows:
            if group == held_out:
                predictions.append((group, text, labels, tuple(_predict(model, text, kind))))
    correct = sum(1 for _, _, gold, guess in predictions if gold[0] == guess[0])
    scores = set_scores((gold, guess) for _, _, gold, guess in predictions)
    return CategoryReport(len(predictions), correct, scores, tuple(predictions))


def _fingerprint(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def _twins(first: list[frozenset[str]], second: list[frozenset[str]]) -> bool:
    """Most items of the smaller document have a near-identical item in the other."""
    if not first or not second:
        return False
    small, large = sorted((first, second), key=len)

    def near(a: frozenset[str], b: frozenset[str]) -> bool:
        return len(a & b) >= 0.8 * len(a | b)

    matched = sum(1 for a in small if any(near(a, b) for b in large))
    return matched >= 0.5 * len(small)


def _gold_documents(gold_dir: Path) -> tuple[dict[str, list[tuple[str, str, tuple[str, ...]]]], dict[str, str]]:
    """Items ``(text, kind, categories)`` per gold document, and each document's group id."""
    documents: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for path in sorted(Path(gold_dir).rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "id" not in data:
            continue
        entries = [*data.get("difficulties", []), *data.get("recommendations", [])]
        items = [
            (" ".join(e["text"].split()), e["kind"], tuple(e["categories"]))
            for e in entries
            if e.get("text") and e.get("categories")
        ]
        if items:
            documents.setdefault(data["id"], []).extend(items)
    group = {doc: doc for doc in documents}
    prints = {doc: [_fingerprint(text) for text, _, _ in items] for doc, items in documents.items()}
    ids = sorted(documents)
    for n, first in enumerate(ids):
        for second in ids[n + 1 :]:
            if group[second] == second and _twins(prints[first], prints[second]):
                group[second] = group[first]
    return {doc: documents[doc] for doc in ids}, group


def read_gold_items(gold_dir: Path) -> list[LabelledItem]:
    """Difficulty and recommendation items of the gold files under ``gold_dir`` (and its subfolders).

    Documents whose items are (nearly) the same, such as a .doc and a .docx of one report, share a
    group id (the smaller document id) so that :func:`leave_one_document_out` holds them out together.
    """
    documents, group = _gold_documents(gold_dir)
    return [(group[doc], text, kind, labels) for doc, items in documents.items() for text, kind, labels in items]


_TRAINING_HEADER = """\
# Training items of the category classifier (pipeline/extract/categories.py): every difficulty,
# limitation, cause and recommendation item of the gold annotation ../shared/gold/*.json and
# ../shared/gold/difficulties/*.json (labelled by hand after gold/GUIDE.md, section "categories and
# groups"), text joined on one line; copied {date}. Of twin documents (two files of one report, the
# same items: LD-033 and LD-034) only the first is kept, so that their items do not weigh double.
# Regenerate after the gold labels change (tests/test_categories.py checks that they agree):
#   python -c "from pathlib import Path; from pipeline.extract.categories import write_training_table as w; w(Path('../shared/gold'), Path('pipeline/data/categories_training.tsv'))"
# document <TAB> kind <TAB> categories (primary first, ';'-separated) <TAB> text
"""


def write_training_table(gold_dir: Path, path: Path) -> int:
    """Write the gold items (one document of each twin group) as the classifier's training table.

    Returns the number of items written.
    """
    documents, group = _gold_documents(gold_dir)
    lines = [
        "\t".join((doc, kind, ";".join(labels), text))
        for doc, items in documents.items()
        if group[doc] == doc
        for text, kind, labels in items
    ]
    header = _TRAINING_HEADER.format(date=datetime.date.today().isoformat())
    Path(path).write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def evaluate_categories(
    rows: Iterable[Sequence[str]],
) -> dict[str, tuple[float, float, int]]:
    """Per-category (precision, recall, support) of :func:`classify` on labelled rows.

    Each row is ``(text, kind, categories, source)`` with categories separated by ``;``
    (the layout of ``tests/data/difficulty_labels.tsv``). The shipped model has seen the gold
    items among them: use :func:`leave_one_document_out` for a held-out score. Precision is 1.0
    for a category never predicted, recall 1.0 for one never labelled.
    """
    pairs = []
    for row in rows:
        gold = [c.strip() for c in row[2].split(";") if c.strip()]
        pairs.append((gold, classify(row[0], row[1] if len(row) > 1 else None)))
    return set_scores(pairs)


def read_labelled_sample(path: Path) -> list[list[str]]:
    """Rows ``(text, kind, categories, source)`` of a tab-separated labelled sample ('#' comments)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
