"""A finished letter attached to a request the way the back office does it: a signed PDF
uploaded through ``central.backoffice.finished.upload_signed`` (its number and verify code
given as for any letter), then the request moved to 'siap diambil'. The kiosk-collection tests
need a ready letter with a known PDF rather than the template's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from central.backoffice.finished import MAKEABLE, Signer, upload_signed
from central.contract.services import LetterStatus
from central.models import FinishedLetter, LetterRequest, LetterStatusChange

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
