"""Small steps the back-office tests share: a letter request made at a kiosk, moved by an
operator, its letter generated; and reading a QR code back out of a letter's PDF."""

from __future__ import annotations

import io
from typing import Any, cast

import cv2
import numpy as np
import pikepdf
import requests

from tests.central.services_portal import Portal, image_bytes, local_ref
from tests.support.qr import decode_qr_image

SKTM_ANSWERS = {
    "keperluan": "Pendaftaran beasiswa sekolah anak",
    "penghasilan": "Rp 1.000.001 - 2.000.000",
}
SIGNER = {"signer_name": "H. Sugeng Riyadi", "signer_position": "Kepala Desa"}
# Quiet zone added around an extracted QR image before decoding (the detector needs one).
QR_BORDER_PX = 24


def sktm_request(portal: Portal) -> str:
    """A complete SKTM request (status 1, being checked); its tracking code."""
    scans = [portal.upload_ok(image_bytes("JPEG", (10 * i, 80, 120))) for i in range(2)]
    body: dict[str, Any] = {
        "local_ref": local_ref(),
        "service_id": "sktm",
        "answers": dict(SKTM_ANSWERS),
        "documents": [
            {"name": name, "document_id": doc}
            for name, doc in zip(["kk", "pengantar_rt"], scans, strict=True)
        ],
        "submitted_at": portal.central.clock.now().isoformat(),
    }
    reply = portal.post("/v1/letters", body)
    assert reply.status_code == 201, reply.text
    code: str = reply.json()["tracking_code"]
    return code


def move(portal: Portal, code: str, status: int, reason: str = "Diperiksa") -> requests.Response:
    return portal.operator_post(
        f"/v1/operator/letters/{code}/status", {"status": status, "reason": reason}
    )


def generate(portal: Portal, code: str, **signer: str) -> requests.Response:
    return portal.operator_post(f"/v1/operator/letters/{code}/letter", {**SIGNER, **signer})


def qr_texts(pdf_bytes: bytes) -> list[str]:
    """Every QR code found in the PDF's images, decoded with OpenCV."""
    found: list[str] = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            for raw in page.get_images().values():
                grey = np.array(
                    pikepdf.PdfImage(cast(pikepdf.Stream, raw)).as_pil_image().convert("L")
                )
                framed = cv2.copyMakeBorder(
                    grey, *(QR_BORDER_PX,) * 4, cv2.BORDER_CONSTANT, value=255
                )
                text = decode_qr_image(framed)
                if text:
                    found.append(text)
    return found


def pdf_text(pdf_bytes: bytes) -> str:
    """The pages' content streams, decoded: fpdf2 draws core-font text as plain strings, so
    what a letter says can be read back from them."""
    parts: list[str] = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            parts.append(page.Contents.read_bytes().decode("latin-1"))
    return "\n".join(parts)
