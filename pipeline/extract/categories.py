"""Multi-label categories of difficulty and recommendation items.

The taxonomy and its cues live in ``pipeline/data/categories_taxonomy.tsv`` (documented there).
Cues are matched against underthesea word tokens, not raw substrings, so "đất" does not fire
inside "đất nước" (one token) and "vốn" is not found inside "vốn dĩ"; a cue of several tokens
("thủ tục+hành chính") must match consecutive tokens.
"""

from __future__ import annotations

from pathlib import Path

from collections.abc import Iterable, Sequence
from functools import lru_cache

from pipeline.data import read_table

OTHER = "khác"
_SEQUENCE = "+"


@lru_cache(maxsize=1)
def _taxonomy() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    categories = []
    for row in read_table("categories_taxonomy.tsv"):
        name = row[0]
        cues = row[1].split(" ; ") if len(row) > 1 and row[1] else []
        sequences = tuple(
            tuple(part.strip().lower() for part in cue.split(_SEQUENCE)) for cue in cues if cue.strip()
        )
        categories.append((name, sequences))
    return tuple(categories)


def category_names() -> tuple[str, ...]:
    """Every category of the taxonomy, in file order (``khác`` last)."""
    return tuple(name for name, _ in _taxonomy())


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """Lower-cased underthesea word tokens of ``text`` (no token normalisation)."""
    from underthesea import word_tokenize  # imported lazily: loading the model takes a second

    return tuple(token.lower() for token in word_tokenize(text, use_token_normalize=False))


def _contains(words: Sequence[str], cue: tuple[str, ...]) -> bool:
    if len(cue) == 1:
        return cue[0] in words
    width = len(cue)
    return any(tuple(words[i : i + width]) == cue for i in range(len(words) - width + 1))


def classify(text: str) -> list[str]:
    """Categories of one item, in taxonomy order; ``["khác"]`` when no cue matches."""
    words = tokens(text)
    token_set = frozenset(words)
    found = []
    for name, cues in _taxonomy():
        if name == OTHER:
            continue
        if any((cue[0] in token_set if len(cue) == 1 else _contains(words, cue)) for cue in cues):
            found.append(name)
    return found or [OTHER]


def evaluate_categories(
    rows: Iterable[Sequence[str]],
) -> dict[str, tuple[float, float, int]]:
    """Per-category (precision, recall, support) of :func:`classify` on labelled rows.

    Each row is ``(text, kind, categories, source)`` with categories separated by ``;``
    (the layout of ``tests/data/difficulty_labels.tsv``). Precision is 1.0 for a category never
    predicted, recall 1.0 for one never labelled.
    """
    true_positive: dict[str, int] = {}
    predicted: dict[str, int] = {}
    support: dict[str, int] = {}
    for row in rows:
        gold = {c.strip() for c in row[2].split(";") if c.strip()}
        guess = set(classify(row[0]))
        for name in gold:
            support[name] = support.get(name, 0) + 1
        for name in guess:
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


def read_labelled_sample(path: Path) -> list[list[str]]:
    """Rows ``(text, kind, categories, source)`` of a tab-separated labelled sample ('#' comments)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
