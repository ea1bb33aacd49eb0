"""Many outbox items in one request: each judged exactly as its single route would judge it,
all stored in one transaction committed once.

Why one transaction with a SAVEPOINT per item: the commit is most of the cost of storing a
small submission, and a savepoint lets one refused item (or a tracking-code clash retried by
``create_once``) roll back alone without undoing the items before it. The service functions
are the ones the single routes call; bound to a session in ``create_savepoint`` mode, their
``commit``/``rollback`` release or roll back the item's savepoint only.

Order: items are processed in the request's order. At the first item that failed for a reason
a later attempt could pass (a collision, a server fault), processing stops and the remaining
items are answered ``not_processed``: storing them now would put them ahead of an item the
kiosk queued before them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from central.context import CentralContext
from central.contract import batch as wire
from central.contract import services
from central.contract.models import ErrorBody, LocalizedText
from central.errors import ApiError
from central.models import Resident
from central.notify import optin
from central.notify.phones import box_for
from central.security.callers import SignedKiosk
from central.security.resident_auth import grant_holder
from central.services import bansos, complaints, letters
from central.services.submissions import check_submitted_at

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

CREATED = 201
# What may pass on a later attempt of the same item: the centre busy or failing, or two
# deliveries of the same submission colliding. Everything else is this item's final answer.
_RETRYABLE_STATUSES = frozenset({408, 425, 429})
_RETRYABLE_CODES = frozenset({"submission_conflict", "request_in_progress"})


def _retryable(result: wire.BatchItemResult) -> bool:
    code = result.error.code if result.error is not None else None
    return result.status >= 500 or result.status in _RETRYABLE_STATUSES or code in _RETRYABLE_CODES


def process(
    ctx: CentralContext, kiosk: SignedKiosk, request: wire.BatchRequest
) -> wire.BatchResult:
    """Every item in order, each in its own savepoint; one commit at the end."""
    results: list[wire.BatchItemResult] = []
    with ctx.engine.connect() as conn:
        _begin(conn)
        with Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as db:
            stopped = False
            for item in request.items:
                if stopped:
                    results.append(_not_processed(item.local_ref))
                    continue
                results.append(_one(ctx, db, kiosk, item))
                stopped = _retryable(results[-1])
        conn.commit()
    return wire.BatchResult(results=results)


def _begin(conn: Connection) -> None:
    """SQLite: take the write lock now (``BEGIN IMMEDIATE``). The driver otherwise starts the
    transaction only at the first write, so the first savepoint would open it and releasing
    that savepoint would commit; and a read transaction upgraded to a write one can fail at
    once with SQLITE_BUSY instead of waiting its turn. PostgreSQL begins on its own."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _one(
    ctx: CentralContext, db: Session, kiosk: SignedKiosk, item: wire.BatchItem
) -> wire.BatchItemResult:
    """The item's single-route answer; whatever it wrote is rolled back unless it succeeded."""
    try:
        resident = grant_holder(ctx, db, kiosk, item.grant)
        record = _submit(ctx, db, kiosk, resident, item)
        db.commit()
    except ApiError as refusal:
        db.rollback()
        return wire.BatchItemResult(
            local_ref=item.local_ref, status=refusal.status, error=refusal.body
        )
    except Exception as err:  # noqa: BLE001 - one item's fault must not lose the items before it
        db.rollback()
        log.error("batch item (%s) failed: %s", item.kind, type(err).__name__)
        return wire.BatchItemResult(
            local_ref=item.local_ref,
            status=500,
            error=ErrorBody(
                code="internal_error",
                message=LocalizedText(
                    id="Terjadi kesalahan di server pusat.", en="The central server failed."
                ),
            ),
        )
    return wire.BatchItemResult(local_ref=item.local_ref, status=CREATED, body=record)


def _submit(
    ctx: CentralContext, db: Session, kiosk: SignedKiosk, resident: Resident, item: wire.BatchItem
) -> services.LetterRequest | services.Complaint | services.BansosApplication:
    """The single route's own service call, after the checks the route makes first."""
    now = ctx.clock.now()
    if item.kind == "letter":
        letter = _parse(services.LetterRequestCreate, item)
        _check(item, letter.local_ref, letter.submitted_at, ctx)
        created = letters.create(db, kiosk, resident, letter, now)
        optin.remember(
            db, box_for(ctx.identifier_key), created.tracking_code, letter.notify_phone, now
        )
        return created
    if item.kind == "complaint":
        complaint = _parse(services.ComplaintCreate, item)
        _check(item, complaint.local_ref, complaint.submitted_at, ctx)
        filed = complaints.submit(db, kiosk, resident, complaint, now)
        optin.remember(
            db, box_for(ctx.identifier_key), filed.tracking_code, complaint.notify_phone, now
        )
        return filed
    application = _parse(services.BansosApplicationCreate, item)
    _check(item, application.local_ref, application.submitted_at, ctx)
    return bansos.apply(db, kiosk, resident, application, now)


def _parse(model: type[M], item: wire.BatchItem) -> M:
    """The body as the single route parses its request body, refused the same way."""
    try:
        return model.model_validate(item.body)
    except ValidationError as err:
        raise ApiError(
            422,
            "invalid_input",
            "Data yang dikirim tidak valid.",
            "The submitted data is not valid.",
            # Locations and types only: the rejected values may be a NIK or a complaint text.
            {"errors": [{"loc": _loc(e["loc"]), "type": e["type"]} for e in err.errors()]},
        ) from None


def _check(
    item: wire.BatchItem, local_ref: str, submitted_at: datetime, ctx: CentralContext
) -> None:
    if local_ref != item.local_ref:
        raise ApiError(
            422,
            "local_ref_mismatch",
            "local_ref item berbeda dengan local_ref di isinya.",
            "The item's local_ref differs from its body's local_ref.",
            {"field": "local_ref"},
        )
    check_submitted_at(submitted_at, ctx.clock.now(), ctx.settings)


def _loc(parts: tuple[int | str, ...]) -> list[str]:
    return ["body", *(str(part) for part in parts)]


def _not_processed(local_ref: str) -> wire.BatchItemResult:
    return wire.BatchItemResult(
        local_ref=local_ref,
        status=wire.NOT_PROCESSED_STATUS,
        error=ErrorBody(
            code=wire.NOT_PROCESSED_CODE,
            message=LocalizedText(
                id="Belum diproses: pengajuan sebelumnya harus berhasil dulu. Kirim lagi.",
                en="Not processed: an earlier item must go through first. Send it again.",
            ),
        ),
    )
