"""Vietnamese word segmentation: underthesea's own CRF model, decoded without its feature strings.

``underthesea.word_tokenize`` cuts a text into syllable tokens, writes 43 feature strings for every
token (the token and its neighbours, lower-cased, title-case, digits, in the dictionary) and hands
them to a CRF tagger that looks each string up again. Most of its time goes to making and passing
those strings. Here the same features of the same model weigh the same way, but without strings
per feature: a token's weights in its five roles are summed once per distinct token, and a pair's
or a triple's are read from tables of the model's weights indexed by the window's text, lower
case and flags; the two-label Viterbi decoding runs on those sums. The words are the ones
``word_tokenize(text, use_token_normalize=False)`` gives (``tests/test_segmenter.py`` compares
them over the corpus); text this module cannot vouch for goes to ``word_tokenize`` itself: a
syllable with a character outside the Latin and Vietnamese letters, digits and common punctuation
(where Python's and the tagger's case rules might part), or a model other than the one read here.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from underthesea import word_tokenize
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

MODEL_NAME = "ws_crf_vlsp2013_20230727"
LABELS = ("B-W", "I-W")
# The model's feature templates, in its own order; another list means another model: not read here.
TEMPLATES = (
    "T[-2]", "T[-1]", "T[0]", "T[1]", "T[2]",
    "T[-2,-1]", "T[-1,0]", "T[0,1]", "T[1,2]", "T[-2,0]", "T[-1,1]", "T[0,2]",
    "T[-2].lower", "T[-1].lower", "T[0].lower", "T[1].lower", "T[2].lower",
    "T[-2,-1].lower", "T[-1,0].lower", "T[0,1].lower", "T[1,2].lower",
    "T[-1].isdigit", "T[0].isdigit", "T[1].isdigit",
    "T[-2].istitle", "T[-1].istitle", "T[0].istitle", "T[1].istitle", "T[2].istitle",
    "T[0,1].istitle", "T[0,2].istitle",
    "T[-2].is_in_dict", "T[-1].is_in_dict", "T[0].is_in_dict", "T[1].is_in_dict", "T[2].is_in_dict",
    "T[-2,-1].is_in_dict", "T[-1,0].is_in_dict", "T[0,1].is_in_dict", "T[1,2].is_in_dict",
    "T[-2,0].is_in_dict", "T[-1,1].is_in_dict", "T[0,2].is_in_dict",
)
# Where a window of 1, 2 or 3 tokens starts relative to the position it describes (T[-2], T[-2,-1], T[-2,0] …)
STARTS = {1: (-2, -1, 0, 1, 2), 2: (-2, -1, 0, 1), 3: (-2, -1, 0)}
_TEMPLATE = re.compile(r"T\[(-?\d)(?:,(-?\d))?\](?:\.(\w+))?")
# Characters whose case Python maps as the tagger does: ASCII, Latin-1, Latin Extended-A/B,
# combining marks, Vietnamese (Latin Extended Additional), general punctuation, currency signs.
_PLAIN = re.compile("[\u0000-\u024f\u0300-\u036f\u1e00-\u1eff\u2000-\u206f\u20a0-\u20bf]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT32 = (-(2**31), 2**31 - 1)
# Distinct tokens, pairs and triples whose weights are kept: bounded, so memory stays flat on any corpus
_CACHE_LIMIT = 100_000


@dataclass(frozen=True)
class _Template:
    start: int
    end: int
    kind: str  # "" (the text itself), "lower", "isdigit", "istitle" or "is_in_dict"
    name: str


@dataclass(frozen=True)
class _Model:
    weights: dict[str, tuple[float, float]]  # feature string -> its weight for each label
    transition: tuple[tuple[float, float], tuple[float, float]]  # [previous label][label]
    dictionary: frozenset[str]
    templates: tuple[_Template, ...]


def _model_dir() -> Path:
    return Path(str(resources.files("underthesea") / "pipeline" / "word_tokenize" / "models" / MODEL_NAME))


def _cqdb_strings(data: bytes, offset: int) -> list[str]:
    """The strings of a CRFsuite constant quark database, by id (its backward array)."""
    magic, _, _, _, count, backward = struct.unpack_from("<4sIIIII", data, offset)
    if magic != b"CQDB":
        raise ValueError("not a CRFsuite string table")
    strings = []
    for number in range(count):
        (record,) = struct.unpack_from("<I", data, offset + backward + 4 * number)
        identifier, size = struct.unpack_from("<II", data, offset + record)
        if identifier != number:
            raise ValueError("CRFsuite string table out of order")
        strings.append(data[offset + record + 8 : offset + record + 7 + size].decode("utf-8"))
    return strings


def _read_crfsuite(path: Path) -> tuple[list[str], dict[str, tuple[float, float]], tuple[tuple[float, float], ...]]:
    """Labels, state weights by attribute and transition weights of a CRFsuite model file."""
    data = path.read_bytes()
    magic, _, kind, _, _, _, _, features, labels_at, attributes_at = struct.unpack_from("<4sI4sIIIIIII", data, 0)
    if magic != b"lCRF" or kind != b"FOMC":
        raise ValueError(f"{path}: not a CRFsuite model")
    labels = _cqdb_strings(data, labels_at)
    attributes = _cqdb_strings(data, attributes_at)
    chunk, _, count = struct.unpack_from("<4sII", data, features)
    if chunk != b"FEAT":
        raise ValueError(f"{path}: no feature table")
    state: dict[str, list[float]] = {}
    transition = [[0.0] * len(labels) for _ in labels]
    for kind_id, source, target, weight in struct.iter_unpack("<IIId", data[features + 12 : features + 12 + 20 * count]):
        if kind_id == 0:
            state.setdefault(attributes[source], [0.0] * len(labels))[target] += weight
        else:
            transition[source][target] += weight
    return labels, {k: (v[0], v[1]) for k, v in state.items()}, tuple((row[0], row[1]) for row in transition)


def _parse_template(name: str) -> _Template:
    match = _TEMPLATE.fullmatch(name)
    if match is None:
        raise ValueError(f"unknown feature template {name!r}")
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) is not None else start
    return _Template(start, end, match.group(3) or "", name)


@lru_cache(maxsize=1)
def _model() -> _Model | None:
    """The model read from underthesea's package, or None when it is not the one this module knows."""
    import joblib

    folder = _model_dir()
    try:
        templates = tuple(joblib.load(folder / "features.bin"))
        dictionary = frozenset(joblib.load(folder / "dictionary.bin"))
        labels, weights, transition = _read_crfsuite(folder / "models.bin")
    except (OSError, ValueError, struct.error):
        return None
    if templates != TEMPLATES or tuple(labels) != LABELS:
        return None
    return _Model(weights, (transition[0], transition[1]), dictionary, tuple(_parse_template(t) for t in templates))


def word_dictionary() -> frozenset[str]:
    """The lower-cased words of underthesea's dictionary (the segmenter's), or an empty set."""
    model = _model()
    return model.dictionary if model is not None else frozenset()


def _digits(text: str) -> bool:
    return _INTEGER.fullmatch(text) is not None and _INT32[0] <= int(text) <= _INT32[1]


class _Weigher:
    """The model's weights arranged by window. A feature of a window of ``width`` tokens depends on
    the window's text, lower-cased text, title case, digits or dictionary entry, and plays one role
    per template start: the window is ``T[start..]`` of the position ``-start`` from its first
    token. Each table maps a value to the value's weights in every role, ``(B-W, I-W)`` pairs in
    the order of ``STARTS[width]``."""

    def __init__(self, model: _Model) -> None:
        self.model = model
        tables: dict[tuple[int, str], dict[str, list[float]]] = {}
        by_name = {template.name: template for template in model.templates}
        for feature, (begin, inside) in model.weights.items():
            name, _, value = feature.partition("=")
            template = by_name.get(name)
            if template is None:
                continue
            width = template.end - template.start + 1
            role = STARTS[width].index(template.start)
            row = tables.setdefault((width, template.kind), {}).setdefault(value, [0.0] * (2 * len(STARTS[width])))
            row[2 * role] += begin
            row[2 * role + 1] += inside
        self.unigram = {kind: table for (width, kind), table in tables.items() if width == 1}
        # windows of 2 and 3 tokens: text and lower case looked up; title case and dictionary as flags
        self.text = {width: tables.get((width, ""), {}) for width in (2, 3)}
        self.lower = {width: tables.get((width, "lower"), {}) for width in (2, 3)}
        self.flags = {
            width: {
                (in_dict, title): _added(
                    [0.0] * (2 * len(STARTS[width])),
                    tables.get((width, "is_in_dict"), {}).get(str(in_dict)),
                    tables.get((width, "istitle"), {}).get(str(title)),
                )
                for in_dict in (False, True)
                for title in (False, True)
            }
            for width in (2, 3)
        }
        self.tokens: dict[str, tuple[str, bool, list[float]]] = {}
        self.edges: dict[tuple[int, int], tuple[float, float]] = {}

    def token(self, token: str) -> tuple[str, bool, list[float]]:
        """A token's lower case, title case and weights as ``T[k]`` for each ``k`` of ``STARTS[1]``."""
        found = self.tokens.get(token)
        if found is None:
            lower, title = token.lower(), token[:1].upper() == token[:1]
            values = {"": token, "lower": lower, "istitle": str(title), "isdigit": str(_digits(token)),
                      "is_in_dict": str(lower in self.model.dictionary)}
            row = _added([0.0] * (2 * len(STARTS[1])), *(table.get(values[kind]) for kind, table in self.unigram.items()))
            found = (lower, title, row)
            if len(self.tokens) >= _CACHE_LIMIT:
                self.tokens.clear()
            self.tokens[token] = found
        return found

    def window(self, width: int, text: str, lower: str, title: bool) -> list[float]:
        """Weights of a window of two or three tokens in each of its roles."""
        row = self.flags[width][(lower in self.model.dictionary, title)]
        extra = self.text[width].get(text), self.lower[width].get(lower)
        if extra[0] is None and extra[1] is None:
            return row
        return _added(list(row), *extra)

    def edge(self, position: int, count: int) -> tuple[float, float]:
        """Weights of the templates whose window reaches past either end (value BOS, else EOS)."""
        key = (min(position, 2), min(count - 1 - position, 2))
        found = self.edges.get(key)
        if found is None:
            begin = inside = 0.0
            for template in self.model.templates:
                if key[0] + template.start < 0:
                    value = "BOS"
                elif template.end > key[1]:
                    value = "EOS"
                else:
                    continue
                b, i = self.model.weights.get(f"{template.name}={value}", (0.0, 0.0))
                begin += b
                inside += i
            found = self.edges[key] = (begin, inside)
        return found


def _added(total: list[float], *rows: list[float] | None) -> list[float]:
    for row in rows:
        if row is not None:
            for n, value in enumerate(row):
                total[n] += value
    return total


@lru_cache(maxsize=1)
def _weigher() -> _Weigher | None:
    model = _model()
    return _Weigher(model) if model is not None else None


def _emissions(weigher: _Weigher, tokens: list[str]) -> tuple[list[float], list[float]]:
    """Each position's summed weights for B-W and I-W. A window starting at token ``j`` plays the
    role of start ``-2 + r`` for the position ``j + 2 - r``; the lists carry two slots of padding
    at either end so that roles of positions past the ends land there and are dropped."""
    # the additions are written out role by role: a loop over the roles (or a column per role
    # added with map) made the whole segmentation about 15% slower
    count = len(tokens)
    begin = [0.0] * (count + 4)
    inside = [0.0] * (count + 4)
    known = [weigher.token(token) for token in tokens]
    for j, (_, _, u) in enumerate(known):
        q = j + 4
        begin[q] += u[0]
        inside[q] += u[1]
        begin[q - 1] += u[2]
        inside[q - 1] += u[3]
        begin[q - 2] += u[4]
        inside[q - 2] += u[5]
        begin[q - 3] += u[6]
        inside[q - 3] += u[7]
        begin[q - 4] += u[8]
        inside[q - 4] += u[9]
    for j in range(count - 1):
        (low1, title1, _), (low2, title2, _) = known[j], known[j + 1]
        u = weigher.window(2, f"{tokens[j]} {tokens[j + 1]}", f"{low1} {low2}", title1 and title2)
        q = j + 4
        begin[q] += u[0]
        inside[q] += u[1]
        begin[q - 1] += u[2]
        inside[q - 1] += u[3]
        begin[q - 2] += u[4]
        inside[q - 2] += u[5]
        begin[q - 3] += u[6]
        inside[q - 3] += u[7]
    for j in range(count - 2):
        (low1, title1, _), (low2, title2, _), (low3, title3, _) = known[j], known[j + 1], known[j + 2]
        u = weigher.window(
            3, f"{tokens[j]} {tokens[j + 1]} {tokens[j + 2]}", f"{low1} {low2} {low3}", title1 and title2 and title3
        )
        q = j + 4
        begin[q] += u[0]
        inside[q] += u[1]
        begin[q - 1] += u[2]
        inside[q - 1] += u[3]
        begin[q - 2] += u[4]
        inside[q - 2] += u[5]
    begin, inside = begin[2 : count + 2], inside[2 : count + 2]
    for position in {*range(min(2, count)), *range(max(count - 2, 0), count)}:
        b, i = weigher.edge(position, count)
        begin[position] += b
        inside[position] += i
    return begin, inside


def _viterbi(begin: list[float], inside: list[float], transition: tuple[tuple[float, float], tuple[float, float]]) -> list[int]:
    """Best label sequence (0 = B-W, 1 = I-W); on a tie the lower label wins, as in CRFsuite."""
    if not begin:
        return []
    (bb, bi), (ib, ii) = transition
    score_b, score_i = begin[0], inside[0]
    back: list[tuple[int, int]] = []
    for n in range(1, len(begin)):
        from_b, from_i = score_b + bb, score_i + ib
        to_b = (0, from_b) if from_b >= from_i else (1, from_i)
        from_b, from_i = score_b + bi, score_i + ii
        to_i = (0, from_b) if from_b >= from_i else (1, from_i)
        back.append((to_b[0], to_i[0]))
        score_b, score_i = to_b[1] + begin[n], to_i[1] + inside[n]
    label = 0 if score_b >= score_i else 1
    labels = [label]
    for pointers in reversed(back):
        label = pointers[label]
        labels.append(label)
    labels.reverse()
    return labels


def segment(text: str) -> list[str]:
    """The words of ``text``, as ``word_tokenize(text, use_token_normalize=False)`` gives them."""
    weigher = _weigher()
    if weigher is None:
        return list(word_tokenize(text, use_token_normalize=False))
    tokens = tokenize(text, use_token_normalize=False, fixed_words=[])
    if any(" " in token or not token or _PLAIN.fullmatch(token) is None for token in tokens):
        return list(word_tokenize(text, use_token_normalize=False))
    labels = _viterbi(*_emissions(weigher, tokens), weigher.model.transition)
    words: list[str] = []
    for token, label in zip(tokens, labels):
        if label == 1 and words:
            words[-1] = f"{words[-1]} {token}"
        else:
            words.append(token)
    return words
