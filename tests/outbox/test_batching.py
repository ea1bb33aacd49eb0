"""Batched sending with a fake ``deliver_batch``: a lane's due head items go together, and
their results are applied in order exactly as if sent one by one (delivered removed, refused
dead-lettered, the first retry keeping itself and everything after it)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from common.events import EventBus
from kiosk.identity import KioskKey
from kiosk.outbox import (
    Backoff,
    BatchDeliver,
    DeliveryDeferred,
    DeliveryResult,
    ItemDeadLettered,
    ItemDelivered,
    Outbox,
    OutboxEvent,
    OutboxItem,
)
from tests.outbox.conftest import WAIT_S, FakeClock, Recorder, ScriptedDeliver, wait_until

pytestmark = pytest.mark.in_process


@dataclass
class ScriptedBatch(ScriptedDeliver):
    """Records each batch; answers each item from its script, like ``ScriptedDeliver``."""

    batches: list[list[str]] = field(default_factory=list)
    broken: str | None = None  # "raise", "none" or "extra": a deliverer with a bug
    stop_before: str | None = None  # answer only the items ahead of this one

    def deliver_batch(self, items: Sequence[OutboxItem]) -> list[DeliveryResult]:
        self.batches.append([item.local_ref for item in items])
        if self.broken == "raise":
            raise RuntimeError("deliverer bug: 3510016502870001")
        if self.broken in ("none", "extra"):
            return [] if self.broken == "none" else [self.default] * (len(items) + 1)
        refs = [item.local_ref for item in items]
        if self.stop_before in refs:
            items = items[: refs.index(self.stop_before)]
            self.stop_before = None
        answers = [self.script.get(item.local_ref) for item in items]
        return [queue.pop(0) if queue else self.default for queue in answers]


@pytest.fixture
def batcher() -> ScriptedBatch:
    return ScriptedBatch()


@pytest.fixture
def batched(
    outbox_path: Path, key: KioskKey, batcher: ScriptedBatch, bus: EventBus, clock: FakeClock
) -> Iterator[Outbox]:
    """Batches of at most 3; backoff with a fixed draw, so the first delay is 0.75 s."""
    backoff = Backoff(max_s=8, base_s=1, random=lambda: 0.5)
    box = Outbox(
        outbox_path,
        key,
        batcher,
        max_backoff_s=8,
        bus=bus,
        clock=clock,
        backoff=backoff,
        batch_size=3,
    )
    yield box
    assert box.close(WAIT_S)


def _queue(outbox: Outbox, count: int) -> list[str]:
    return [
        outbox.enqueue("complaint", {"category": "layanan", "text": f"keluhan {n}"}).local_ref
        for n in range(count)
    ]


def _story(recorder: Recorder) -> list[tuple[str, str]]:
    names = {ItemDelivered: "delivered", ItemDeadLettered: "dead", DeliveryDeferred: "deferred"}
    return [(names[type(e)], e.local_ref) for e in recorder.events if isinstance(e, OutboxEvent)]


def test_a_batching_deliverer_is_recognised_and_a_plain_one_is_not() -> None:
    assert isinstance(ScriptedBatch(), BatchDeliver)
    assert not isinstance(ScriptedDeliver(), BatchDeliver)


def test_the_lane_head_goes_in_batches_in_enqueue_order(
    batched: Outbox, batcher: ScriptedBatch, recorder: Recorder
) -> None:
    refs = _queue(batched, 7)
    batched.start()
    wait_until(lambda: batched.backlog() == 0)
    assert batcher.batches == [refs[0:3], refs[3:6], refs[6:7]]
    assert batcher.calls == []  # the single path is not used
    assert _story(recorder) == [("delivered", ref) for ref in refs]
    assert {e.attempts for e in recorder.of(ItemDelivered)} == {1}


def test_refused_items_are_dead_lettered_and_the_batch_goes_on(
    batched: Outbox, batcher: ScriptedBatch, recorder: Recorder
) -> None:
    refs = _queue(batched, 5)
    batcher.script[refs[1]] = [DeliveryResult.refused("http_422:invalid_input")]
    batcher.script[refs[3]] = [DeliveryResult.refused("http_409:bansos_cluster_taken")]
    batched.start()
    wait_until(lambda: batched.backlog() == 0)
    assert batcher.batches == [refs[0:3], refs[3:5]]
    assert _story(recorder) == [
        ("delivered", refs[0]),
        ("dead", refs[1]),
        ("delivered", refs[2]),
        ("dead", refs[3]),
        ("delivered", refs[4]),
    ]
    dead = [(d.local_ref, d.reason, d.attempts) for d in batched.dead_letters()]
    assert dead == [
        (refs[1], "http_422:invalid_input", 1),
        (refs[3], "http_409:bansos_cluster_taken", 1),
    ]


def test_a_retry_keeps_itself_and_everything_after_it(
    batched: Outbox, batcher: ScriptedBatch, recorder: Recorder, clock: FakeClock
) -> None:
    refs = _queue(batched, 5)
    batcher.script[refs[1]] = [DeliveryResult.retry("http_503")]
    # What the fake answers for refs[2] in that round (delivered) must be ignored: it was
    # not meant to go ahead of refs[1].
    batched.start()
    wait_until(lambda: len(recorder.of(DeliveryDeferred)) == 1)
    assert _story(recorder) == [("delivered", refs[0]), ("deferred", refs[1])]
    [deferred] = recorder.of(DeliveryDeferred)
    assert (deferred.attempts, deferred.reason, deferred.retry_in_s) == (1, "http_503", 0.75)
    left = list(batched.items())
    assert [item.local_ref for item in left] == refs[1:]
    assert [(item.attempts, item.last_error) for item in left] == [
        (1, "http_503"),
        (0, None),
        (0, None),
        (0, None),
    ]
    assert left[0].next_attempt_at == pytest.approx(clock.now + 0.75)

    clock.advance(0.8)
    batched.wake()
    wait_until(lambda: batched.backlog() == 0)
    assert batcher.batches == [refs[0:3], refs[1:4], refs[4:5]]
    assert [e.local_ref for e in recorder.of(ItemDelivered)] == [refs[0], *refs[1:]]
    assert recorder.of(ItemDelivered)[1].attempts == 2


def test_items_a_deliverer_did_not_try_lead_the_next_round_untouched(
    batched: Outbox, batcher: ScriptedBatch, recorder: Recorder
) -> None:
    refs = _queue(batched, 5)
    batcher.stop_before = refs[1]
    batched.start()
    wait_until(lambda: batched.backlog() == 0)
    assert batcher.batches == [refs[0:3], refs[1:4], refs[4:5]]
    assert _story(recorder) == [("delivered", ref) for ref in refs]
    assert {e.attempts for e in recorder.of(ItemDelivered)} == {1}  # no attempt was counted


def test_items_behind_a_corrupt_one_wait_until_it_is_dead_lettered(
    batched: Outbox, batcher: ScriptedBatch, outbox_path: Path, recorder: Recorder
) -> None:
    refs = _queue(batched, 4)
    with sqlite3.connect(outbox_path) as conn:
        conn.execute("UPDATE items SET sealed_payload = X'00' WHERE local_ref = ?", (refs[2],))
    batched.start()
    wait_until(lambda: batched.backlog() == 0)
    assert batcher.batches == [refs[0:2], refs[3:4]]
    assert _story(recorder) == [
        ("delivered", refs[0]),
        ("delivered", refs[1]),
        ("dead", refs[2]),
        ("delivered", refs[3]),
    ]
    assert [d.reason for d in batched.dead_letters()] == ["undecryptable"]


@pytest.mark.parametrize("bug", ["raise", "none", "extra"])
def test_a_faulty_deliver_batch_is_a_retry_of_the_head_and_loses_nothing(
    batched: Outbox, batcher: ScriptedBatch, recorder: Recorder, bug: str
) -> None:
    refs = _queue(batched, 4)
    batcher.broken = bug
    batched.start()
    wait_until(lambda: len(recorder.of(DeliveryDeferred)) == 1)
    assert _story(recorder) == [("deferred", refs[0])]
    assert recorder.of(DeliveryDeferred)[0].reason == "deliver_error"
    assert [item.local_ref for item in batched.items()] == refs

    batcher.broken = None
    batched.wake()
    wait_until(lambda: batched.backlog() == 0)
    assert [e.local_ref for e in recorder.of(ItemDelivered)] == refs


def test_a_batch_size_below_one_is_refused(
    outbox_path: Path, key: KioskKey, batcher: ScriptedBatch
) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        Outbox(outbox_path, key, batcher, max_backoff_s=8, batch_size=0)
