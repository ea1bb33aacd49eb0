"""Wire models of ``POST /v1/submissions/batch``: many outbox items in one signed request.

A kiosk that has been offline drains its outbox item by item; each item is a whole signed,
idempotent request, and the centre's fixed cost per request (signature, nonce, idempotency
record, commits) dwarfs the work of storing one complaint. A batch pays that cost once for up
to ``MAX_BATCH_ITEMS`` items.

Each item carries exactly what the single route would get: its ``kind`` (the route),
``local_ref``, the resident's submission grant (the single route's ``X-Resident-Grant``
header) and ``body``, the JSON object the single route takes. The centre answers one result
per item, in order, with the status and body (or error) the single route would have given; a
``local_ref`` is stored once whether it came singly or in a batch.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from central.contract.models import ErrorBody, WireModel
from central.contract.services import (
    BansosApplication,
    Complaint,
    LetterRequest,
    LocalRef,
    OfflineKind,
)

BATCH_PATH = "/v1/submissions/batch"
MAX_BATCH_ITEMS = 50
MAX_GRANT_LENGTH = 1024

BatchKind = OfflineKind  # the batch route takes exactly what may wait in an outbox

# The per-item status of an item the centre did not look at because an earlier item failed
# for a reason that may pass later (HTTP 424 Failed Dependency): sending it now would break
# the lane's order. It is sent again, after the item that held it up.
NOT_PROCESSED_STATUS = 424
NOT_PROCESSED_CODE = "not_processed"


class BatchItem(WireModel):
    kind: BatchKind = Field(
        description="'letter' (POST /v1/letters), 'complaint' (POST /v1/complaints) or "
        "'bansos_application' (POST /v1/bansos/applications)."
    )
    local_ref: LocalRef = Field(description="Must equal body.local_ref.")
    grant: str | None = Field(
        default=None,
        max_length=MAX_GRANT_LENGTH,
        description="The resident's submission grant (what X-Resident-Grant carries singly).",
    )
    body: dict[str, Any] = Field(
        description="Exactly the JSON object the kind's single route takes; checked per item, "
        "so one bad item is refused on its own."
    )


class BatchRequest(WireModel):
    items: list[BatchItem] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)


class BatchItemResult(WireModel):
    """``status`` is the HTTP status the single route would have answered; ``body`` is its
    record (2xx) and ``error`` its refusal (otherwise)."""

    local_ref: str
    status: int = Field(ge=100, le=599)
    body: LetterRequest | Complaint | BansosApplication | None = None
    error: ErrorBody | None = None


class BatchResult(WireModel):
    results: list[BatchItemResult] = Field(description="One per item, in the request's order.")
