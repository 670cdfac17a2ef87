"""Recurring items: the same complaint or request reported by several documents shares a group.

Each item gets two sparse vectors, after the abbreviations of
``pipeline/data/group_abbreviations.tsv`` are spelled out ("HTX" -> "hợp tác xã"):

* **words**: lower-cased underthesea word tokens that carry letters, minus the function words and
  report boilerplate of ``pipeline/data/group_stopwords.txt``, weighted by sublinear TF-IDF (IDF
  from the items being grouped);
* **concepts**: the complaint concepts of ``pipeline/data/group_concepts.tsv`` whose phrases occur
  in the item, weighted by their row weight times their IDF. A row there maps different wordings
  of one kind of problem, and the request that remedies it, to one concept ("thiếu biên chế",
  "lực lượng còn mỏng", "bổ sung biên chế" -> ``staff_shortage``), so two agencies wording the
  same complaint differently, or a difficulty and the recommendation that answers it, share a
  feature although they share few words.

Words and concepts of the item's head clause (up to its first ``.`` or ``;``, where an item names
what is lacking or what must change) weigh ``HEAD_WEIGHT`` times more than those of the rest.

Two items are similar by their word cosine, mixed with their concept cosine when both have
concepts (see :func:`_pair_score`): a concept shared by both pulls them together, all-different
concepts push them apart, and a concept every sector has (staff, money, rules) counts only for
items that also share their subject. Only pairs found through an inverted index with capped
postings are scored (see :func:`_similarities`), so the work grows linearly with the number of
items, never with all pairs.

Groups are built by average-link agglomeration over those similarities: the two groups with the
highest mean pairwise similarity (pairs not scored, or scoring under ``KEEP_FRACTION`` of the
threshold, count 0) are merged while that mean is at
least the threshold. Unlike connected components (single link), a chain of pairwise-similar items
does not pull several complaints into one giant group.

Everything is computed in the order of the sorted item keys, ties are broken by key order, and a
group's id is a hash of its sorted member keys, so the same items give the same groups and ids
whatever the input order.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.data import read_list, read_table
from pipeline.extract.categories import tokens
from pipeline.normalize import normalize_text

DEFAULT_THRESHOLD = 0.15
"""Mean pair similarity at or above which two groups are merged."""

CONCEPT_SHARE = 0.3
"""Share of the concept cosine in the similarity of two items that both have concepts."""

SUBJECT_OVERLAP = 0.3
"""Subject cosine from which a shared concept of scope "any" counts in full (below it, in
proportion); the subject cosine is the word cosine without the words of concept phrases."""

SILENT_FACTOR = 0.8
"""Factor on the word cosine of two items one of which has no concept."""

DISJOINT_FACTOR = 0.3
"""Factor on the word cosine of two items whose concepts are all different."""

HEAD_WEIGHT = 1.5
"""Factor on the words and concepts of an item's head clause (see :func:`head_clause`)."""

NAME_WEIGHT = 0.5
"""Weight of a word written with a capital inside a sentence, however often it occurs: the names of
the agencies, associations and places an item is about, repeated in full by list items that make
the same request for different bodies, say which item is which more than which complaint it is."""

CONCEPT_GAP = 16
"""Most syllables allowed between two parts of a concept phrase (``"kinh phí ... hạn chế"``)."""

PROBE_WORDS = 8
"""Each item looks for candidate pairs through its this many highest-weighted words."""

MAX_POSTING = 200
"""Features held by more items than this propose no candidate pairs (they still score)."""

KEEP_FRACTION = 0.25
"""Pairs scoring below this fraction of the threshold are dropped (they count as 0 in means)."""

_CONCEPT_PREFIX = "§"
_PART_SEPARATOR = " ... "
_SYLLABLE = re.compile(r"[^\W_]+")
_CLAUSE_BREAK = re.compile(r"[.;:!?\n]")
_HEAD_BREAK = re.compile(r"[.;](?!\d)")
_HEAD_MIN_SYLLABLES = 8
_OPENERS = frozenset(".;:!?-+•*)(\"“'‘–")


# --- concepts ---------------------------------------------------------------------------------

Phrase = tuple[tuple[str, ...], ...]
"""A concept phrase: its parts, each a tuple of syllables."""


def _syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(normalize_text(text).lower())


@dataclass(frozen=True)
class _ConceptTable:
    """``group_concepts.tsv``, parsed."""

    weights: dict[str, float]
    """Row weight of each concept."""
    own: frozenset[str]
    """Concepts of scope "own": sharing one needs no shared subject."""
    by_first: dict[str, list[tuple[str, Phrase]]]
    """Phrases indexed by their first syllable."""


@lru_cache(maxsize=1)
def _concept_table() -> _ConceptTable:
    weights: dict[str, float] = {}
    own: set[str] = set()
    by_first: dict[str, list[tuple[str, Phrase]]] = {}
    for row in read_table("group_concepts.tsv"):
        name, weight, scope, phrases = row[0], float(row[1]), row[2], row[3]
        if scope not in {"any", "own"}:
            raise ValueError(f"group_concepts.tsv: {name}: scope must be 'any' or 'own', not {scope!r}")
        weights[name] = weight
        if scope == "own":
            own.add(name)
        for phrase in phrases.split(" ; "):
            parts = tuple(tuple(_syllables(part)) for part in phrase.split(_PART_SEPARATOR))
            parts = tuple(part for part in parts if part)
            if parts:
                by_first.setdefault(parts[0][0], []).append((name, parts))
    return _ConceptTable(weights, frozenset(own), by_first)


def _clauses(lowered: str) -> list[list[tuple[str, int, int]]]:
    """The syllables of each clause of a normalised, lower-cased text, with their offsets."""
    clauses: list[list[tuple[str, int, int]]] = [[]]
    position = 0
    for match in _CLAUSE_BREAK.finditer(lowered + "\n"):
        clause = [
            (syllable.group(), position + syllable.start(), position + syllable.end())
            for syllable in _SYLLABLE.finditer(lowered[position : match.start()])
        ]
        if clause:
            clauses.append(clause)
        position = match.end()
    return [clause for clause in clauses if clause]


def _match_parts(syllables: Sequence[str], start: int, parts: Phrase) -> list[tuple[int, int]] | None:
    """Syllable index ranges of ``parts`` occurring in order from ``start``, or None."""
    position = start
    found: list[tuple[int, int]] = []
    for index, part in enumerate(parts):
        width = len(part)
        if index == 0:
            if tuple(syllables[position : position + width]) != part:
                return None
            found.append((position, position + width))
            position += width
            continue
        last = min(len(syllables) - width, position + CONCEPT_GAP)
        for candidate in range(position, last + 1):
            if tuple(syllables[candidate : candidate + width]) == part:
                found.append((candidate, candidate + width))
                position = candidate + width
                break
        else:
            return None
    return found


def _concept_matches(lowered: str) -> list[tuple[str, int, int]]:
    """``(concept, start, end)`` character spans of every concept phrase part found."""
    by_first = _concept_table().by_first
    matches: list[tuple[str, int, int]] = []
    for clause in _clauses(lowered):
        syllables = [syllable for syllable, _, _ in clause]
        for start, syllable in enumerate(syllables):
            for name, parts in by_first.get(syllable, ()):
                ranges = _match_parts(syllables, start, parts)
                if ranges:
                    matches.extend((name, clause[first][1], clause[last - 1][2]) for first, last in ranges)
    return matches


def _prepare(text: str) -> str:
    """The text as groups see it: abbreviations spelled out, normalised (NFC, tone marks, spaces)."""
    return normalize_text(expand_abbreviations(text))


def item_concepts(text: str) -> list[str]:
    """The complaint concepts whose phrases occur in ``text``, sorted by name."""
    return sorted({name for name, _, _ in _concept_matches(_prepare(text).lower())})


def head_clause(text: str) -> str:
    """The item's head: its text up to the first ``.`` or ``;`` that follows at least 8 syllables."""
    for match in _HEAD_BREAK.finditer(text):
        if len(_SYLLABLE.findall(text[: match.start()])) >= _HEAD_MIN_SYLLABLES:
            return text[: match.start()]
    return text


# --- vectors ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {row[0]: row[1] for row in read_table("group_abbreviations.tsv")}
    alternatives = "|".join(re.escape(short) for short in sorted(table, key=lambda short: (-len(short), short)))
    return re.compile(rf"(?<![\w/-])({alternatives})(?![\w/-])"), table


def expand_abbreviations(text: str) -> str:
    """``text`` with the administrative abbreviations of ``group_abbreviations.tsv`` spelled out."""
    pattern, table = _abbreviations()
    return pattern.sub(lambda match: table[match.group(1)], text)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(read_list("group_stopwords.txt"))


@lru_cache(maxsize=1)
def _procedure_words() -> frozenset[str]:
    return frozenset(read_list("group_procedure_words.txt"))


@dataclass
class _Features:
    """Raw weights of one item's features."""

    words: dict[str, float]
    """Sublinear term frequency of each word (``NAME_WEIGHT`` for a name), times ``HEAD_WEIGHT`` if
    it occurs in the head clause."""
    subject: dict[str, float]
    """The same, without the words that belong to a concept phrase: what the item is about."""
    concepts: dict[str, float]
    """Row weight of each concept, times ``HEAD_WEIGHT`` when it occurs in the head clause."""


def _features(text: str) -> _Features:
    text = _prepare(text)
    lowered = text.lower()
    head_end = len(head_clause(text))
    matches = _concept_matches(lowered)
    weights = _concept_table().weights
    concepts: dict[str, float] = {}
    for name, start, _ in matches:
        factor = HEAD_WEIGHT if start < head_end else 1.0
        concepts[name] = max(concepts.get(name, 0.0), weights[name] * factor)
    spans = sorted((start, end) for _, start, end in matches)
    stopwords = _stopwords()
    counts: dict[str, int] = {}
    boosts: dict[str, float] = {}
    in_subject: set[str] = set()
    names: set[str] = set()
    cursor = 0
    for word in tokens(text):
        start = lowered.find(word, cursor)
        if start < 0:
            start = cursor  # defensive: a token not found verbatim keeps the previous position
        end = start + len(word)
        cursor = max(cursor, end)
        if word in stopwords or not any(char.isalpha() for char in word):
            continue
        boost = HEAD_WEIGHT if start < head_end else 1.0
        if text[start : start + 1].isupper() and not _starts_sentence(text, start):
            names.add(word)
        counts[word] = counts.get(word, 0) + 1
        boosts[word] = max(boosts.get(word, 0.0), boost)
        if not any(span_start <= start and end <= span_end for span_start, span_end in spans):
            in_subject.add(word)
    procedure = _procedure_words()
    if all(word in names or word in procedure for word in counts):
        return _Features({}, {}, {})  # a step of the paperwork ("thẩm định, trình ký, ban hành"): no problem to join
    words = {
        word: boosts[word] * (NAME_WEIGHT if word in names else 1.0 + math.log(count))
        for word, count in counts.items()
    }
    subject = {word: weight for word, weight in words.items() if word in in_subject}
    return _Features(words, subject, concepts)


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens the text, a sentence, a clause, a bullet or a quotation."""
    index = start - 1
    while index >= 0 and text[index].isspace():
        index -= 1
    return index < 0 or text[index] in _OPENERS


def _tf_idf(weights: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    return _unit({word: weight * idf[word] for word, weight in weights.items()})


def _unit(weights: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    return {feature: weight / norm for feature, weight in weights.items()} if norm else {}


def _cosine(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    if len(first) > len(second):
        first, second = second, first
    return sum(weight * second[feature] for feature, weight in first.items() if feature in second)


# --- similarity and grouping -----------------------------------------------------------------


@dataclass
class _Vectors:
    """Unit vectors of one item."""

    words: dict[str, float]
    subject: dict[str, float]
    concepts: dict[str, float]


def _similarities(items: Sequence[_Vectors], floor: float) -> dict[tuple[int, int], float]:
    """Similarity of the candidate pairs ``(i, j)``, ``i < j``, that score at least ``floor``.

    See :func:`_pair_score` for the score. Candidates come from an inverted index: every item
    probes the postings of its ``PROBE_WORDS`` highest-weighted words, of its concepts and of its
    (concept, probe word) pairs, skipping postings longer than ``MAX_POSTING``; so the work is at
    most items x probes x ``MAX_POSTING``, linear in the number of items.
    """
    postings: dict[str, list[int]] = {}
    probes: list[list[str]] = []
    for index, item in enumerate(items):
        for word in item.words:
            postings.setdefault(word, []).append(index)
        top = sorted(item.words, key=lambda word: (-item.words[word], word))[:PROBE_WORDS]
        keys = list(top)
        for concept in sorted(item.concepts):
            key = _CONCEPT_PREFIX + concept
            keys.append(key)
            postings.setdefault(key, []).append(index)
            # a common concept still finds its pairs through (concept, word) keys
            for word in sorted(item.words):
                postings.setdefault(f"{key}\t{word}", []).append(index)
            keys.extend(f"{key}\t{word}" for word in top)
        probes.append(keys)
    scores: dict[tuple[int, int], float] = {}
    for index, keys in enumerate(probes):
        seen: set[int] = {index}
        for key in keys:
            members = postings.get(key, ())
            if len(members) > MAX_POSTING:
                continue
            for other in members:
                if other in seen:
                    continue
                seen.add(other)
                pair = (index, other) if index < other else (other, index)
                if pair in scores:
                    continue
                score = _pair_score(items[pair[0]], items[pair[1]])
                if score >= floor:
                    scores[pair] = score
    return scores


def _pair_score(first: _Vectors, second: _Vectors) -> float:
    """Similarity of two items.

    * either item has no concept (the table is silent on it): ``SILENT_FACTOR`` x word cosine;
    * both have concepts but share none (different complaints): ``DISJOINT_FACTOR`` x word cosine;
    * else ``(1 - CONCEPT_SHARE) x word cosine + CONCEPT_SHARE x concept cosine``, where each shared
      concept of scope "any" counts only ``min(1, subject cosine / SUBJECT_OVERLAP)`` of its part
      (the subject cosine leaves out the words of concept phrases): a staff shortage in drug
      policing and one in a commune's IT service stay apart, while a concept of scope "own"
      (dependency on State support) needs no shared subject.
    """
    word_score = _cosine(first.words, second.words)
    if not first.concepts or not second.concepts:
        return SILENT_FACTOR * word_score
    shared = first.concepts.keys() & second.concepts.keys()
    if not shared:
        return DISJOINT_FACTOR * word_score
    own = _concept_table().own
    gate = min(1.0, _cosine(first.subject, second.subject) / SUBJECT_OVERLAP)
    concept_score = sum(
        first.concepts[name] * second.concepts[name] * (1.0 if name in own else gate) for name in sorted(shared)
    )
    return (1.0 - CONCEPT_SHARE) * word_score + CONCEPT_SHARE * concept_score


def _average_link(total: int, scores: Mapping[tuple[int, int], float], threshold: float) -> list[int]:
    """Cluster label (smallest member index) of each item, by sparse average-link agglomeration."""
    label = list(range(total))
    members: dict[int, list[int]] = {index: [index] for index in range(total)}
    links: dict[int, dict[int, float]] = {index: {} for index in range(total)}
    for (first, second), score in scores.items():
        links[first][second] = score
        links[second][first] = score
    heap: list[tuple[float, int, int]] = []
    for (first, second), score in scores.items():
        if score >= threshold:
            heapq.heappush(heap, (-score, first, second))
    while heap:
        negative, first, second = heapq.heappop(heap)
        if first not in members or second not in members:
            continue
        current = links[first].get(second, 0.0) / (len(members[first]) * len(members[second]))
        if abs(current + negative) > 1e-12:
            continue  # stale entry: the mean changed since it was pushed
        keep, gone = min(first, second), max(first, second)
        members[keep].extend(members.pop(gone))
        gone_links = links.pop(gone)
        gone_links.pop(keep, None)
        keep_links = links[keep]
        keep_links.pop(gone, None)
        for other, score in gone_links.items():
            keep_links[other] = keep_links.get(other, 0.0) + score
            other_links = links[other]
            other_links[keep] = other_links.get(keep, 0.0) + other_links.pop(gone)
        size = len(members[keep])
        for other, total_score in sorted(keep_links.items()):
            mean = total_score / (size * len(members[other]))
            if mean >= threshold:
                heapq.heappush(heap, (-mean, min(keep, other), max(keep, other)))
    for root, indices in members.items():
        for index in indices:
            label[index] = root
    return label


def _idf(items: Sequence[Mapping[str, float]], total: int) -> dict[str, float]:
    document_frequency: dict[str, int] = {}
    for item in items:
        for feature in item:
            document_frequency[feature] = document_frequency.get(feature, 0) + 1
    return {feature: math.log((1 + total) / (1 + df)) + 1.0 for feature, df in document_frequency.items()}


def assign_groups(
    items: Sequence[tuple[str, str]], threshold: float = DEFAULT_THRESHOLD
) -> dict[str, str]:
    """Map each item key to a group id; items whose texts state the same complaint share one.

    ``items`` are ``(item_key, text)`` pairs with unique keys. Items are compared by their words
    and complaint concepts (see the module docstring) and merged by average link while the mean
    similarity of two groups is at least ``threshold``. A group's id is ``"g"`` + 12 hex
    digits of the SHA-1 of its sorted member keys.
    """
    ordered = sorted(items, key=lambda item: item[0])
    keys = [key for key, _ in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError("assign_groups: item keys must be unique")
    features = [_features(text) for _, text in ordered]
    total = len(ordered)
    word_idf = _idf([item.words for item in features], total)
    concept_idf = _idf([item.concepts for item in features], total)
    vectors = [
        _Vectors(
            words=_tf_idf(item.words, word_idf),
            subject=_tf_idf(item.subject, word_idf),
            concepts=_unit({name: weight * concept_idf[name] for name, weight in item.concepts.items()}),
        )
        for item in features
    ]
    labels = _average_link(total, _similarities(vectors, KEEP_FRACTION * threshold), threshold)

    members: dict[int, list[str]] = {}
    for index, key in enumerate(keys):
        members.setdefault(labels[index], []).append(key)
    groups: dict[str, str] = {}
    for member_keys in members.values():
        digest = hashlib.sha1("\n".join(sorted(member_keys)).encode("utf-8")).hexdigest()[:12]
        for key in member_keys:
            groups[key] = f"g{digest}"
    return groups


# --- scoring ----------------------------------------------------------------------------------


def _pairs(sizes: Iterable[int]) -> int:
    return sum(size * (size - 1) // 2 for size in sizes)


def pairwise_scores(
    gold: Mapping[str, str | None], predicted: Mapping[str, str]
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of ``predicted`` groups against ``gold`` groups.

    Pairs are taken over the keys of ``gold``. A pair is positive in gold when both items have the
    same non-null group (``None`` = no other item states that problem), and predicted positive
    when both have the same predicted id; a gold key missing from ``predicted`` is a group of its
    own. Predicted keys not in ``gold`` are ignored. Precision is 1.0 when no pair is predicted,
    recall 1.0 when gold has no pair. Linear in the number of keys.
    """
    gold_sizes: dict[str, int] = {}
    predicted_sizes: dict[str, int] = {}
    both: dict[tuple[str, str], int] = {}
    for key, gold_group in gold.items():
        predicted_group = predicted.get(key, "\0" + key)
        predicted_sizes[predicted_group] = predicted_sizes.get(predicted_group, 0) + 1
        if gold_group is None:
            continue
        gold_sizes[gold_group] = gold_sizes.get(gold_group, 0) + 1
        cell = (gold_group, predicted_group)
        both[cell] = both.get(cell, 0) + 1
    true_positive = _pairs(both.values())
    gold_positive = _pairs(gold_sizes.values())
    predicted_positive = _pairs(predicted_sizes.values())
    precision = true_positive / predicted_positive if predicted_positive else 1.0
    recall = true_positive / gold_positive if gold_positive else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
