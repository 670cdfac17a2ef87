"""The NLP object: underthesea words aligned back to the exact text, codes kept whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.document import DocumentText
from pipeline.nlp import token_spans


def test_every_shared_document_round_trips(nlp: Language, shared_texts: dict[str, DocumentText]) -> None:
    texts = {name: t.text for name, t in shared_texts.items() if t.text}
    assert len(texts) >= 55, "the text-layer PDFs, DOCX, DOC and TXT files of the corpus"
    mismatched = [name for name, text in texts.items() if nlp(text).text != text]
    assert mismatched == []


@pytest.mark.parametrize(
    "sentence, whole",
    [
        ("Quyết định số 3110/QĐ-UBND ngày 7/12/2016 của UBND tỉnh Quảng Trị", "3110/QĐ-UBND"),
        ("theo Nghị định 98/2018/NĐ-CP của Chính phủ", "98/2018/NĐ-CP"),
        ("Thông tư liên tịch số 51/2013/TTLT-BNNPTNT-BKHĐT-BTC", "51/2013/TTLT-BNNPTNT-BKHĐT-BTC"),
        ("Luật số 23/2012/QH13", "23/2012/QH13"),
        ("Công văn số 228/VPĐP-NTM ngày 9/11/2020", "228/VPĐP-NTM"),
        ("Nghị quyết 57-NQ/TW của Bộ Chính trị", "57-NQ/TW"),
        ("Kế hoạch số 112-KH/ĐU ngày 06/11/2017", "112-KH/ĐU"),
    ],
)
def test_document_codes_are_one_token(nlp: Language, sentence: str, whole: str) -> None:
    doc = nlp(sentence)
    assert whole in [token.text for token in doc]
    assert doc.text == sentence


@pytest.mark.parametrize(
    "sentence, not_a_code",
    [
        ("hoàn thành 45/45 nhiệm vụ", "45/45"),
        ("đạt 15/19 tiêu chí", "15/19"),
        ("đến ngày 31/12/2019", "31/12/2019"),
    ],
)
def test_counts_and_dates_are_not_codes(sentence: str, not_a_code: str) -> None:
    protected = [sentence[s:e] for s, e in token_spans(sentence)]
    assert not any("/" in piece and piece != not_a_code and not_a_code in piece for piece in protected)
    from pipeline.patterns import DOCUMENT_CODE

    assert DOCUMENT_CODE.search(sentence) is None


def test_words_are_underthesea_words(nlp: Language) -> None:
    doc = nlp("Liên minh Hợp tác xã tỉnh Quảng Trị báo cáo kết quả xây dựng nông thôn mới")
    words = [t.text for t in doc]
    assert "Quảng Trị" in words
    assert "nông thôn" in words


def test_whitespace_layout_survives(nlp: Language) -> None:
    text = "BÁO CÁO\n\nSố liệu\tnăm 2020:  197,3 triệu đồng\n- Hết."
    doc = nlp(text)
    assert doc.text == text
    assert "\n\n" in [t.text for t in doc]


def test_the_pipeline_saves_and_loads_with_spacy(nlp: Language, tmp_path: Path) -> None:
    from pipeline.nlp import TOKENIZER_NAME, load_nlp

    nlp.to_disk(tmp_path / "vi_baocao")
    assert json.loads((tmp_path / "vi_baocao" / "tokenizer").read_text(encoding="utf-8"))["tokenizer"] == TOKENIZER_NAME
    loaded = load_nlp(tmp_path / "vi_baocao")
    assert loaded.pipe_names == nlp.pipe_names
    text = "Theo Quyết định số 3110/QĐ-UBND ngày 7/12/2016, kinh phí là 1.200.000 đồng, đạt 85%."
    before, after = nlp(text), loaded(text)
    assert [t.text for t in after] == [t.text for t in before] and after.text == text
    for key in before.spans:
        assert [(s.start_char, s.end_char) for s in after.spans[key]] == [(s.start_char, s.end_char) for s in before.spans[key]]
    assert [s.text for s in after.spans["reference"]] == ["Quyết định số 3110/QĐ-UBND"]


def test_the_tokenizer_refuses_another_tokenizers_settings(nlp: Language) -> None:
    with pytest.raises(ValueError, match="underthesea"):
        nlp.tokenizer.from_bytes(json.dumps({"tokenizer": "spacy.Tokenizer.v1"}).encode())
