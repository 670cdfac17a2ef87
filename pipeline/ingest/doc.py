"""Binary Word (.doc) backend, through antiword (installed by the set-up step)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from pipeline.errors import IngestError
from pipeline.ingest.legacy import convert_document_text
from pipeline.ingest.model import Block, SourceDocument
from pipeline.ingest.structure import classify_block
from pipeline.ingest.options import ReadOptions

_ANTIWORD_TIMEOUT_S = 60
_PICTURE = re.compile(r"\[pic\]")


def _antiword_text(path: Path, display_path: str) -> str:
    executable = shutil.which("antiword")
    if executable is None:
        raise IngestError(
            "TOOL_MISSING", "antiword is not installed (run `make setup` or apt-get install antiword)", display_path
        )
    env = {**os.environ, "ANTIWORDHOME": os.environ.get("ANTIWORDHOME", "/usr/share/antiword")}
    try:
        result = subprocess.run(
            [executable, "-w", "0", "-m", "UTF-8.txt", str(path)],
            capture_output=True,
            timeout=_ANTIWORD_TIMEOUT_S,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise IngestError("TIMEOUT", f"antiword ran over {_ANTIWORD_TIMEOUT_S} s", display_path) from e
    message = result.stderr.decode("utf-8", errors="replace").strip()
    if result.returncode != 0 or not result.stdout.strip():
        if "encrypt" in message.lower():
            raise IngestError("ENCRYPTED", "the .doc file is password-protected", display_path)
        raise IngestError("CORRUPT_DOC", f"antiword cannot read it: {message or 'no text'}", display_path)
    return result.stdout.decode("utf-8", errors="replace")


def _row_cells(line: str) -> tuple[str, ...] | None:
    """antiword prints table rows as ``|cell|cell|``; return the cells of such a line."""
    stripped = line.strip()
    if len(stripped) < 2 or not stripped.startswith("|") or not stripped.endswith("|"):
        return None
    return tuple(cell.strip() for cell in stripped[1:-1].split("|"))


def _merge_row_lines(rows: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Cells of consecutive printed lines of one table row, joined line by line."""
    width = max(len(r) for r in rows)
    merged = []
    for i in range(width):
        parts = [r[i] for r in rows if i < len(r) and r[i]]
        merged.append("\n".join(parts))
    return tuple(merged)


def load_doc(path: Path, display_path: str, options: ReadOptions | None = None) -> SourceDocument:
    """Read a binary .doc file: one block per paragraph, table rows with their cells.

    antiword does not report fonts, so text typed in TCVN3 or VNI fonts (which it prints as
    Windows-1252 characters) is found and converted by its content.

    ``options.legacy`` says whether that conversion runs.
    """
    options = options if options is not None else ReadOptions.from_environment()
    text = _PICTURE.sub("", _antiword_text(path, display_path))
    text, legacy = convert_document_text(text) if options.legacy else (text, None)
    blocks: list[Block] = []
    pending_rows: list[tuple[str, ...]] = []
    table_index = 0

    def flush_table() -> None:
        nonlocal pending_rows
        if pending_rows:
            cells = _merge_row_lines(pending_rows)
            if any(cells):
                blocks.append(
                    Block(
                        kind="table_row",
                        text="\t".join(c.replace("\n", " ") for c in cells),
                        cells=cells,
                        table_index=table_index,
                    )
                )
            pending_rows = []

    previous_was_row = False
    for line in text.replace("\f", "\n").split("\n"):
        cells = _row_cells(line)
        if cells is not None:
            if not previous_was_row:
                table_index += 1
            # antiword wraps one Word table row over several printed lines; a row whose
            # first cell is empty continues the previous one.
            if pending_rows and cells and not cells[0]:
                pending_rows.append(cells)
            else:
                flush_table()
                pending_rows = [cells]
            previous_was_row = True
            continue
        flush_table()
        previous_was_row = False
        stripped = line.strip()
        if stripped:
            blocks.append(Block(kind=classify_block(stripped), text=stripped))
    flush_table()
    if not blocks:
        raise IngestError("EMPTY_DOCUMENT", "the .doc file holds no text", display_path)
    provenance = {"reader": "antiword"}
    if legacy is not None:
        provenance["legacy_encoding"] = legacy
    return SourceDocument(path=display_path, file_format="doc", blocks=blocks, provenance=provenance)
