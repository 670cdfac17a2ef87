"""OCR of page images with Tesseract 5 (``-l vie``), made safe against silent text loss.

Every page is deskewed before recognition (Tesseract's default page mode drops whole paragraphs
from about 2° of tilt while its word confidence stays near 95), turned upright when it lies on
its side or upside down, and checked afterwards: the share of the page's ink that lies inside
recognised words (``coverage``) tells whether text was lost. Tesseract runs as a subprocess with
``OMP_THREAD_LIMIT=1`` (its OpenMP threads make it about 4× slower on a busy machine); pages can be
spread over threads (``BAOCAO_OCR_WORKERS``) because the work happens in the subprocesses.
Code words Tesseract tends to misread in running text (a doubled capital, a digit-like letter
beside a digit) are read again on their own before the text is corrected.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from pipeline.errors import IngestError
from pipeline.ingest.ocr_correct import CONFIDENT_MARK, code_part_fixes, correct_text, eth_as_d, preferred_reading
from pipeline.ingest.ocr_tables import TableGrid, accepted_figure, doubtful_figures, find_tables, header_cells
from pipeline.ingest.syllables import syllable_share
from pipeline.ingest.options import ReadOptions

LANGUAGE = "vie"
TARGET_DPI = 300
# Below this resolution Tesseract's error rate climbs steeply; such pages are upscaled to TARGET_DPI.
MIN_DPI = 200
MAX_DPI = 400
# The most pixels a page image is worked on at (render, resampling, deskew, masks, Tesseract):
# bench/bench_hostile.py measures what a page at this size costs. 40 Mpx holds an A2 sheet at
# 300 dpi (an A4 page at 300 dpi is 8.7 Mpx); a larger page is rendered at a lower resolution.
MAX_PAGE_PIXELS = 40_000_000
# A page that fits MAX_PAGE_PIXELS only below this resolution (over ~120 × 120 inches) is not read:
# Tesseract finds no text in body type at such a resolution, and such pages are not reports.
MIN_RENDER_DPI = 50.0
# Image files: no frame is decoded above this many pixels (an A3 sheet at 600 dpi is 70 Mpx).
MAX_IMAGE_PIXELS = 100_000_000
MIN_SKEW_TO_ROTATE = 0.5
# A page where more of its text ink than this lies in text-like regions outside every recognised
# word lost text (the bound: no page may lose more than 2% of its text unflagged).
MIN_COVERAGE = 0.98
# Uncovered ink counts as lost text from this many text-like cells (1/6 inch each) in a row: a stamp
# with a signature across it spans about 12.
_MIN_LOST_RUN_CELLS = 14
# Words below this confidence are mostly garbage (rules, seals, small table text misread); a page
# with more than MAX_UNREADABLE of its characters in such words is flagged like one that lost text.
# Measured: clean synthetic pages <= 1%, dense table pages with misread headers 4.5-11%; first
# two pages of seven real scans of the corpus: twelve at 0.1-3.4%, two at 6.4% and 6.7%
# (faint print and handwriting read as garbage).
_DOUBTFUL_CONFIDENCE = 30.0
MAX_UNREADABLE = 0.04
_MIN_CHARS_TO_JUDGE = 300
_MAX_SKEW = 8.0
_TESSERACT_TIMEOUT = 120
_WORK_WIDTH = 1000


@dataclass
class OcrWord:
    """One recognised word in pixel coordinates of the (deskewed) page image."""

    text: str
    conf: float
    left: int
    top: int
    right: int
    bottom: int
    line: tuple[int, int, int]
    line_top: int = 0
    line_bottom: int = 0


@dataclass
class OcrPage:
    """What OCR produced for one page image."""

    words: list[OcrWord]
    dpi: float
    width: int
    height: int
    skew: float
    rotation: int
    confidence: float | None
    coverage: float | None
    lines_found: int = 0
    lines_recognised: int = 0
    warnings: list[str] = field(default_factory=list)
    tables: list[TableGrid] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The recognised words, one printed line per line (for measuring and debugging)."""
        lines: dict[tuple[int, int, int], list[str]] = {}
        for word in self.words:
            lines.setdefault(word.line, []).append(word.text)
        return "\n".join(" ".join(ws) for ws in lines.values())

    @property
    def recognised_chars(self) -> int:
        """Characters of all recognised words."""
        return sum(len(w.text) for w in self.words)

    @property
    def unreadable(self) -> float:
        """Share of the recognised characters in words Tesseract itself doubts (confidence < 30)."""
        total = self.recognised_chars
        doubtful = sum(len(w.text) for w in self.words if 0 <= w.conf < _DOUBTFUL_CONFIDENCE)
        return round(doubtful / total, 4) if total else 0.0

    @property
    def lost_text(self) -> bool:
        """Whether the coverage check says this page lost text, or too much of it was read as garbage."""
        if self.coverage is not None and self.coverage < MIN_COVERAGE:
            return True
        # a page of a few words (a seal, a signature) is not judged by its share of doubtful ones
        return self.unreadable > MAX_UNREADABLE and self.recognised_chars >= _MIN_CHARS_TO_JUDGE

    def pdf_words(self, words: Sequence[OcrWord] | None = None) -> list[dict[str, Any]]:
        """The words (default: all) as pdfplumber-style dicts in points, so the text-layer line logic applies.

        All words of one Tesseract line share that line's top and bottom, so they group together
        and lines of the two header columns at the same height meet in one printed line.
        """
        scale = 72.0 / self.dpi
        result = []
        for word in self.words if words is None else words:
            height = (word.line_bottom - word.line_top) * scale
            result.append({
                "text": word.text,
                "x0": word.left * scale,
                "x1": word.right * scale,
                "top": word.line_top * scale,
                "bottom": word.line_bottom * scale,
                "size": max(height * 0.75, 4.0),
                "fontname": "ocr",
            })
        return result


@lru_cache(maxsize=1)
def tesseract_languages() -> frozenset[str]:
    """Languages the installed Tesseract knows (empty when Tesseract is missing)."""
    binary = shutil.which("tesseract")
    if binary is None:
        return frozenset()
    try:
        done = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in done.stdout.splitlines()[1:] if line.strip())


def ocr_available(options: ReadOptions | None = None) -> bool:
    """Whether Tesseract with the Vietnamese model is installed and ``options`` ask for OCR
    (without options: the environment's, ``ReadOptions.from_environment``)."""
    if not (options if options is not None else ReadOptions.from_environment()).ocr:
        return False
    return LANGUAGE in tesseract_languages()


@lru_cache(maxsize=1)
def _dying_with_parent() -> tuple[str, ...]:
    """The prefix that runs a command with SIGKILL as its parent-death signal (util-linux's
    ``setpriv --pdeathsig``), or nothing where that is not available.

    A worker killed with the batch (its own parent-death signal) would otherwise leave its
    Tesseract running to the end of its page. Python's ``preexec_fn`` could set the signal
    itself, but it runs Python code between fork and exec, which is unsafe in a threaded process.
    The signal follows the thread that starts the command, which waits for it to end.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ()
    prefix = (setpriv, "--pdeathsig", "KILL", "--")
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return prefix if done.returncode == 0 else ()


def _tesseract_command(*arguments: str) -> list[str]:
    """The command line running ``tesseract`` with ``arguments``, so that it dies with its parent."""
    return [*_dying_with_parent(), "tesseract", *arguments]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


_IMAGE_FOLDER = "/dev/shm" if os.path.isdir("/dev/shm") else None


class _Recognition:
    """A running ``tesseract -l vie`` on a page image, read from a temporary PGM file.

    A file rather than stdin: Tesseract 5 reads stdin byte by byte, ~0.13 s per 300-dpi page.
    Started before the checks that do not need the words, so they run while Tesseract works.
    """

    def __init__(
        self, image: Image.Image, dpi: float, psm: int = 3, path: str | None = None, characters: str | None = None
    ) -> None:
        self.path = path
        self.file = tempfile.NamedTemporaryFile(suffix=".pgm", dir=_IMAGE_FOLDER)
        image.save(self.file, format="PPM")  # an "L" image is written as binary PGM
        self.file.flush()
        only = ("-c", f"tessedit_char_whitelist={characters}") if characters else ()
        command = _tesseract_command(
            self.file.name, "stdout", "-l", LANGUAGE, "--psm", str(psm), "--dpi", str(int(round(dpi))), *only, "tsv"
        )
        try:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
        except OSError as e:
            self.file.close()
            raise IngestError("OCR_UNAVAILABLE", f"cannot run tesseract ({e})", path) from e

    def cancel(self) -> None:
        """Stop Tesseract and drop the image file (when the page fails before its words are needed)."""
        self.process.kill()
        self.process.communicate()
        self.file.close()

    def words(self) -> list[OcrWord]:
        """Wait for Tesseract and return the words it read."""
        try:
            stdout, stderr = self.process.communicate(timeout=_TESSERACT_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.process.kill()
            self.process.communicate()
            raise IngestError("OCR_FAILED", f"tesseract did not finish within {_TESSERACT_TIMEOUT} s", self.path) from e
        except BaseException:
            # the document's time limit (or a stop) while Tesseract reads: it must not read on
            self.process.kill()
            raise
        finally:
            self.file.close()
        if self.process.returncode != 0:
            message = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise IngestError("OCR_FAILED", f"tesseract exited with {self.process.returncode}: {message[0]}", self.path)
        return parse_tsv(stdout.decode("utf-8", "replace"))


def run_tesseract(image: Image.Image, dpi: float, psm: int = 3, path: str | None = None) -> list[OcrWord]:
    """Recognise a grayscale page image; return its words (TSV output of ``tesseract -l vie``)."""
    return _Recognition(image, dpi, psm, path).words()


def parse_tsv(tsv: str) -> list[OcrWord]:
    """Words of a Tesseract TSV, each with the band of the line it belongs to.

    A line's band is the median top and median bottom of its words, not Tesseract's line box: one
    tall misread blot (a seal or signature beside the text) stretches that box over the next
    printed line, and the lines would then be merged word by word.
    """
    words: list[OcrWord] = []
    for row in tsv.splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        left, top, width, height = (int(v) for v in parts[6:10])
        text = unicodedata.normalize("NFC", parts[11].strip())
        if text:
            key = (int(parts[2]), int(parts[3]), int(parts[4]))
            words.append(OcrWord(text, float(parts[10]), left, top, left + width, top + height, key))
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    for line_words in lines.values():
        top, bottom = int(np.median([w.top for w in line_words])), int(np.median([w.bottom for w in line_words]))
        for word in line_words:
            word.line_top, word.line_bottom = top, bottom
    return words


# -- image geometry -----------------------------------------------------------------------------


def _otsu(gray: np.ndarray | Image.Image) -> int:
    if isinstance(gray, Image.Image):
        histogram = np.asarray(gray.histogram()[:256], dtype=np.float64)  # counted in C, no int64 copy
    else:
        histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * np.arange(256))
    background = weights / total
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (means[-1] * background - means) ** 2 / (weights * (total - weights))
    between = np.nan_to_num(between)
    return int(np.argmax(between))


def _working(image: Image.Image, width: int = _WORK_WIDTH) -> tuple[np.ndarray, float]:
    """A downscaled ink mask (True = ink) and its scale relative to ``image``.

    Box averaging before the threshold removes isolated noise pixels.
    """
    factor = max(1, round(image.width / width))
    small = image.reduce(factor) if factor > 1 else image
    gray = np.asarray(small, dtype=np.uint8)
    threshold = min(_otsu(small), 200)
    return gray < threshold, 1.0 / factor


def _profile_score(ys: np.ndarray, xs: np.ndarray, angle: float, size: int) -> float:
    shift = np.tan(np.radians(angle))
    projected = np.round(ys - xs * shift).astype(np.int64)
    projected -= projected.min()
    histogram = np.bincount(projected, minlength=size).astype(np.float64)
    return float(np.dot(histogram, histogram))


def _ink_points(mask: np.ndarray, limit: int = 150_000) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(mask)
    if len(ys) > limit:
        step = len(ys) // limit + 1
        ys, xs = ys[::step], xs[::step]
    return ys.astype(np.float64), xs.astype(np.float64)


def _shifted_profile_score(ys: np.ndarray, xs: np.ndarray, angle: float, offset: float) -> int:
    # ``offset`` is an even constant keeping bins non-negative; the score does not depend on it
    projected = xs * -np.tan(np.radians(angle))
    projected += ys
    projected += offset
    np.rint(projected, out=projected)
    histogram = np.bincount(projected.astype(np.intp))
    return int(np.dot(histogram, histogram))


def estimate_skew(mask: np.ndarray) -> float:
    """Angle (degrees, positive = lines descend to the right) that maximises the row-profile peaks.

    A coarse search (0.25° steps) on ~20k ink points, then a fine one (0.02°) on ~75k.
    """
    ys, xs = _ink_points(mask)
    if len(ys) < 200:
        return 0.0
    offset = 2.0 * math.ceil(mask.shape[1] * math.tan(math.radians(_MAX_SKEW + 0.5)) / 2 + 1)

    def best(angles: Iterable[float], points: int) -> float:
        step = max(1, len(ys) // points)
        sample_ys, sample_xs = ys[::step], xs[::step]
        return max(angles, key=lambda a: _shifted_profile_score(sample_ys, sample_xs, a, offset))

    coarse = best(np.arange(-_MAX_SKEW, _MAX_SKEW + 1e-9, 0.25), 20_000)
    return float(best(np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, 0.02), 75_000))


def lies_sideways(mask: np.ndarray) -> bool:
    """Whether the text lines run vertically (the page is turned by 90° or 270°)."""
    ys, xs = _ink_points(mask, 60_000)
    if len(ys) < 200:
        return False

    def peakiness(a: np.ndarray, b: np.ndarray, bins: int) -> float:
        best = max(_profile_score(a, b, angle, bins) for angle in np.arange(-3.0, 3.01, 0.5))
        return best * bins / (len(a) ** 2)

    rows = peakiness(ys, xs, mask.shape[0] + mask.shape[1])
    columns = peakiness(xs, ys, mask.shape[0] + mask.shape[1])
    return columns > 1.3 * rows


def _rotate(image: Image.Image, angle: float) -> Image.Image:
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def osd_rotation(image: Image.Image, dpi: float) -> int | None:
    """Tesseract's orientation detection: degrees to rotate the image counter-clockwise, or None."""
    if "osd" not in tesseract_languages():
        return None
    with tempfile.NamedTemporaryFile(suffix=".pgm", dir=_IMAGE_FOLDER) as file:
        image.save(file, format="PPM")
        file.flush()
        command = _tesseract_command(file.name, "stdout", "--psm", "0", "-l", "osd", "--dpi", str(int(round(dpi))))
        try:
            done = subprocess.run(command, capture_output=True, env=_env(), timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
    match = re.search(r"Rotate:\s*(\d+)", done.stdout.decode("utf-8", "replace"))
    # Tesseract's "Rotate" is clockwise; PIL rotates counter-clockwise.
    return (360 - int(match.group(1))) % 360 if match else None


# -- coverage -----------------------------------------------------------------------------------


def _all_in_window(mask: np.ndarray, length: int, combine: Any) -> np.ndarray:
    """``combine`` (and / or) of ``length`` horizontally consecutive pixels, by doubling the span."""
    result, span = mask, 1
    while span * 2 <= length:
        result = combine(result[:, :-span], result[:, span:])
        span *= 2
    if span < length:
        result = combine(result[:, : result.shape[1] - (length - span)], result[:, length - span :])
    return result


def _long_runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Pixels that belong to a horizontal run of at least ``length`` ink pixels (an opening with a 1×length line)."""
    height, width = mask.shape
    if width <= length:
        return np.zeros_like(mask)
    starts = _all_in_window(mask, length, np.logical_and)  # a full run starts at each True column
    padded = np.zeros((height, width + length - 1), dtype=bool)
    padded[:, length - 1 : length - 1 + starts.shape[1]] = starts
    return _all_in_window(padded, length, np.logical_or)[:, :width] & mask


def text_ink(mask: np.ndarray, scale: float, dpi: float) -> np.ndarray:
    """The ink that can be text: without ruled lines, frames and the outer margin."""
    length = max(8, int(dpi * scale * 0.8))  # no word is longer than ~0.8 inch at body size
    rules = _long_runs(mask, length) | _long_runs(mask.T, length).T
    ink = mask & ~rules
    margin_y, margin_x = int(mask.shape[0] * 0.02), int(mask.shape[1] * 0.02)
    ink[:margin_y] = False
    ink[-margin_y or None:] = False
    ink[:, :margin_x] = False
    ink[:, -margin_x or None:] = False
    return ink


def _lost_text_cells(uncovered: np.ndarray, cell: int) -> np.ndarray:
    """Cells (``cell`` px squares) of uncovered ink that look like runs of printed text.

    Text is dense in letter strokes (many ink runs start along each pixel row) and forms long
    horizontal runs of such cells; stamps, signatures and logos are short or sparse.
    """
    height, width = uncovered.shape
    rows, cols = height // cell, width // cell
    if rows == 0 or cols == 0:
        return np.zeros((rows, cols), dtype=bool)
    area = uncovered[: rows * cell, : cols * cell]
    starts = np.zeros_like(area)
    starts[:, 1:] = area[:, 1:] & ~area[:, :-1]
    density = area.reshape(rows, cell, cols, cell).mean(axis=(1, 3))
    strokes = starts.reshape(rows, cell, cols, cell).sum(axis=(1, 3))
    textlike = (density >= 0.04) & (strokes >= cell * 1.2)
    result = np.zeros_like(textlike)
    for r in range(rows):
        c = 0
        while c < cols:
            if not textlike[r, c]:
                c += 1
                continue
            end, gap = c, 0
            probe = c + 1
            while probe < cols and gap <= 1:
                if textlike[r, probe]:
                    end, gap = probe, 0
                else:
                    gap += 1
                probe += 1
            if end - c + 1 >= _MIN_LOST_RUN_CELLS:
                result[r, c : end + 1] = textlike[r, c : end + 1]
            c = end + 1
    return result


def coverage(mask: np.ndarray, scale: float, dpi: float, words: Sequence[OcrWord], ink: np.ndarray | None = None) -> tuple[float | None, int, int]:
    """(share of the page's text ink that OCR did not lose, text lines found, lines recognised).

    ``mask`` is the working-resolution ink mask of the very image given to Tesseract. Ink outside
    every recognised word box counts as lost only where it looks like printed text (long dense
    runs), so stamps, signatures and logos do not lower the figure. ``ink`` is ``text_ink`` of
    the mask when already computed.
    """
    if ink is None:
        ink = text_ink(mask, scale, dpi)
    total = int(ink.sum())
    if total < 50:
        return None, 0, 0
    boxes = np.zeros(mask.shape, dtype=bool)
    pad = max(1, int(dpi * scale * 0.03))
    for word in words:
        x0, y0 = max(0, int(word.left * scale) - pad), max(0, int(word.top * scale) - pad)
        x1, y1 = int(word.right * scale) + pad + 1, int(word.bottom * scale) + pad + 1
        boxes[y0:y1, x0:x1] = True
    uncovered = ink & ~boxes
    cell = max(4, int(round(dpi * scale / 6)))
    lost_cells = _lost_text_cells(uncovered, cell)
    lost = int(uncovered[: lost_cells.shape[0] * cell, : lost_cells.shape[1] * cell].reshape(
        lost_cells.shape[0], cell, lost_cells.shape[1], cell).sum(axis=(1, 3))[lost_cells].sum()) if lost_cells.size else 0
    share = 1.0 - lost / total
    covered = ink & boxes
    rows = ink.sum(axis=1)
    covered_rows = covered.sum(axis=1)
    found = recognised = 0
    in_band, band_ink, band_covered = False, 0, 0
    for ink_count, covered_count in zip(list(rows) + [0], list(covered_rows) + [0]):
        if ink_count > 0:
            in_band, band_ink, band_covered = True, band_ink + int(ink_count), band_covered + int(covered_count)
        elif in_band:
            if band_ink >= 20:
                found += 1
                recognised += band_covered >= 0.5 * band_ink
            in_band, band_ink, band_covered = False, 0, 0
    return share, found, recognised


# -- one page -----------------------------------------------------------------------------------


def fitted_dpi(width_in: float, height_in: float, dpi: float) -> float:
    """``dpi``, lowered as needed so that a page of ``width_in`` × ``height_in`` inches has at most
    ``MAX_PAGE_PIXELS`` pixels."""
    area = max(width_in * height_in, 1e-9)
    # 0.1 % under the exact fit: the pixel sizes are rounded up to whole pixels
    return min(dpi, 0.999 * math.sqrt(MAX_PAGE_PIXELS / area))


def _resample(image: Image.Image, dpi: float) -> tuple[Image.Image, float]:
    """The page at a resolution Tesseract reads well (``TARGET_DPI`` when outside MIN_DPI–MAX_DPI),
    never over ``MAX_PAGE_PIXELS`` (a large page at a low resolution is not blown up past it)."""
    target = TARGET_DPI if not MIN_DPI <= dpi <= MAX_DPI else dpi
    target = fitted_dpi(image.width / dpi, image.height / dpi, target)
    if target == dpi:
        return image, dpi
    factor = target / dpi
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS if factor < 1 else Image.Resampling.BICUBIC), float(target)


def _mean_confidence(words: Sequence[OcrWord]) -> float | None:
    confident = [w.conf for w in words if w.conf >= 0]
    return round(sum(confident) / len(confident), 2) if confident else None


def _quality(words: Sequence[OcrWord]) -> float:
    share, count = syllable_share(" ".join(w.text for w in words))
    return share * count


def correct_words(words: list[OcrWord]) -> None:
    """Correct the page's words in one text, so a syllable at a line end sees the next line's first one.

    The result is written back into the words (a line whose word count changed keeps its words).
    A tone mark a word was read with at ``CONFIDENT_MARK`` or more is kept (``correct_text``).
    """
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    page = "\n".join(" ".join(w.text for w in line_words) for line_words in lines.values())
    confident = [w.conf >= CONFIDENT_MARK for line_words in lines.values() for w in line_words]
    for line_words, corrected_line in zip(lines.values(), correct_text(page, confident=confident).split("\n")):
        corrected = corrected_line.split(" ")
        if len(corrected) == len(line_words):
            for word, text in zip(line_words, corrected):
                word.text = text


# A code word with a doubled capital (CATT) or a letter that looks like a digit beside a digit
# (PCG6): the shapes Tesseract misreads in running text more often than in a word read alone.
_DIGIT_LIKE_LETTER = r"\d[GOSBZIl]|[GOSBZIl]\d"
_SUSPECT_CODE = re.compile(rf"(?:\d[-/]|^(?=[A-ZĐ]+-))\S*?(?:([A-ZĐ])\1|{_DIGIT_LIKE_LETTER})")
_DOUBLED_CAPITAL = re.compile(r"([A-ZĐ])\1")
# Only doubtful words are read again: the misreads measured scored 33-84, while real doubled
# letters (TT-BTC, NSNN, KTTH) are read at 85-97 and recur on the page.
_REREAD_BELOW_CONFIDENCE = 85.0


def _code_parts(text: str) -> list[str]:
    return [part for part in re.split(r"[-/\s.,;:()]+", text) if part]


def _suspects(words: Sequence[OcrWord]) -> list[OcrWord]:
    """Doubtful code words whose shape invites a misread; a doubled-letter part used by another code of the page is real."""
    shaped = [w for w in words if _SUSPECT_CODE.search(w.text)]
    parts = Counter(part for w in shaped for part in set(_code_parts(w.text)))
    suspects = []
    for word in shaped:
        if word.conf >= _REREAD_BELOW_CONFIDENCE:
            continue
        doubled = [p for p in _code_parts(word.text) if _DOUBLED_CAPITAL.search(p)]
        if not doubled or any(parts[p] == 1 for p in doubled) or re.search(_DIGIT_LIKE_LETTER, word.text):
            suspects.append(word)
    return suspects


# Each suspect is read alone at three sizes. A letter read as the digit beside it is taken from
# any reading; a doubled letter is undone only when most readings undo it (TTg, BTTP are real).
_REREAD_SCALES = (1.0, 1.3, 1.6)


def _word_box(word: OcrWord) -> tuple[int, int, int, int]:
    margin = (word.bottom - word.top) // 3
    return word.left - margin, word.top - margin, word.right + margin, word.bottom + margin


def _scaled(image: Image.Image, factor: float) -> Image.Image:
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BICUBIC)


def _strip(crops: Sequence[Image.Image]) -> tuple[Image.Image, list[tuple[float, float]]]:
    """``crops`` one under the other with a blank line between, and the band of the strip that
    belongs to each: Tesseract reads them as lines of one block."""
    gap = max(c.height for c in crops)
    strip = Image.new("L", (max(c.width for c in crops) + 2 * gap, sum(c.height + gap for c in crops) + gap), 255)
    bands = []
    y = gap
    for crop in crops:
        strip.paste(crop, (gap, y))
        bands.append((y - gap / 2, y + crop.height + gap / 2))
        y += crop.height + gap
    return strip, bands


def _word_strip(gray: Image.Image, words: Sequence[OcrWord], factor: float) -> tuple[Image.Image, list[tuple[float, float]]]:
    """The words cut out of the page, scaled by ``factor``, in one strip (see ``_strip``)."""
    return _strip([_scaled(gray.crop(_word_box(word)), factor) for word in words])


def _band_readings(read: Sequence[OcrWord], bands: Sequence[tuple[float, float]]) -> list[str]:
    """What Tesseract read inside each band of a ``_word_strip``."""
    return ["".join(eth_as_d(r.text) for r in read if top <= (r.top + r.bottom) / 2 < bottom) for top, bottom in bands]


def reread_codes(gray: Image.Image, dpi: float, words: Sequence[OcrWord], path: str | None = None) -> int:
    """Read suspect code words again, each on its own, and keep the readings ``preferred_reading`` allows.

    All suspects of a page go to Tesseract in one strip per size, one word per line, the strips
    read at the same time. Returns how many words changed.
    """
    for word in words:
        word.text = eth_as_d(word.text)
    suspects = _suspects(words)
    if not suspects:
        return 0
    # one strip per size: Tesseract's block mode expects lines of one text size
    strips = [_word_strip(gray, suspects, factor) for factor in _REREAD_SCALES]
    recognitions = [_Recognition(strip, dpi, psm=6, path=path) for strip, _bands in strips]
    readings = [_band_readings(recognition.words(), bands) for recognition, (_image, bands) in zip(recognitions, strips)]
    changed = 0
    for index, word in enumerate(suspects):
        proposals = [preferred_reading(word.text, reading[index]) for reading in readings]
        changes = {p for p in proposals if p != word.text}
        if len(changes) == 1:
            change = changes.pop()
            if len(change) == len(word.text) or 2 * proposals.count(change) > len(proposals):
                word.text = change
                changed += 1
    return changed


_FIGURE_CHARACTERS = "0123456789.,-"
# Tesseract's reading of a figure changes with its size, and with the other crops of a strip (on
# DN-010 p3 a crop added to the strip turned another's 51.764 into 764): each figure is read
# alone, at two sizes, and a reading either size allows is taken
_FIGURE_SCALES = (1.0, 1.5)
_FIGURE_RUNS = 4  # Tesseract processes at a time (each holds the vie model: tens of MB)
_RULE_SHARE_ACROSS = 0.6  # of a crop's height: a pixel column this dark is a vertical rule, not a digit
_RULE_SHARE_ALONG = 0.5  # of a crop's width: a pixel row this dark is a horizontal rule


def _figure_crop(gray: Image.Image, word: OcrWord, cell: tuple[int, int, int, int], level: float) -> Image.Image:
    """The word cut out within its cell, the cell's rules (pixels darker than ``level``) whitened.

    Right-aligned figures touch the column's rule, which OCR reads as a ``1`` or ``|``; the crop
    keeps every digit and drops the rule, a straight run of ink across the whole crop.
    """
    left, top, right, bottom = _word_box(word)
    cell_left, cell_top, cell_right, cell_bottom = cell
    box = (max(left, cell_left - 2), max(top, cell_top - 2), min(right, cell_right + 2), min(bottom, cell_bottom + 2))
    return _cell_crop(gray, box, level)


def reread_figures(gray: Image.Image, dpi: float, tables: Sequence[TableGrid], words: Sequence[OcrWord], path: str | None = None) -> int:
    """Read the doubtful words of table columns of figures again with digits and separators only.

    Each doubtful word (``doubtful_figures``) is cut out of its cell with the rules whitened and
    read alone, at two sizes (``_FIGURE_RUNS`` Tesseract runs at a time); a reading replaces
    the word where ``accepted_figure`` accepts it (the more frequent of two accepted readings).
    Returns how many words changed.
    """
    doubtful = doubtful_figures(tables, words)
    if not doubtful:
        return 0
    level = min(_otsu(gray), 200)  # the ink level of ruled_tables
    crops = [_figure_crop(gray, word, cell, level) for word, cell in doubtful]
    readings = []
    for factor in _FIGURE_SCALES:
        strips = [_strip([_scaled(crop, factor)]) for crop in crops]
        reading: list[str] = []
        for first in range(0, len(strips), _FIGURE_RUNS):
            batch = strips[first : first + _FIGURE_RUNS]
            recognitions = [_Recognition(strip, dpi, psm=6, path=path, characters=_FIGURE_CHARACTERS) for strip, _bands in batch]
            reading.extend(_band_readings(r.words(), bands)[0] for r, (_image, bands) in zip(recognitions, batch))
        readings.append(reading)
    changed = 0
    for index, (word, _cell) in enumerate(doubtful):
        accepted = [a for a in (accepted_figure(word.text, r[index]) for r in readings) if a is not None]
        if accepted:
            word.text = max(accepted, key=accepted.count)  # the first of the most frequent
            changed += 1
    return changed


# words of a header cell's own reading are on lines of their own (Tesseract numbers blocks from 1)
_HEADER_BLOCK = 1_000_000
# a header cell is read this far (inches) inside its rules: a scanned rule is thick and not quite straight
_HEADER_INSET = 0.02
# of a cell's median word height: a taller "word" is a rule's remains, not a letter
_TALL_MARK = 1.6


def _letters_of(words: list[OcrWord]) -> list[OcrWord]:
    """The words that hold a letter, digit or ``%`` and are of a printed height (no rule read as ``|`` or ``II``)."""
    words = [w for w in words if any(c.isalnum() or c == "%" for c in w.text)]
    if not words:
        return []
    heights = sorted(w.bottom - w.top for w in words)
    tallest = _TALL_MARK * heights[len(heights) // 2]
    return [w for w in words if w.bottom - w.top <= tallest]


def _cell_crop(gray: Image.Image, box: tuple[int, int, int, int], level: float) -> Image.Image:
    """The inside of a table cell with its rules (pixels darker than ``level`` across it) whitened."""
    pixels = np.asarray(gray.crop(box)).copy()
    ink = pixels < level
    pixels[:, ink.mean(axis=0) > _RULE_SHARE_ACROSS] = 255
    pixels[ink.mean(axis=1) > _RULE_SHARE_ALONG, :] = 255
    return Image.fromarray(pixels)


def _syllables_read(words: Sequence[OcrWord]) -> tuple[int, float]:
    share, count = syllable_share(" ".join(w.text for w in words))
    return round(share * count), share


def reread_header_cells(gray: Image.Image, dpi: float, tables: Sequence[TableGrid], words: list[OcrWord], path: str | None = None) -> int:
    """Read the header cells of ruled tables again, each cut out on its own, and keep the better reading.

    All header cells (``header_cells``) of a page go to Tesseract in one strip, one cell under
    the other with its rules whitened (block mode: the lines of one cell stay together, no
    column of the page runs into them). A cell's new words replace the old ones when they hold
    a no smaller share of Vietnamese syllables (``syllable_share``) and more of them, or as many
    in a larger share: the syllable model, not Tesseract's confidence, chooses; a tie keeps the
    page's reading. Returns how many cells changed.
    """
    cells = header_cells(tables, words)
    if not cells:
        return 0
    level = min(_otsu(gray), 200)
    inset = round(_HEADER_INSET * dpi)
    cells = [((left + inset, top + inset, right - inset, bottom - inset), old) for (left, top, right, bottom), old in cells
             if right - left > 4 * inset and bottom - top > 4 * inset]
    if not cells:
        return 0
    crops = [_cell_crop(gray, box, level) for box, _words in cells]
    strip, bands = _strip(crops)
    gap = max(crop.height for crop in crops)
    read = _Recognition(strip, dpi, psm=6, path=path).words()
    changed = 0
    removed: set[int] = set()
    for index, ((box, old), (band_top, band_bottom)) in enumerate(zip(cells, bands)):
        new = _letters_of([w for w in read if band_top <= (w.top + w.bottom) / 2 < band_bottom])
        (new_count, new_share), (old_count, old_share) = _syllables_read(new), _syllables_read(old)
        if new_share < old_share or new_count <= old_count and not (new_count == old_count and new_share > old_share):
            continue
        dx, dy = box[0] - gap, box[1] - (band_top + gap / 2)
        for w in new:
            w.text = eth_as_d(w.text)
            w.left, w.right = round(w.left + dx), round(w.right + dx)
            w.top, w.bottom = round(w.top + dy), round(w.bottom + dy)
            w.line_top, w.line_bottom = round(w.line_top + dy), round(w.line_bottom + dy)
            w.line = (_HEADER_BLOCK + index, *w.line[1:])
        removed.update(id(w) for w in old)
        words.extend(new)
        changed += 1
    words[:] = [w for w in words if id(w) not in removed]
    return changed


def straighten(gray: Image.Image, mask: np.ndarray | None = None) -> tuple[Image.Image, float]:
    """The page image with its text lines level, and its measured skew in degrees.

    Below ``MIN_SKEW_TO_ROTATE`` the image is returned as it is: Tesseract reads such pages whole,
    and the resampling of a rotation costs more characters than the tilt (on synthetic scans of
    DN-001 at 0.3-0.4°: CER 0.32% unrotated against 0.48% rotated).
    """
    skew = estimate_skew(_working(gray)[0] if mask is None else mask)
    if abs(skew) < MIN_SKEW_TO_ROTATE:
        return gray, skew
    return _rotate(gray, skew), skew


def ruled_tables(gray: Image.Image, dpi: float) -> list[TableGrid]:
    """Ruled tables of an upright page image (grid only; ``fill_tables`` puts the words in)."""
    return find_tables(np.asarray(gray, dtype=np.uint8) < min(_otsu(gray), 200), dpi)


def ocr_image(image: Image.Image, dpi: float, deskew: bool = True, path: str | None = None, correct: bool = True) -> OcrPage:
    """Deskew, orient, recognise, correct and check one page image (any mode; read as grayscale)."""
    gray = image.convert("L")
    gray, dpi = _resample(gray, dpi)
    mask, scale = _working(gray)
    rotation = 0
    if lies_sideways(mask):
        rotation = 90
        gray = gray.rotate(90, expand=True)
        mask, scale = _working(gray)
    skew = 0.0
    if deskew:
        upright, skew = straighten(gray, mask)
        if upright is not gray:
            gray = upright
            mask, scale = _working(gray)
    recognition = _Recognition(gray, dpi, path=path)
    try:
        tables, ink = ruled_tables(gray, dpi), text_ink(mask, scale, dpi)
    except BaseException:
        recognition.cancel()
        raise
    words = recognition.words()
    share, count = syllable_share(" ".join(w.text for w in words))
    if count < 20 or share < 0.6:
        # Few or foreign-looking words: the page may be upside down or the quarter-turn guess wrong.
        turn = osd_rotation(gray, dpi)
        if turn:
            turned = gray.rotate(turn, expand=True)
            turned_words = run_tesseract(turned, dpi, path=path)
            if _quality(turned_words) > _quality(words):
                gray, words, rotation = turned, turned_words, (rotation + turn) % 360
                mask, scale = _working(gray)
                tables, ink = ruled_tables(gray, dpi), text_ink(mask, scale, dpi)
    page_coverage, found, recognised = coverage(mask, scale, dpi, words, ink)
    if correct:
        reread_codes(gray, dpi, words, path)
        if tables:
            reread_figures(gray, dpi, tables, words, path)
            reread_header_cells(gray, dpi, tables, words, path)
        correct_words(words)
    page = OcrPage(
        words=words, dpi=dpi, width=gray.width, height=gray.height, skew=round(skew, 2), rotation=rotation,
        confidence=_mean_confidence(words), coverage=None if page_coverage is None else round(page_coverage, 4),
        lines_found=found, lines_recognised=recognised, tables=tables,
    )
    return page


# -- sources of page images ---------------------------------------------------------------------


def pdf_page_image(document: Any, index: int) -> tuple[Image.Image, float]:
    """The image of one PDF page (pypdfium2 ``PdfDocument``) and its resolution in dpi.

    A page that is one scanned image gives that image at its native resolution; anything else
    (several images, vector text around an image, a rotated placement) is rendered at 300 dpi
    or at the native resolution of its largest image, whichever is higher (up to MAX_DPI), and
    never over ``MAX_PAGE_PIXELS`` (a larger page is rendered at a lower resolution). Raises
    ``IngestError`` ``PAGE_TOO_LARGE`` for a page that would fit only below ``MIN_RENDER_DPI``
    (``page_too_large`` tells beforehand).
    """
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    page = document[index]
    try:
        width_pt, height_pt = page.get_size()
        too_large = _too_large_message(width_pt, height_pt)
        if too_large:
            raise IngestError("PAGE_TOO_LARGE", f"page {index + 1} {too_large}")
        images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        native = 0.0
        if images:
            largest = max(images, key=lambda o: (o.get_bounds()[2] - o.get_bounds()[0]) * (o.get_bounds()[3] - o.get_bounds()[1]))
            left, bottom, right, top = largest.get_bounds()
            px_width, px_height = largest.get_px_size()
            matrix = largest.get_matrix()
            covers = (right - left) * (top - bottom) >= 0.85 * width_pt * height_pt
            upright = abs(matrix.b) < 1e-6 and abs(matrix.c) < 1e-6 and matrix.a > 0 and matrix.d > 0
            if right > left and px_width > 0:
                native = px_width / ((right - left) / 72.0) if upright else max(px_width, px_height) / (max(right - left, top - bottom) / 72.0)
            # an image of more pixels than the budget (its declared size can be anything) is not
            # decoded whole: the page is rendered, within the budget, instead
            small = px_width * px_height <= MAX_PAGE_PIXELS
            if len(images) == 1 and covers and upright and page.get_rotation() == 0 and small:
                try:
                    bitmap = largest.get_bitmap(render=False)
                    return bitmap.to_pil().convert("L"), native
                except pypdfium2.PdfiumError:
                    pass  # an image filter pdfium cannot decode alone: render the page instead
        dpi = fitted_dpi(width_pt / 72.0, height_pt / 72.0, min(max(float(TARGET_DPI), native), float(MAX_DPI)))
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        return bitmap.to_pil().convert("L"), dpi
    finally:
        page.close()


def _too_large_message(width_pt: float, height_pt: float) -> str | None:
    if fitted_dpi(width_pt / 72.0, height_pt / 72.0, TARGET_DPI) >= MIN_RENDER_DPI:
        return None
    return (f"is {width_pt / 72.0:.0f} × {height_pt / 72.0:.0f} inches: it would fit the render budget of "
            f"{MAX_PAGE_PIXELS / 1e6:.0f} Mpx only below {MIN_RENDER_DPI:.0f} dpi; not read by OCR")


def page_too_large(document: Any, index: int) -> str | None:
    """Why page ``index`` of a pypdfium2 ``PdfDocument`` is too large to render for OCR, or None."""
    page = document[index]
    try:
        return _too_large_message(*page.get_size())
    finally:
        page.close()


def image_file(path: Path, display_path: str) -> list[Callable[[], tuple[Image.Image, float]]]:
    """Loaders of the pages of an image file (a multi-page TIFF has one per frame), each giving the
    page image and its resolution.

    Every frame's size is checked here, from its header, before any is decoded (``IMAGE_TOO_LARGE``
    over ``MAX_IMAGE_PIXELS``); a frame is decoded only when its loader is called, so a file of
    many large frames holds no more of them in memory than the caller asks for at once.
    """
    with _open_image(path, display_path) as opened:
        frames = getattr(opened, "n_frames", 1)
        for frame in range(frames):
            opened.seek(frame)
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise IngestError(
                    "IMAGE_TOO_LARGE",
                    f"page {frame + 1} is {opened.width} × {opened.height} pixels, over the limit of "
                    f"{MAX_IMAGE_PIXELS / 1e6:.0f} Mpx",
                    display_path,
                )
    return [lambda frame=frame: _image_frame(path, display_path, frame) for frame in range(frames)]


def _open_image(path: Path, display_path: str) -> Image.Image:
    try:
        return Image.open(path)
    except Image.DecompressionBombError as e:  # Pillow's own limit, twice its MAX_IMAGE_PIXELS
        raise IngestError("IMAGE_TOO_LARGE", f"over the limit of {MAX_IMAGE_PIXELS / 1e6:.0f} Mpx ({e})", display_path) from e
    except OSError as e:
        raise IngestError("CORRUPT_IMAGE", f"not a readable image ({e})", display_path) from e


def _image_frame(path: Path, display_path: str, frame: int) -> tuple[Image.Image, float]:
    """Frame ``frame`` of an image file, decoded as grayscale, with its resolution."""
    with _open_image(path, display_path) as opened:
        try:
            opened.seek(frame)
            page = ImageOps.exif_transpose(opened).convert("L")
        except (OSError, ValueError) as e:  # a frame whose data is truncated or damaged
            raise IngestError("CORRUPT_IMAGE", f"page {frame + 1} is not a readable image ({e})", display_path) from e
        dpi_info = opened.info.get("dpi")
    dpi = float(dpi_info[0]) if dpi_info and dpi_info[0] and float(dpi_info[0]) > 50 else 0.0
    if not dpi or dpi == 72.0:
        # Photos and many scans carry no real resolution: assume the long side is an A4 page.
        dpi = max(page.size) / 11.69
    return page, dpi


def harmonise_codes(pages: Sequence[OcrPage]) -> None:
    """Correct misread parts of document codes against the codes of the whole document (in place)."""
    words = [w for page in pages for w in page.words if "/" in w.text]
    fixes = code_part_fixes(w.text for w in words)
    for word in words:
        for wrong, right in fixes.items():
            if wrong in word.text:
                word.text = word.text.replace(wrong, right)


def ocr_pages(loaders: Iterable[Callable[[], tuple[Image.Image, float]]], workers: int | None = None, path: str | None = None) -> list[OcrPage]:
    """OCR pages given as loaders of (image, dpi), in ``workers`` threads (default: the environment's
    ``ReadOptions.ocr_workers``).

    Loaders run in the calling thread (pdfium is not thread-safe) and at most two pages per worker
    are held in memory; the recognition itself runs in Tesseract subprocesses. Misread parts of
    document codes are then corrected against the codes of all the pages (``harmonise_codes``).
    """
    count = workers or ReadOptions.from_environment().ocr_workers
    if count <= 1:
        results = []
        for load in loaders:
            image, dpi = load()
            results.append(ocr_image(image, dpi, path=path))
    else:
        futures = []
        with ThreadPoolExecutor(max_workers=count) as pool:
            for load in loaders:
                while sum(1 for f in futures if not f.done()) >= 2 * count:
                    wait([f for f in futures if not f.done()], return_when=FIRST_COMPLETED)
                image, dpi = load()
                futures.append(pool.submit(ocr_image, image, dpi, True, path))
            results = [f.result() for f in futures]
    harmonise_codes(results)
    return results
