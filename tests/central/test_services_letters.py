"""Letter requests: answers checked against the service's form, scans against its
requirements, a tracking code, a repeat of the same local_ref giving the first request, and
the operator moving it forward one step at a time with the reason kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from central.contract import signing
from central.contract.models import FieldType, FormField, LocalizedText, ServiceCatalog
from central.contract.services import LetterRequest, LetterStatus
from central.errors import ApiError
from central.models import LetterRequest as LetterRow
from central.seeding.seed import DemoIdentity
from central.seeding.seed_services import INCOME_BANDS
from central.services.letters import check_answers
from central.services.tracking import ALPHABET
from tests.central.services_portal import Portal, error, image_bytes, local_ref
from tests.support.central_server import CentralServer, EnrolledKiosk

NOW = "2026-11-23T09:15:00+07:00"
ANSWERS = {
    "keperluan": "Pendaftaran beasiswa sekolah anak",
    "penghasilan": "Rp 1.000.001 - 2.000.000",
}


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]) -> Portal:
    central.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    kiosk_portal = Portal(central, kiosk)
    kiosk_portal.sign_in(demo_people[0])
    return kiosk_portal


def _sktm(portal: Portal, documents: list[str], **changes: Any) -> dict[str, Any]:
    names = ["kk", "pengantar_rt"]
    body: dict[str, Any] = {
        "local_ref": local_ref(),
        "service_id": "sktm",
        "answers": dict(ANSWERS),
        "documents": [
            {"name": name, "document_id": doc} for name, doc in zip(names, documents, strict=False)
        ],
        "submitted_at": NOW,
    }
    body.update(changes)
    return body


def _scans(portal: Portal, count: int = 2) -> list[str]:
    return [portal.upload_ok(image_bytes("JPEG", (10 * i, 80, 120))) for i in range(count)]


def _create(portal: Portal, body: dict[str, Any]) -> LetterRequest:
    reply = portal.post("/v1/letters", body)
    assert reply.status_code == 201, reply.text
    return LetterRequest.model_validate_json(reply.content)


def _count(central: CentralServer) -> int:
    with central.context.sessions() as db:
        return db.scalar(select(func.count()).select_from(LetterRow)) or 0


def test_sktm_with_answers_and_scans_is_being_checked(portal: Portal) -> None:
    letter = _create(portal, _sktm(portal, _scans(portal)))
    assert letter.status is LetterStatus.SEDANG_DIPERIKSA
    assert letter.status_label.id == "Sedang diperiksa"
    assert re.fullmatch(rf"SKT-[{ALPHABET}]{{6}}", letter.tracking_code)
    assert letter.service_label.en.startswith("Certificate of low income")
    assert [change.status for change in letter.history] == [LetterStatus.SEDANG_DIPERIKSA]
    assert letter.submitted_at == datetime(2026, 11, 23, 2, 15, tzinfo=UTC)

    detail = portal.operator_get(f"/v1/operator/letters/{letter.tracking_code}").json()
    assert detail["answers"] == ANSWERS
    assert [d["name"] for d in detail["documents"]] == ["kk", "pengantar_rt"]
    assert detail["office_id"] == "35.10.01.2001"


def test_missing_required_scan_starts_incomplete(portal: Portal) -> None:
    letter = _create(portal, _sktm(portal, _scans(portal, 1)))
    assert letter.status is LetterStatus.BELUM_LENGKAP
    assert letter.history[0].reason is not None
    assert "Surat pengantar RT/RW" in letter.history[0].reason
    assert "Kartu Keluarga" not in letter.history[0].reason


@pytest.mark.parametrize(
    ("service_id", "answers", "field", "reason"),
    [
        # A number typed, as the catalog asked before the income became a band.
        ("sktm", {**ANSWERS, "penghasilan": "1250000"}, "penghasilan", "not_a_choice"),
        ("sktm", {"penghasilan": "Rp 500.001 - 1.000.000"}, "keperluan", "required"),
        ("sktm", {**ANSWERS, "keperluan": "   "}, "keperluan", "required"),
        ("sktm", {**ANSWERS, "keperluan": "x" * 201}, "keperluan", "too_long"),
        ("sktm", {**ANSWERS, "hobi_rahasia": "memancing"}, "hobi_rahasia", "unknown_field"),
        (
            "usaha",
            {"keperluan": "Kredit usaha", "nama_usaha": "Warung Bu Sri", "jenis_usaha": "tambang"},
            "jenis_usaha",
            "not_a_choice",
        ),
        (
            "kelahiran",
            {"nama_bayi": "Ayu", "tanggal_lahir": "2026-02-30", "tempat_lahir": "Genteng"},
            "tanggal_lahir",
            "not_a_date",
        ),
    ],
)
def test_invalid_answer_is_refused_naming_the_field(
    portal: Portal, service_id: str, answers: dict[str, str], field: str, reason: str
) -> None:
    reply = portal.post("/v1/letters", _sktm(portal, [], service_id=service_id, answers=answers))
    assert reply.status_code == 422
    body = error(reply)
    assert body.code == "answer_invalid"
    assert body.details is not None
    assert {"field": field, "reason": reason} in body.details["fields"]
    for value in answers.values():
        if len(value.strip()) > 3:
            assert value not in reply.text  # answers are never echoed
    assert _count(portal.central) == 0


def test_the_catalog_offers_the_sktms_common_purposes_and_its_income_bands(portal: Portal) -> None:
    reply = portal.get("/v1/catalog", resident=False)
    assert reply.ok, reply.text
    sktm = next(s for s in ServiceCatalog.model_validate_json(reply.content).services
                if s.id == "sktm")  # fmt: skip
    purpose, income = sktm.fields
    assert purpose.suggestions is not None
    assert LocalizedText(id="Berobat", en="Medical treatment") in purpose.suggestions
    assert income.type is FieldType.CHOICE and income.choices == INCOME_BANDS
    # A suggestion's Indonesian text is an answer the centre takes as it is.
    answers = {"keperluan": purpose.suggestions[0].id, "penghasilan": INCOME_BANDS[0]}
    assert _create(portal, _sktm(portal, _scans(portal), answers=answers)).tracking_code


@pytest.mark.parametrize(
    ("value", "reason"), [("1234567890", "pattern"), ("12,5 juta", "not_a_number")]
)
def test_a_number_field_is_held_to_digits_and_its_pattern(value: str, reason: str) -> None:
    """No seeded service asks a number any more (the SKTM's income is a band): a catalog an
    office edits may, and the centre still checks it."""
    field = FormField(
        name="luas_tanah",
        type=FieldType.NUMBER,
        label=LocalizedText(id="Luas tanah (m2)", en="Land area (m2)"),
        pattern=r"^[0-9]{1,9}$",
    )
    with pytest.raises(ApiError) as refused:
        check_answers([field], {"luas_tanah": value})
    assert refused.value.body.details == {"fields": [{"field": "luas_tanah", "reason": reason}]}


def test_error_message_names_the_field_by_its_label(portal: Portal) -> None:
    reply = portal.post("/v1/letters", _sktm(portal, [], answers={"keperluan": "Beasiswa"}))
    body = error(reply)
    assert "Penghasilan keluarga per bulan" in body.message.id
    assert "Monthly family income" in body.message.en


@pytest.mark.parametrize("service_id", ["surat_sihir", "antrian"])
def test_unknown_or_non_letter_service_is_404(portal: Portal, service_id: str) -> None:
    reply = portal.post("/v1/letters", _sktm(portal, [], service_id=service_id))
    assert reply.status_code == 404
    assert error(reply).code == "service_unknown"


def test_attachments_must_be_declared_and_uploaded_by_this_kiosk(portal: Portal) -> None:
    other = Portal(portal.central, portal.central.enroll("35.10.01.2002"))
    foreign = other.upload_ok(image_bytes("PNG"), "image/png")
    mine = _scans(portal, 1)[0]

    stolen = portal.post("/v1/letters", _sktm(portal, [mine, foreign]))
    assert stolen.status_code == 422
    assert error(stolen).code == "document_unknown"
    assert error(stolen).details == {"document": "pengantar_rt"}

    body = _sktm(portal, [mine])
    body["documents"].append({"name": "akta_nikah", "document_id": mine})
    undeclared = portal.post("/v1/letters", body)
    assert undeclared.status_code == 422
    assert error(undeclared).code == "document_not_required"

    twice = _sktm(portal, [mine, mine])
    twice["documents"][1]["name"] = "kk"
    assert error(portal.post("/v1/letters", twice)).code == "document_repeated"
    assert _count(portal.central) == 0


def test_same_local_ref_returns_the_first_request(portal: Portal) -> None:
    body = _sktm(portal, _scans(portal))
    first = _create(portal, body)
    portal.central.clock.advance(300)
    again = portal.post("/v1/letters", body, key="other-idem-key-1")
    assert again.status_code == 201
    assert LetterRequest.model_validate_json(again.content) == first
    assert _count(portal.central) == 1


def test_idempotency_key_replays_the_first_answer(portal: Portal) -> None:
    body = _sktm(portal, _scans(portal))
    first = portal.post("/v1/letters", body, key="letter-key-0001")
    second = portal.post("/v1/letters", body, key="letter-key-0001")
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.json() == second.json()
    assert _count(portal.central) == 1


def test_a_session_is_needed_and_a_grant_delivers_after_it_ended(portal: Portal) -> None:
    body = _sktm(portal, _scans(portal))
    anonymous = portal.post("/v1/letters", body, resident=False)
    assert anonymous.status_code == 401
    assert portal.login is not None
    grant = portal.login.submission_grant
    signed_out = portal.kiosk.session.delete(
        f"{portal.url}/v1/sessions/current",
        headers={signing.HEADER_SESSION: portal.login.session_token},
        timeout=10,
    )
    assert signed_out.status_code == 204
    portal.central.clock.advance(2 * 3600)
    late = portal.kiosk.session.post(
        f"{portal.url}/v1/letters", json=body, headers={signing.HEADER_GRANT: grant}, timeout=10
    )
    assert late.status_code == 201, late.text
    assert late.json()["status"] == 1


@pytest.mark.parametrize("submitted_at", ["2026-11-23T09:15:00", "2026-11-24T09:15:00+07:00"])
def test_submitted_at_without_zone_or_in_the_future_is_refused(
    portal: Portal, submitted_at: str
) -> None:
    reply = portal.post("/v1/letters", _sktm(portal, _scans(portal), submitted_at=submitted_at))
    assert reply.status_code == 422
    assert error(reply).code == "submitted_at_invalid"


def _move(portal: Portal, code: str, status: int, reason: str) -> Any:
    if status == LetterStatus.SIAP_DIAMBIL:  # ready promises a letter: make it first
        portal.operator_post(
            f"/v1/operator/letters/{code}/letter",
            {"signer_name": "H. Sugeng Riyadi", "signer_position": "Kepala Desa"},
        )
    return portal.operator_post(
        f"/v1/operator/letters/{code}/status", {"status": status, "reason": reason}
    )


def test_operator_moves_a_request_forward_with_reasons(portal: Portal) -> None:
    code = _create(portal, _sktm(portal, _scans(portal))).tracking_code
    steps = [(2, "Berkas lengkap, diteruskan ke Kades"), (3, "Sudah ditandatangani")]
    steps.append((4, "Diambil sendiri oleh pemohon"))
    for status, reason in steps:
        portal.central.clock.advance(600)
        reply = _move(portal, code, status, reason)
        assert reply.status_code == 200, reply.text
        assert reply.json()["status"] == status
    history = portal.operator_get(f"/v1/operator/letters/{code}").json()["history"]
    assert [(h["status"], h["reason"]) for h in history] == [(1, None), *steps]
    assert [h["label"]["id"] for h in history][-1] == "Sudah diambil"
    times = [datetime.fromisoformat(h["at"]) for h in history]
    assert times == sorted(times) and len(set(times)) == 4

    closed = _move(portal, code, 5, "Salah ketik")
    assert closed.status_code == 409 and error(closed).code == "letter_closed"

    tracked = portal.get(f"/v1/track/{code}", resident=False).json()
    assert tracked["status_label"] == {"id": "Sudah diambil", "en": "Collected"}


def test_backwards_skipping_and_late_cancel_are_refused(portal: Portal) -> None:
    code = _create(portal, _sktm(portal, _scans(portal))).tracking_code
    skip = _move(portal, code, 3, "Langsung siap")
    assert skip.status_code == 409 and error(skip).code == "letter_status_skipped"
    assert _move(portal, code, 2, "Diperiksa").status_code == 200
    back = _move(portal, code, 1, "Periksa ulang")
    assert back.status_code == 409 and error(back).code == "letter_status_backwards"
    same = _move(portal, code, 2, "Lagi")
    assert same.status_code == 409 and error(same).code == "letter_status_backwards"
    assert _move(portal, code, 3, "Ditandatangani").status_code == 200
    cancel = _move(portal, code, 5, "Tidak jadi")
    assert cancel.status_code == 409 and error(cancel).code == "letter_cancel_too_late"
    detail = portal.operator_get(f"/v1/operator/letters/{code}").json()
    assert detail["status"] == 3 and len(detail["history"]) == 3


def test_cancel_while_being_checked_is_final(portal: Portal) -> None:
    code = _create(portal, _sktm(portal, _scans(portal, 1))).tracking_code  # status 0
    reply = _move(portal, code, 5, "Pemohon membatalkan")
    assert reply.status_code == 200 and reply.json()["status_label"]["en"] == "Cancelled"
    again = _move(portal, code, 1, "Dokumen datang")
    assert again.status_code == 409 and error(again).code == "letter_closed"


def test_operator_lists_requests_by_status(portal: Portal) -> None:
    complete = _create(portal, _sktm(portal, _scans(portal))).tracking_code
    incomplete = _create(portal, _sktm(portal, _scans(portal, 1))).tracking_code
    page = portal.operator_get("/v1/operator/letters", status=0).json()
    assert page["total"] == 1 and page["items"][0]["tracking_code"] == incomplete
    everything = portal.operator_get("/v1/operator/letters", office_id="35.10.01.2001").json()
    assert [i["tracking_code"] for i in everything["items"]] == [complete, incomplete]
    assert portal.operator_get("/v1/operator/letters", office_id="35.10.02.2001").json() == {
        "total": 0,
        "items": [],
    }
    kiosk_only = portal.get("/v1/operator/letters")
    assert kiosk_only.status_code == 401


def test_operator_downloads_an_attached_scan(portal: Portal) -> None:
    scan = image_bytes("PNG")
    document_id = portal.upload_ok(scan, "image/png")
    reply = portal.operator_get(f"/v1/operator/documents/{document_id}")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "image/png"
    assert reply.content == scan
