"""Bad input: every problem gives a coded IngestError naming the file, and a batch run records
exactly one ``errors`` row per bad file while the good documents land with status ``ok``.

All bad files are generated in tmp_path; good ones are copied from the corpus.
"""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import sqlite3
import struct
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pyarrow.parquet as pq
import pypdfium2
import pytest

from pipeline.errors import IngestError
from pipeline.ingest import load_document
from pipeline.ingest.txt import decode_text_bytes
from pipeline.nlp import build_nlp
from pipeline.batch import extract
from pipeline.store import TABLES
from tests.conftest import corpus_file

needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")


# --------------------------------------------------------------------------------------------
# builders of bad files
# --------------------------------------------------------------------------------------------

_PDF_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def make_encrypted_pdf(user_password: str = "secret", text: str = "Bao cao mat") -> bytes:
    """A one-page PDF under the standard security handler (RC4 40-bit, revision 2).

    No PDF writer with encryption is installed (no pikepdf/pypdf; pdfium cannot encrypt), so the
    file is written by hand following the PDF 1.4 algorithms 3.1-3.4. It opens with the password.
    """
    content = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
    file_id = hashlib.md5(content + user_password.encode()).digest()
    owner = (b"owner-" + user_password.encode() + _PDF_PAD)[:32]
    user = (user_password.encode() + _PDF_PAD)[:32]
    o_value = _rc4(hashlib.md5(owner).digest()[:5], user)
    permissions = -44
    key = hashlib.md5(user + o_value + struct.pack("<i", permissions) + file_id).digest()[:5]
    u_value = _rc4(key, _PDF_PAD)
    object_key = hashlib.md5(key + struct.pack("<i", 4)[:3] + b"\x00\x00").digest()[:10]
    stream = _rc4(object_key, content)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        4: b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        6: b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P %d /O <%s> /U <%s> >>"
        % (permissions, o_value.hex().encode(), u_value.hex().encode()),
    }
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for number in sorted(objects):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        file_id.hex().encode(),
        file_id.hex().encode(),
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_encrypted_pdf_builder_makes_a_real_encrypted_pdf(tmp_path: Path) -> None:
    """Guard: the hand-made file is a valid PDF that opens with its password, not just garbage."""
    path = tmp_path / "encrypted.pdf"
    path.write_bytes(make_encrypted_pdf("secret", "Bao cao mat"))
    with pytest.raises(pypdfium2.PdfiumError, match="password"):
        pypdfium2.PdfDocument(str(path))
    pdf = pypdfium2.PdfDocument(str(path), password="secret")
    try:
        assert len(pdf) == 1
        assert "Bao cao mat" in pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()


def write_zip_bomb(path: Path, inflated_mib: int) -> None:
    """A DOCX-looking ZIP whose extra member inflates to ``inflated_mib`` MiB of zeros (streamed)."""
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        with archive.open("word/media/filler.bin", "w", force_zip64=True) as member:
            for _ in range(inflated_mib):
                member.write(chunk)


_TCVN3 = dict(
    pair.split(":")
    for pair in (
        "à:b5 ả:b6 ã:b7 á:b8 ạ:b9 ă:a8 ằ:bb ẳ:bc ẵ:bd ắ:be ặ:c6 â:a9 ầ:c7 ẩ:c8 ẫ:c9 ấ:ca ậ:cb Đ:a7 đ:ae "
        "è:cc ẻ:ce ẽ:cf é:d0 ẹ:d1 ê:aa ề:d2 ể:d3 ễ:d4 ế:d5 ệ:d6 ì:d7 ỉ:d8 ĩ:dc í:dd ị:de ò:df ỏ:e1 õ:e2 ó:e3 "
        "ọ:e4 ô:ab ồ:e5 ổ:e6 ỗ:e7 ố:e8 ộ:e9 ơ:ac ờ:ea ở:eb ỡ:ec ớ:ed ợ:ee ù:ef ủ:f1 ũ:f2 ú:f3 ụ:f4 ư:ad ừ:f5 "
        "ử:f6 ữ:f7 ứ:f8 ự:f9 ỳ:fa ỷ:fb ỹ:fc ý:fd ỵ:fe Ă:a1 Â:a2 Ê:a3 Ô:a4 Ơ:a5 Ư:a6"
    ).split()
)

VIETNAMESE_SAMPLE = (
    "Thực hiện Công văn số 228 ngày 9/11/2020 của Văn phòng điều phối nông thôn mới về việc "
    "báo cáo kết quả thực hiện chương trình năm 2020.\n"
    "Các hợp tác xã đã tích cực tham gia xây dựng nông thôn mới.\n"
)


def encode_tcvn3(text: str) -> bytes:
    """TCVN3 (ABC), the legacy 8-bit Vietnamese encoding of .VnTime fonts (lower case + 7 capitals)."""
    return bytes(ord(c) if ord(c) < 0x80 else int(_TCVN3[c], 16) for c in text)


def _docx_bytes(**replace: bytes | None) -> Callable[[], bytes]:
    """LD-014 with some ZIP members replaced (or removed when None)."""

    def build() -> bytes:
        source = corpus_file("LD-014", ".docx")
        buffer = io.BytesIO()
        with zipfile.ZipFile(source) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                key = info.filename
                if key in replace:
                    if replace[key] is None:
                        continue
                    zout.writestr(info, replace[key])
                else:
                    zout.writestr(info, zin.read(key))
        return buffer.getvalue()

    return build


def _empty_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("   ")
    document.add_table(rows=2, cols=2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip_without_document_xml() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a Word document")
    return buffer.getvalue()


def _truncated(doc_id: str, suffix: str, size: int) -> Callable[[], bytes]:
    return lambda: corpus_file(doc_id, suffix).read_bytes()[:size]


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], bytes]
    code: str


LOAD_CASES = [
    Case("empty.txt", lambda: b"", "EMPTY_FILE"),
    Case("empty.pdf", lambda: b"", "EMPTY_FILE"),
    Case("empty.docx", lambda: b"", "EMPTY_FILE"),
    Case("empty.doc", lambda: b"", "EMPTY_FILE"),
    Case("whitespace.txt", lambda: b" \r\n\t\n   \n", "EMPTY_FILE"),
    Case("nul_bytes.txt", lambda: bytes(range(256)) * 8, "BINARY_FILE"),
    Case("control_chars.txt", lambda: b"abc\x01\x02\x03\x04def\x05\x06" * 50, "BINARY_FILE"),
    Case("russian_cp1251.txt", lambda: "Привет, это текст на русском языке.".encode("cp1251"), "UNKNOWN_ENCODING"),
    Case("greek_cp1253.txt", lambda: "Αυτό είναι ένα ελληνικό κείμενο.".encode("cp1253"), "UNKNOWN_ENCODING"),
    Case("undefined_cp1258.txt", lambda: b"abc \x81\x8d\x8f\x90 def", "UNKNOWN_ENCODING"),
    Case("truncated.docx", _truncated("LD-014", ".docx", 5000), "CORRUPT_DOCX"),
    Case("bad_xml.docx", _docx_bytes(**{"word/document.xml": b"<w:document><unclosed"}), "CORRUPT_DOCX"),
    Case("no_content_types.docx", _docx_bytes(**{"[Content_Types].xml": None}), "CORRUPT_DOCX"),
    Case("no_text.docx", _empty_docx, "EMPTY_DOCUMENT"),
    Case("truncated.pdf", _truncated("DN-001", ".pdf", 3000), "CORRUPT_PDF"),
    Case("garbage_after_header.pdf", lambda: b"%PDF-1.4\n" + bytes(range(256)) * 12, "CORRUPT_PDF"),
    Case("encrypted.pdf", make_encrypted_pdf, "ENCRYPTED"),
    Case("unknown.xyz", lambda: b"some data", "UNSUPPORTED_FORMAT"),
    Case("README", lambda: "Báo cáo".encode(), "UNSUPPORTED_FORMAT"),
    Case("archive.zip", _zip_without_document_xml, "UNSUPPORTED_FORMAT"),
    Case("text_named.pdf", lambda: b"just some text", "WRONG_CONTENT"),
    Case("text_named.docx", lambda: b"just some text", "WRONG_CONTENT"),
    Case("text_named.doc", lambda: b"just some text", "WRONG_CONTENT"),
    Case("random_bytes.docx", lambda: bytes((i * 7919 + 13) % 251 for i in range(4096)), "WRONG_CONTENT"),
    Case("text_named.jpg", lambda: b"not a picture", "WRONG_CONTENT"),
]


@pytest.mark.parametrize("case", LOAD_CASES, ids=[c.name for c in LOAD_CASES])
def test_load_document_bad_input(tmp_path: Path, case: Case) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.build())
    shown = f"inbox/{case.name}"
    with pytest.raises(IngestError) as caught:
        load_document(path, shown)
    error = caught.value
    assert error.code == case.code, str(error)
    assert error.stage == "ingest"
    assert error.path == shown
    assert shown in str(error)
    assert error.message and error.message in str(error)
    # without display_path the real path is named
    with pytest.raises(IngestError) as again:
        load_document(path)
    assert again.value.code == case.code
    assert str(path) in str(again.value)


@needs_antiword
def test_load_document_corrupt_doc(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 12)
    with pytest.raises(IngestError) as caught:
        load_document(path, "corrupt.doc")
    assert caught.value.code == "CORRUPT_DOC"
    assert "corrupt.doc" in str(caught.value)


@pytest.mark.parametrize(
    ("inflated_mib", "why"),
    [(320, "over the absolute limit"), (40, "under the limit but ~1000:1 compression")],
)
def test_load_document_zip_bomb(tmp_path: Path, inflated_mib: int, why: str) -> None:
    path = tmp_path / "bomb.docx"
    write_zip_bomb(path, inflated_mib)
    assert path.stat().st_size < 1_000_000, "the bomb itself stays small on disk"
    with pytest.raises(IngestError) as caught:
        load_document(path, "bomb.docx")
    assert caught.value.code == "ZIP_BOMB", why
    assert "bomb.docx" in str(caught.value)


@pytest.mark.parametrize("kind", ["directory", "missing", "dangling_symlink"])
def test_load_document_not_a_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "thing.txt"
    if kind == "directory":
        path.mkdir()
    elif kind == "dangling_symlink":
        path.symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(IngestError) as caught:
        load_document(path)
    assert caught.value.code == "NOT_A_FILE"
    assert str(path) in str(caught.value)


def test_tcvn3_text_is_not_silently_decoded_as_cp1258(tmp_path: Path) -> None:
    data = encode_tcvn3(VIETNAMESE_SAMPLE)
    try:
        text, _encoding = decode_text_bytes(data, "legacy.txt")
    except IngestError as error:
        assert error.code == "UNKNOWN_ENCODING"
        assert "legacy.txt" in str(error)
    else:  # a decoder that knows TCVN3 is fine too, as long as the text is right
        assert unicodedata.normalize("NFC", text) == VIETNAMESE_SAMPLE


def test_docx_without_document_xml_is_a_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "no_document_xml.docx"
    path.write_bytes(_zip_without_document_xml())
    with pytest.raises(IngestError) as caught:
        load_document(path)
    assert caught.value.code in {"CORRUPT_DOCX", "WRONG_CONTENT"}


@pytest.mark.parametrize("damage", ["middle", "start"])
def test_docx_with_damaged_member_is_a_corrupt_docx(tmp_path: Path, damage: str) -> None:
    source = corpus_file("LD-014", ".docx")
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("word/document.xml")
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    first = start + (info.compress_size // 2 if damage == "middle" else 100)
    for i in range(first, first + 64):
        data[i] ^= 0xFF
    path = tmp_path / "damaged.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(IngestError) as caught:
        load_document(path)
    assert caught.value.code == "CORRUPT_DOCX"


def test_pdf_with_only_blank_pages_is_not_silently_ok(tmp_path: Path) -> None:
    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.new_page(595, 842)
    path = tmp_path / "blank.pdf"
    pdf.save(str(path))
    pdf.close()
    try:
        document = load_document(path)
    except IngestError as error:
        assert error.code == "EMPTY_DOCUMENT"
    else:
        assert document.pages_needing_ocr == [1, 2]


# --------------------------------------------------------------------------------------------
# a batch with good and bad files through extract()
# --------------------------------------------------------------------------------------------

GOOD_FILES = {
    # copied name: (corpus id, suffix, file_format, a phrase of its text)
    "QT-001.txt": ("QT-001", ".txt", "txt", "nông thôn mới"),
    "LD-014.docx": ("LD-014", ".docx", "docx", "quản lý hội"),
    "LD-089.pdf": ("LD-089", ".pdf", "pdf", "3183/SNV-TCBC"),
}


@dataclass(frozen=True)
class BadFile:
    name: str
    build: Callable[[Path], None]
    code: str
    status: str  # what the runner must record: 'failed' (a documents row) or 'unsupported'


def _bytes(data: Callable[[], bytes]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data())


BAD_FILES = [
    BadFile("empty.pdf", _bytes(lambda: b""), "EMPTY_FILE", "failed"),
    BadFile("empty.txt", _bytes(lambda: b""), "EMPTY_FILE", "failed"),
    BadFile("truncated.pdf", _bytes(_truncated("DN-001", ".pdf", 3000)), "CORRUPT_PDF", "failed"),
    BadFile("encrypted.pdf", _bytes(make_encrypted_pdf), "ENCRYPTED", "failed"),
    BadFile("random_bytes.docx", _bytes(lambda: random.Random(1612).randbytes(4096)), "WRONG_CONTENT", "failed"),
    BadFile("truncated.docx", _bytes(_truncated("LD-014", ".docx", 5000)), "CORRUPT_DOCX", "failed"),
    BadFile("no_document_xml.docx", _bytes(_zip_without_document_xml), "CORRUPT_DOCX", "failed"),
    BadFile("sub/binary.txt", _bytes(lambda: bytes(range(256)) * 8), "BINARY_FILE", "failed"),
    BadFile("unknown.xyz", _bytes(lambda: b"some data"), "UNSUPPORTED_FORMAT", "unsupported"),
    BadFile("bomb.docx", lambda path: write_zip_bomb(path, 320), "ZIP_BOMB", "failed"),
]



def _bad_params() -> list[object]:
    return [pytest.param(bad, id=bad.name) for bad in BAD_FILES]


@dataclass
class BatchRun:
    source: Path
    out: Path
    summary: object
    rerun: object
    documents: list[dict]
    errors: list[dict]
    documents_after_rerun: list[dict]
    errors_after_rerun: list[dict]


def _rows(database: Path, table: str) -> list[dict]:
    connection = sqlite3.connect(str(database))
    connection.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in connection.execute(f'SELECT * FROM "{table}" ORDER BY 1, 2')]
    finally:
        connection.close()


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> BatchRun:
    source = tmp_path_factory.mktemp("inbox")
    for name, (doc_id, suffix, _format, _phrase) in GOOD_FILES.items():
        shutil.copyfile(corpus_file(doc_id, suffix), source / name)
    for bad in BAD_FILES:
        target = source / bad.name
        target.parent.mkdir(parents=True, exist_ok=True)
        bad.build(target)
    out = tmp_path_factory.mktemp("dataset")
    nlp = build_nlp()
    summary = extract([source], out, nlp=nlp)
    documents, errors = _rows(out / "reports.sqlite", "documents"), _rows(out / "reports.sqlite", "errors")
    rerun = extract([source], out, nlp=nlp)
    return BatchRun(
        source,
        out,
        summary,
        rerun,
        documents,
        errors,
        _rows(out / "reports.sqlite", "documents"),
        _rows(out / "reports.sqlite", "errors"),
    )


def test_batch_folder_is_as_intended(batch: BatchRun) -> None:
    files = sorted(p.relative_to(batch.source).as_posix() for p in batch.source.rglob("*") if p.is_file())
    assert files == sorted(list(GOOD_FILES) + [b.name for b in BAD_FILES])


@pytest.mark.parametrize("bad", _bad_params())
def test_batch_one_error_row_naming_each_bad_file(batch: BatchRun, bad: BadFile) -> None:
    rows = [e for e in batch.errors if e["source_path"] == bad.name]
    assert len(rows) == 1, rows
    assert bad.name in rows[0]["message"]
    assert rows[0]["stage"] == "ingest"


@pytest.mark.parametrize("bad", _bad_params())
def test_batch_error_code_and_status_of_each_bad_file(batch: BatchRun, bad: BadFile) -> None:
    codes = [e["code"] for e in batch.errors if e["source_path"] == bad.name]
    assert codes == [bad.code]
    error = next(e for e in batch.errors if e["source_path"] == bad.name)
    if bad.status == "failed":
        # identical bytes are one document (doc_id is the content hash): empty.txt and empty.pdf
        # share one failed documents row, and each keeps its own errors row
        documents = [d for d in batch.documents if d["doc_id"] == error["doc_id"]]
        assert len(documents) == 1
        assert documents[0]["status"] == "failed"
        assert documents[0]["text"] == ""
    else:
        assert [d for d in batch.documents if d["source_path"] == bad.name] == []


@pytest.mark.parametrize("name", list(GOOD_FILES))
def test_batch_good_documents_are_ok(batch: BatchRun, name: str) -> None:
    _doc_id, _suffix, file_format, phrase = GOOD_FILES[name]
    documents = [d for d in batch.documents if d["source_path"] == name]
    assert len(documents) == 1
    document = documents[0]
    assert document["status"] == "ok"
    assert document["file_format"] == file_format
    assert document["text"].strip()
    assert phrase in document["text"]
    assert [e for e in batch.errors if e["source_path"] == name] == []


def test_batch_summary_ok_unsupported_and_total(batch: BatchRun) -> None:
    statuses = batch.summary.statuses
    assert statuses["ok"] == len(GOOD_FILES)
    assert sum(statuses.values()) == len(GOOD_FILES) + len(BAD_FILES)
    assert set(statuses) <= {"ok", "partial", "failed", "unsupported"}
    assert statuses["unsupported"] >= 1  # unknown.xyz
    unsupported_in_errors = {e["source_path"] for e in batch.errors if e["code"] == "UNSUPPORTED_FORMAT"}
    assert "unknown.xyz" in unsupported_in_errors
    assert statuses["unsupported"] == len(unsupported_in_errors)


def test_batch_summary_failed_counts_every_failing_document(batch: BatchRun) -> None:
    expected = Counter(b.status for b in BAD_FILES)
    assert batch.summary.failed == expected["failed"]
    assert batch.summary.statuses["unsupported"] == expected["unsupported"]


def test_batch_summary_matches_the_store(batch: BatchRun) -> None:
    failed_rows = [d for d in batch.documents if d["status"] == "failed"]
    failed_files = {e["source_path"] for e in batch.errors if e["code"] not in ("UNSUPPORTED_FORMAT", "NOT_A_FILE")}
    assert batch.summary.duplicates == 1  # empty.txt has the bytes of empty.pdf
    assert batch.summary.failed == len(failed_files)
    assert len(failed_rows) == len({e["doc_id"] for e in batch.errors if e["source_path"] in failed_files})


def test_batch_rerun_gives_identical_rows(batch: BatchRun) -> None:
    assert batch.rerun.rows == batch.summary.rows
    assert batch.rerun.statuses == batch.summary.statuses
    assert batch.summary.rows["documents"] == len(batch.documents) >= len(GOOD_FILES)
    assert batch.summary.rows["errors"] == len(batch.errors) >= len(BAD_FILES) - 1
    assert batch.summary.rows["blocks"] > 0

    def key(rows: list[dict], *columns: str) -> Counter:
        return Counter(tuple(r[c] for c in columns) for r in rows)

    assert key(batch.documents_after_rerun, "doc_id", "source_path", "status") == key(
        batch.documents, "doc_id", "source_path", "status"
    )
    assert key(batch.errors_after_rerun, "source_path", "code", "message") == key(
        batch.errors, "source_path", "code", "message"
    )


def test_batch_parquet_snapshot_matches_sqlite(batch: BatchRun) -> None:
    assert set(batch.rerun.rows) == set(TABLES)
    for table, count in batch.rerun.rows.items():
        path = batch.out / f"{table}.parquet"
        assert path.is_file(), table
        assert pq.read_metadata(str(path)).num_rows == count, table
    errors = pq.read_table(str(batch.out / "errors.parquet")).to_pylist()
    assert {e["source_path"] for e in errors} == {e["source_path"] for e in batch.errors_after_rerun}


def write_near_bomb_docx(path: Path, xml_mib: int) -> None:
    """A DOCX whose document.xml is ``xml_mib`` MiB of empty paragraphs (what lxml stores at ~20 times
    its bytes), with enough incompressible bytes to stay under the ZIP_BOMB ratio."""
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    chunk = b"<w:p/>" * (1 << 17)  # 768 KiB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w") as member:
            member.write(head)
            for _ in range(xml_mib * 4 // 3):
                member.write(chunk)
            member.write(b"</w:body></w:document>")
        archive.writestr("word/media/noise.bin", random.Random(19).randbytes(xml_mib * (1 << 20) // 100))


def test_a_docx_under_the_bomb_limits_is_refused_when_it_would_not_fit_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "near_bomb.docx"
    write_near_bomb_docx(path, 48)  # 48 MiB of XML: about 1 GB as an lxml tree
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    total, packed = sum(i.file_size for i in infos), sum(i.compress_size for i in infos)
    assert total < 300 * 2**20 and total / packed < 200, "not a zip bomb by size or ratio"
    with pytest.raises(IngestError) as caught:
        load_document(path, "near_bomb.docx")
    assert caught.value.code == "DOCX_TOO_LARGE" and "near_bomb.docx" in str(caught.value)
    assert "MiB of memory" in str(caught.value)
