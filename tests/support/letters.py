"""A finished letter attached to a request the way the back office does it: a signed PDF
uploaded through ``central.backoffice.finished.upload_signed`` (its number and verify code
given as for any letter), then the request moved to 'siap diambil'. The kiosk-collection tests
need a ready letter with a known PDF rather than the template's."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.backoffice.finished import MAKEABLE, Signer, upload_signed
from central.contract.services import LetterRequestCreate, LetterStatus
from central.models import FinishedLetter, LetterRequest, LetterStatusChange, Resident
from central.security.callers import SignedKiosk
from central.services import letters
from kiosk.config.schema import KioskSection
from tests.support.central_server import CentralServer

SIGNER = Signer(name="Sugeng Widodo", position="Kepala Desa")


def attach_finished_pdf(
    db: Session, request: LetterRequest, pdf: bytes, now: datetime, *, ready: bool = True
) -> FinishedLetter:
    """Attach ``pdf`` as ``request``'s finished letter and (``ready``) move the request to
    'siap diambil'; committed."""
    if LetterStatus(request.status) not in MAKEABLE:
        _moved(request, LetterStatus.MENUNGGU_TANDATANGAN, now, "Menunggu tanda tangan")
    letter = upload_signed(db, request, pdf, SIGNER, None, now, max_bytes=len(pdf))
    if ready:
        _moved(request, LetterStatus.SIAP_DIAMBIL, now, "Ditandatangani")
    db.commit()
    return letter


def _moved(request: LetterRequest, status: LetterStatus, now: datetime, reason: str) -> None:
    request.status = int(status)
    request.history.append(LetterStatusChange(status=int(status), at=now, reason=reason))


def ready_letter(central: CentralServer, kiosk: KioskSection, nik: str, pdf: bytes) -> str:
    """A domisili letter the resident ``nik`` asked for at ``kiosk`` two days ago, signed at
    the office with ``pdf`` attached and ready to collect (as the back office does); its
    tracking code."""
    assert kiosk.id is not None and kiosk.office_id is not None
    with central.context.sessions() as db:
        resident = db.scalar(select(Resident).where(Resident.nik == nik))
        assert resident is not None
        now = central.clock.now()
        request = LetterRequestCreate(
            local_ref="ref-" + secrets.token_hex(8),
            service_id="domisili",
            answers={"keperluan": "Pendaftaran sekolah"},
            submitted_at=now - timedelta(days=2),
        )
        created = letters.create(db, SignedKiosk(kiosk.id, kiosk.office_id), resident, request, now)
        row = db.scalar(
            select(LetterRequest).where(LetterRequest.tracking_code == created.tracking_code)
        )
        assert row is not None
        attach_finished_pdf(db, row, pdf, now)
        return created.tracking_code
