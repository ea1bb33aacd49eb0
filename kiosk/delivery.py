"""Delivering outbox items to the centre: upload an item's scanned documents, then send it.

This is the outbox's ``deliver`` callback. Everything goes with the item's ``local_ref`` as
the Idempotency-Key (documents with ``local_ref-name``), so a retry after a crash or a lost
answer gets the first answer back: the same document ids, the same tracking code, one record.
The centre's parsed answer is kept for the session that is waiting to print its receipt.

``deliver_batch`` sends up to 50 items of a lane in one ``POST /v1/submissions/batch``
(documents are still uploaded one by one, first): after a day offline the outbox then drains
at the rate of the centre's per-item work rather than its per-request cost. A centre without
the batch route (404/405), or one that refuses a batch as a whole, gets the head item on its
own route instead, so an item is never stuck behind the batch path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from central.contract.batch import BATCH_PATH, MAX_BATCH_ITEMS, BatchItemResult, BatchResult
from central.contract.models import HeartbeatAck, WireModel
from central.contract.services import BansosApplication, Complaint, LetterRequest
from central.contract.signing import HEADER_GRANT
from kiosk.central_client import (
    CentralClient,
    CentralError,
    CentralOffline,
    CentralRefused,
    CentralServerError,
    CentralTimeout,
    MalformedReply,
)
from kiosk.outbox import (
    KIND_BANSOS_APPLICATION,
    KIND_COMPLAINT,
    KIND_HEARTBEAT,
    KIND_LETTER,
    DeliveryResult,
    OutboxItem,
    Outcome,
    classify_item,
    classify_reply,
)

log = logging.getLogger(__name__)

ROUTES: Mapping[str, tuple[str, type[WireModel]]] = {
    KIND_LETTER: ("/v1/letters", LetterRequest),
    KIND_COMPLAINT: ("/v1/complaints", Complaint),
    KIND_BANSOS_APPLICATION: ("/v1/bansos/applications", BansosApplication),
}
# Items that go alone, never in a submissions batch: the runtime's heartbeats (own lane).
SINGLE_ROUTES: Mapping[str, tuple[str, type[WireModel]]] = {
    KIND_HEARTBEAT: ("/v1/heartbeats", HeartbeatAck),
}
# After a centre answered that it has no batch route, items go singly this long before the
# batch route is tried again (the centre may be upgraded meanwhile).
NO_BATCH_ROUTE_S = 600.0
_TRANSPORT: tuple[tuple[type[CentralError], str], ...] = (
    (CentralOffline, "offline"),
    (CentralTimeout, "timeout"),
    (CentralServerError, "http_5xx"),
)


def _with_documents(
    kind: str, payload: dict[str, Any], uploaded: Mapping[str, str]
) -> dict[str, Any]:
    """Put the centre's document ids where the payload refers to the scanned pages."""
    if kind == KIND_LETTER:
        payload["documents"] = [{"name": n, "document_id": d} for n, d in uploaded.items()]
    elif kind == KIND_COMPLAINT and "photo" in uploaded:
        payload["photo_document_id"] = uploaded["photo"]
    return payload


class CentreDelivery:
    """``deliver(item) -> DeliveryResult`` for :class:`kiosk.outbox.Outbox`, and its
    ``deliver_batch(items)`` (the outbox uses it when present).

    ``client`` should be built with ``retries=0``: the outbox owns retrying, with backoff that
    survives restarts, and a blocking retry loop here would only hold up the lane.
    """

    def __init__(
        self, client: CentralClient, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._monotonic = monotonic
        self._outcomes: dict[str, BaseModel] = {}
        self._awaited: set[str] = set()
        self._lock = threading.Lock()
        self._singles_until = float("-inf")  # no batch route at the centre before this time

    def await_outcome(self, local_ref: str) -> None:
        """Keep the answer for ``local_ref``: a session is waiting to print it. Answers to
        items nobody waits for (sent later by the background sender) are not kept."""
        with self._lock:
            self._awaited.add(local_ref)

    def take_outcome(self, local_ref: str) -> BaseModel | None:
        """The centre's record (or its refusal, an ``ErrorBody``) for an item, once.

        Kept in memory only, for the session waiting to print the receipt: a refusal's text can
        name things the resident entered, so it is never written to the outbox file."""
        with self._lock:
            self._awaited.discard(local_ref)
            return self._outcomes.pop(local_ref, None)

    def _keep(self, local_ref: str, outcome: BaseModel) -> None:
        with self._lock:
            if local_ref in self._awaited:
                self._outcomes[local_ref] = outcome

    # ------------------------------------------------------------------ one item

    def __call__(self, item: OutboxItem) -> DeliveryResult:
        route = ROUTES.get(item.kind) or SINGLE_ROUTES.get(item.kind)
        if route is None:
            return DeliveryResult.refused(f"no_route_{item.kind}")
        path, model = route
        try:
            body = self._with_uploads(item)
        except CentralError as failure:
            return self._failed(item, failure, sent=False)
        try:
            result = self._client.request(
                "POST",
                path,
                model,
                raw=body,
                idempotency_key=item.local_ref,
                extra_headers=dict(item.headers),
            )
        except CentralError as failure:
            return self._failed(item, failure, sent=True)
        if result is not None:
            self._keep(item.local_ref, result)
        return DeliveryResult.delivered()

    def _with_uploads(self, item: OutboxItem) -> bytes:
        """The item's body with the ids of its uploaded documents (uploads it first)."""
        uploaded = {
            attachment.name: self._client.upload_document_raw(
                attachment.data,
                attachment.content_type,
                key=f"{item.local_ref}-{attachment.name}"[:128],
                headers=dict(item.headers),
            ).document_id
            for attachment in item.attachments
        }
        if not uploaded:
            return item.body
        payload = _with_documents(item.kind, json.loads(item.body), uploaded)
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    def _failed(self, item: OutboxItem, failure: CentralError, *, sent: bool) -> DeliveryResult:
        """The result for an item whose upload (``sent=False``) or submission failed."""
        if isinstance(failure, CentralRefused):
            self._keep(item.local_ref, failure.error)
            retry_after = (failure.error.details or {}).get("retry_after_s")
            return classify_reply(failure.status, failure.code, retry_after)
        if isinstance(failure, MalformedReply):
            if not sent:  # no document id to refer to: upload again
                return DeliveryResult.retry("malformed_reply")
            # The centre answered 2xx, so it holds the item; only its answer is unreadable.
            log.warning("centre accepted a %s but its answer did not parse", item.kind)
            return DeliveryResult.delivered()
        reason = next((r for kind, r in _TRANSPORT if isinstance(failure, kind)), "central_error")
        return DeliveryResult.retry(reason)

    # ------------------------------------------------------------------ many items

    def deliver_batch(self, items: Sequence[OutboxItem]) -> list[DeliveryResult]:
        """Results for the lane's first items (see :class:`kiosk.outbox.BatchDeliver`): the
        longest run at the head that one batch request can carry, or the head alone."""
        run: list[OutboxItem] = []
        for item in items[:MAX_BATCH_ITEMS]:
            if not _batchable(item):
                break
            run.append(item)
        if not run or self._monotonic() < self._singles_until:
            return [self(items[0])]
        return self._send_run(run)

    def _send_run(self, run: list[OutboxItem]) -> list[DeliveryResult]:
        """Uploads first, then one batch request for every item whose uploads went through;
        an item whose upload must be retried ends the run (nothing after it goes ahead)."""
        results: list[DeliveryResult | None] = []
        entries: list[tuple[int, OutboxItem, bytes]] = []
        for position, item in enumerate(run):
            try:
                entries.append((position, item, self._with_uploads(item)))
                results.append(None)
            except CentralError as failure:
                result = self._failed(item, failure, sent=False)
                results.append(result)
                if result.outcome is Outcome.RETRY:
                    break
        if entries:
            answers = self._post_batch([(item, body) for _, item, body in entries])
            if answers is None:
                return [self(run[0])]
            for (position, _, _), answer in zip(entries, answers, strict=True):
                results[position] = answer
        return [result for result in results if result is not None]

    def _post_batch(self, entries: list[tuple[OutboxItem, bytes]]) -> list[DeliveryResult] | None:
        """One result per entry, or None when the batch route cannot judge these items (no
        such route, the batch refused as a whole, an unreadable answer): then the head goes
        on its own route."""
        body = _batch_body(entries)
        try:
            reply = self._client.request(
                "POST",
                BATCH_PATH,
                BatchResult,
                raw=body,
                idempotency_key=_batch_key(body, entries[0][0]),
            )
        except CentralRefused as refusal:
            return self._refused_batch(refusal, len(entries))
        except MalformedReply:
            log.warning("the centre's batch answer did not parse")
            return None
        except CentralError as failure:
            return [self._failed(entries[0][0], failure, sent=True)] * len(entries)
        assert reply is not None
        if [r.local_ref for r in reply.results] != [item.local_ref for item, _ in entries]:
            log.warning("the centre's batch answer does not match the items sent")
            return None
        return [
            self._item_result(item, answer)
            for (item, _), answer in zip(entries, reply.results, strict=True)
        ]

    def _refused_batch(self, refusal: CentralRefused, count: int) -> list[DeliveryResult] | None:
        if refusal.status in (404, 405):
            log.warning("the centre has no batch route: sending items one by one")
            self._singles_until = self._monotonic() + NO_BATCH_ROUTE_S
            return None
        verdict = classify_reply(refusal.status, refusal.code)
        if verdict.outcome is Outcome.RETRY:  # kiosk-wide (clock, revoked) or busy: all wait
            return [verdict] * count
        log.warning("the centre refused a batch as a whole (%s)", refusal.code)
        return None

    def _item_result(self, item: OutboxItem, answer: BatchItemResult) -> DeliveryResult:
        if 200 <= answer.status < 300:
            if isinstance(answer.body, ROUTES[item.kind][1]):
                self._keep(item.local_ref, answer.body)
            else:
                log.warning("centre accepted a %s but its record did not parse", item.kind)
            return DeliveryResult.delivered()
        retry_after = None
        if answer.error is not None:
            self._keep(item.local_ref, answer.error)
            value = (answer.error.details or {}).get("retry_after_s")
            retry_after = float(value) if isinstance(value, int | float) else None
        code = answer.error.code if answer.error is not None else None
        return classify_item(answer.status, code, retry_after)


def _batchable(item: OutboxItem) -> bool:
    """A batch item carries a kind the batch route takes and, as its only header, a grant."""
    return item.kind in ROUTES and set(item.headers) <= {HEADER_GRANT}


def _batch_body(entries: list[tuple[OutboxItem, bytes]]) -> bytes:
    """``{"items": [{kind, local_ref, grant, body}, ...]}`` with each body's bytes as they
    are: no decoding and re-encoding of fifty payloads per request."""
    parts = []
    for item, body in entries:
        head = {
            "kind": item.kind,
            "local_ref": item.local_ref,
            "grant": item.headers.get(HEADER_GRANT),
        }
        parts.append(
            json.dumps(head, separators=(",", ":"))[:-1].encode() + b',"body":' + body + b"}"
        )
    return b'{"items":[' + b",".join(parts) + b"]}"


def _batch_key(body: bytes, head: OutboxItem) -> str:
    """The same bytes in the same attempt of the head item get the same key, so an answer
    lost on the way is replayed, not recomputed. The head's attempt count is in it because
    a stored answer may hold an item to retry (``submission_conflict``, ``not_processed``):
    once the outbox has counted that attempt, the same items must be judged afresh."""
    return f"batch-{hashlib.sha256(body).hexdigest()[:48]}-{head.attempts}"
