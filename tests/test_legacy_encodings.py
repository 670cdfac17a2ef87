"""Legacy Vietnamese font encodings (TCVN3 / VNI): tables, detection, and every ingest backend.

The legacy samples are made from real Unicode report text with encoders that do not use the
pipeline's tables: TCVN3 through glibc iconv (``TCVN5712-1``), VNI through an encoder written here
from the layout's rules (base letter + shape/tone key bytes). The round trip through
``load_document`` and normalisation must keep the character error rate under 0.3%, and Unicode
documents must come out exactly as they do with the legacy step switched off.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from pipeline.data import read_table
from pipeline.document import assemble
from pipeline.errors import IngestError
from pipeline.ingest import ReadOptions, legacy, load_document
from pipeline.ingest.txt import decode_text_bytes
from pipeline.version import pipeline_version
from tests.conftest import cer, pdf_from_objects

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
QT_001 = CORPUS / "QT-001__BC_NTM_2020_LMHTX_Quang_Tri.txt"
DN_001 = CORPUS / "DN-001__216BC_CCHC_nam_2018.pdf"
MAX_CER = 0.003

_SMALL = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
LETTERS = [c for c in _SMALL if ord(c) > 0x7F] + [c.upper() for c in _SMALL if ord(c) > 0x7F]
_HAS_TCVN_ICONV = shutil.which("iconv") is not None and subprocess.run(
    ["iconv", "-f", "utf-8", "-t", "TCVN5712-1"], input=b"a", capture_output=True, check=False
).returncode == 0
needs_iconv = pytest.mark.skipif(not _HAS_TCVN_ICONV, reason="glibc iconv with TCVN5712-1 is not available")


# --- independent encoders ------------------------------------------------------------------------

_ICONV_TCVN: dict[str, bytes] = {}


def _iconv_letters() -> dict[str, bytes]:
    """Every Vietnamese letter in glibc's TCVN5712-1, from one iconv call."""
    if not _ICONV_TCVN:
        out = subprocess.run(
            ["iconv", "-f", "utf-8", "-t", "TCVN5712-1"], input="\n".join(LETTERS).encode(), capture_output=True, check=True
        ).stdout.split(b"\n")
        _ICONV_TCVN.update(zip(LETTERS, out))
    return _ICONV_TCVN


def encode_tcvn3(text: str) -> tuple[bytes, list[bool]]:
    """TCVN3 bytes of ``text`` (glibc's table) and, per byte, whether it needs a capitals font.

    VN3 (the .VnTime fonts) has capitals only for Ă Â Ê Ô Ơ Ư Đ; glibc gives the other capitals
    TCVN5712-1 (VN1) codes that .VnTime fonts lack, so they are typed as the small letter in a
    capitals (.VnTimeH) font, as typists did.
    """
    table = _iconv_letters()
    data = bytearray()
    capitals: list[bool] = []
    for char in unicodedata.normalize("NFC", text):
        if char in table:
            code = table[char]
            upper_in_vn3 = len(code) == 1 and 0xA1 <= code[0] <= 0xA7
            if char.isupper() and not upper_in_vn3:
                code = table[char.lower()]
                capitals.extend([True] * len(code))
            else:
                capitals.extend([False] * len(code))
            data += code
        else:
            code = char.encode("cp1252")
            data += code
            capitals.extend([False] * len(code))
    return bytes(data), capitals


_TONE_KEYS = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_CIRCUMFLEX_KEYS = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_BREVE_KEYS = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_I_TONES = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def _vni_letter(char: str) -> str:
    """VNI bytes (as Windows-1252 characters) of one letter, from its decomposition."""
    if char in "đĐ":
        return "ñ" if char == "đ" else "Ñ"
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or not base.isascii():
        return char
    shape = next((m for m in marks if m in "\u0302\u0306\u031b"), "")
    tone = next((m for m in marks if m in _TONE_KEYS and m), "")
    lower = base.lower()
    if lower == "i":
        key = _I_TONES[tone]
        out = key
    elif lower == "y" and tone == "\u0323":
        out = "î"
    elif shape == "\u031b":  # horn: ơ and ư have bytes of their own, tones follow
        out = {"o": "ô", "u": "ö"}[lower] + _TONE_KEYS[tone]
    elif shape == "\u0302":
        out = lower + _CIRCUMFLEX_KEYS[tone]
    elif shape == "\u0306":
        out = lower + _BREVE_KEYS[tone]
    else:
        out = lower + _TONE_KEYS[tone]
    if base.isupper():  # capital base, and capital mark keys sit 0x20 below the small ones
        out = "".join(chr(ord(c) - 0x20) if ord(c) >= 0xE0 else c.upper() for c in out)
    return out


def encode_vni(text: str) -> bytes:
    """VNI bytes of ``text``."""
    return "".join(_vni_letter(c) for c in unicodedata.normalize("NFC", text)).encode("cp1252")


# --- tables --------------------------------------------------------------------------------------


@needs_iconv
def test_tcvn3_table_matches_glibc_iconv() -> None:
    table = _iconv_letters()
    rows = read_table("legacy_tcvn3.tsv")
    assert len(rows) == 74
    letters = {row[1] for row in rows} | {row[2] for row in rows}
    assert len(letters) == 134 and letters == set(LETTERS)
    for code, small, capital in rows:
        assert table[small] == bytes([int(code, 16)]), small
        assert capital == small.upper()


def test_vni_table_matches_the_rule_based_encoder() -> None:
    rows = read_table("legacy_vni.tsv")
    assert len(rows) == 134 and {row[0] for row in rows} == set(LETTERS)
    for letter, sequence, hex_bytes in rows:
        assert _vni_letter(letter) == sequence, letter
        assert sequence.encode("cp1252").hex(" ").upper() == hex_bytes


@pytest.mark.parametrize(
    "word",
    ["báo", "cáo", "thủy", "nghĩa", "hội", "mỹ", "kỵ", "đường", "Đồng", "ưu", "ơn", "ở", "Ủy", "Ấp", "HỘI", "ĐẢNG", "NGHỊ", "Ơn", "Ưu"],
)
def test_single_words_round_trip(word: str) -> None:
    assert legacy.convert(encode_vni(word).decode("cp1252"), "vni") == word
    if _HAS_TCVN_ICONV:
        data, capitals = encode_tcvn3(word)
        text = data.decode("cp1252")
        # capitals typed in a .VnTimeH font
        parts = [legacy.convert(c, "tcvn3", cap) for c, cap in zip(text, capitals)]
        assert "".join(parts) == word


@pytest.mark.parametrize(("font", "expected"), [
    (".VnTime", ("tcvn3", False)), (".VnTimeH", ("tcvn3", True)), ("ABCDEF+.VnArialH,Bold", ("tcvn3", True)),
    (".VnCentury Schoolbook", ("tcvn3", False)), ("VNI-Times", ("vni", False)), ("XYZABC+VNI-Helve-Bold", ("vni", False)),
    ("Times New Roman", (None, False)), ("Verdana", (None, False)), (None, (None, False)),
])
def test_font_names(font: str | None, expected: tuple[str | None, bool]) -> None:
    assert legacy.font_encoding(font) == expected


# --- samples from real text ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def qt_text() -> str:
    return QT_001.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dn_text() -> str:
    """Ten paragraphs of DN-001's text layer (OCR off: it has a text layer)."""
    document = assemble(load_document(DN_001))
    return "\n".join([b.text for b in document.blocks if b.kind == "paragraph"][:10])


def _assembled(path: Path) -> str:
    return assemble(load_document(path)).text


def _encode(text: str, encoding: str) -> bytes:
    return encode_tcvn3(text)[0] if encoding == "tcvn3" else encode_vni(text)


@pytest.mark.parametrize("encoding", [pytest.param("tcvn3", marks=needs_iconv), "vni"])
@pytest.mark.parametrize("sample", ["qt_text", "dn_text"])
def test_legacy_txt_files(tmp_path: Path, encoding: str, sample: str, request: pytest.FixtureRequest) -> None:
    text: str = request.getfixturevalue(sample)
    unicode_path = tmp_path / "unicode.txt"
    unicode_path.write_text(text, encoding="utf-8")
    legacy_path = tmp_path / f"{encoding}.txt"
    legacy_path.write_bytes(_encode(text, encoding))
    document = load_document(legacy_path)
    assert document.provenance["encoding"] == encoding
    reference, converted = _assembled(unicode_path), assemble(document).text
    assert cer(reference, converted) <= MAX_CER


@pytest.mark.parametrize("encoding", [pytest.param("tcvn3", marks=needs_iconv), "vni"])
def test_legacy_text_saved_as_utf8_is_converted(encoding: str, qt_text: str) -> None:
    mojibake = _encode(qt_text, encoding).decode("cp1252").encode("utf-8")
    text, name = decode_text_bytes(mojibake, "x.txt")
    assert name == f"utf-8+{encoding}"
    assert cer(unicodedata.normalize("NFC", qt_text), text) <= MAX_CER


def _tcvn3_runs(paragraph, line: str) -> None:  # type: ignore[no-untyped-def]
    """Runs of one line in .VnTime, with capitals lines and capital letters in .VnTimeH."""
    data, capitals = encode_tcvn3(line)
    text = data.decode("cp1252")
    letters = [c for c in line if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        paragraph.add_run(text).font.name = ".VnTimeH"
        return
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or capitals[i] != capitals[start]:
            paragraph.add_run(text[start:i]).font.name = ".VnTimeH" if capitals[start] else ".VnTime"
            start = i


def _write_docx(path: Path, lines: list[str], encoding: str | None) -> None:
    document = docx.Document()
    if encoding == "vni":
        # the font comes from the Normal style, not the runs
        normal = document.styles["Normal"].element.get_or_add_rPr()
        fonts = normal.find(qn("w:rFonts"))
        if fonts is None:
            fonts = normal.makeelement(qn("w:rFonts"), {})
            normal.append(fonts)
        fonts.set(qn("w:ascii"), "VNI-Times")
        fonts.set(qn("w:hAnsi"), "VNI-Times")
    for line in lines:
        paragraph = document.add_paragraph()
        if encoding == "tcvn3":
            _tcvn3_runs(paragraph, line)
        elif encoding == "vni":
            paragraph.add_run(encode_vni(line).decode("cp1252"))
        else:
            paragraph.add_run(line).font.name = "Times New Roman"
    document.save(str(path))


@pytest.mark.parametrize("encoding", [pytest.param("tcvn3", marks=needs_iconv), "vni"])
@pytest.mark.parametrize("sample", ["qt_text", "dn_text"])
def test_legacy_docx_runs(tmp_path: Path, encoding: str, sample: str, request: pytest.FixtureRequest) -> None:
    lines = [line for line in request.getfixturevalue(sample).split("\n") if line.strip()]
    _write_docx(tmp_path / "unicode.docx", lines, None)
    _write_docx(tmp_path / "legacy.docx", lines, encoding)
    document = load_document(tmp_path / "legacy.docx")
    assert document.provenance["legacy_encoding"] == encoding
    assert cer(_assembled(tmp_path / "unicode.docx"), assemble(document).text) <= MAX_CER


def _pdf_bytes(lines: list[tuple[str, bytes]]) -> bytes:
    """A one-page PDF with lines of raw font bytes, each in its font (non-embedded, WinAnsi)."""
    fonts = sorted({font for font, _ in lines})
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    font_refs = " ".join(f"/F{i} {5 + i} 0 R" for i in range(len(fonts)))
    objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << {font_refs} >> >> >>".encode())
    stream = b"BT /F0 11 Tf 14 TL 60 780 Td\n"
    for font, data in lines:
        escaped = data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        stream += f"/F{fonts.index(font)} 11 Tf ".encode() + b"(" + escaped + b") Tj T*\n"
    stream += b"ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    for font in fonts:
        # VNI mark glyphs take no room: they are drawn over the letter before them
        widths = " ".join("0" if font.startswith("VNI") and chr(b) in legacy._table("vni").to_unicode and not legacy._table("vni").to_unicode[chr(b)].isalpha() else "500" for b in range(32, 256))
        objects.append(f"<< /Type /Font /Subtype /TrueType /BaseFont /{font} /FirstChar 32 /LastChar 255 /Widths [{widths}] "
            # Word's PDF export maps byte 0xAD (TCVN3 "ư") to U+00AD, not to WinAnsi's hyphen
            "/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [173 /uni00AD] >> "
            f"/FontDescriptor << /Type /FontDescriptor /FontName /{font} /Flags 32 /FontBBox [0 -220 1000 900] "
            "/ItalicAngle 0 /Ascent 900 /Descent -220 /CapHeight 700 /StemV 80 >> >>".encode())
    return pdf_from_objects(objects)


@needs_iconv
def test_legacy_pdf_text_layer(tmp_path: Path) -> None:
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Liên minh Hợp tác xã tỉnh Quảng Trị báo cáo kết quả như sau:",
        "Thực hiện Công văn số 228 của Văn phòng điều phối nông thôn mới.",
        "Các hợp tác xã đã tích cực tham gia xây dựng nông thôn mới.",
    ]
    content = [
        (".VnTimeH", encode_tcvn3(lines[0])[0]),
        (".VnTime", encode_tcvn3(lines[1])[0]),
        ("VNI-Times", encode_vni(lines[2])),
        ("VNI-Times", encode_vni(lines[3])),
    ]
    path = tmp_path / "legacy.pdf"
    path.write_bytes(_pdf_bytes(content))
    text = assemble(load_document(path)).text
    assert cer(" ".join(lines), text.replace("\n", " ")) <= MAX_CER


@pytest.mark.parametrize("suffix", ["txt", "docx", "pdf"])
def test_the_options_switch_the_conversion_off_in_every_backend(
    tmp_path: Path, suffix: str, qt_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the backends ask ReadOptions, not the environment: an explicit option wins over BAOCAO_LEGACY
    monkeypatch.setenv("BAOCAO_LEGACY", "1")
    lines = [line for line in qt_text.split("\n") if line.strip()][:6]
    path = tmp_path / f"legacy.{suffix}"
    if suffix == "txt":  # VNI text saved as UTF-8 (VNI bytes alone are no readable text without the step)
        path.write_text(encode_vni("\n".join(lines)).decode("cp1252"), encoding="utf-8")
    elif suffix == "docx":
        _write_docx(path, lines, "vni")
    else:
        path.write_bytes(_pdf_bytes([("VNI-Times", encode_vni(line)) for line in lines]))
    converted = load_document(path, options=ReadOptions(ocr=False))
    untouched = load_document(path, options=ReadOptions(ocr=False, legacy=False))
    assert "Hợp tác xã" in assemble(converted).text
    assert "Hợp tác xã" not in assemble(untouched).text
    assert ReadOptions.from_environment({"BAOCAO_LEGACY": "0"}) == ReadOptions(legacy=False)
    # a store written without the step says so: a later run with it reads those documents again
    assert pipeline_version(ReadOptions(legacy=False)).endswith(".no-legacy")
    assert not pipeline_version(ReadOptions()).endswith(".no-legacy")


# --- Unicode must stay untouched -----------------------------------------------------------------

CONTROL_TEXT = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "Hòa Bình có là mà tài chính, chỉ tiêu 5 µg, nhiệt độ 30°C, diện tích 2 × 3 m², § 4, « trích » ½.\n"
)


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda p: p.name[:6])
def test_unicode_corpus_files_are_untouched(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_step = _assembled(path)
    monkeypatch.setenv("BAOCAO_LEGACY", "0")
    assert _assembled(path) == with_step


def _windows_1258(text: str) -> bytes:
    """Windows-1258 bytes: letters with their shape (ô ư ă ...) precomposed, tone marks combining."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
        out.append(unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones)) + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "cp1258"])
def test_unicode_text_files_are_untouched(tmp_path: Path, codec: str) -> None:
    # The Windows-1258 reader (not this step) rejects text with many symbols: keep them out there.
    control = CONTROL_TEXT if codec != "cp1258" else CONTROL_TEXT.split("\n", 2)[0] + "\nHòa Bình có là mà.\n"
    data = _windows_1258(control) if codec == "cp1258" else control.encode(codec)
    text, encoding = decode_text_bytes(data, "control.txt")
    assert "+" not in encoding
    assert unicodedata.normalize("NFC", text) == control


def test_latin1_only_vietnamese_is_not_detected() -> None:
    for text in ("Hòa Bình có là mà", "Tài chính cho các xã, ôn tập", "Giá 5 µg, 2 × 3, 30°C, § 4 « a » ½", CONTROL_TEXT):
        assert legacy.detect(text) is None
        assert legacy.detect_lines(text.split("\n")) is None


def test_unicode_in_legacy_font_docx_is_untouched(tmp_path: Path) -> None:
    document = docx.Document()
    for line in CONTROL_TEXT.strip().split("\n") + ["Hòa Bình có là mà", "tài chính"]:
        document.add_paragraph().add_run(line).font.name = ".VnTime"
        document.add_paragraph().add_run(line).font.name = "VNI-Times"
    path = tmp_path / "unicode_in_vntime.docx"
    document.save(str(path))
    source = load_document(path)
    assert "legacy_encoding" not in source.provenance
    assert [b.text for b in source.blocks][:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"] * 2


def test_other_code_pages_are_still_rejected() -> None:
    with pytest.raises(IngestError) as caught:
        decode_text_bytes("Привет, это текст на русском языке.".encode("cp1251"), "ru.txt")
    assert caught.value.code == "UNKNOWN_ENCODING"


@pytest.mark.parametrize("encoding", [pytest.param("tcvn3", marks=needs_iconv), "vni"])
def test_legacy_doc_through_antiword_output(tmp_path: Path, encoding: str, qt_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """antiword prints legacy font bytes as Windows-1252 characters; no font names reach us."""
    import pipeline.ingest.doc as doc_backend

    row = "|Số xã|Tỷ lệ đạt chuẩn|\n|12|85,5%|\n"
    printed = _encode(qt_text + "\n" + row, encoding).decode("cp1252")
    monkeypatch.setattr(doc_backend, "_antiword_text", lambda path, shown: printed)
    path = tmp_path / "legacy.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    document = load_document(path)
    assert document.provenance["legacy_encoding"] == encoding
    assert document.blocks[-2].cells == ("Số xã", "Tỷ lệ đạt chuẩn")
    reference = tmp_path / "unicode.txt"
    reference.write_text(qt_text, encoding="utf-8")
    converted = "\n".join(b.text for b in assemble(document).blocks[:-2])
    assert cer(_assembled(reference), converted) <= MAX_CER
