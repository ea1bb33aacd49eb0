"""Notifications end to end on a real centre: a resident opts in with a phone number (kept
encrypted), the letter becomes ready or the complaint is answered, and workers drain the
outbox through a real HTTP gateway on loopback: each message delivered exactly once, two
workers racing included, on SQLite and PostgreSQL; a failing gateway retried with backoff
until it recovers; a refusal not retried."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from central.contract.batch import BATCH_PATH
from central.contract.services import LetterRequest, LetterStatus
from central.models import Complaint, Notification, NotificationOptIn, TrackingCode
from central.notify import queue
from central.notify.hooks import ComplaintAnswered, notify_resident
from central.notify.notifier import HttpGatewayNotifier, LogNotifier, Notifier
from central.notify.phones import box_for
from central.notify.worker import NotificationWorker
from central.seeding.seed import DemoIdentity
from tests.backoffice.helpers import generate
from tests.central.services_portal import Portal, error, local_ref
from tests.notify.gateway import Gateway, running_gateway
from tests.support.central_server import CentralServer

PHONE = "0812-3456-7890"
CANONICAL = "+6281234567890"
RETRY_BASE_S = 30


def _letter(portal: Portal, phone: str | None = PHONE) -> LetterRequest:
    body: dict[str, Any] = {
        "local_ref": local_ref(),
        "service_id": "domisili",
        "answers": {"keperluan": "Melamar pekerjaan di pabrik"},
        "submitted_at": "2026-11-23T09:55:00+07:00",
    }
    if phone is not None:
        body["notify_phone"] = phone
    reply = portal.post("/v1/letters", body)
    assert reply.status_code == 201, reply.text
    assert "3456" not in reply.text
    return LetterRequest.model_validate_json(reply.content)


def _move(portal: Portal, code: str, *statuses: int) -> None:
    """Operator moves; before "ready" the back office makes the letter, as it must."""
    for status in statuses:
        if status == LetterStatus.SIAP_DIAMBIL:
            made = generate(portal, code)
            assert made.status_code in (200, 201), made.text
        reply = portal.operator_post(
            f"/v1/operator/letters/{code}/status", {"status": status, "reason": "langkah"}
        )
        assert reply.status_code == 200, reply.text


def _worker(central: CentralServer, notifier: Notifier) -> NotificationWorker:
    settings = central.context.settings.model_copy(
        update={"notify_retry_base_s": RETRY_BASE_S, "notify_max_attempts": 5}
    )
    return NotificationWorker(
        central.context.sessions,
        notifier,
        box_for(central.context.identifier_key),
        central.clock,
        settings,
    )


def _gateway_worker(central: CentralServer, gateway: Gateway) -> NotificationWorker:
    return _worker(central, HttpGatewayNotifier(gateway.url, "t0ken", timeout_s=5))


def _messages(central: CentralServer) -> list[Notification]:
    with central.context.sessions() as db:
        return list(db.scalars(select(Notification).order_by(Notification.id)))


def test_the_phone_is_kept_encrypted(portal: Portal) -> None:
    letter = _letter(portal)
    with portal.central.context.engine.connect() as raw:
        (sealed,) = raw.execute(
            text("SELECT phone_sealed FROM notification_optins WHERE tracking_code = :code"),
            {"code": letter.tracking_code},
        ).one()
        answers = raw.execute(text("SELECT answers FROM letter_requests")).scalars().all()
    sealed = bytes(sealed)
    for clear in ("3456", "7890", "812"):
        assert clear.encode() not in sealed
    assert all("3456" not in str(a) for a in answers)
    assert box_for(portal.central.context.identifier_key).open(sealed) == CANONICAL


def test_an_invalid_number_is_refused_and_nothing_is_filed(portal: Portal) -> None:
    body = {
        "local_ref": local_ref(),
        "service_id": "domisili",
        "answers": {"keperluan": "Melamar pekerjaan"},
        "submitted_at": "2026-11-23T09:55:00+07:00",
        "notify_phone": "021-555-0199",
    }
    reply = portal.post("/v1/letters", body)
    assert reply.status_code == 422
    assert "555" not in reply.text and "notify_phone" in reply.text
    assert error(reply).message.id
    with portal.central.context.sessions() as db:
        assert db.scalar(select(func.count()).select_from(TrackingCode)) == 0


def test_a_ready_letter_is_sent_once_by_two_racing_workers(portal: Portal) -> None:
    letter = _letter(portal)
    _move(portal, letter.tracking_code, 1, 2)
    assert _messages(portal.central) == []  # only "ready" is told
    _move(portal, letter.tracking_code, 3)
    with running_gateway(delay_s=0.05) as gateway:
        workers = [_gateway_worker(portal.central, gateway) for _ in range(2)]
        start = threading.Barrier(2)
        tried: list[int] = []

        def run(worker: NotificationWorker) -> None:
            start.wait()
            tried.append(worker.run_once())

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(tried) == [0, 1]
    key = f"letter-ready:{letter.tracking_code}"
    assert gateway.delivered() == {key: 1} and len(gateway.received) == 1
    body = gateway.received[0].body
    assert body["to"] == CANONICAL and letter.tracking_code in body["text"]
    assert "siap diambil" in body["text"] and "Kantor Desa" in body["text"]
    (message,) = _messages(portal.central)
    assert (message.status, message.attempts, message.phone_sealed) == ("sent", 1, None)
    _move(portal, letter.tracking_code, 4)  # collected: nothing more to tell
    assert len(_messages(portal.central)) == 1


def test_a_failing_gateway_is_retried_with_backoff_until_it_recovers(portal: Portal) -> None:
    letter = _letter(portal)
    _move(portal, letter.tracking_code, 1, 2, 3)
    clock = portal.central.clock
    with running_gateway(script=[503, 503]) as gateway:
        worker = _gateway_worker(portal.central, gateway)
        assert worker.run_once() == 1
        (message,) = _messages(portal.central)
        assert (message.status, message.attempts, message.last_error) == ("pending", 1, "HTTP 503")
        assert message.next_attempt_at == clock.now() + timedelta(seconds=RETRY_BASE_S)
        assert worker.run_once() == 0  # not due yet
        clock.advance(RETRY_BASE_S)
        assert worker.run_once() == 1
        (message,) = _messages(portal.central)
        assert message.next_attempt_at == clock.now() + timedelta(seconds=2 * RETRY_BASE_S)
        clock.advance(2 * RETRY_BASE_S)
        assert worker.run_once() == 1
        clock.advance(3600)
        assert worker.run_once() == 0
    assert [r.status for r in gateway.received] == [503, 503, 200]
    assert gateway.delivered() == {f"letter-ready:{letter.tracking_code}": 1}
    (message,) = _messages(portal.central)
    assert (message.status, message.attempts, message.phone_sealed) == ("sent", 3, None)


def test_a_refused_message_is_not_retried(portal: Portal) -> None:
    letter = _letter(portal)
    _move(portal, letter.tracking_code, 1, 2, 3)
    with running_gateway(script=[400]) as gateway:
        worker = _gateway_worker(portal.central, gateway)
        assert worker.run_once() == 1
        portal.central.clock.advance(24 * 3600)
        assert worker.run_once() == 0
    assert len(gateway.received) == 1
    (message,) = _messages(portal.central)
    assert (message.status, message.last_error, message.phone_sealed) == (
        "failed",
        "HTTP 400",
        None,
    )


def test_without_an_opt_in_nothing_is_queued(portal: Portal) -> None:
    letter = _letter(portal, phone=None)
    _move(portal, letter.tracking_code, 1, 2, 3)
    assert _messages(portal.central) == []


def test_an_answered_complaint_is_told_once(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    reply = portal.post(
        "/v1/complaints",
        {
            "local_ref": local_ref(),
            "category": "infrastruktur",
            "text": "Lampu jalan di depan balai desa padam sejak seminggu.",
            "submitted_at": "2026-11-23T09:58:00+07:00",
            "notify_phone": "+62 812 3456 7890",
        },
    )
    assert reply.status_code == 201, reply.text
    code = reply.json()["tracking_code"]
    central = portal.central
    with central.context.sessions() as db:
        row = db.scalar(select(Complaint).where(Complaint.tracking_code == code))
        assert row is not None
        row.status = "resolved"
        answered = ComplaintAnswered(row, central.clock.now())
        assert notify_resident(db, answered) is True
        assert notify_resident(db, answered) is False  # the same answer reported twice
        db.commit()
    log = LogNotifier()
    assert _worker(central, log).run_once() == 1
    ((masked, message, key),) = log.sent
    assert masked == "0812****7890" and key.startswith(f"complaint-answered:{code}:")
    assert code in message and "Selesai" in message
    assert demo_people[0].name not in message and "Lampu" not in message


MANY = 40


def test_many_messages_two_workers_each_sent_exactly_once(central: CentralServer) -> None:
    """Straight on the outbox (both databases): the claim is what keeps two workers apart."""
    box = box_for(central.context.identifier_key)
    now = central.clock.now()
    with central.context.sessions() as db:
        for n in range(MANY):
            code = f"TST-{n:06d}"
            db.add(TrackingCode(code=code, kind="letter"))
            db.flush()
            assert queue.enqueue(
                db,
                key=f"test:{code}",
                tracking_code=code,
                phone_sealed=box.seal(PHONE),
                text=f"Pesan {n}",
                now=now,
            )
        db.commit()
    with running_gateway(delay_s=0.005) as gateway:
        workers = [_gateway_worker(central, gateway) for _ in range(2)]
        start = threading.Barrier(2)

        def drain(worker: NotificationWorker) -> None:
            start.wait()
            while worker.run_once():
                pass

        threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    delivered = gateway.delivered()
    assert len(gateway.received) == MANY
    assert sorted(delivered) == sorted(f"test:TST-{n:06d}" for n in range(MANY))
    assert set(delivered.values()) == {1}
    assert {m.status for m in _messages(central)} == {"sent"}


@pytest.mark.in_process
def test_backoff_doubles_up_to_its_ceiling() -> None:
    policy = queue.RetryPolicy(max_attempts=8, base_s=30, max_s=300)
    assert [policy.delay(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


def test_a_number_given_with_an_outbox_delivery_is_kept_too(portal: Portal) -> None:
    """Submissions made while the centre was away arrive in a batch: the opt-in comes along."""
    assert portal.login is not None
    ref = local_ref()
    body = {
        "local_ref": ref,
        "category": "keamanan",
        "text": "Pos ronda RT 04 tidak dijaga sejak sebulan.",
        "submitted_at": "2026-11-23T09:50:00+07:00",
        "notify_phone": "081234567890",
    }
    items = [
        {
            "kind": "complaint",
            "local_ref": ref,
            "grant": portal.login.submission_grant,
            "body": body,
        }
    ]
    reply = portal.post(BATCH_PATH, {"items": items}, resident=False)
    assert reply.status_code == 200, reply.text
    (result,) = reply.json()["results"]
    assert result["status"] == 201, result
    with portal.central.context.sessions() as db:
        optin = db.get(NotificationOptIn, result["body"]["tracking_code"])
        assert optin is not None and b"7890" not in optin.phone_sealed
        box = box_for(portal.central.context.identifier_key)
        assert box.open(optin.phone_sealed) == CANONICAL
