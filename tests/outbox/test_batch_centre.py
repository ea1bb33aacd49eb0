"""The kiosk's real delivery (kiosk/delivery.py) in batches against the real centre: a backlog
goes in a few batch requests, each complaint stored once; photos are uploaded first; refusals
are dead-lettered without holding the others; the session waiting for one item still gets its
record; a centre without the batch route gets the items one by one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central.contract.batch import BATCH_PATH
from central.contract.models import ErrorBody
from central.contract.services import Complaint
from central.models import Complaint as ComplaintRow
from common.events import EventBus
from kiosk.central_client import CentralClient
from kiosk.delivery import CentreDelivery
from kiosk.identity import KioskKey
from kiosk.outbox import Attachment, Backoff, DeliveryDeferred, Outbox, new_local_ref
from tests.central.services_portal import image_bytes
from tests.outbox.conftest import WAIT_S, CentreDatabase, Recorder, SignedIn, wait_until
from tests.outbox.delivery import complaint, sign_in
from tests.support.central_server import CentralServer

GRANT = "X-Resident-Grant"


class CountingClient(CentralClient):
    """The real client, noting the path of every request it sends, and by which lane."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paths: list[str] = []
        self.by_lane: dict[str, list[str]] = {}
        self.missing: str | None = None  # sent to a path the centre lacks, as to an old centre

    def request(self, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        self.paths.append(path)
        self.by_lane.setdefault(threading.current_thread().name, []).append(path)
        sent = path + "-missing" if path == self.missing else path
        return super().request(method, sent, *args, **kwargs)


@pytest.fixture
def client(centre: CentralServer, signed_in: SignedIn) -> CountingClient:
    return CountingClient(centre.url, signed_in.kiosk.signer, retries=0)


@pytest.fixture
def delivery(client: CountingClient) -> CentreDelivery:
    return CentreDelivery(client)


@pytest.fixture
def outbox(
    outbox_path: Path, key: KioskKey, delivery: CentreDelivery, bus: EventBus
) -> Iterator[Outbox]:
    box = Outbox(
        outbox_path, key, delivery, max_backoff_s=2, bus=bus, backoff=Backoff(max_s=2, base_s=0.2)
    )
    yield box
    assert box.close(WAIT_S)


def _stored(server: CentralServer) -> dict[str, int]:
    """Complaints at the centre per local_ref."""
    with server.context.sessions() as db:
        rows = db.execute(
            select(ComplaintRow.local_ref, func.count()).group_by(ComplaintRow.local_ref)
        ).all()
    return {ref: count for ref, count in rows}


def _queue(outbox: Outbox, grant: str, count: int) -> list[str]:
    refs = []
    for n in range(count):
        ref = new_local_ref()
        outbox.enqueue("complaint", complaint(ref, n), headers={GRANT: grant})
        refs.append(ref)
    return refs


def test_a_backlog_goes_in_batches_and_each_complaint_is_stored_once(
    outbox: Outbox, client: CountingClient, centre: CentralServer, signed_in: SignedIn
) -> None:
    refs = _queue(outbox, signed_in.grant, 120)
    outbox.start()
    wait_until(lambda: outbox.backlog() == 0)
    assert client.paths == [BATCH_PATH] * 3  # 50 + 50 + 20
    assert _stored(centre) == {ref: 1 for ref in refs}
    with centre.context.sessions() as db:
        order = list(db.scalars(select(ComplaintRow.local_ref).order_by(ComplaintRow.id)))
    assert order == refs
    assert outbox.dead_letters() == []


def test_photos_go_first_refusals_are_dead_lettered_and_the_waiting_session_gets_its_record(
    outbox: Outbox,
    delivery: CentreDelivery,
    client: CountingClient,
    centre: CentralServer,
    centre_template: CentreDatabase,
    signed_in: SignedIn,
) -> None:
    other_kiosk = centre.enroll()
    person = centre_template.people[0]
    foreign_grant = sign_in(other_kiosk.session, centre.url, person.nik, person.pin)
    with_photo, taken, foreign, plain = (new_local_ref() for _ in range(4))
    for ref in (with_photo, taken):
        delivery.await_outcome(ref)
    outbox.enqueue(
        "complaint",
        complaint(with_photo, 1),
        headers={GRANT: signed_in.grant},
        attachments=[Attachment("photo", "image/jpeg", image_bytes("JPEG"))],
    )
    outbox.enqueue(
        "bansos_application",
        {
            "local_ref": taken,
            "program_id": "blt_dd",
            "submitted_at": complaint(taken, 0)["submitted_at"],
        },
        headers={GRANT: signed_in.grant},
    )  # the resident holds PKH in the same cluster
    outbox.enqueue("complaint", complaint(foreign, 2), headers={GRANT: foreign_grant})
    outbox.enqueue("complaint", complaint(plain, 3), headers={GRANT: signed_in.grant})
    outbox.start()
    wait_until(lambda: outbox.backlog() == 0)

    assert client.by_lane == {  # the photo before the complaint naming it
        "outbox-complaint": ["/v1/documents", BATCH_PATH],
        "outbox-bansos_application": [BATCH_PATH],
    }
    assert _stored(centre) == {with_photo: 1, plain: 1}
    with centre.context.sessions() as db:
        photo = db.scalar(
            select(ComplaintRow.photo_document_id).where(ComplaintRow.local_ref == with_photo)
        )
    assert photo is not None
    dead = {d.local_ref: d.reason for d in outbox.dead_letters()}
    assert dead == {
        taken: "http_409:bansos_cluster_taken",
        foreign: "http_401:session_expired",
    }
    record = delivery.take_outcome(with_photo)
    assert isinstance(record, Complaint) and record.category == "infrastruktur"
    refusal = delivery.take_outcome(taken)
    assert isinstance(refusal, ErrorBody) and refusal.code == "bansos_cluster_taken"
    assert delivery.take_outcome(plain) is None  # nobody waited for it: not kept


def test_an_item_already_delivered_singly_is_answered_with_its_first_record(
    outbox: Outbox, delivery: CentreDelivery, centre: CentralServer, signed_in: SignedIn
) -> None:
    """A crash after the centre stored an item and before the outbox forgot it: the batch
    sends it again and gets the record the single delivery made."""
    refs = _queue(outbox, signed_in.grant, 3)
    first = next(outbox.items())
    delivery.await_outcome(first.local_ref)
    assert delivery(first).outcome.value == "delivered"
    single = delivery.take_outcome(first.local_ref)
    delivery.await_outcome(first.local_ref)
    outbox.start()
    wait_until(lambda: outbox.backlog() == 0)
    assert delivery.take_outcome(first.local_ref) == single
    assert _stored(centre) == {ref: 1 for ref in refs}


def test_a_batch_made_while_the_centre_is_down_goes_once_when_it_is_back(
    outbox: Outbox,
    centre: CentralServer,
    centre_settings: Any,
    signed_in: SignedIn,
    recorder: Recorder,
) -> None:
    centre.stop()
    outbox.start()
    refs = _queue(outbox, signed_in.grant, 5)
    wait_until(lambda: len(recorder.of(DeliveryDeferred)) >= 2)
    assert {e.reason for e in recorder.of(DeliveryDeferred)} == {"offline"}
    assert {e.local_ref for e in recorder.of(DeliveryDeferred)} == {refs[0]}
    back = CentralServer(centre_settings, clock=centre.clock, port=centre.port).start()
    try:
        outbox.wake()
        wait_until(lambda: outbox.backlog() == 0)
        assert _stored(back) == {ref: 1 for ref in refs}
    finally:
        back.stop()


def test_a_centre_without_the_batch_route_gets_the_items_one_by_one(
    outbox: Outbox, client: CountingClient, centre: CentralServer, signed_in: SignedIn
) -> None:
    client.missing = BATCH_PATH  # the real centre answers 404 not_found, as an older one would
    refs = _queue(outbox, signed_in.grant, 4)
    outbox.start()
    wait_until(lambda: outbox.backlog() == 0)
    assert client.paths == [BATCH_PATH] + ["/v1/complaints"] * 4  # asked once, then singly
    assert _stored(centre) == {ref: 1 for ref in refs}
    assert outbox.dead_letters() == []
