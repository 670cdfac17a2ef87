"""Plain-text backend: detects the encoding (never guesses silently), one block per line."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from pipeline.errors import IngestError
from pipeline.ingest.legacy import convert_document_text, decode_legacy_bytes
from pipeline.ingest.model import Block, SourceDocument
from pipeline.ingest.structure import classify_block
from pipeline.ingest.options import ReadOptions

_VIETNAMESE_LETTERS = frozenset(
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
_MIN_LETTER_SHARE = 0.6


def _control_share(text: str) -> float:
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    return controls / max(len(text), 1)


def _looks_like_utf16(data: bytes) -> str | None:
    """Return the UTF-16 byte order of BOM-less UTF-16 text, judged by where its NUL bytes sit."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def decode_text_bytes(data: bytes, path: str, legacy: bool = True) -> tuple[str, str]:
    """Decode the bytes of a text file; return (text, encoding name).

    Order: BOM (UTF-8, UTF-16), BOM-less UTF-16, strict UTF-8, then Windows-1258, accepted only
    when the result reads as Vietnamese, then the legacy font encodings TCVN3 and VNI (encoding
    ``tcvn3`` / ``vni``, converted to Unicode). Anything else is an error naming the file.
    Unicode text that is legacy text saved as Windows-1252 characters (``b¸o c¸o``) is converted
    too (encoding ``utf-8+tcvn3``). Without ``legacy`` neither legacy step runs.
    """
    if not data.strip():
        raise IngestError("EMPTY_FILE", "the file is empty", path)
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16"), "utf-16"
    elif (utf16 := _looks_like_utf16(data)) is not None:
        text, encoding = data.decode(utf16), utf16
    else:
        if b"\x00" in data[:8000]:
            raise IngestError("BINARY_FILE", "binary content (NUL bytes), not a text file", path)
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
            letters = [c for c in text.lower() if c.isalpha()]
            vietnamese = sum(1 for c in letters if c in _VIETNAMESE_LETTERS)
            # Legacy font encodings (TCVN3, VNI) and other code pages decode without error as
            # cp1258 but leave non-ASCII characters that are not Vietnamese letters.
            foreign = [c for c in text.lower() if ord(c) > 127 and c not in _VIETNAMESE_LETTERS]
            non_ascii = sum(1 for c in text if ord(c) > 127)
            if (
                "\ufffd" in text
                or not letters
                or vietnamese / len(letters) < _MIN_LETTER_SHARE
                or non_ascii == 0
                or len(foreign) / non_ascii > 0.02
            ):
                decoded = decode_legacy_bytes(data) if legacy else None
                if decoded is None:
                    raise IngestError(
                        "UNKNOWN_ENCODING",
                        "text is neither UTF-8, UTF-16, Windows-1258 Vietnamese nor the legacy "
                        "TCVN3/VNI font encodings",
                        path,
                    ) from None
                text, encoding = decoded
            else:
                encoding = "cp1258"
    if _control_share(text) > 0.01:
        raise IngestError("BINARY_FILE", f"binary content decoded as {encoding}, not a text file", path)
    if encoding in ("tcvn3", "vni") or not legacy:
        return text, encoding
    converted, legacy_encoding = convert_document_text(text)
    if legacy_encoding is not None:
        return converted, f"{encoding}+{legacy_encoding}"
    return text, encoding


def load_txt(path: Path, display_path: str, options: ReadOptions | None = None) -> SourceDocument:
    """Read a plain-text report: every non-blank line becomes one block.

    ``options.legacy`` says whether text in the TCVN3/VNI font encodings is converted.
    """
    options = options if options is not None else ReadOptions.from_environment()
    text, encoding = decode_text_bytes(path.read_bytes(), display_path, options.legacy)
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = [Block(kind=classify_block(line.strip()), text=line.strip()) for line in lines if line.strip()]
    if not blocks:
        raise IngestError("EMPTY_FILE", "the file holds only whitespace", display_path)
    return SourceDocument(
        path=display_path, file_format="txt", blocks=blocks, provenance={"encoding": encoding}
    )
