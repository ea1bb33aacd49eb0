"""A newer centre may add fields to its answers (it is upgraded first in a rolling update);
the kiosk one version behind reads what it knows and keeps serving. The centre itself stays
strict about what it is sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import ValidationError

from central.contract.models import (
    FieldType,
    FormField,
    LocalizedText,
    LoginRequest,
    ServiceCatalog,
    WireModel,
    read_answer,
)
from kiosk.central_client import CentralClient
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner

pytestmark = pytest.mark.integration

CATALOG: dict[str, Any] = {
    "office": {"id": "35.10.01.2001", "name": "Desa Sarongan", "kind": "desa"},
    "services": [
        {
            "id": "sktm",
            "kind": "letter",
            "label": {"id": "Surat Keterangan Tidak Mampu", "en": "Certificate of low income"},
        }
    ],
}


def _newer(catalog: dict[str, Any]) -> dict[str, Any]:
    """The same catalog as a newer centre would send it: a field added at each level."""
    services = [{**s, "icon": "letter.svg"} for s in catalog["services"]]
    return {**catalog, "services": services, "valid_until": "2027-01-01T00:00:00Z"}


@pytest.fixture
def newer_centre() -> Iterator[str]:
    body = json.dumps(_newer(CATALOG)).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_kiosk_reads_a_newer_centres_catalog(newer_centre: str) -> None:
    client = CentralClient(newer_centre, RequestSigner("KSK-1", KioskKey.generate()), retries=0)
    assert client.catalog() == ServiceCatalog.model_validate(CATALOG)


def test_known_fields_are_still_checked_in_full() -> None:
    broken = {**_newer(CATALOG), "services": [{**CATALOG["services"][0], "kind": "rocket"}]}
    with pytest.raises(ValidationError):
        read_answer(ServiceCatalog, json.dumps(broken))


def test_what_the_centre_is_sent_stays_strict() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        LoginRequest.model_validate({"method": "nik", "nik": "3510014101900001", "pin": "123456",
                                     "admin": True})  # fmt: skip


class _FormFieldBeforeSuggestions(WireModel):
    """``FormField`` as kiosks declared it before the catalog's one-touch suggestions."""

    name: str
    type: FieldType
    label: LocalizedText
    required: bool = True
    max_length: int | None = None
    pattern: str | None = None
    choices: list[str] | None = None


def test_a_kiosk_from_before_suggestions_reads_a_field_that_has_them() -> None:
    field = FormField(
        name="keperluan",
        type=FieldType.TEXTAREA,
        label=LocalizedText(id="Keperluan surat", en="Purpose of the letter"),
        max_length=200,
        suggestions=[LocalizedText(id="Berobat", en="Medical treatment")],
    )
    before = read_answer(_FormFieldBeforeSuggestions, field.model_dump_json())
    assert before.model_dump() == field.model_dump(exclude={"suggestions"})  # the keyboard alone
