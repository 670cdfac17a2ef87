"""Peak memory and time of one document, for every hostile input (issue 19: < 1.5 GB each).

Usage: python bench/bench_hostile.py [--only NAME ...] [--keep DIR]
Each input is made here (small files that ask for a lot: a 200-inch page, a DOCX just under the
zip-bomb limits, an image declaring 120 Mpx …) and read by ``process_file`` with OCR on, in a
fresh process of its own; the peak resident memory of that process and its children (Tesseract)
is read from ``wait4``. A normal text file is read first the same way: the ratios say what each
input costs over a document that costs nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIMIT_MB = 1500

_CHILD = """
import json, sys, time
from pathlib import Path
from pipeline.ingest.options import ReadOptions
from pipeline.nlp import build_nlp
from pipeline.runner import process_file
nlp = build_nlp()
path = Path(sys.argv[1])
started = time.perf_counter()
result = process_file(path, path.name, nlp, timeout=300.0, options=ReadOptions(ocr=True))
print(json.dumps({"status": result.status, "codes": sorted({e.code for e in result.errors}),
                  "seconds": time.perf_counter() - started}))
"""


def _image_pdf(side_pt: float, image_pt: float, px: int, data: bytes | None = None) -> bytes:
    # imported here, in the process that makes the inputs, not in the one that measures
    sys.path.insert(0, str(REPO))
    from tests.conftest import one_image_pdf  # the test suite's file makers

    return one_image_pdf(side_pt, image_pt, px, data)


def _blank_pdf(path: Path, pages: int) -> None:
    sys.path.insert(0, str(REPO))
    from tests.conftest import blank_pdf

    blank_pdf(path, pages)


def _blank_tiff(path: Path, frames: int, side: int) -> None:
    sys.path.insert(0, str(REPO))
    from tests.conftest import blank_tiff

    blank_tiff(path, frames, side, side)


def _docx(path: Path, xml_mib: float, unit: bytes, noise_share: float) -> None:
    """A valid DOCX (python-docx's blank document) whose body is ``xml_mib`` MiB of ``unit``, with
    incompressible bytes (``noise_share`` of the XML) to keep under the zip-bomb ratio."""
    import docx

    blank = io.BytesIO()
    docx.Document().save(blank)
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    chunk = unit * ((1 << 20) // len(unit))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with zipfile.ZipFile(blank) as template:
            for info in template.infolist():
                if info.filename != "word/document.xml":
                    archive.writestr(info.filename, template.read(info.filename))
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(int(xml_mib)):
                member.write(chunk)
            member.write(b"</w:body></w:document>")
        archive.writestr("word/media/noise.bin", random.Random(19).randbytes(int(xml_mib * (1 << 20) * noise_share)))


def _png_header(path: Path, width: int, height: int) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(400):
                member.write(bytes(1 << 20))


def _low_dpi_png(path: Path) -> None:
    from PIL import Image

    Image.new("L", (9000, 9000), 255).save(path, dpi=(60, 60))


def _inputs() -> dict[str, tuple[str, Callable[[Path], None]]]:
    """name -> (file name, writer)."""
    px = 7100
    return {
        "baseline (a 2 KB report)": ("baseline.txt", lambda p: p.write_text(
            "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ\nSố: 9/BC-UBND\n\nBÁO CÁO\n\nII. KHÓ KHĂN, VƯỚNG MẮC\n"
            "1. Nguồn vốn còn thiếu, chậm giải ngân so với kế hoạch.\n" * 20, encoding="utf-8")),
        "PDF page 200 in square (14,400 pt)": ("huge_page.pdf", lambda p: p.write_bytes(_image_pdf(14400, 100, 1))),
        "PDF page 100 in square (rendered at the budget)": ("poster.pdf", lambda p: p.write_bytes(_image_pdf(7200, 100, 1))),
        "PDF image declaring 50 Mpx in 50 KB": ("declared.pdf", lambda p: p.write_bytes(
            _image_pdf(1000, 1000, px, zlib.compress(bytes(px * px), 9)))),
        "DOCX just under the zip-bomb limits (290 MiB XML, ratio < 200)": ("near_bomb.docx", lambda p: _docx(
            p, 290, b"<w:p><w:r><w:t>x</w:t></w:r></w:p>", 0.006)),
        "DOCX just under the memory budget (23 MiB of empty paragraphs)": ("budget.docx", lambda p: _docx(
            p, 23, b"<w:p/>", 0.01)),
        "DOCX just under the memory budget (23 MiB of one-word paragraphs)": ("budget_words.docx", lambda p: _docx(
            p, 23, b"<w:p><w:r><w:t>Kh\xc3\xb3</w:t></w:r></w:p>", 0.01)),
        "DOCX zip bomb (400 MiB of zeros)": ("bomb.docx", _zip_bomb),
        "PNG declaring 120 Mpx": ("huge.png", lambda p: _png_header(p, 12000, 10000)),
        "PNG 81 Mpx at 60 dpi (150 in square)": ("low_dpi.png", _low_dpi_png),
        "TIFF of 16 frames of 100 Mpx in 200 KB": ("frames.tif", lambda p: _blank_tiff(p, 16, 10_000)),
        "PDF of 2,000 blank pages": ("blank_2000.pdf", lambda p: _blank_pdf(p, 2000)),
        "PDF of 6,000 blank pages": ("blank_6000.pdf", lambda p: _blank_pdf(p, 6000)),
        "TXT of 2,000,000 characters": ("long.txt", lambda p: p.write_text(
            ("Nguồn vốn bố trí cho chương trình còn thiếu, chậm giải ngân so với kế hoạch năm 2024. " * 23_000)[:2_000_000],
            encoding="utf-8")),
    }


def measure(path: Path) -> tuple[dict[str, object], float]:
    """Read ``path`` in a fresh process: its result and the peak resident memory (MB) of that process tree."""
    process = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env={**os.environ, "BAOCAO_OCR": "1"})
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    try:
        result = json.loads(output.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {"status": f"process ended with {process.returncode}", "codes": [], "seconds": float("nan")}
    return result, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="file names of the inputs to run (e.g. huge_page.pdf)")
    parser.add_argument("--keep", type=Path, default=None, help="write the inputs into this folder and keep them")
    parser.add_argument("--write", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    inputs = {name: entry for name, entry in _inputs().items()
              if args.only is None or entry[0] in args.only or entry[0] == "baseline.txt"}
    if args.write is not None:
        for file_name, write in inputs.values():
            write(args.write / file_name)
        return
    with tempfile.TemporaryDirectory(prefix="baocao-hostile-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        # the inputs are made in another process: a child's peak memory counts that of the process
        # that started it (exec keeps the high-water mark), so this one imports nothing heavy
        subprocess.run([sys.executable, __file__, "--write", str(folder), *(["--only", *args.only] if args.only else [])],
                       check=True)
        print(f"{'input':66} {'file KB':>9} {'status / codes':34} {'s':>6} {'peak MB':>8} {'× base':>7}")
        baseline = None
        worst = 0.0
        for name, (file_name, _write) in inputs.items():
            path = folder / file_name
            result, peak = measure(path)
            baseline = baseline or peak
            worst = max(worst, peak)
            outcome = f"{result['status']} {','.join(result['codes'])}"  # type: ignore[arg-type]
            flag = "" if peak < LIMIT_MB else "  OVER THE LIMIT"
            print(f"{name:66} {path.stat().st_size / 1024:9,.0f} {outcome:34} {result['seconds']:6.1f} {peak:8,.0f} "
                  f"{peak / baseline:7.2f}{flag}", flush=True)
            if args.keep is None:
                path.unlink()
        print(f"\nworst peak: {worst:,.0f} MB ({worst / LIMIT_MB:.2f} of the {LIMIT_MB:,} MB limit)")


if __name__ == "__main__":
    main()
