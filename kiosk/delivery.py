"""Delivering outbox items to the centre: upload an item's scanned documents, then send it.

This is the outbox's ``deliver`` callback. Everything goes with the item's ``local_ref`` as
the Idempotency-Key (documents with ``local_ref-name``), so a retry after a crash or a lost
answer gets the first answer back: the same document ids, the same tracking code, one record.
The centre's parsed answer is kept for the session that is waiting to print its receipt.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from central.contract.services import BansosApplication, Complaint, LetterRequest
from kiosk.central_client import (
    CentralClient,
    CentralOffline,
    CentralRefused,
    CentralServerError,
    CentralTimeout,
    MalformedReply,
)
from kiosk.outbox import (
    KIND_BANSOS_APPLICATION,
    KIND_COMPLAINT,
    KIND_LETTER,
    DeliveryResult,
    OutboxItem,
    classify_reply,
)

log = logging.getLogger(__name__)

ROUTES: Mapping[str, tuple[str, type[BaseModel]]] = {
    KIND_LETTER: ("/v1/letters", LetterRequest),
    KIND_COMPLAINT: ("/v1/complaints", Complaint),
    KIND_BANSOS_APPLICATION: ("/v1/bansos/applications", BansosApplication),
}


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
    """``deliver(item) -> DeliveryResult`` for :class:`kiosk.outbox.Outbox`.

    ``client`` should be built with ``retries=0``: the outbox owns retrying, with backoff that
    survives restarts, and a blocking retry loop here would only hold up the lane.
    """

    def __init__(self, client: CentralClient) -> None:
        self._client = client
        self._outcomes: dict[str, BaseModel] = {}
        self._awaited: set[str] = set()
        self._lock = threading.Lock()

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

    def __call__(self, item: OutboxItem) -> DeliveryResult:
        route = ROUTES.get(item.kind)
        if route is None:
            return DeliveryResult.refused(f"no_route_{item.kind}")
        path, model = route
        try:
            uploaded = {
                attachment.name: self._client.upload_document_raw(
                    attachment.data,
                    attachment.content_type,
                    key=f"{item.local_ref}-{attachment.name}"[:128],
                    headers=dict(item.headers),
                ).document_id
                for attachment in item.attachments
            }
            body = item.body
            if uploaded:
                payload = _with_documents(item.kind, json.loads(body), uploaded)
                body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
            result = self._client.request(
                "POST",
                path,
                model,
                raw=body,
                idempotency_key=item.local_ref,
                extra_headers=dict(item.headers),
            )
        except CentralRefused as refusal:
            self._keep(item.local_ref, refusal.error)
            retry_after = (refusal.error.details or {}).get("retry_after_s")
            return classify_reply(refusal.status, refusal.code, retry_after)
        except (CentralOffline, CentralTimeout) as failure:
            return DeliveryResult.retry(
                "offline" if isinstance(failure, CentralOffline) else "timeout"
            )
        except CentralServerError:
            return DeliveryResult.retry("http_5xx")
        except MalformedReply:
            # The centre answered 2xx, so it holds the item; only its answer is unreadable.
            log.warning("centre accepted a %s but its answer did not parse", item.kind)
            return DeliveryResult.delivered()
        if result is not None:
            self._keep(item.local_ref, result)
        return DeliveryResult.delivered()
