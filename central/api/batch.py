"""``POST /v1/submissions/batch``: a kiosk's outbox delivers many submissions in one signed
request (see ``central/services/batch.py`` for the rules, ``central/contract/batch.py`` for the
wire).

The signature, nonce and Idempotency-Key cover the whole batch; each item brings its own
resident grant, since one outbox holds the submissions of many residents.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from central.context import CentralContext, get_context
from central.contract import batch as wire
from central.errors import ERROR_RESPONSES
from central.security.idempotency import IdempotencyDep
from central.security.kiosk_auth import KioskDep
from central.services import batch

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["services"])


@router.post(wire.BATCH_PATH.removeprefix("/v1"), response_model=wire.BatchResult)
def submit_batch(
    body: wire.BatchRequest,
    kiosk: KioskDep,
    ctx: Annotated[CentralContext, Depends(get_context)],
    idem: IdempotencyDep,
) -> Response:
    """Up to 50 letters, complaints and bansos applications, processed in order. Each result
    is what the item's own route would have answered (201 and the record, or the refusal); an
    item that failed for a reason that may pass later stops the batch, and the items after
    it are answered 424 ``not_processed``. A ``local_ref`` already stored, singly or in an
    earlier batch, gets its first record back."""
    return idem.run(kiosk.id, 200, lambda: batch.process(ctx, kiosk, body))
