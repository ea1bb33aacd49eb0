"""Uploaded scans and photos: type and size limits, content sniffing, content addressing.

The declared Content-Type must be one the centre accepts and must agree with what the bytes
are (their magic number): a PNG labelled JPEG is refused, so the type stored and later served
is always the true one. Then the content is decoded (``central.services.document_check``): a file
that
only starts like an image or a PDF, or a PDF with scripts, is refused. The id is derived from
the kiosk and the content's SHA-256, so uploading the same scan twice (an outbox retry) gives
the same id and stores it once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.errors import ApiError
from central.models import Document
from central.security.callers import SignedKiosk
from central.services.document_check import check_content

DocumentType = Literal["image/jpeg", "image/png", "application/pdf"]

_MAGIC: dict[DocumentType, bytes] = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF-",
}
IMAGE_TYPES = ("image/jpeg", "image/png")
EXTENSIONS: dict[str, str] = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def media_type(header: str | None) -> str:
    """'image/JPEG; charset=x' → 'image/jpeg'."""
    return (header or "").split(";", 1)[0].strip().lower()


def sniff(content: bytes) -> DocumentType | None:
    """The accepted type the bytes actually are, by their leading magic number."""
    for content_type, magic in _MAGIC.items():
        if content.startswith(magic):
            return content_type
    return None


def check_declared(content_type: str, content_length: str | None, max_bytes: int) -> None:
    """Refusals decided from the headers alone, before a byte of the body is read."""
    if content_type not in wire.DOCUMENT_TYPES:
        raise ApiError(
            415,
            "document_type_unsupported",
            "Jenis berkas tidak diterima. Gunakan JPEG, PNG atau PDF.",
            "This file type is not accepted. Use JPEG, PNG or PDF.",
            {"accepted": list(wire.DOCUMENT_TYPES)},
        )
    if content_length is None or not content_length.isdigit():
        # A chunked body of unknown size would have to be read whole before it could be
        # refused; requiring the length lets an oversized upload be turned away up front.
        raise ApiError(
            411,
            "length_required",
            "Panjang berkas (Content-Length) harus disebutkan.",
            "The upload must state its Content-Length.",
        )
    if int(content_length) > max_bytes:
        raise too_large(max_bytes)


def too_large(max_bytes: int) -> ApiError:
    mb = max_bytes // (1024 * 1024)
    return ApiError(
        413,
        "document_too_large",
        f"Berkas terlalu besar. Paling besar {mb} MB.",
        f"The file is too large. At most {mb} MB.",
        {"max_bytes": max_bytes},
    )


def document_id(kiosk_id: str, sha256: str) -> str:
    return hashlib.sha256(f"{kiosk_id}\0{sha256}".encode()).hexdigest()[:32]


def store(
    db: Session,
    kiosk: SignedKiosk,
    content_type: str,
    content: bytes,
    max_bytes: int,
    now: datetime,
) -> wire.DocumentUploaded:
    if len(content) > max_bytes:
        raise too_large(max_bytes)
    detected = sniff(content)
    if detected is None or detected != content_type:
        raise ApiError(
            422,
            "document_content_mismatch",
            "Isi berkas tidak sesuai dengan jenisnya (berkas rusak atau salah label).",
            "The file's content does not match its declared type (damaged or mislabelled).",
            {"declared": content_type, "detected": detected},
        )
    check_content(detected, content)
    digest = hashlib.sha256(content).hexdigest()
    doc_id = document_id(kiosk.id, digest)
    if db.get(Document, doc_id) is None:
        db.add(
            Document(
                id=doc_id,
                kiosk_id=kiosk.id,
                content_type=content_type,
                size_bytes=len(content),
                sha256=digest,
                content=content,
                uploaded_at=now,
            )
        )
        try:
            db.commit()
        except IntegrityError:  # the same scan's twin upload stored it a moment ago
            db.rollback()
    return wire.DocumentUploaded(
        document_id=doc_id, sha256=digest, size_bytes=len(content), content_type=detected
    )


def owned(db: Session, kiosk: SignedKiosk, doc_id: str) -> Document | None:
    """The document if this kiosk uploaded it: a kiosk cannot attach another kiosk's scans."""
    document = db.get(Document, doc_id)
    return document if document is not None and document.kiosk_id == kiosk.id else None


def fetch(db: Session, doc_id: str) -> Document:
    document = db.get(Document, doc_id)
    if document is None:
        raise ApiError(404, "document_unknown", "Berkas tidak ditemukan.", "No such document.")
    return document
