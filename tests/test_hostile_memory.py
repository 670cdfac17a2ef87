"""The huge page and the near-bomb DOCX read in a process whose address space is capped (issue 19):
their budgets must hold under a real memory limit, not only give the right error code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_bad_input import write_near_bomb_docx
from tests.conftest import blank_tiff, one_image_pdf
from tests.test_ocr import needs_ocr

# the reading process's whole address space; the libraries alone take a few hundred MB of it
LIMIT_BYTES = 1536 * 2**20

_READ = """
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from pipeline.errors import IngestError
from pipeline.ingest import load_document
from pipeline.ingest.options import ReadOptions
path = Path(sys.argv[1])
try:
    source = load_document(path, path.name, ReadOptions(ocr=True))
    print(json.dumps({{"warnings": [code for code, _ in source.warnings]}}))
except IngestError as error:
    print(json.dumps({{"error": error.code}}))
"""


def _read_capped(path: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _READ.format(limit=LIMIT_BYTES), str(path)],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr[-2000:]  # a MemoryError or a kill would end here
    return json.loads(result.stdout.strip().splitlines()[-1])


@needs_ocr
def test_a_200_inch_page_is_read_under_a_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    path.write_bytes(one_image_pdf(14400, 100, 1))
    assert _read_capped(path) == {"warnings": ["PAGE_TOO_LARGE"]}


def test_a_docx_just_under_the_bomb_limits_is_refused_under_a_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "near_bomb.docx"
    write_near_bomb_docx(path, 48)  # about 1 GB as an lxml tree: over the cap if it were parsed
    assert _read_capped(path) == {"error": "DOCX_TOO_LARGE"}


def test_the_cap_leaves_room_for_a_real_report() -> None:
    # a real DOCX report is read whole under the same cap: the cap itself is no reason to fail
    report = next((Path(__file__).resolve().parents[1] / "corpus").glob("LD-014__*.docx"))
    assert _read_capped(report) == {"warnings": []}


def test_a_docx_whose_content_types_name_nothing_is_corrupt(tmp_path: Path) -> None:
    # python-docx cannot map its parts (it raises AttributeError): a clear CORRUPT_DOCX, not an internal error
    path = tmp_path / "bare.docx"
    write_near_bomb_docx(path, 1)
    assert _read_capped(path) == {"error": "CORRUPT_DOCX"}


_LIST_FRAMES = """
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from pipeline.ingest.ocr import image_file
loaders = image_file(Path(sys.argv[1]), "pages.tif")
shapes = []
for load in (loaders[0], loaders[-1]):  # each frame decoded on its own, then dropped
    image, dpi = load()
    shapes.append([image.mode, *image.size, dpi])
    del image
print(json.dumps({{"frames": len(loaders), "shapes": shapes}}))
"""


def test_a_tiff_of_many_large_frames_is_decoded_one_frame_at_a_time_under_a_memory_limit(tmp_path: Path) -> None:
    # 16 frames of 100 Mpx (the per-frame limit) in a 200 KB file: 1.6 GB if every frame were
    # decoded when the file is opened, over the cap by itself
    path = tmp_path / "pages.tif"
    blank_tiff(path, 16, 10_000, 10_000)
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _LIST_FRAMES.format(limit=LIMIT_BYTES), str(path)],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1], check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == {"frames": 16, "shapes": [["L", 10_000, 10_000, 300.0]] * 2}
