"""``POST /v1/submissions/batch`` on SQLite and PostgreSQL: items judged in order exactly as
their single routes would judge them, one refused item not undoing the others, one record per
local_ref whichever way it came, and nothing after a retryable failure stored ahead of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from central.contract import signing
from central.contract.batch import BATCH_PATH, MAX_BATCH_ITEMS, BatchResult
from central.contract.services import BansosApplication, Complaint, LetterRequest
from central.models import BansosEnrollment, TrackingCode
from central.models import Complaint as ComplaintRow
from central.seeding.seed import DemoIdentity
from central.services import tracking
from tests.central.services_portal import Portal, error, local_ref
from tests.support.central_server import CentralServer, EnrolledKiosk

SUBMITTED = "2026-11-23T09:55:00+07:00"  # five minutes before the centre's clock
SECRET_TEXT = "Jalan rusak di depan rumah, NIK saya 3510016502870001"


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]) -> Portal:
    central.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    resident_portal = Portal(central, kiosk)
    resident_portal.sign_in(demo_people[0])  # seeded: PKH active (cluster 'tunai'), BPNT ended
    return resident_portal


def _grant(portal: Portal) -> str:
    assert portal.login is not None
    return portal.login.submission_grant


def complaint(ref: str, text: str = "Lampu jalan mati sejak minggu lalu") -> dict[str, Any]:
    return {"local_ref": ref, "category": "infrastruktur", "text": text, "submitted_at": SUBMITTED}


def bansos(ref: str, program_id: str) -> dict[str, Any]:
    return {"local_ref": ref, "program_id": program_id, "submitted_at": SUBMITTED}


def letter(ref: str) -> dict[str, Any]:
    return {
        "local_ref": ref,
        "service_id": "sktm",
        "answers": {
            "keperluan": "Pendaftaran beasiswa sekolah anak",
            "penghasilan": "Rp 1.000.001 - 2.000.000",
        },
        "submitted_at": SUBMITTED,
    }


def item(kind: str, body: dict[str, Any], grant: str | None) -> dict[str, Any]:
    return {"kind": kind, "local_ref": body["local_ref"], "grant": grant, "body": body}


def send(portal: Portal, items: list[dict[str, Any]], key: str | None = None) -> requests.Response:
    """Signed by the kiosk; no resident session: each item brings its own grant."""
    return portal.post(BATCH_PATH, {"items": items}, key=key, resident=False)


def results(reply: requests.Response) -> BatchResult:
    assert reply.status_code == 200, reply.text
    return BatchResult.model_validate_json(reply.content)


def statuses(result: BatchResult) -> list[int]:
    return [r.status for r in result.results]


def count_complaints(central: CentralServer, ref: str | None = None) -> int:
    query = select(func.count()).select_from(ComplaintRow)
    if ref is not None:
        query = query.where(ComplaintRow.local_ref == ref)
    with central.context.sessions() as db:
        return int(db.scalar(query) or 0)


def stored_order(central: CentralServer) -> list[str]:
    with central.context.sessions() as db:
        return list(db.scalars(select(ComplaintRow.local_ref).order_by(ComplaintRow.id)))


@pytest.fixture
def clashing_codes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Tracking-code draws follow a script: each code put in the list is drawn once (by the
    next ``issue``), then draws are random again. Makes a real unique-key clash on demand."""
    script: list[str] = []
    real_issue = tracking.issue

    def issue(db: Any, prefix: str, kind: str) -> str:
        if not script:
            return real_issue(db, prefix, kind)
        code = script.pop(0)
        db.add(TrackingCode(code=code, kind=kind))
        db.flush()
        return code

    monkeypatch.setattr(tracking, "issue", issue)  # the services call ``tracking.issue``
    yield script


# ---------------------------------------------------------------- order and records


def test_items_are_stored_in_order_and_answered_with_their_records(portal: Portal) -> None:
    grant = _grant(portal)
    refs = [local_ref() for _ in range(5)]
    reply = send(
        portal,
        [
            item("complaint", complaint(refs[0]), grant),
            item("letter", letter(refs[1]), grant),
            item("complaint", complaint(refs[2]), grant),
            item("bansos_application", bansos(refs[3], "bpnt"), grant),
            item("complaint", complaint(refs[4]), grant),
        ],
    )
    result = results(reply)
    assert [r.local_ref for r in result.results] == refs
    assert statuses(result) == [201] * 5
    kinds = [type(r.body) for r in result.results]
    assert kinds == [Complaint, LetterRequest, Complaint, BansosApplication, Complaint]
    assert stored_order(portal.central) == [refs[0], refs[2], refs[4]]
    first = result.results[1].body
    assert isinstance(first, LetterRequest) and first.local_ref == refs[1]
    tracked = portal.get(f"/v1/track/{first.tracking_code}", resident=False)
    assert tracked.status_code == 200 and tracked.json()["kind"] == "letter"


def test_a_refused_item_in_the_middle_does_not_undo_the_others(portal: Portal) -> None:
    grant = _grant(portal)
    before, taken, after = local_ref(), local_ref(), local_ref()
    result = results(
        send(
            portal,
            [
                item("complaint", complaint(before), grant),
                item("bansos_application", bansos(taken, "blt_dd"), grant),  # 'tunai' is PKH's
                item("complaint", complaint(after), grant),
            ],
        )
    )
    assert statuses(result) == [201, 409, 201]
    refusal = result.results[1].error
    assert refusal is not None and refusal.code == "bansos_cluster_taken"
    assert refusal.details is not None and refusal.details["program_id"] == "pkh"
    assert result.results[1].body is None
    assert stored_order(portal.central) == [before, after]
    with portal.central.context.sessions() as db:
        assert (
            db.scalar(select(BansosEnrollment).where(BansosEnrollment.local_ref == taken)) is None
        )


def test_a_clash_rolls_back_only_its_own_attempt(portal: Portal, clashing_codes: list[str]) -> None:
    """A tracking-code clash makes ``create_once`` roll back and draw again; inside a batch that
    rollback must reach only the item's savepoint, not the complaint stored before it."""
    grant = _grant(portal)
    existing = results(send(portal, [item("complaint", complaint(local_ref()), grant)]))
    held = existing.results[0].body
    assert isinstance(held, Complaint)
    refs = [local_ref() for _ in range(3)]
    clashing_codes.extend(["ADU-23456A", held.tracking_code])  # item 2's first draw clashes
    result = results(send(portal, [item("complaint", complaint(ref), grant) for ref in refs]))
    assert statuses(result) == [201, 201, 201]
    codes = [r.body.tracking_code for r in result.results if isinstance(r.body, Complaint)]
    assert codes[0] == "ADU-23456A"
    assert len(set(codes) | {held.tracking_code}) == 4
    assert stored_order(portal.central)[1:] == refs


# ---------------------------------------------------------------- one record per local_ref


def test_a_repeat_singly_or_batched_gives_the_first_record(portal: Portal) -> None:
    grant = _grant(portal)
    single_ref, new_ref = local_ref(), local_ref()
    single = portal.kiosk.session.post(
        f"{portal.url}/v1/complaints",
        json=complaint(single_ref),
        headers={signing.HEADER_GRANT: grant, signing.HEADER_IDEMPOTENCY: single_ref},
        timeout=10,
    )
    assert single.status_code == 201, single.text
    items = [
        item("complaint", complaint(single_ref), grant),
        item("complaint", complaint(new_ref), grant),
    ]

    first = send(portal, items, key="batch-key-1")
    again = send(portal, items, key="batch-key-1")  # a lost answer: the same request again
    other_key = send(portal, items, key="batch-key-2")  # a new attempt of the same items
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert other_key.headers.get("Idempotent-Replayed") is None
    assert results(first) == results(again) == results(other_key)
    assert results(first).results[0].body == Complaint.model_validate_json(single.content)

    later = portal.kiosk.session.post(  # and singly after the batch: still the batch's record
        f"{portal.url}/v1/complaints",
        json=complaint(new_ref),
        headers={signing.HEADER_GRANT: grant, signing.HEADER_IDEMPOTENCY: new_ref},
        timeout=10,
    )
    assert later.status_code == 201
    assert Complaint.model_validate_json(later.content) == results(first).results[1].body
    assert count_complaints(portal.central, single_ref) == 1
    assert count_complaints(portal.central, new_ref) == 1
    assert count_complaints(portal.central) == 2


def test_the_same_key_with_other_items_is_refused(portal: Portal) -> None:
    grant = _grant(portal)
    results(send(portal, [item("complaint", complaint(local_ref()), grant)], key="batch-key-3"))
    reused = send(portal, [item("complaint", complaint(local_ref()), grant)], key="batch-key-3")
    assert reused.status_code == 422 and error(reused).code == "idempotency_key_reused"
    assert count_complaints(portal.central) == 1


# ---------------------------------------------------------------- order after a failure


def test_items_after_a_retryable_failure_are_not_processed(
    portal: Portal, clashing_codes: list[str]
) -> None:
    grant = _grant(portal)
    existing = results(send(portal, [item("complaint", complaint(local_ref()), grant)]))
    held = existing.results[0].body
    assert isinstance(held, Complaint)
    refs = [local_ref() for _ in range(4)]
    clashing_codes.extend(["ADU-23456B", *[held.tracking_code] * 5])  # item 2 never gets a code
    items = [item("complaint", complaint(ref), grant) for ref in refs]
    result = results(send(portal, items))
    assert statuses(result) == [201, 409, 424, 424]
    codes = [r.error.code if r.error else None for r in result.results]
    assert codes == [None, "submission_conflict", "not_processed", "not_processed"]
    assert stored_order(portal.central)[1:] == refs[:1]

    resent = results(send(portal, items[1:]))  # the kiosk sends the rest again, in order
    assert statuses(resent) == [201, 201, 201]
    assert stored_order(portal.central)[1:] == refs


# ---------------------------------------------------------------- grants


def test_each_item_is_judged_on_its_own_grant(
    portal: Portal, central: CentralServer, demo_people: list[DemoIdentity]
) -> None:
    mine = _grant(portal)
    neighbour = Portal(central, portal.kiosk)
    theirs = neighbour.sign_in(demo_people[2]).submission_grant
    elsewhere = Portal(central, central.enroll())
    foreign = elsewhere.sign_in(demo_people[0]).submission_grant  # same resident, other kiosk
    refs = [local_ref() for _ in range(6)]
    result = results(
        send(
            portal,
            [
                item("complaint", complaint(refs[0]), mine),
                item("complaint", complaint(refs[1]), foreign),
                item("complaint", complaint(refs[2]), None),
                item("complaint", complaint(refs[3]), mine[:-4] + "AAAA"),
                item("complaint", complaint(refs[4]), "not-a-grant"),
                item("complaint", complaint(refs[5]), theirs),
            ],
        )
    )
    assert statuses(result) == [201, 401, 401, 401, 401, 201]
    assert {r.error.code for r in result.results if r.error} == {"session_expired"}
    with central.context.sessions() as db:
        residents = dict(
            db.execute(
                select(ComplaintRow.local_ref, ComplaintRow.resident_id).where(
                    ComplaintRow.local_ref.in_(refs)
                )
            ).all()
        )
    assert set(residents) == {refs[0], refs[5]}
    assert residents[refs[0]] != residents[refs[5]]


# ---------------------------------------------------------------- bad input


def test_bad_items_get_clear_errors_and_the_good_ones_go_through(portal: Portal) -> None:
    grant = _grant(portal)
    refs = [local_ref() for _ in range(6)]
    short = complaint(refs[1], SECRET_TEXT)
    short["category"] = "rahasia"
    future = complaint(refs[3])
    future["submitted_at"] = "2026-11-23T12:00:00+07:00"
    reply = send(
        portal,
        [
            item("complaint", complaint(refs[0]), grant),
            item("complaint", short, grant),
            {"kind": "complaint", "local_ref": refs[2], "grant": grant, "body": complaint(refs[5])},
            item("complaint", future, grant),
            item("bansos_application", bansos(refs[4], "bansos_fiktif"), grant),
            item("complaint", complaint(refs[5]), grant),
        ],
    )
    assert SECRET_TEXT not in reply.text
    result = results(reply)
    assert statuses(result) == [201, 422, 422, 422, 404, 201]
    errors = [r.error for r in result.results]
    assert errors[1] is not None and errors[1].code == "invalid_input"
    assert errors[1].details == {"errors": [{"loc": ["body", "category"], "type": "literal_error"}]}
    assert errors[2] is not None and errors[2].code == "local_ref_mismatch"
    assert errors[3] is not None and errors[3].code == "submitted_at_invalid"
    assert errors[4] is not None and errors[4].code == "bansos_program_unknown"
    assert stored_order(portal.central) == [refs[0], refs[5]]


@pytest.mark.parametrize(
    "envelope",
    [
        {"items": []},
        {"items": "complaints"},
        {"items": [{"kind": "heartbeat", "local_ref": "abcdefgh12", "grant": None, "body": {}}]},
        {"items": [{"kind": "complaint", "local_ref": "no spaces!", "grant": None, "body": {}}]},
        {"items": [{"kind": "complaint", "local_ref": "abcdefgh12", "body": []}]},
        {"items": [{"kind": "complaint", "local_ref": "abcdefgh12", "body": {}, "extra": 1}]},
    ],
)
def test_a_malformed_batch_is_refused_whole(portal: Portal, envelope: dict[str, Any]) -> None:
    reply = portal.post(BATCH_PATH, envelope, resident=False)
    assert reply.status_code == 422 and error(reply).code == "invalid_input"
    assert count_complaints(portal.central) == 0


def test_at_most_fifty_items(portal: Portal) -> None:
    grant = _grant(portal)
    too_many = [
        item("complaint", complaint(local_ref()), grant) for _ in range(MAX_BATCH_ITEMS + 1)
    ]
    refused = send(portal, too_many)
    assert refused.status_code == 422 and error(refused).code == "invalid_input"
    assert count_complaints(portal.central) == 0
    assert statuses(results(send(portal, too_many[:MAX_BATCH_ITEMS]))) == [201] * MAX_BATCH_ITEMS
    assert stored_order(portal.central) == [i["local_ref"] for i in too_many[:MAX_BATCH_ITEMS]]


def test_the_batch_must_be_signed(portal: Portal) -> None:
    body = {"items": [item("complaint", complaint(local_ref()), _grant(portal))]}
    reply = requests.post(
        portal.url + BATCH_PATH,
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 401 and error(reply).code == "signature_missing"
    assert count_complaints(portal.central) == 0
