"""Image backend (.jpg .png .tif): every page image is OCRed like a scanned PDF page."""

from __future__ import annotations

from pathlib import Path

from pipeline.ingest.model import PageInfo, SourceDocument
from pipeline.ingest.ocr import image_file, ocr_available, ocr_pages
from pipeline.ingest.options import ReadOptions
from pipeline.ingest.layout import assign_columns, lost_text_warning, mark_ocr_block, ocr_page_info, ocr_page_lines, paragraphs


def load_image(path: Path, display_path: str, options: ReadOptions | None = None) -> SourceDocument:
    """OCR a page photo or scan (each frame of a multi-page TIFF is a page).

    Without Tesseract the document has one page marked as needing OCR and no blocks.
    """
    options = options if options is not None else ReadOptions.from_environment()
    if not ocr_available(options):
        return SourceDocument(
            path=display_path, file_format="image", blocks=[],
            pages=[PageInfo(page=1, method="none", chars=0, needs_ocr=True)],
        )
    results = ocr_pages(image_file(path, display_path), workers=options.ocr_workers, path=display_path)
    pages_lines = []
    geometry = []
    infos = []
    for number, page in enumerate(results, start=1):
        lines, page_geometry = ocr_page_lines(page)
        pages_lines.append(assign_columns(lines, page_geometry[0]) if lines else [])
        geometry.append(page_geometry)
        infos.append(ocr_page_info(number, page, lines))
    blocks = paragraphs(pages_lines, geometry)
    for block in blocks:
        mark_ocr_block(block)
    warnings = [w for w in [lost_text_warning(infos)] if w]
    return SourceDocument(
        path=display_path, file_format="image", blocks=blocks, pages=infos,
        provenance={"reader": "tesseract"}, warnings=warnings,
    )
