"""Digital signatures of a PDF: who signed it and when.

Vietnamese agencies sign issued documents digitally (Nghị định 30/2020/NĐ-CP, Điều 13 and Phụ
lục I): first the leader who signs the document, then the agency itself, whose signature stands
for its seal and often appears once more on each page of an annex. Each signature's dictionary
holds its signing time (``/M``) and often a reason written by the signing software ("Sở Tài
chính<stc@daknong.gov.vn> đã ký lên văn bản này!"); its PKCS#7 contents hold the signer's
certificate, whose subject names the person or body (CN), its unit (OU), its parent (O), its
place (L) and e-mail. The certificate is the signer's own: of the certificates the signature
carries, the one that issued no other (the issuing authorities' certificates come with it).

The signatures are read as they are; they are not verified.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import pypdfium2
import pypdfium2.raw as pdfium_c
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from pipeline.data import read_list
from pipeline.ingest.model import Signature
from pipeline.normalize import canonical_tone_placement

# "D:20190604164332+07'00'": PDF's date string (ISO 32000-1, 7.9.4); the parts after the year are optional
_PDF_DATE = re.compile(
    r"^D:(?P<year>\d{4})(?P<month>\d{2})?(?P<day>\d{2})?(?P<hour>\d{2})?(?P<minute>\d{2})?(?P<second>\d{2})?"
    r"(?:(?P<zulu>Z)|(?P<sign>[+-])(?P<tz_hour>\d{2})'?(?P<tz_minute>\d{2})?'?)?"
)
# the signing software's reason: "Sở Tài chính<stc@daknong.gov.vn> đã ký lên văn bản này!",
# "Ủy ban nhân dân thành phố Đà Nẵng ký số bản sao văn bản điện tử!"
_REASON_SIGNER = re.compile(
    r"^\s*(?P<name>[^<>]+?)\s*(?:<(?P<email>[^<>@\s]+@[^<>\s]+)>\s*|\s(?=(?:đã\s+)?ký\b))"
)


def pdf_date(text: str) -> str | None:
    """A PDF date string as ISO 8601 (``2019-06-04T16:43:32+07:00``), or None when it is not one."""
    m = _PDF_DATE.match(text.strip())
    if not m:
        return None
    date = f"{m['year']}-{m['month'] or '01'}-{m['day'] or '01'}"
    if not m["hour"]:
        return date
    stamp = f"{date}T{m['hour']}:{m['minute'] or '00'}:{m['second'] or '00'}"
    if m["zulu"]:
        return stamp + "+00:00"
    if m["sign"]:
        return f"{stamp}{m['sign']}{m['tz_hour']}:{m['tz_minute'] or '00'}"
    return stamp


def _text(getter: Callable[..., int], handle: object, decode: str) -> str:
    size = getter(handle, None, 0)
    if size <= 0:
        return ""
    buffer = ctypes.create_string_buffer(size)
    getter(handle, buffer, size)
    return buffer.raw[:size].decode(decode, errors="replace").rstrip("\x00").strip()


def _contents(handle: object) -> bytes:
    size = pdfium_c.FPDFSignatureObj_GetContents(handle, None, 0)
    if size <= 0:
        return b""
    buffer = (ctypes.c_ubyte * size)()
    pdfium_c.FPDFSignatureObj_GetContents(handle, buffer, size)
    return bytes(buffer)


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = [str(a.value).strip() for a in name.get_attributes_for_oid(oid)]
    return ", ".join(v for v in values if v) or None


def signer_certificate(contents: bytes) -> x509.Certificate | None:
    """The signer's own certificate among those a PKCS#7 signature carries, or None."""
    try:
        certificates = pkcs7.load_der_pkcs7_certificates(contents.rstrip(b"\x00"))
    except (ValueError, UnsupportedAlgorithm):
        return None  # no PKCS#7 this reader knows: the reason may still name the signer
    issuers = {c.issuer for c in certificates}
    own = [c for c in certificates if c.subject not in issuers]
    return own[0] if own else (certificates[0] if certificates else None)


def read_signatures(document: pypdfium2.PdfDocument) -> list[Signature]:
    """Every digital signature of ``document``, in the file's order."""
    found = []
    for index in range(max(0, pdfium_c.FPDF_GetSignatureCount(document.raw))):
        handle = pdfium_c.FPDF_GetSignatureObject(document.raw, index)
        if not handle:
            continue
        signed_at = pdf_date(_text(pdfium_c.FPDFSignatureObj_GetTime, handle, "latin-1"))
        reason = _text(pdfium_c.FPDFSignatureObj_GetReason, handle, "utf-16-le") or None
        certificate = signer_certificate(_contents(handle))
        signer = unit = organization = place = email = None
        if certificate is not None:
            subject = certificate.subject
            signer = _attribute(subject, NameOID.COMMON_NAME)
            unit = _attribute(subject, NameOID.ORGANIZATIONAL_UNIT_NAME)
            organization = _attribute(subject, NameOID.ORGANIZATION_NAME)
            place = _attribute(subject, NameOID.LOCALITY_NAME) or _attribute(subject, NameOID.STATE_OR_PROVINCE_NAME)
            email = _attribute(subject, NameOID.EMAIL_ADDRESS)
        by_reason = _REASON_SIGNER.match(reason or "")
        if by_reason:
            signer = signer or by_reason["name"].strip()
            email = email or by_reason["email"]
        kind = None if signer is None else "agency" if names_a_body(signer, organization) else "person"
        found.append(Signature(index, signed_at, signer, unit, organization, place, email, reason, kind))
    return found


@lru_cache(maxsize=1)
def _body_heads() -> tuple[str, ...]:
    return tuple(sorted({_lower(h) for h in read_list("agency_heads.txt")}, key=len, reverse=True))


def _lower(text: str) -> str:
    return " ".join(canonical_tone_placement(unicodedata.normalize("NFC", text)).lower().split())


def names_a_body(signer: str, organization: str | None = None) -> bool:
    """Whether a certificate's common name is an agency's ("SỞ NỘI VỤ", "Ủy ban nhân dân huyện
    Krông Nô") rather than a person's ("Nguyễn Đức Vũ"): it opens with an agency's first word,
    accents kept ("Vũ" is a name, "Vụ" a department), or it is the certificate's organization."""
    name = _lower(signer)
    if organization and name == _lower(organization):
        return True
    return any(name == head or name.startswith(head + " ") for head in _body_heads())
