"""Synthetic scans of real documents, and whether they give the same facts as the original.

A Word file is printed to PDF by LibreOffice (``soffice --headless``), each page is rendered to a
grayscale image, degraded like an office scan (tilt, noise, blur, JPEG) and the pages are put
back into an image-only PDF. The pipeline then reads the original and the scan, and the two sets
of facts (cited codes, money values, percentages) are compared.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter

from pipeline.document import assemble
from pipeline.ingest.model import SourceDocument
from pipeline.ingest.ocr import OcrPage
from pipeline.ingest.layout import cell_text
from pipeline.extract.money import find_money
from pipeline.extract.percent import find_percentages
from pipeline.extract.references import find_references
from pipeline.ingest import load_document
from pipeline.normalize import fold_accents

FACT_KINDS = ("code", "money", "percent")
# A printed line counts as read when this share of its character 5-grams (accents and spaces
# dropped) is in the OCR text of its page: a misread letter spoils five of them, a dropped line all.
_LINE_FOUND = 0.5
_GRAM = 5
# Shorter lines (table cells, figures) are not judged.
_MIN_LINE_CHARS = 15
_NOT_TEXT = re.compile(r"\W+")
# A character is printed when this share of its box's pixels, rendered at 144 dpi, is dark.
_INK_SCALE = 2.0
_INK_LEVEL = 160
_MIN_INK_SHARE = 0.03


@dataclass(frozen=True)
class Degradation:
    """How a clean page image is spoiled: tilt drawn from ±max_angle, Gaussian noise, blur, JPEG."""

    max_angle: float = 3.0
    noise: float = 8.0
    blur: float = 0.4
    jpeg_quality: int = 85


def docx_to_pdf(source: Path, folder: Path) -> Path:
    """Print a Word file to PDF with LibreOffice; return the PDF's path in ``folder``."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: it is needed to print DOCX files to PDF")
    with tempfile.TemporaryDirectory() as profile:
        # A private profile: two conversions at once would otherwise fight over the user's one.
        command = [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)]
        done = subprocess.run(command, capture_output=True, timeout=300, check=False)
    target = folder / (source.stem + ".pdf")
    if done.returncode != 0 or not target.is_file():
        raise RuntimeError(f"{source}: LibreOffice could not print it to PDF ({done.stderr.decode('utf-8', 'replace').strip()[-200:]})")
    return target


def degrade(
    image: Image.Image, rng: np.random.Generator, degradation: Degradation = Degradation(), tilt: float | None = None,
) -> tuple[Image.Image, float]:
    """A grayscale page image as a scan: (the degraded image, the tilt in degrees; ``tilt`` fixes it)."""
    angle = float(rng.uniform(-degradation.max_angle, degradation.max_angle)) if tilt is None else tilt
    tilted = image.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    noisy = np.asarray(tilted, dtype=np.float32) + rng.normal(0, degradation.noise, tilted.size[::-1])
    spoiled = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(degradation.blur))
    buffer = io.BytesIO()
    spoiled.save(buffer, "JPEG", quality=degradation.jpeg_quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L"), angle


def scan_pdf(source: Path, target: Path, dpi: int = 300, seed: int = 0, degradation: Degradation = Degradation()) -> list[float]:
    """Write ``target``: every page of the PDF ``source`` as a degraded scan, without a text layer.

    Returns the tilt of each page.
    """
    rng = np.random.default_rng(seed)
    document = pypdfium2.PdfDocument(str(source))
    pages: list[Image.Image] = []
    angles: list[float] = []
    try:
        for index in range(len(document)):
            clean = document[index].render(scale=dpi / 72, grayscale=True).to_pil()
            page, angle = degrade(clean, rng, degradation)
            pages.append(page)
            angles.append(angle)
    finally:
        document.close()
    pages[0].save(target, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return angles


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: Levenshtein distance / reference length (numpy, row by row)."""
    codes = {c: i for i, c in enumerate(set(reference) | set(hypothesis))}
    ref = np.array([codes[c] for c in reference])
    hyp = np.array([codes[c] for c in hypothesis])
    index = np.arange(len(hyp) + 1)
    previous = index.copy()
    for i, char in enumerate(ref, start=1):
        row = np.empty_like(previous)
        row[0] = i
        row[1:] = np.minimum(previous[1:] + 1, previous[:-1] + (hyp != char))
        previous = np.minimum.accumulate(row - index) + index
    return float(previous[-1]) / max(len(reference), 1)


def page_reference(pdf: Path, index: int) -> str:
    """The text layer of one page of a text PDF as one line of text, without its page number line."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        lines = document[index].get_textpage().get_text_range().replace("\ufffe", "-").splitlines()
    finally:
        document.close()
    return " ".join(" ".join(line for line in lines if not re.fullmatch(r"\s*\d+\s*", line)).split())


def ocr_text(page: OcrPage) -> str:
    """An OCRed page's lines joined as the PDF reader joins them (a code broken after its dash is re-joined)."""
    return " ".join(cell_text(page.text).split())


def facts(text: str) -> set[tuple[str, str]]:
    """The comparable facts of a document's text: (kind, value) for cited codes, money and percentages."""
    codes = {("code", r.code) for r in find_references(text) if r.code}
    money = {("money", f"{round(m.value)}") for m in find_money(text)}
    percent = {("percent", f"{p.value:g}") for p in find_percentages(text)}
    return codes | money | percent


def document_facts(path: Path) -> set[tuple[str, str]]:
    """The facts the pipeline's reader and finders get from one file."""
    return facts(assemble(load_document(path)).text)


@dataclass
class PageLoss:
    """How much of a printed page's text is missing from what the pipeline read from its scan."""

    page: int
    chars: int
    lost_chars: int
    flagged: bool

    @property
    def lost_share(self) -> float:
        """Share of the page's characters in printed lines that OCR did not return."""
        return self.lost_chars / self.chars if self.chars else 0.0


def _grams(text: str) -> set[str]:
    letters = _NOT_TEXT.sub("", fold_accents(text))
    return {letters[i : i + _GRAM] for i in range(len(letters) - _GRAM + 1)}


def printed_lines(page: pypdfium2.PdfPage) -> list[str]:
    """The text lines of a PDF page, keeping only the characters that are visible when it is printed.

    Text that leaves no ink where it stands (white on white, under a filled shape, clipped) is
    in the text layer but not on paper, so a scan cannot be blamed for missing it.
    """
    page.set_rotation(0)  # the character boxes are in unrotated page space
    height = page.get_height()
    image = np.asarray(page.render(scale=_INK_SCALE, grayscale=True).to_pil().convert("L"))
    textpage = page.get_textpage()
    kept = []
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if char.strip():
            left, bottom, right, top = textpage.get_charbox(index)
            box = image[int((height - top) * _INK_SCALE) : int((height - bottom) * _INK_SCALE) + 1,
                        int(left * _INK_SCALE) : int(right * _INK_SCALE) + 1]
            if not box.size or (box < _INK_LEVEL).mean() < _MIN_INK_SHARE:
                continue
        kept.append(char)
    return "".join(kept).splitlines()


def page_losses(printed: Path, scanned: SourceDocument) -> list[PageLoss]:
    """Per page: characters of the printed PDF's visible text lines that the scan's text lacks.

    A line is lost when fewer than half of its character 5-grams (compared without accents and
    spaces, so misread marks and run-together words are recognition errors, not lost text) occur
    in the text read from that page or its neighbours (a paragraph is filed under the page where
    it starts). Lines of fewer than 15 letters and digits (table cells, figures) are not judged.
    """
    by_page: dict[int, set[str]] = {}
    for block in scanned.blocks:
        by_page.setdefault(block.page or 0, set()).update(_grams(block.text))
    flagged = {p.page for p in scanned.pages if p.lost_text}
    document = pypdfium2.PdfDocument(str(printed))
    losses = []
    try:
        for index in range(len(document)):
            number = index + 1
            read = by_page.get(number - 1, set()) | by_page.get(number, set()) | by_page.get(number + 1, set())
            chars = lost = 0
            for line in printed_lines(document[index]):
                grams = _grams(line)
                if len(grams) < _MIN_LINE_CHARS - _GRAM + 1:
                    continue
                chars += len(line.strip())
                if len(grams & read) < _LINE_FOUND * len(grams):
                    lost += len(line.strip())
            losses.append(PageLoss(number, chars, lost, number in flagged))
    finally:
        document.close()
    return losses


@dataclass
class Agreement:
    """How far the facts of a scan agree with those of the original, per kind and overall."""

    expected: set[tuple[str, str]]
    found: set[tuple[str, str]]
    name: str = ""
    angles: list[float] = field(default_factory=list)
    losses: list[PageLoss] = field(default_factory=list)

    def silent_losses(self, limit: float = 0.02) -> list[PageLoss]:
        """Pages that lost more than ``limit`` of their text without being flagged ``OCR_LOST_TEXT``."""
        return [p for p in self.losses if p.lost_share > limit and not p.flagged]

    def f1(self, kind: str | None = None) -> float | None:
        """F1 of the scan's facts against the original's (None when neither has any of that kind)."""
        expected = {f for f in self.expected if kind in (None, f[0])}
        found = {f for f in self.found if kind in (None, f[0])}
        if not expected and not found:
            return None
        return 2 * len(expected & found) / (len(expected) + len(found))

    @property
    def missing(self) -> list[tuple[str, str]]:
        """Facts of the original that the scan did not give."""
        return sorted(self.expected - self.found)

    @property
    def extra(self) -> list[tuple[str, str]]:
        """Facts of the scan that the original does not have."""
        return sorted(self.found - self.expected)


def pooled_f1(agreements: Iterable[Agreement], kind: str | None = None) -> float | None:
    """F1 over all documents together (each document's facts counted once)."""
    hits = expected = found = 0
    for agreement in agreements:
        e = {f for f in agreement.expected if kind in (None, f[0])}
        s = {f for f in agreement.found if kind in (None, f[0])}
        hits, expected, found = hits + len(e & s), expected + len(e), found + len(s)
    return 2 * hits / (expected + found) if expected + found else None


def check_scan(original: Path, folder: Path, dpi: int = 300, seed: int = 0, degradation: Degradation = Degradation()) -> Agreement:
    """Scan ``original`` (DOCX via LibreOffice, or a PDF) into ``folder`` and compare the facts of both."""
    printed = docx_to_pdf(original, folder) if original.suffix.lower() == ".docx" else original
    scan = folder / f"{original.stem}.scan{dpi}.pdf"
    angles = scan_pdf(printed, scan, dpi, seed, degradation)
    scanned = load_document(scan)
    return Agreement(document_facts(original), facts(assemble(scanned).text), original.name, angles, page_losses(printed, scanned))
