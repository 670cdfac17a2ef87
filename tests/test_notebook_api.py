"""pipeline.load / pipeline.show and the aggregations of pipeline.notebook, on the 4-document sample."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from spacy.language import Language

import pipeline
from pipeline import notebook as nb
from pipeline.batch import extract
from pipeline.store import DATABASE_NAME, TABLES

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO.parent / "shared" / "gold"


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    """``baocao extract corpus/`` into a scratch folder (the sample ``make demo`` extracts)."""
    out = tmp_path_factory.mktemp("notebook_sample")
    summary = extract([REPO / "corpus"], out, nlp=nlp)
    assert summary.statuses["ok"] == 4
    return out


@pytest.fixture(scope="module")
def data(sample_dir: Path) -> pipeline.Dataset:
    return pipeline.load(sample_dir)


def qt001(data: pipeline.Dataset) -> str:
    return str(data.document("QT-001")["doc_id"])


# --- load -------------------------------------------------------------------------------------


def test_load_gives_every_table(data: pipeline.Dataset) -> None:
    assert list(data.tables) == list(TABLES)
    assert len(data.documents) == 4
    assert set(data.sources.values()) == {"parquet"}
    assert {"QT-001", "DN-001", "LD-014", "LD-024"} == set(nb.document_labels(data))


def test_load_types_columns(data: pipeline.Dataset) -> None:
    assert pd.api.types.is_datetime64_any_dtype(data.documents["issued_date"])
    assert pd.api.types.is_datetime64_any_dtype(data.references["issued_date"])
    assert pd.api.types.is_datetime64_any_dtype(data.dates["date"])
    assert pd.api.types.is_datetime64_any_dtype(data.dates["end_date"])
    assert data.amounts["value"].dtype == "float64" and data.percentages["value"].dtype == "float64"
    assert data.amounts["from_table_unit"].dtype == bool and data.percentages["from_table_unit"].dtype == bool
    assert str(data.documents["year"].dtype) == "Int64"
    assert data.references["start"].dtype == "int64"
    assert all(isinstance(c, list) and all(isinstance(x, str) for x in c) for c in data.difficulties["categories"])
    row = data.document("QT-001")
    assert row["issued_date"] == pd.Timestamp("2020-11-16") and row["year"] == 2020
    money = data.amounts[(data.amounts["doc_id"] == row["doc_id"]) & (data.amounts["text"] == "197,3 triệu")]
    assert money["value"].tolist() == [197_300_000.0]
    year_period = data.dates[data.dates["granularity"] == "year"].iloc[0]
    assert year_period["end_date"] > year_period["date"]


def test_load_falls_back_to_sqlite(sample_dir: Path, data: pipeline.Dataset, tmp_path: Path) -> None:
    shutil.copy(sample_dir / DATABASE_NAME, tmp_path / DATABASE_NAME)
    shutil.copy(sample_dir / "documents.parquet", tmp_path / "documents.parquet")
    loaded = pipeline.load(tmp_path)
    assert loaded.sources["documents"] == "parquet" and loaded.sources["difficulties"] == "sqlite"
    for table in ("difficulties", "amounts", "dates", "references"):
        from_sqlite, from_parquet = getattr(loaded, table), getattr(data, table)
        assert len(from_sqlite) == len(from_parquet) > 0
        assert dict(from_sqlite.dtypes.astype(str)) == dict(from_parquet.dtypes.astype(str)), table
    assert loaded.difficulties["categories"].tolist() == data.difficulties["categories"].tolist()


def test_load_subset_and_missing_folder(sample_dir: Path, tmp_path: Path) -> None:
    loaded = pipeline.load(sample_dir, tables=["documents", "amounts"])
    assert len(loaded.amounts) > 0 and loaded.blocks.empty and "start" in loaded.blocks.columns
    assert loaded.sources["blocks"] == "not loaded"
    with pytest.raises(FileNotFoundError, match="baocao extract"):
        pipeline.load(tmp_path / "nothing")
    with pytest.raises(ValueError, match="unknown table"):
        pipeline.load(sample_dir, tables=["amount"])


def test_document_keys(data: pipeline.Dataset) -> None:
    doc_id = qt001(data)
    assert data.document(doc_id)["source_path"].startswith("QT-001__")
    assert data.document("216/BC-STC")["source_path"].startswith("DN-001__")
    with pytest.raises(KeyError, match="2 documents"):
        data.document("LD-0")
    with pytest.raises(KeyError, match="not a doc_id"):
        data.document("XX-999")


# --- show -------------------------------------------------------------------------------------


def _highlighted(markup: str, token: str, label: str) -> bool:
    """``token`` is drawn as a highlighted token whose span starts there with ``label``."""
    color = nb.span_colors()[label]
    pattern = (
        r'display: inline-block[^>]*>\s*' + re.escape(token) + r'\s*<span style="background: ' + re.escape(color)
        + r'[^>]*>\s*</span>\s*<span style="background: ' + re.escape(color) + r'[^"]*">\s*<span[^>]*>\s*' + label
    )
    return re.search(pattern, markup) is not None


def test_show_highlights_known_facts(data: pipeline.Dataset) -> None:
    html = pipeline.show("QT-001", data, max_chars=None)
    assert isinstance(html, str) and isinstance(html, nb.Highlighted)
    assert _highlighted(html, "197,3 triệu", "MONEY")
    assert _highlighted(html, "49,3%", "PERCENT")
    assert re.search(r"REFERENCE\s*<a[^>]*>3110/QĐ-UBND</a>", html)  # label + normalised code
    assert re.search(r"MONEY\s*<a[^>]*>197,3 triệu đ</a>", html)
    assert "DIFFICULTY" in html and "LIMITATION" in html
    assert not _highlighted(html, "Liên", "MONEY") and not _highlighted(html, "197,3 triệu", "PERCENT")
    doc_id = qt001(data)
    facts = sum(int((getattr(data, t)["doc_id"] == doc_id).sum()) for t in nb.fact_tables())
    assert html.spans == facts  # every fact of the document, none twice
    assert "<br>" in html  # line breaks kept
    assert html._repr_html_().startswith('<span class="tex2jax_ignore">')
    assert repr(html).startswith("<Highlighted QT-001:")


def test_show_window_keeps_long_documents_small(data: pipeline.Dataset) -> None:
    whole = pipeline.show("DN-001", data, max_chars=None)
    window = pipeline.show("DN-001", data, max_chars=2000)
    assert window.window[0] == 0 and window.window[1] <= 2000
    assert 0 < window.spans < whole.spans and len(window) < len(whole) / 5
    found = pipeline.show("QT-001", data, find="Kết quả giải ngân", max_chars=1500)
    assert found.window[0] > 0 and _highlighted(found, "197,3 triệu", "MONEY")
    only_money = pipeline.show("QT-001", data, facts=["amounts"], max_chars=None, values=False)
    assert "MONEY" in only_money and "REFERENCE" not in only_money and "<a " not in only_money
    with pytest.raises(ValueError, match="does not occur"):
        pipeline.show("QT-001", data, find="không có trong văn bản này")


def test_show_defaults_to_the_last_loaded_dataset(sample_dir: Path) -> None:
    pipeline.load(sample_dir)
    assert pipeline.show("QT-001").doc_id == pipeline.show("QT-001", sample_dir).doc_id


# --- aggregations -----------------------------------------------------------------------------


def test_overview(data: pipeline.Dataset) -> None:
    table = nb.overview(data).set_index("document")
    doc_id = qt001(data)
    assert table.loc["QT-001", "amounts"] == int((data.amounts["doc_id"] == doc_id).sum()) == 6
    assert table.loc["QT-001", "province"] == "Quảng Trị"
    assert table["references"].sum() == len(data.references)
    assert nb.table_sizes(data)["dates"] == len(data.dates)
    assert nb.errors_by_code(data).empty


def test_difficulty_counts(data: pipeline.Dataset) -> None:
    by_province = nb.difficulty_counts(data, by="province")
    assert by_province.to_numpy().sum() == sum(len(c) for c in data.difficulties["categories"])
    assert "Quảng Trị" in by_province.columns and "vốn – kinh phí – tín dụng" in by_province.index
    totals = by_province.sum(axis=1).tolist()
    assert totals == sorted(totals, reverse=True)
    by_year = nb.difficulty_counts(data, by="year")
    assert "2020" in by_year.columns and by_year.to_numpy().sum() == by_province.to_numpy().sum()
    only_recommendations = nb.difficulty_counts(data, by="province", kinds=["recommendation"])
    assert 0 < only_recommendations.to_numpy().sum() < by_province.to_numpy().sum()
    with pytest.raises(ValueError):
        nb.difficulty_counts(data, by="colour")


@pytest.fixture
def tiny() -> pipeline.Dataset:
    """Three documents, two recurring complaints, one document without province."""
    documents = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "province": ["Lâm Đồng", "Đắk Nông", None], "year": [2020, 2021, 2021],
         "issuer": ["Sở Nội vụ", "Sở Tài chính", "Sở Nội vụ"]}
    )
    difficulties = pd.DataFrame(
        {"doc_id": ["a", "c", "a", "b", "c"], "kind": ["difficulty"] * 5, "group_id": ["g1", "g1", "g2", "g2", "g2"],
         "categories": [["đất đai"], ["đất đai"], ["vốn – kinh phí – tín dụng"], [], ["khác"]],
         "text": ["Thiếu đất", "Thiếu quỹ đất", "Thiếu vốn", "Thiếu vốn đầu tư", "Vốn ít"]}
    )
    return pipeline.Dataset(Path("."), documents=documents, difficulties=difficulties)


def test_difficulty_counts_name_missing_values(tiny: pipeline.Dataset) -> None:
    counts = nb.difficulty_counts(tiny, by="province")
    assert list(counts.columns) == ["Lâm Đồng", nb.UNKNOWN]  # unknown last; Đắk Nông's only item has no category
    assert counts.loc["khác", nb.UNKNOWN] == 1 and counts.loc["đất đai", nb.UNKNOWN] == 1
    assert counts.to_numpy().sum() == 4


def test_recurring_groups_rank_by_agencies(data: pipeline.Dataset, tiny: pipeline.Dataset) -> None:
    # the sample's one complaint from two agencies: associations' formalism and dependency (LD-014)
    # and cooperatives "còn trông chờ vào sự hỗ trợ của Nhà nước" (QT-001), worded differently
    widest = nb.recurring_groups(data).iloc[0]
    assert widest["agencies"] == 2 and widest["documents"] == 2
    members = nb.group_members(data, widest["group_id"])["text"].tolist()
    assert any("trong chờ vào sự hỗ trợ" in text for text in members)
    assert any("hình thức" in text for text in members)
    groups = nb.recurring_groups(tiny)
    assert groups["group_id"].tolist() == ["g2", "g1"]
    assert groups.iloc[0]["agencies"] == 2 and groups.iloc[0]["items"] == 3 and groups.iloc[1]["agencies"] == 1
    assert groups.iloc[0]["years"] == [2020, 2021] and groups.iloc[0]["example"] == "Vốn ít"


def test_money_by_role_and_disbursement(data: pipeline.Dataset) -> None:
    roles = nb.amounts_by_role(data).set_index("role")
    assert roles.loc["giải ngân", "group"] == "giải ngân" and roles.loc["phân bổ", "group"] == "kế hoạch"
    assert roles.loc["giải ngân", "total"] == pytest.approx(197_300_000.0)
    assert roles["mentions"].sum() == len(data.amounts)
    rates = nb.disbursement(data).set_index("document")
    assert rates.loc["QT-001", "planned"] == 400_000_000.0
    assert rates.loc["QT-001", "disbursed"] == 197_300_000.0
    assert rates.loc["QT-001", "computed_pct"] == 49.3 and rates.loc["QT-001", "reported_pct"] == [49.3]


def test_citations(data: pipeline.Dataset) -> None:
    edges = nb.citation_edges(data)
    doc_id = qt001(data)
    assert ((edges["doc_id"] == doc_id) & (edges["cited"] == "3110/QĐ-UBND")).any()
    assert edges["cited"].notna().all() and edges["mentions"].sum() == data.references["code"].notna().sum()
    assert not edges.duplicated(["doc_id", "cited"]).any()
    assert len(nb.citation_edges(data, with_names=True)) > len(edges)  # laws cited by name only
    cited = nb.most_cited(data, top=5)
    assert len(cited) == 5
    order = list(zip(cited["citing_documents"], cited["mentions"]))
    assert order == sorted(order, reverse=True)
    assert cited.iloc[0]["mentions"] == data.references.assign(
        key=data.references["code"].fillna(data.references["text"])
    )["key"].value_counts().max()


# --- running, scoring, charts -----------------------------------------------------------------


def test_extract_with_progress(tmp_path: Path, nlp: Language, capsys: pytest.CaptureFixture[str]) -> None:
    source = next((REPO / "corpus").glob("QT-001__*"))
    summary = nb.extract_with_progress([source], tmp_path, nlp=nlp)
    assert summary.statuses == {"ok": 1}
    assert "1/1" in capsys.readouterr().err  # the progress bar ran to the end
    assert len(pipeline.load(tmp_path).documents) == 1
    nb.extract_with_progress([source, REPO / "corpus"], tmp_path, nlp=nlp)
    assert "5/5" in capsys.readouterr().err  # files skipped as unchanged or duplicate still complete the bar
    assert nb.extract_with_progress([source], tmp_path, progress=False, nlp=nlp).statuses == {"ok": 1}
    assert capsys.readouterr().err == ""


def test_score_table(sample_dir: Path) -> None:
    if not GOLD.is_dir():
        pytest.skip("../shared/gold is absent")
    scores = nb.score_table(GOLD, sample_dir).set_index("measure")
    assert list(scores.index) == [
        "metadata fields", "references", "money", "percent", "difficulty items",
        "items (difficulty)", "items (limitation)", "items (cause)", "items (recommendation)",
    ]
    assert (scores["documents"] == 4).all()
    assert scores[["precision", "recall", "f1"]].iloc[1:].apply(lambda c: c.between(0, 1)).all().all()
    assert 0 < scores.loc["metadata fields", "accuracy"] <= 1
    details = nb.score_details(GOLD, sample_dir)
    assert list(details.columns) == ["measure", "document", "missed", "extra"]


def test_vietnamese_font_has_every_glyph() -> None:
    assert nb.missing_glyphs() == set()
    assert nb.missing_glyphs("Đắk Nông 漢") == {"漢"}  # the check can fail
    assert nb.use_vietnamese_font().endswith(".ttf")
    with pytest.raises(ValueError):
        nb.use_vietnamese_font("No Such Font Family")


def test_charts_draw_vietnamese_without_missing_glyphs(data: pipeline.Dataset) -> None:
    nb.use_vietnamese_font()
    figure = Figure(figsize=(12, 10))
    axes = figure.subplots(2, 2).ravel()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nb.plot_heatmap(nb.difficulty_counts(data, by="province"), "Khó khăn theo nhóm × tỉnh", ax=axes[0])
        nb.plot_amounts_by_role(nb.amounts_by_role(data), ax=axes[1])
        nb.plot_disbursement(nb.disbursement(data), ax=axes[2])
        nb.plot_citation_graph(nb.citation_edges(data), ax=axes[3])
        figure.canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert axes[0].get_title() == "Khó khăn theo nhóm × tỉnh"
    assert "Quảng Trị" in [t.get_text() for t in axes[0].get_xticklabels()]
    empty = Figure().subplots()
    nb.plot_heatmap(pd.DataFrame(), "trống", ax=empty)
    assert "Không có dữ liệu" in [t.get_text() for t in empty.texts]


def test_empty_dataset_is_handled() -> None:
    empty = pipeline.Dataset(Path("."))
    assert "start" in empty.amounts.columns and empty.amounts["value"].dtype == "float64"
    for aggregate in (nb.overview, nb.errors_by_code, nb.recurring_groups, nb.amounts_by_role, nb.disbursement,
                      nb.most_cited, nb.citation_edges):
        assert aggregate(empty).empty, aggregate.__name__
    assert nb.difficulty_counts(empty, by="year").empty
    for plot, table in ((nb.plot_amounts_by_role, nb.amounts_by_role(empty)), (nb.plot_disbursement, nb.disbursement(empty)),
                        (nb.plot_citation_graph, nb.citation_edges(empty))):
        ax = plot(table, ax=Figure().subplots())
        assert "Không có dữ liệu" in [t.get_text() for t in ax.texts], plot.__name__


def test_group_members_lists_one_group_side_by_side(data: pipeline.Dataset) -> None:
    groups = nb.recurring_groups(data, top=50)
    assert len(groups)
    group_id = groups.loc[0, "group_id"]
    members = nb.group_members(data, group_id)
    assert len(members) == groups.loc[0, "items"]
    assert members["issuer"].fillna(members["doc_id"]).nunique() == groups.loc[0, "agencies"]
    assert set(data.difficulties.loc[data.difficulties["group_id"] == group_id, "text"]) == set(members["text"])
