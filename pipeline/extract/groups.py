"""Recurring items: the same complaint or request reported by several documents shares a group.

Items are compared by TF-IDF over lower-cased underthesea word tokens (words that carry letters;
IDF from the items being grouped), with cosine similarity; pairs at or above a threshold are
linked and groups are the connected components. Everything is computed in the order of the sorted
item keys and a group's id is a hash of its sorted member keys, so the same items give the same
groups and ids whatever the input order.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from pipeline.extract.categories import tokens

DEFAULT_THRESHOLD = 0.5


def _vector(words: Sequence[str], idf: dict[str, float]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    weights = {word: (1.0 + math.log(count)) * idf[word] for word, count in counts.items()}
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    return {word: weight / norm for word, weight in weights.items()} if norm else {}


def _content_words(text: str) -> list[str]:
    return [word for word in tokens(text) if any(char.isalpha() for char in word)]


def _find(parent: list[int], index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def assign_groups(
    items: Sequence[tuple[str, str]], threshold: float = DEFAULT_THRESHOLD
) -> dict[str, str]:
    """Map each item key to a group id; items whose texts say the same thing share one.

    ``items`` are ``(item_key, text)`` pairs with unique keys. Two items are linked when the
    cosine similarity of their TF-IDF vectors is at least ``threshold``; a group is a connected
    component of links, its id ``"g"`` + 12 hex digits of the SHA-1 of its sorted member keys.
    """
    ordered = sorted(items, key=lambda item: item[0])
    keys = [key for key, _ in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError("assign_groups: item keys must be unique")
    words = [_content_words(text) for _, text in ordered]
    document_frequency: dict[str, int] = {}
    for item_words in words:
        for word in set(item_words):
            document_frequency[word] = document_frequency.get(word, 0) + 1
    total = len(ordered)
    idf = {word: math.log((1 + total) / (1 + df)) + 1.0 for word, df in document_frequency.items()}
    vectors = [_vector(item_words, idf) for item_words in words]

    # Only items that share a word can be similar: compare through an inverted index.
    postings: dict[str, list[int]] = {}
    for index, vector in enumerate(vectors):
        for word in vector:
            postings.setdefault(word, []).append(index)
    parent = list(range(total))
    for index, vector in enumerate(vectors):
        scores: dict[int, float] = {}
        for word, weight in vector.items():
            for other in postings[word]:
                if other > index:
                    scores[other] = scores.get(other, 0.0) + weight * vectors[other][word]
        for other, score in scores.items():
            if score >= threshold:
                root_a, root_b = _find(parent, index), _find(parent, other)
                if root_a != root_b:
                    parent[max(root_a, root_b)] = min(root_a, root_b)

    members: dict[int, list[str]] = {}
    for index, key in enumerate(keys):
        members.setdefault(_find(parent, index), []).append(key)
    groups: dict[str, str] = {}
    for member_keys in members.values():
        digest = hashlib.sha1("\n".join(sorted(member_keys)).encode("utf-8")).hexdigest()[:12]
        for key in member_keys:
            groups[key] = f"g{digest}"
    return groups
