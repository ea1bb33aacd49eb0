"""The background sender: FIFO per lane, backoff, dead letters, wake-ups, heartbeats on their
own lane, thread safety, and a clean stop. Delivery is a fake here; the integration tests use
the real centre."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

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
)
from tests.outbox.conftest import WAIT_S, FakeClock, Recorder, ScriptedDeliver, wait_until

pytestmark = pytest.mark.in_process

NIK = "3510016502870001"


def _complaint(n: int) -> dict[str, object]:
    return {"category": "layanan", "text": f"keluhan nomor {n}"}


def test_items_go_in_enqueue_order(outbox: Outbox, deliver: ScriptedDeliver) -> None:
    queued = [outbox.enqueue("complaint", _complaint(n)).local_ref for n in range(25)]
    outbox.start()
    wait_until(lambda: outbox.backlog() == 0)
    assert deliver.refs() == queued


def test_concurrent_enqueues_while_sending_keep_order_and_lose_nothing(
    outbox: Outbox, deliver: ScriptedDeliver
) -> None:
    outbox.start()
    queued: list[OutboxItem] = []
    lock = threading.Lock()

    def submit(worker: int) -> None:
        for n in range(40):
            item = outbox.enqueue("complaint", _complaint(worker * 100 + n))
            with lock:
                queued.append(item)

    threads = [threading.Thread(target=submit, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    wait_until(lambda: outbox.backlog() == 0 and len(deliver.calls) == 160)
    by_seq = [item.local_ref for item in sorted(queued, key=lambda item: item.seq)]
    assert deliver.refs() == by_seq
    for worker in range(4):  # each submitter's own items in the order it made them
        numbers = [int(str(item.payload["text"]).split()[-1]) for item in deliver.calls]
        assert [n for n in numbers if n // 100 == worker] == [worker * 100 + n for n in range(40)]


@pytest.fixture
def patient_outbox(
    outbox_path: Path, key: KioskKey, deliver: ScriptedDeliver, bus: EventBus, clock: FakeClock
) -> Outbox:
    """Backoff with a fixed draw (0.5): delays are exactly 3/4 of each ceiling."""
    backoff = Backoff(max_s=8, base_s=1, random=lambda: 0.5)
    return Outbox(outbox_path, key, deliver, max_backoff_s=8, bus=bus, clock=clock, backoff=backoff)


def test_a_failed_head_holds_its_lane_until_it_is_due(
    patient_outbox: Outbox, deliver: ScriptedDeliver, clock: FakeClock
) -> None:
    outbox = patient_outbox
    first = outbox.enqueue("complaint", _complaint(1))
    second = outbox.enqueue("complaint", _complaint(2))
    deliver.script[first.local_ref] = [DeliveryResult.retry("offline")]
    try:
        outbox.start()
        wait_until(lambda: len(deliver.calls) == 1)
        wait_until(lambda: next(outbox.items()).attempts == 1)
        [head, _] = list(outbox.items())
        assert (head.local_ref, head.last_error) == (first.local_ref, "offline")
        assert head.next_attempt_at == pytest.approx(clock.now + 0.75)
        clock.advance(0.7)
        looked = clock.reads_by("outbox-complaint")
        third = outbox.enqueue("complaint", _complaint(3))  # wakes the lane: still not due
        # Two more looks at the clock: the first decision after the wake-up is complete (a
        # delivery would have come between them), whatever the machine's speed.
        wait_until(lambda: clock.reads_by("outbox-complaint") >= looked + 2)
        assert deliver.refs() == [first.local_ref]
        clock.advance(0.1)
        outbox.enqueue("complaint", _complaint(4))
        wait_until(lambda: outbox.backlog() == 0)
        assert deliver.refs()[:4] == [
            first.local_ref,
            first.local_ref,
            second.local_ref,
            third.local_ref,
        ]
    finally:
        assert outbox.close(WAIT_S)


def test_backoff_schedule_doubles_to_the_cap(
    patient_outbox: Outbox, deliver: ScriptedDeliver, recorder: Recorder
) -> None:
    outbox = patient_outbox
    deliver.default = DeliveryResult.retry("http_503")
    outbox.enqueue("complaint", _complaint(1))
    try:
        outbox.start()
        for attempt in range(1, 7):

            def failed_again(n: int = attempt) -> bool:
                return len(recorder.of(DeliveryDeferred)) == n

            wait_until(failed_again)
            outbox.wake()  # skip the wait; the schedule is what is checked
        delays = [e.retry_in_s for e in recorder.of(DeliveryDeferred)][:6]
        assert delays == [0.75, 1.5, 3.0, 6.0, 6.0, 6.0]
        assert [e.attempts for e in recorder.of(DeliveryDeferred)][:6] == [1, 2, 3, 4, 5, 6]
    finally:
        assert outbox.close(WAIT_S)


def test_wake_sends_a_backed_off_item_at_once(outbox: Outbox, deliver: ScriptedDeliver) -> None:
    item = outbox.enqueue("complaint", _complaint(1))
    deliver.script[item.local_ref] = [DeliveryResult.retry("offline", retry_after_s=60)]
    outbox.start()
    wait_until(lambda: len(deliver.calls) == 1)
    wait_until(lambda: next(outbox.items()).attempts == 1)
    outbox.wake()
    wait_until(lambda: outbox.backlog() == 0)
    assert deliver.refs() == [item.local_ref, item.local_ref]


def test_a_permanent_refusal_is_dead_lettered_and_the_queue_moves_on(
    outbox: Outbox, deliver: ScriptedDeliver, recorder: Recorder
) -> None:
    bad = outbox.enqueue("complaint", _complaint(1))
    good = outbox.enqueue("complaint", _complaint(2))
    deliver.script[bad.local_ref] = [DeliveryResult.refused("http_422:validation_error")]
    outbox.start()
    wait_until(lambda: outbox.backlog() == 0)
    assert deliver.refs() == [bad.local_ref, good.local_ref]
    [dead] = outbox.dead_letters()
    assert (dead.local_ref, dead.kind, dead.reason, dead.attempts) == (
        bad.local_ref,
        "complaint",
        "http_422:validation_error",
        1,
    )
    [event] = recorder.of(ItemDeadLettered)
    assert (event.local_ref, event.reason) == (bad.local_ref, "http_422:validation_error")
    assert outbox.requeue_dead(bad.local_ref)  # after the cause is fixed, it goes again
    wait_until(lambda: len(deliver.calls) == 3 and outbox.backlog() == 0)
    assert outbox.dead_letters() == [] and deliver.refs()[-1] == bad.local_ref
    assert not outbox.requeue_dead(bad.local_ref)


def test_reasons_are_codes_never_free_text(outbox: Outbox, deliver: ScriptedDeliver) -> None:
    item = outbox.enqueue("complaint", _complaint(1))
    deliver.script[item.local_ref] = [DeliveryResult.retry(f"NIK {NIK} tidak valid", 60)]
    outbox.start()
    wait_until(lambda: next(outbox.items()).attempts == 1)
    assert next(outbox.items()).last_error == "unspecified"


def test_a_crashing_deliver_is_a_retry_not_a_dead_thread(
    outbox: Outbox, recorder: Recorder, key: KioskKey
) -> None:
    calls: list[str] = []

    def flaky(item: OutboxItem) -> DeliveryResult:
        calls.append(item.local_ref)
        if len(calls) == 1:
            raise RuntimeError(f"boom with {NIK}")
        return DeliveryResult.delivered()

    outbox._sender._deliver = flaky  # the one test that swaps delivery after construction
    item = outbox.enqueue("complaint", _complaint(1))
    outbox.start()
    wait_until(lambda: len(recorder.of(DeliveryDeferred)) == 1)
    [deferred] = recorder.of(DeliveryDeferred)
    assert deferred.reason == "deliver_error"
    outbox.wake()
    wait_until(lambda: outbox.backlog() == 0)
    assert calls == [item.local_ref, item.local_ref]
    assert [e.local_ref for e in recorder.of(ItemDelivered)] == [item.local_ref]


def test_heartbeats_pass_a_blocked_submission_lane_and_never_reorder_it(
    outbox_path: Path, key: KioskKey, clock: FakeClock
) -> None:
    gate = threading.Event()
    order: list[tuple[str, str]] = []

    def deliver(item: OutboxItem) -> DeliveryResult:
        if item.kind == "complaint" and not gate.wait(WAIT_S):
            return DeliveryResult.retry("gate_timeout")
        order.append((item.kind, item.local_ref))
        return DeliveryResult.delivered()

    outbox = Outbox(outbox_path, key, deliver, max_backoff_s=60, clock=clock)
    try:
        complaints = [outbox.enqueue("complaint", _complaint(n)).local_ref for n in range(3)]
        outbox.start()
        beats = [outbox.enqueue("heartbeat", {"sequence": n}).local_ref for n in range(3)]
        wait_until(lambda: len(order) == 3)
        assert order == [("heartbeat", ref) for ref in beats]  # the complaint is still in flight
        gate.set()
        wait_until(lambda: outbox.backlog(include_heartbeats=True) == 0)
        assert [ref for kind, ref in order if kind == "complaint"] == complaints
    finally:
        gate.set()
        assert outbox.close(WAIT_S)


def test_a_wall_clock_set_back_does_not_park_items(
    outbox: Outbox, deliver: ScriptedDeliver, clock: FakeClock
) -> None:
    item = outbox.enqueue("complaint", _complaint(1))
    deliver.script[item.local_ref] = [DeliveryResult.retry("offline", retry_after_s=50)]
    outbox.start()
    wait_until(lambda: next(outbox.items()).attempts == 1)
    clock.advance(-86_400)  # NTP corrects a kiosk that booted a day in the future
    outbox.enqueue("complaint", _complaint(2))  # any notification re-checks the head
    wait_until(lambda: outbox.backlog() == 0)
    assert deliver.refs()[:2] == [item.local_ref, item.local_ref]


def test_stop_has_a_timeout_and_a_stuck_delivery_loses_nothing(
    outbox_path: Path, key: KioskKey
) -> None:
    gate = threading.Event()
    deliver = ScriptedDeliver(gate=gate)
    outbox = Outbox(outbox_path, key, deliver, max_backoff_s=60)
    outbox.enqueue("complaint", _complaint(1))
    outbox.start()
    wait_until(deliver.entered.is_set)
    assert outbox.stop(timeout_s=0.2) is False  # the delivery is blocked in "the network"
    assert outbox.backlog() == 1
    gate.set()
    assert outbox.close(timeout_s=WAIT_S) is True
    reopened = Outbox(outbox_path, key, ScriptedDeliver(), max_backoff_s=60)
    assert len(deliver.calls) == 1 and reopened.backlog() == 0  # it finished, then was confirmed
    assert reopened.close()
