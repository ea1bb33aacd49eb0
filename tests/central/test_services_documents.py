"""Document uploads: JPEG, PNG and PDF only, sniffed by content, a size limit from the
settings, a SHA-256 kept, the same bytes stored once; every refusal clear and bilingual."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pikepdf
import pytest
import requests
from sqlalchemy import func, select

from central.contract.services import DocumentUploaded
from central.models import Document
from central.settings import CentralSettings
from tests.central.conftest import Database
from tests.central.services_portal import Portal, error, image_bytes
from tests.support.central_server import CentralServer, EnrolledKiosk

MB = 1024 * 1024


@pytest.fixture
def settings(database: Database) -> CentralSettings:
    return CentralSettings(database_url=database.url, max_document_mb=1)


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk) -> Portal:
    return Portal(central, kiosk)


def _stored(central: CentralServer) -> int:
    with central.context.sessions() as db:
        return db.scalar(select(func.count()).select_from(Document)) or 0


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("PDF", "application/pdf")],
)
def test_accepted_types_are_stored_with_their_hash(
    portal: Portal, kind: str, content_type: str
) -> None:
    content = image_bytes(kind)
    reply = portal.upload(content, content_type)
    assert reply.status_code == 201, reply.text
    answer = DocumentUploaded.model_validate_json(reply.content)
    assert answer.sha256 == hashlib.sha256(content).hexdigest()
    assert answer.size_bytes == len(content)
    assert answer.content_type == content_type
    with portal.central.context.sessions() as db:
        row = db.get(Document, answer.document_id)
        assert row is not None and row.content == content and row.kiosk_id == portal.kiosk.kiosk_id


def test_content_type_parameters_and_case_are_ignored(portal: Portal) -> None:
    reply = portal.upload(image_bytes("PNG"), "Image/PNG; charset=binary")
    assert reply.status_code == 201 and reply.json()["content_type"] == "image/png"


def test_same_bytes_twice_is_one_document(portal: Portal) -> None:
    content = image_bytes("JPEG")
    first = portal.upload(content, "image/jpeg").json()
    second = portal.upload(content, "image/jpeg").json()
    assert first == second
    other = Portal(portal.central, portal.central.enroll()).upload(content, "image/jpeg").json()
    assert other["document_id"] != first["document_id"]  # per kiosk: ids never cross kiosks
    assert _stored(portal.central) == 2


@pytest.mark.parametrize(
    ("content", "declared", "detected"),
    [
        (image_bytes("PNG"), "image/jpeg", "image/png"),
        (image_bytes("JPEG"), "application/pdf", "image/jpeg"),
        (b"GIF89a" + bytes(64), "image/png", None),
        (b"", "image/jpeg", None),
    ],
)
def test_content_that_is_not_what_it_says_is_422(
    portal: Portal, content: bytes, declared: str, detected: str | None
) -> None:
    reply = portal.upload(content, declared)
    assert reply.status_code == 422
    body = error(reply)
    assert body.code == "document_content_mismatch"
    assert body.details == {"declared": declared, "detected": detected}
    assert body.message.id and body.message.en
    assert _stored(portal.central) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "image/gif", "application/json", ""])
def test_other_types_are_415(portal: Portal, content_type: str) -> None:
    reply = portal.upload(b"%PDF-1.4 hello", content_type)
    assert reply.status_code == 415
    assert error(reply).code == "document_type_unsupported"
    assert error(reply).details == {"accepted": ["image/jpeg", "image/png", "application/pdf"]}


def test_size_limit_comes_from_the_settings(portal: Portal) -> None:
    photo = image_bytes("JPEG")
    at_limit = photo + bytes(MB - len(photo))  # decoders stop at the image's end marker
    assert portal.upload(at_limit, "image/jpeg").status_code == 201
    over = portal.upload(at_limit + b"\0", "image/jpeg")
    assert over.status_code == 413
    assert error(over).code == "document_too_large"
    assert error(over).details == {"max_bytes": MB}
    assert "1 MB" in error(over).message.id and "1 MB" in error(over).message.en
    assert _stored(portal.central) == 1


def test_a_body_of_unstated_length_is_411(central: CentralServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"\xff\xd8\xff"
        yield bytes(100)

    reply = requests.post(
        f"{central.url}/v1/documents",
        data=chunks(),
        headers={"Content-Type": "image/jpeg"},
        timeout=10,
    )
    assert reply.status_code == 411
    assert error(reply).code == "length_required"


def test_an_unsigned_upload_is_refused(central: CentralServer) -> None:
    reply = requests.post(
        f"{central.url}/v1/documents",
        data=image_bytes("JPEG"),
        headers={"Content-Type": "image/jpeg"},
        timeout=10,
    )
    assert reply.status_code == 401
    assert _stored(central) == 0


def _pdf_with(**root: Any) -> bytes:
    """A well-formed one-page PDF with extra entries in its document catalogue."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    for key, value in root.items():
        pdf.Root[f"/{key}"] = pdf.make_indirect(value)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "declared"),
    [
        (b"\xff\xd8\xff", "image/jpeg"),  # the magic number and nothing else
        (image_bytes("JPEG")[:-200], "image/jpeg"),  # a truncated photo
        (image_bytes("PNG")[:-30], "image/png"),
        (b"%PDF-1.4\n<html><script>alert(1)</script></html>", "application/pdf"),
        (b"%PDF-" + b"MZ\x90\x00" * 64, "application/pdf"),  # a program wearing a PDF header
        (image_bytes("PDF")[:-60], "application/pdf"),  # a truncated PDF
    ],
    ids=["magic-only", "truncated-jpeg", "truncated-png", "html-pdf", "exe-pdf", "truncated-pdf"],
)
def test_content_that_does_not_decode_is_422(portal: Portal, content: bytes, declared: str) -> None:
    reply = portal.upload(content, declared)
    assert reply.status_code == 422, reply.text
    assert error(reply).code == "document_unreadable"
    assert _stored(portal.central) == 0


def test_a_pdf_with_javascript_is_refused(portal: Portal) -> None:
    script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    reply = portal.upload(_pdf_with(OpenAction=script), "application/pdf")
    assert reply.status_code == 422, reply.text
    assert error(reply).code == "document_active_content"
    assert portal.upload(_pdf_with(), "application/pdf").status_code == 201  # the same, clean
    assert _stored(portal.central) == 1


def test_documents_are_served_as_downloads_never_sniffed(portal: Portal) -> None:
    document_id = portal.upload_ok(image_bytes("PDF"), "application/pdf")
    reply = portal.operator_get(f"/v1/operator/documents/{document_id}")
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"] == f'attachment; filename="{document_id}.pdf"'
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
