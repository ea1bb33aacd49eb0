"""Against the real centre on uvicorn: a complaint made while the centre is down waits in the
outbox and arrives exactly once when it is back; a lost answer is retried without a duplicate;
a refusal is dead-lettered, not retried forever."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.models import Complaint, HeartbeatRecord
from central.settings import CentralSettings
from common.events import EventBus
from kiosk.identity import KioskKey
from kiosk.outbox import (
    Backoff,
    DeliveryDeferred,
    DeliveryResult,
    ItemDeadLettered,
    ItemDelivered,
    Outbox,
    OutboxItem,
    new_local_ref,
)
from tests.central.test_heartbeats import beat
from tests.outbox.conftest import WAIT_S, Recorder, SignedIn, wait_until
from tests.outbox.delivery import HttpDelivery, complaint
from tests.support.central_server import CentralServer

GRANT = "X-Resident-Grant"


def _complaints(server: CentralServer, local_ref: str | None = None) -> int:
    query = select(func.count()).select_from(Complaint)
    if local_ref is not None:
        query = query.where(Complaint.local_ref == local_ref)
    with server.context.sessions() as db:
        return int(db.scalar(query) or 0)


@pytest.fixture
def quick_outbox(
    outbox_path: Path, key: KioskKey, bus: EventBus, signed_in: SignedIn, centre: CentralServer
) -> Iterator[tuple[Outbox, HttpDelivery]]:
    """The real signed delivery; backoff of at most 2 s so the test does not idle."""
    delivery = HttpDelivery(signed_in.kiosk.session, centre.url)
    box = Outbox(
        outbox_path,
        key,
        delivery,
        max_backoff_s=2,
        bus=bus,
        backoff=Backoff(max_s=2, base_s=0.2),
    )
    yield box, delivery
    assert box.close(WAIT_S)


def test_complaint_while_the_centre_is_down_is_delivered_once_when_it_returns(
    quick_outbox: tuple[Outbox, HttpDelivery],
    centre: CentralServer,
    centre_settings: CentralSettings,
    signed_in: SignedIn,
    recorder: Recorder,
) -> None:
    outbox, _ = quick_outbox
    centre.stop()
    outbox.start()
    ref = new_local_ref()
    outbox.enqueue("complaint", complaint(ref, 1), headers={GRANT: signed_in.grant})
    wait_until(lambda: len(recorder.of(DeliveryDeferred)) >= 2)  # tried, failed, queued
    assert {event.reason for event in recorder.of(DeliveryDeferred)} == {"offline"}
    assert outbox.backlog() == 1
    assert next(outbox.items()).last_error == "offline"

    back = CentralServer(centre_settings, clock=centre.clock, port=centre.port).start()
    try:
        wait_until(lambda: outbox.backlog() == 0)
        assert [event.local_ref for event in recorder.of(ItemDelivered)] == [ref]
        assert _complaints(back, ref) == 1
        assert _complaints(back) == 1
        assert outbox.dead_letters() == []
    finally:
        back.stop()


def test_a_lost_answer_is_retried_with_the_same_key_and_stored_once(
    quick_outbox: tuple[Outbox, HttpDelivery],
    centre: CentralServer,
    signed_in: SignedIn,
    recorder: Recorder,
) -> None:
    """Heartbeats have no local_ref column at the centre: only the Idempotency-Key (the
    outbox's local_ref, unchanged across retries) stands between a retry and a second row."""
    outbox, delivery = quick_outbox
    lost: set[str] = set()

    def answer_lost_once(item: OutboxItem) -> DeliveryResult:
        result = delivery(item)
        if item.local_ref not in lost:  # the centre stored it; the reply never arrived
            lost.add(item.local_ref)
            return DeliveryResult.retry("timeout")
        return result

    outbox._sender._deliver = answer_lost_once  # wrap the real delivery for this test only
    kiosk_id = signed_in.kiosk.kiosk_id
    refs = [outbox.enqueue("heartbeat", beat(kiosk_id, n)).local_ref for n in range(1, 6)]
    ref = new_local_ref()
    outbox.enqueue("complaint", complaint(ref, 2), headers={GRANT: signed_in.grant})
    outbox.start()
    wait_until(lambda: outbox.backlog(include_heartbeats=True) == 0)
    assert delivery.replayed == 6  # every second attempt got the first answer back
    with centre.context.sessions() as db:
        sequences = db.scalars(
            select(HeartbeatRecord.sequence).where(HeartbeatRecord.kiosk_id == kiosk_id)
        ).all()
    assert sorted(sequences) == [1, 2, 3, 4, 5]
    assert _complaints(centre, ref) == 1
    assert {e.local_ref for e in recorder.of(ItemDelivered)} == {*refs, ref}


def test_refused_complaints_are_dead_lettered_and_the_next_one_goes(
    quick_outbox: tuple[Outbox, HttpDelivery],
    centre: CentralServer,
    signed_in: SignedIn,
    recorder: Recorder,
) -> None:
    outbox, _ = quick_outbox
    invalid, no_grant, good = new_local_ref(), new_local_ref(), new_local_ref()
    bad = complaint(invalid, 3) | {"category": "bukan-kategori"}
    outbox.enqueue("complaint", bad, headers={GRANT: signed_in.grant})
    outbox.enqueue("complaint", complaint(no_grant, 4), headers={GRANT: "not-a-grant"})
    outbox.enqueue("complaint", complaint(good, 5), headers={GRANT: signed_in.grant})
    outbox.start()
    wait_until(lambda: outbox.backlog() == 0)
    dead = {letter.local_ref: letter.reason for letter in outbox.dead_letters()}
    assert dead == {
        invalid: "http_422:invalid_input",
        no_grant: "http_401:session_expired",  # a grant the centre cannot open
    }
    assert {event.local_ref for event in recorder.of(ItemDeadLettered)} == {invalid, no_grant}
    assert [event.local_ref for event in recorder.of(ItemDelivered)] == [good]
    assert (_complaints(centre), _complaints(centre, good)) == (1, 1)
