"""The console's multipart reader and which body limit a console upload gets: unit tests
(the uploads themselves are tested against a real centre in tests/backoffice)."""

from __future__ import annotations

import pytest
import requests
from starlette.datastructures import UploadFile

from central.console.multipart import MAX_PARTS, BadMultipart, parse_multipart
from central.security.body_limit import MAX_JSON_BODY_BYTES, BodyLimit


def _encoded(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    prepared = requests.Request("POST", "http://x/", data=fields, files=files).prepare()
    assert isinstance(prepared.body, bytes)
    return prepared.body, prepared.headers["Content-Type"]


def test_fields_and_a_binary_file_come_back_exactly() -> None:
    content = b"%PDF-1.7\r\n--not-a-boundary\r\n\x00\xff" * 100
    body, kind = _encoded(
        {"csrf": "t0k", "signer_name": "Hj. Siti Aminah"},
        {"letter": ("surat.pdf", content, "application/pdf")},
    )
    form = parse_multipart(body, kind)
    assert form["csrf"] == "t0k" and form["signer_name"] == "Hj. Siti Aminah"
    upload = form["letter"]
    assert isinstance(upload, UploadFile)
    assert upload.file.read() == content
    assert (upload.filename, upload.content_type, upload.size) == (
        "surat.pdf",
        "application/pdf",
        len(content),
    )


@pytest.mark.parametrize(
    ("mangle", "kind"),
    [
        (lambda body: body[:-30], None),  # cut before the closing boundary
        (lambda body: b"garbage" + body, None),
        (lambda body: body, "multipart/form-data"),  # no boundary
        (lambda body: body.replace(b'name="csrf"', b'nom="csrf"'), None),  # a part with no name
        (lambda body: body.replace(b"t0k", b"\xff\xfe"), None),  # text that is not UTF-8
    ],
    ids=["truncated", "no-preamble-boundary", "no-boundary", "no-name", "not-utf8"],
)
def test_a_malformed_form_is_refused(mangle: object, kind: str | None) -> None:
    body, declared = _encoded({"csrf": "t0k"}, {"f": ("a", b"x", "text/plain")})
    with pytest.raises(BadMultipart):
        parse_multipart(mangle(body), kind or declared)  # type: ignore[operator]


def test_too_many_parts_are_refused() -> None:
    fields = {f"f{n}": "x" for n in range(MAX_PARTS)}
    body, kind = _encoded(fields, {"photo": ("a.jpg", b"x", "image/jpeg")})
    with pytest.raises(BadMultipart, match="too many parts"):
        parse_multipart(body, kind)


@pytest.mark.parametrize(
    "path",
    [
        "/console/letters/SKT-ABC123/letter/signed",
        "/console/information/projects/prj-1/photos",
    ],
)
def test_the_console_uploads_take_the_document_limit_and_answer_with_a_page(path: str) -> None:
    limit = BodyLimit.of(path, max_document_mb=5)
    assert limit == BodyLimit(5 * 1024 * 1024, documents=True, page=True)
    refusal = limit.refusal()
    assert refusal.status_code == 413 and refusal.media_type == "text/html"
    assert b"Berkas terlalu besar" in refusal.body and b"5 MB" in refusal.body
    assert refusal.headers["Connection"] == "close"


def test_other_console_forms_keep_the_small_limit_and_the_api_its_json() -> None:
    assert BodyLimit.of("/console/information/projects/prj-1/photos/pho-1/remove", 5) == (
        BodyLimit(MAX_JSON_BODY_BYTES, documents=False, page=True)
    )
    api = BodyLimit.of("/v1/operator/letters/SKT-ABC123/letter/signed", 5)
    assert not api.page and api.refusal().media_type == "application/json"
