"""Real scans read by the pipeline and by bare Tesseract, scored against hand transcriptions.

Each page transcribed in ``tests/data/scan_truth`` (conventions in its README) is read twice in the
same run: (a) by the pipeline: the page alone (a one-page copy of the PDF made by pypdfium2, which
copies the page's objects untouched, or the image file itself) through ``load_document`` with OCR
on and one Tesseract process, its normalised text (``assemble``); (b) by bare ``tesseract <png> -
-l vie`` on a 300-dpi render of the same page (pypdfium2; a photo without a resolution is enlarged
to 300 dpi on A4, as the pipeline enlarges it; a sideways page is left sideways), with
``OMP_THREAD_LIMIT=1`` as the pipeline runs it. Both readings and the transcription are compared
after the same normalisation (``comparable``): ``pipeline.normalize.normalize_text`` (NFC, one
tone-mark placement: ``hoà`` = ``hòa``), curly quotes, dashes and ``…`` as ASCII, the
transcription's cell separators `` | `` dropped, all whitespace as one space. Scores:

* CER: character edits (``pipeline.scan_check.cer``) / characters of the transcription;
* WER: word edits / words of the transcription; words are the whitespace-separated tokens with the
  punctuation at their ends stripped, tokens of punctuation only dropped, case kept;
* bag-of-words F1: the same words as multisets, order ignored;
* seconds: the pipeline's whole read of the page (file, render, OCR, tables, corrections,
  assembly) and bare Tesseract's run alone (its render not counted).

Text pages and table pages are pooled apart (edits and words summed); each pool prints the ratios
pipeline / Tesseract. For the table pages, the amounts of the money columns named in the
transcription's ``# money:`` note (a printed ``0`` is an amount, as the table gold of
``tests/data/gold_tables`` counts it; a ``-`` or empty cell is none) are looked for among the values
``pipeline.extract.money.find_money`` finds in each reading, and in the transcription itself with
its cells tab-separated as the pipeline writes table rows (what the finder gets from a perfect
reading).

Citations: ``find_references`` runs on each reading and on the transcription; a reading's citation
codes are scored against the transcription's, as multisets. This measures what OCR damage costs
the citation finder, not the finder itself (the gold measures it). Difficulty and recommendation
items are not scored here: the transcriptions keep the printed lines, not the paragraphs the
item finder reads, and the pages hold one item between them.

Usage: python bench/bench_real_scans.py [--truth DIR] [--corpus DIR] [--pages DA-004_p1,DN-010_p3] [--dpi 300] [--show]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2
from PIL import Image

from pipeline.document import assemble
from pipeline.extract.references import find_references
from pipeline.extract.money import find_money
from pipeline.extract.numbers import parse_number
from pipeline.extract.units import parse_unit
from pipeline.ingest import ReadOptions, load_document
from pipeline.normalize import normalize_text
from pipeline.scan_check import cer

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRUTH = ROOT / "tests" / "data" / "scan_truth"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
A4_LONG_SIDE_INCHES = 11.69  # the pipeline's guess for a photo without a resolution

_ASCII = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "−": "-", "…": "..."})
_CELL_SEPARATOR = re.compile(r"\s*\|\s*")
_PUNCTUATION = "\"'.,;:!?()[]{}<>-–—/\\|*_…“”‘’"
_TRUTH_NAME = re.compile(r"^(?P<doc>[A-Z]{2}-\d{3})_p(?P<page>\d+)\.txt$")
# a column-index row ("A | B | 1 | 2", "-2 | -3 | (9)=(8-7)") holds no amounts
_INDEX_CELL = re.compile(r"^\(?-?[A-Za-z\d]{1,2}\)?(?:=.*)?$")
_NUMBER_TOKEN = re.compile(r"\d[\d.,]*\d|\d")
_MONEY_NOTE = re.compile(r"^#\s*money:\s*columns?\s+(?P<columns>[\d,\s]+?)\s+of the table rows,\s*unit\s+(?P<unit>[^()]+?)\s*(?:\(|$)")


@dataclass
class Truth:
    """One transcribed page: its text lines, its notes and where it comes from."""

    name: str
    doc_id: str
    page: int
    lines: list[str]
    notes: list[str]

    @property
    def is_table(self) -> bool:
        return any(note.startswith("# table page") for note in self.notes)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def money_columns(self) -> tuple[list[int], float] | None:
        """The 1-based money columns of the table rows and their unit's multiplier, from the note."""
        for note in self.notes:
            match = _MONEY_NOTE.match(note)
            if match:
                unit = parse_unit(match.group("unit"))
                if unit is None or unit.kind != "money":
                    raise ValueError(f"{self.name}: the money note's unit is not money: {note}")
                return [int(c) for c in re.findall(r"\d+", match.group("columns"))], unit.multiplier
        return None


@dataclass
class Score:
    """Edits and counts of one reading of one or more pages (sums pool)."""

    chars: int = 0
    char_edits: float = 0.0
    words: int = 0
    word_edits: float = 0.0
    hyp_words: int = 0
    common_words: int = 0
    seconds: float = 0.0

    def add(self, other: Score) -> None:
        for name in ("chars", "char_edits", "words", "word_edits", "hyp_words", "common_words", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def cer(self) -> float:
        return self.char_edits / max(self.chars, 1)

    @property
    def wer(self) -> float:
        return self.word_edits / max(self.words, 1)

    @property
    def f1(self) -> float:
        total = self.words + self.hyp_words
        return 2 * self.common_words / total if total else 1.0


@dataclass
class Amounts:
    """Money amounts of a table page's transcription found in one reading."""

    expected: int = 0
    found: int = 0  # amounts the finder reports in the reading
    matched: int = 0  # expected amounts among them (as a multiset)
    digits: int = 0  # expected amounts whose digits are in the reading, unit or not (separators ignored)

    def add(self, other: Amounts) -> None:
        self.expected += other.expected
        self.found += other.found
        self.matched += other.matched
        self.digits += other.digits

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def f1(self) -> float:
        total = self.expected + self.found
        return 2 * self.matched / total if total else 1.0


@dataclass
class PageResult:
    """Both readings of one page and their scores."""

    truth: Truth
    readings: dict[str, str] = field(default_factory=dict)
    scores: dict[str, Score] = field(default_factory=dict)
    amounts: dict[str, Amounts] = field(default_factory=dict)
    codes: dict[str, Counter[str]] = field(default_factory=dict)


def read_truth(path: Path) -> Truth:
    """A transcription file: ``# `` lines are notes, the other non-empty lines the page's text."""
    match = _TRUTH_NAME.match(path.name)
    if not match:
        raise ValueError(f"{path.name}: not named <DOC-ID>_p<N>.txt")
    lines, notes = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            notes.append(line)
        elif line.strip():
            lines.append(line)
    return Truth(path.stem, match.group("doc"), int(match.group("page")), lines, notes)


def truth_pages(folder: Path, names: list[str] | None = None) -> list[Truth]:
    """The transcribed pages of ``folder`` (or those of ``names``), text pages first, by name."""
    pages = [read_truth(p) for p in sorted(folder.glob("*_p*.txt"))]
    if names:
        pages = [p for p in pages if p.name in names]
    return sorted(pages, key=lambda p: (p.is_table, p.name))


def source_file(corpus: Path, doc_id: str) -> Path:
    """The corpus file whose name starts with ``doc_id``."""
    found = sorted(corpus.glob(f"{doc_id}__*"))
    if len(found) != 1:
        raise FileNotFoundError(f"{doc_id}: {len(found)} files in {corpus}")
    return found[0]


def comparable(text: str, cells: bool = False) -> str:
    """Text as it is compared: normalised, ASCII punctuation, one space; ``cells`` drops `` | ``."""
    text = normalize_text(text).translate(_ASCII)
    if cells:
        text = "\n".join(_CELL_SEPARATOR.sub(" ", line) for line in text.split("\n"))
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The words of comparable text: tokens with end punctuation stripped, punctuation-only dropped."""
    return [w for w in (token.strip(_PUNCTUATION) for token in text.split()) if w]


def word_error(reference: list[str], hypothesis: list[str]) -> float:
    """Word-level Levenshtein distance (each distinct word coded as one character for ``cer``)."""
    codes: dict[str, str] = {}
    for word in reference + hypothesis:
        codes.setdefault(word, chr(0xF0000 + len(codes)))
    ref = "".join(codes[w] for w in reference)
    hyp = "".join(codes[w] for w in hypothesis)
    return cer(ref, hyp) * max(len(ref), 1)


def score(reference: str, hypothesis: str, seconds: float) -> Score:
    """Scores of one reading against the comparable transcription."""
    ref_words, hyp_words = words(reference), words(hypothesis)
    common = sum((Counter(ref_words) & Counter(hyp_words)).values())
    return Score(
        chars=len(reference), char_edits=cer(reference, hypothesis) * max(len(reference), 1),
        words=len(ref_words), word_edits=word_error(ref_words, hyp_words),
        hyp_words=len(hyp_words), common_words=common, seconds=seconds,
    )


def expected_amounts(truth: Truth) -> list[tuple[str, int]]:
    """The money cells of the transcription's table rows: (cell text, value in đồng)."""
    columns = truth.money_columns()
    if columns is None:
        return []
    indices, multiplier = columns
    values: list[tuple[str, int]] = []
    for line in truth.lines:
        if " | " not in line:
            continue
        cells = [c.strip() for c in line.split("|")]
        if all(_INDEX_CELL.match(c) for c in cells if c):
            continue
        for index in indices:
            if index <= len(cells):
                cell = cells[index - 1]
                number = parse_number(cell.lstrip("-"))
                if number is not None:  # a printed 0 is an amount (gold_tables counts it); "-" and empty are not
                    values.append((cell, round(-number * multiplier if cell.startswith("-") else number * multiplier)))
    return values


def found_amounts(text: str) -> list[int]:
    """Values (in đồng) of the money the pipeline's finder reads in normalised ``text``."""
    return [round(m.value) for m in find_money(text) if m.currency == "VND"]


def _digits(number: str) -> str:
    return re.sub(r"[^\d]", "", number)


def amounts(expected: list[tuple[str, int]], found: list[int], text: str) -> Amounts:
    """How many ``expected`` amounts are among ``found`` (multisets), and how many have their digits in ``text``."""
    matched = sum((Counter(value for _, value in expected) & Counter(found)).values())
    read = Counter(_digits(token) for token in _NUMBER_TOKEN.findall(text))
    digits = sum((Counter(_digits(cell) for cell, _ in expected) & read).values())
    return Amounts(len(expected), len(found), matched, digits)


def truth_as_rows(truth: Truth) -> str:
    """The transcription normalised as ``assemble`` does: a table row's cells each, joined by tabs."""
    return "\n".join(
        "\t".join(normalize_text(cell) for cell in line.split("|")) if " | " in line else normalize_text(line)
        for line in truth.lines
    )


def pipeline_reading(source: Path, page: int, folder: Path) -> tuple[str, float]:
    """The pipeline's text of one page (read alone) and the seconds it took."""
    if source.suffix.lower() in IMAGE_SUFFIXES:
        target = source
    else:
        target = folder / f"{source.stem[:6]}_p{page}.pdf"
        document = pypdfium2.PdfDocument(str(source))
        single = pypdfium2.PdfDocument.new()
        try:
            single.import_pages(document, [page - 1])
            single.save(str(target))
        finally:
            single.close()
            document.close()
    started = time.perf_counter()
    text = assemble(load_document(target, options=ReadOptions(ocr=True, ocr_workers=1))).text
    return text, time.perf_counter() - started


def page_render(source: Path, page: int, dpi: int, folder: Path) -> Path:
    """A PNG of the page at ``dpi`` for bare Tesseract (a photo without resolution: enlarged as by the pipeline)."""
    target = folder / f"{source.stem[:6]}_p{page}_{dpi}.png"
    if source.suffix.lower() in IMAGE_SUFFIXES:
        with Image.open(source) as opened:
            image = opened.convert("RGB")
            dpi_info = opened.info.get("dpi")
        native = float(dpi_info[0]) if dpi_info and float(dpi_info[0]) > 50 and float(dpi_info[0]) != 72.0 else max(image.size) / A4_LONG_SIDE_INCHES
        factor = dpi / native
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BICUBIC)
    else:
        document = pypdfium2.PdfDocument(str(source))
        try:
            image = document[page - 1].render(scale=dpi / 72).to_pil()
        finally:
            document.close()
    image.save(target, dpi=(dpi, dpi))
    return target


def tesseract_reading(image: Path) -> tuple[str, float]:
    """Bare ``tesseract <png> - -l vie`` (one thread): its text and seconds."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    started = time.perf_counter()
    done = subprocess.run(["tesseract", str(image), "-", "-l", "vie"], capture_output=True, env=env, check=True)
    return done.stdout.decode("utf-8", "replace"), time.perf_counter() - started


def run_page(truth: Truth, corpus: Path, dpi: int, folder: Path) -> PageResult:
    """Read one page both ways and score both readings."""
    source = source_file(corpus, truth.doc_id)
    result = PageResult(truth)
    reference = comparable(truth.text, cells=True)
    pipeline_text, pipeline_seconds = pipeline_reading(source, truth.page, folder)
    tesseract_text, tesseract_seconds = tesseract_reading(page_render(source, truth.page, dpi, folder))
    for reader, text, seconds in (("pipeline", pipeline_text, pipeline_seconds), ("tesseract", tesseract_text, tesseract_seconds)):
        result.readings[reader] = text
        result.scores[reader] = score(reference, comparable(text), seconds)
    for reader, text in (("transcription", truth.text), *result.readings.items()):
        result.codes[reader] = Counter(ref.code for ref in find_references(normalize_text(text)) if ref.code)
    if truth.is_table and truth.money_columns():
        expected = expected_amounts(truth)
        rows = truth_as_rows(truth)
        result.amounts["transcription"] = amounts(expected, found_amounts(rows), rows)
        for reader in ("pipeline", "tesseract"):
            # the pipeline's text is normalised already (normalising again would strip a row's leading empty cells)
            text = result.readings[reader] if reader == "pipeline" else normalize_text(result.readings[reader])
            result.amounts[reader] = amounts(expected, found_amounts(text), text)
    return result


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def _print_pool(title: str, results: list[PageResult]) -> None:
    print(f"\n{title}")
    print(f"{'page':<12} {'chars':>5} {'words':>5} | {'CER pipe':>8} {'tess':>6} | {'WER pipe':>8} {'tess':>6} | {'F1 pipe':>7} {'tess':>6} | {'s pipe':>6} {'tess':>5}")
    pooled = {"pipeline": Score(), "tesseract": Score()}
    for result in results:
        p, t = result.scores["pipeline"], result.scores["tesseract"]
        print(f"{result.truth.name:<12} {p.chars:5d} {p.words:5d} | {p.cer:8.2%} {t.cer:6.2%} | {p.wer:8.2%} {t.wer:6.2%} | "
              f"{p.f1:7.3f} {t.f1:6.3f} | {p.seconds:6.1f} {t.seconds:5.1f}")
        for reader, total in pooled.items():
            total.add(result.scores[reader])
    p, t = pooled["pipeline"], pooled["tesseract"]
    print(f"{'pooled':<12} {p.chars:5d} {p.words:5d} | {p.cer:8.2%} {t.cer:6.2%} | {p.wer:8.2%} {t.wer:6.2%} | "
          f"{p.f1:7.3f} {t.f1:6.3f} | {p.seconds:6.1f} {t.seconds:5.1f}")
    print(f"{'ratio p/t':<24} | {_ratio(p.cer, t.cer):>15} | {_ratio(p.wer, t.wer):>15} | {_ratio(p.f1, t.f1):>14} | {_ratio(p.seconds, t.seconds):>12}")


def _print_amounts(results: list[PageResult]) -> None:
    tables = [r for r in results if r.amounts]
    if not tables:
        return
    print("\nmoney amounts of the table pages: found by find_money / expected, of all it found, F1 (its other amounts\n"
          "count as false positives); digits: expected amounts whose digits are in the reading at all (unit or not)")
    readers = ("transcription", "pipeline", "tesseract")
    print(f"{'page':<12} " + " ".join(f"{reader:>35}" for reader in readers))
    pooled = {reader: Amounts() for reader in readers}
    for result in tables:
        cells = []
        for reader in readers:
            a = result.amounts[reader]
            pooled[reader].add(a)
            cells.append(f"{a.matched:3d}/{a.expected:<3d} of {a.found:3d} F1 {a.f1:4.2f} digits {a.digits:3d}")
        print(f"{result.truth.name:<12} " + " ".join(f"{c:>35}" for c in cells))
    cells = [f"{a.matched:3d}/{a.expected:<3d} of {a.found:3d} F1 {a.f1:4.2f} digits {a.digits:3d}" for a in pooled.values()]
    print(f"{'pooled':<12} " + " ".join(f"{c:>35}" for c in cells))


def _print_citations(results: list[PageResult]) -> None:
    print("\ncitation codes of each reading against those of the transcription")
    print(f"{'reader':<10} {'right':>5} {'found':>5} {'of':>4} {'F1':>5}")
    for reader in ("pipeline", "tesseract"):
        right = found = expected = 0
        for result in results:
            truth_codes, codes = result.codes["transcription"], result.codes[reader]
            right += sum((truth_codes & codes).values())
            found += sum(codes.values())
            expected += sum(truth_codes.values())
        f1 = 2 * right / (found + expected) if found + expected else 1.0
        print(f"{reader:<10} {right:>5} {found:>5} {expected:>4} {f1:5.2f}")
    for result in results:
        truth_codes, codes = result.codes["transcription"], result.codes["pipeline"]
        for label, values in (("missed", truth_codes - codes), ("not printed", codes - truth_codes)):
            if values:
                print(f"  {result.truth.name} pipeline, {label}: " + ", ".join(sorted(values.elements())))


def main() -> None:
    """Print per-page and pooled CER, WER, word F1 and seconds, pipeline vs bare Tesseract."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", default="", help="comma-separated page names (DA-004_p1,…); default all")
    parser.add_argument("--dpi", type=int, default=300, help="render resolution for bare Tesseract")
    parser.add_argument("--show", action="store_true", help="print both readings of every page")
    args = parser.parse_args()
    pages = truth_pages(args.truth, [n for n in args.pages.split(",") if n] or None)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for truth in pages:
            result = run_page(truth, args.corpus, args.dpi, Path(folder))
            results.append(result)
            if args.show:
                for reader, text in result.readings.items():
                    print(f"--- {truth.name} {reader}\n{text}")
    print(f"{len(results)} pages of {args.truth}; pipeline: load_document (OCR on, 1 worker) on the page alone; "
          f"tesseract: `tesseract <png> - -l vie` on a {args.dpi}-dpi render, OMP_THREAD_LIMIT=1")
    for title, is_table in (("text pages", False), ("table pages", True)):
        pool = [r for r in results if r.truth.is_table == is_table]
        if pool:
            _print_pool(title, pool)
    _print_amounts(results)
    _print_citations(results)
    if len({r.truth.is_table for r in results}) > 1:
        _print_pool("all pages", results)


if __name__ == "__main__":
    main()
