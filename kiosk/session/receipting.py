"""Chooses and fills the receipt for whatever a session produced (kiosk/receipts builds it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from central.contract.models import Office, ResidentSummary, Service, ServiceCatalog
from central.contract.services import (
    BansosApplication,
    Complaint,
    LetterRequest,
    LetterRequestCreate,
    QueueTicket,
)
from drivers.printer.receipt import Receipt
from kiosk.receipts import (
    ReceiptContext,
    bansos_receipt,
    complaint_receipt,
    letter_receipt,
    queue_code,
    queue_receipt,
    queued_receipt,
)
from kiosk.session.flows import OutboxSubmission, Submission


class SessionReceipts:
    def __init__(
        self,
        *,
        office: Office,
        kiosk_id: str,
        now: Callable[[], datetime],
        tracking_url: str | None = None,
    ) -> None:
        self._office = office  # until the centre's catalog names the office
        self._kiosk_id = kiosk_id
        self._now = now
        self._tracking_url = tracking_url

    def _context(
        self, resident: ResidentSummary | None, language: str, catalog: ServiceCatalog | None
    ) -> ReceiptContext:
        return ReceiptContext(
            office=catalog.office if catalog is not None else self._office,
            kiosk_id=self._kiosk_id,
            language=language,
            now=self._now(),
            resident=resident,
            tracking_url=self._tracking_url,
        )

    @staticmethod
    def _service(catalog: ServiceCatalog | None, service_id: str) -> Service | None:
        return next((s for s in catalog.services if s.id == service_id), None) if catalog else None

    def for_result(
        self,
        result: BaseModel,
        resident: ResidentSummary | None,
        language: str,
        catalog: ServiceCatalog | None,
    ) -> Receipt:
        ctx = self._context(resident, language, catalog)
        match result:
            case LetterRequest():
                return letter_receipt(
                    result, ctx, service=self._service(catalog, result.service_id)
                )
            case QueueTicket():
                return queue_receipt(result, ctx)
            case BansosApplication():
                return bansos_receipt(result, ctx)
            case Complaint():
                return complaint_receipt(result, ctx)
        raise TypeError(f"no receipt for {type(result).__name__}")

    def queued(
        self,
        submission: OutboxSubmission,
        resident: ResidentSummary,
        language: str,
        catalog: ServiceCatalog | None,
    ) -> Receipt:
        payload = submission.payload
        service = (
            self._service(catalog, payload.service_id)
            if isinstance(payload, LetterRequestCreate)
            else None
        )
        return queued_receipt(
            payload,
            self._context(resident, language, catalog),
            subject=service.label if service else None,
        )

    def qr_payload(self, result: BaseModel | Submission) -> str:
        """What the on-screen QR shows when the printer cannot print the receipt: the same
        as the printed receipt's QR (the office is only needed for its id)."""
        ctx = self._context(None, "id", None)
        if isinstance(result, QueueTicket):
            return ctx.tracking_qr(queue_code(result), office_scoped=True)
        if isinstance(result, Submission):
            return ctx.tracking_qr(result.local_ref, office_scoped=True)
        code = getattr(result, "tracking_code", "")
        return ctx.tracking_qr(str(code)) if code else ""
