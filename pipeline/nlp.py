"""The one NLP object: a spaCy ``Language`` ("vi") whose tokenizer runs underthesea.

underthesea joins syllables into words ("nông thôn") but splits document codes
(``3110/QĐ-UBND`` -> ``3110 / QĐ-UBND``). Codes are therefore cut out first and kept as one
token each; the text between them is segmented as underthesea's ``word_tokenize`` with
``use_token_normalize=False`` segments it (``pipeline.segmenter``: its model, decoded faster) and
every word is aligned back to the text, so that ``doc.text == text`` always holds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.document import DocumentText
from pipeline.patterns import DOCUMENT_CODE
from pipeline.segmenter import segment

logger = logging.getLogger("baocao")
TOKENIZER_NAME = "baocao.underthesea_tokenizer.v1"
# spaCy refuses texts over 1M characters by default to protect the memory of its parser and NER,
# which this pipeline does not use: the tokenizer works line by line, a long line in sections of at
# most SECTION_CHARS, and the components scan the text once, so memory grows linearly with length.
MAX_TEXT_CHARS = 200_000_000
SECTION_CHARS = 20_000
# doc.user_data key of the text the tokenizer was given, with the number of its tokens (see doc_text)
TEXT_KEY = "baocao_text"


def doc_text(doc: Doc) -> str:
    """``doc.text`` without joining every token anew: the text the tokenizer kept (checked equal to
    ``doc.text`` when the Doc was made), else ``doc.text`` (a Doc made another way, or copied with
    another Doc's user data: its token count or its end differs)."""
    kept = doc.user_data.get(TEXT_KEY)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == len(doc):
        text = kept[1]
        if isinstance(text, str) and (not len(doc) or doc[-1].idx + len(doc[-1].text_with_ws) == len(text)):
            return text
    return doc.text


def _segment_words(text: str) -> list[str]:
    if not text.strip():
        return []
    return segment(text)


def _aligned_spans(text: str, words: list[str], offset: int) -> Iterator[tuple[int, int]]:
    """Character spans of ``words`` inside ``text``; a word that does not match verbatim is
    split into its syllables, and anything still unmatched is skipped (its characters then
    become their own token)."""
    position = 0
    for word in words:
        pieces = [word]
        probe = text.find(word, position)
        if probe < 0 or text[position:probe].strip():
            pieces = word.split()
        for piece in pieces:
            found = text.find(piece, position)
            if found < 0 or text[position:found].strip():
                continue
            yield offset + found, offset + found + len(piece)
            position = found + len(piece)


def _sections(line: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) of a line cut at spaces into pieces of at most ``SECTION_CHARS`` (a piece
    without a space is cut where it reaches the limit)."""
    start = 0
    while len(line) - start > SECTION_CHARS:
        cut = line.rfind(" ", start + 1, start + SECTION_CHARS)
        cut = cut if cut > start else start + SECTION_CHARS
        yield start, line[start:cut]
        start = cut
    yield start, line[start:]


def token_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into word spans: document codes whole, the rest by underthesea, line by line
    (a very long line in sections, so that the segmenter's memory stays bounded)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    protected = [(m.start(), m.end()) for m in DOCUMENT_CODE.finditer(text)]
    for start, end in protected + [(len(text), len(text))]:
        gap = text[cursor:start]
        line_offset = cursor
        for line in gap.split("\n"):
            for offset, piece in _sections(line):
                spans.extend(_aligned_spans(piece, _segment_words(piece), line_offset + offset))
            line_offset += len(line) + 1
        if end > start:
            spans.append((start, end))
        cursor = end
    return spans


class UndertheseaTokenizer:
    """spaCy tokenizer: underthesea word segmentation, aligned back to the exact text."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        cursor = 0
        for start, end in token_spans(text) + [(len(text), len(text))]:
            gap = text[cursor:start]
            if gap:
                if words and gap == " ":
                    spaces[-1] = True
                else:
                    if words and gap.startswith(" ") and not spaces[-1]:
                        spaces[-1] = True
                        gap = gap[1:]
                    if gap:
                        words.append(gap)
                        spaces.append(False)
            if end > start:
                words.append(text[start:end])
                spaces.append(False)
            cursor = end
        doc = Doc(self.vocab, words=words, spaces=spaces)
        # Doc.text builds a Token for every word on each call: keep the text, once checked to be
        # what the words and spaces give (what Doc.text would return)
        if "".join([word + " " if space else word for word, space in zip(words, spaces)]) == text:
            doc.user_data[TEXT_KEY] = (len(words), text)
        return doc

    def settings(self) -> dict[str, object]:
        """What the tokenizer depends on besides its code: its name and version, the section
        length of long lines and the pattern of the document codes it keeps whole."""
        return {"tokenizer": TOKENIZER_NAME, "section_chars": SECTION_CHARS, "code_pattern": DOCUMENT_CODE.pattern}

    def _check(self, saved: dict[str, object]) -> None:
        if saved.get("tokenizer") != TOKENIZER_NAME:
            raise ValueError(f"not the settings of {TOKENIZER_NAME}: {saved.get('tokenizer')!r}")
        if saved != self.settings():
            # the code that reads texts changed since the pipeline was saved: tokens could differ
            logger.warning("the saved tokenizer settings differ from this version's; tokens may differ")

    def to_bytes(self, **_: object) -> bytes:
        """The tokenizer's settings as JSON (``nlp.to_bytes`` and ``nlp.to_disk`` store them)."""
        return json.dumps(self.settings(), ensure_ascii=False, sort_keys=True).encode("utf-8")

    def from_bytes(self, data: bytes, **_: object) -> UndertheseaTokenizer:
        """Check settings written by ``to_bytes`` (a different version's are logged)."""
        if data:
            self._check(json.loads(data.decode("utf-8")))
        return self

    def to_disk(self, path: str | Path, **_: object) -> None:
        """Write the settings to ``path`` (a file in the saved pipeline's ``tokenizer`` entry)."""
        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, **_: object) -> UndertheseaTokenizer:
        """Read the settings ``to_disk`` wrote."""
        return self.from_bytes(Path(path).read_bytes())


@spacy.registry.tokenizers(TOKENIZER_NAME)
def create_underthesea_tokenizer() -> Callable[[Language], UndertheseaTokenizer]:
    """Registry entry so the tokenizer can be named in a spaCy config."""

    def make(nlp: Language) -> UndertheseaTokenizer:
        return UndertheseaTokenizer(nlp.vocab)

    return make


def build_nlp(extractors: bool = True) -> Language:
    """Build the pipeline's spaCy ``Language``. The only way the project creates one.

    With ``extractors`` (the default) the metadata stage and one component per registered fact
    type (:mod:`pipeline.facts`) run after the tokenizer and fill ``doc.spans[<fact key>]``.
    """
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    nlp.max_length = MAX_TEXT_CHARS
    if extractors:
        from pipeline.extract.components import pipe_names, register_components

        register_components()
        for name in pipe_names():
            nlp.add_pipe(name)
    return nlp


def load_nlp(path: str | Path) -> Language:
    """A pipeline saved with ``nlp.to_disk(path)``, loaded with ``spacy.load`` once this package's
    tokenizer and components are registered (spaCy finds them by name)."""
    from pipeline.extract.components import register_components

    register_components()
    nlp = spacy.load(path)
    nlp.max_length = MAX_TEXT_CHARS
    return nlp


def annotate(nlp: Language, document: DocumentText) -> Doc:
    """Run ``nlp`` over a normalised document, giving the components its block structure."""
    from pipeline.extract.components import DOCUMENT_TEXT_KEY

    doc = nlp.make_doc(document.text)
    doc.user_data[DOCUMENT_TEXT_KEY] = document
    for _name, component in nlp.pipeline:
        doc = component(doc)
    return doc
