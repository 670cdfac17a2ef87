"""The segmenter gives underthesea's own words: the same model, decoded another way."""

from __future__ import annotations

from pathlib import Path

import pytest
from underthesea import word_tokenize

from pipeline import segmenter
from pipeline.ingest import load_document

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _lines(path: Path) -> list[str]:
    document = load_document(path)
    return [line for block in document.blocks for line in block.text.split("\n") if line.strip()]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir() if "__" in p.name))
def test_every_line_of_the_demo_corpus_is_segmented_as_underthesea_does(name: str) -> None:
    lines = _lines(CORPUS / name)
    assert len(lines) > 20
    differing = [line for line in lines if segmenter.segment(line) != list(word_tokenize(line, use_token_normalize=False))]
    assert differing == []


def test_the_model_is_read_from_underthesea_itself() -> None:
    weigher = segmenter._weigher()
    assert weigher is not None, "the model of this underthesea version is not the one the segmenter knows"
    assert len(weigher.model.weights) > 40_000
    # the compound of the feature strings: a known word of the dictionary is one word
    assert segmenter.segment("Ủy ban nhân dân tỉnh Lâm Đồng báo cáo tình hình") == list(
        word_tokenize("Ủy ban nhân dân tỉnh Lâm Đồng báo cáo tình hình", use_token_normalize=False)
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Hà",  # one token: windows reach past both ends
        "Hà Nội",
        "a b c",
        "2147483647 2147483648 -2147483648 -2147483649 +5 0123",  # the tagger's digits are 32-bit integers
        "ĐÂY LÀ TIÊU ĐỀ IN HOA, 3a a3 (Bộ) ...",
        "Ǆa ǅa ǆa ß İstanbul",  # letters whose upper case is not themselves or is two letters
        "Σ ΑΣ σ Ω - Ελλάδα",  # outside the plain letters: underthesea itself reads it
        "中文 テキスト ½ ² ٣ ①",
        "tổng số 1.234.567 đồng, đạt 12,5% so với cùng kỳ năm 2024 (tăng 3,4%).",
        "Quyết định số 3110/QĐ-UBND ngày 7/12/2016 của UBND tỉnh Quảng Trị",
        "e-mail: vanthu@lamdong.gov.vn; website https://lamdong.gov.vn/",
    ],
)
def test_edge_texts_are_segmented_as_underthesea_does(text: str) -> None:
    assert segmenter.segment(text) == list(word_tokenize(text, use_token_normalize=False))


def test_a_model_with_other_templates_is_left_to_underthesea(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segmenter, "TEMPLATES", segmenter.TEMPLATES[:-1])
    segmenter._model.cache_clear()
    segmenter._weigher.cache_clear()
    try:
        assert segmenter._weigher() is None
        text = "Sở Nội vụ kính báo cáo Ủy ban nhân dân tỉnh"
        assert segmenter.segment(text) == list(word_tokenize(text, use_token_normalize=False))
    finally:
        monkeypatch.undo()
        segmenter._model.cache_clear()
        segmenter._weigher.cache_clear()
    assert segmenter._weigher() is not None


def test_the_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segmenter, "_CACHE_LIMIT", 50)
    weigher = segmenter._weigher()
    assert weigher is not None
    weigher.tokens.clear()
    text = " ".join(f"từ{n} số{n}" for n in range(200))
    assert segmenter.segment(text) == list(word_tokenize(text, use_token_normalize=False))
    assert len(weigher.tokens) <= 50
