"""A finished letter attached to a request the way the back office does it (its
``finished.upload_signed`` on the ``backoffice`` branch): the kiosk-collection tests need a
ready letter with a PDF, not the letter generator. At merge, this is the one place to point
at the back office's function."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from central.contract.services import LetterStatus
from central.models import FinishedLetter, LetterRequest, LetterStatusChange


def attach_finished_pdf(
    db: Session, request: LetterRequest, pdf: bytes, now: datetime, *, ready: bool = True
) -> FinishedLetter:
    """Attach ``pdf`` as ``request``'s finished letter and (``ready``) move the request to
    'siap diambil'; committed."""
    letter = FinishedLetter(
        request_id=request.id,
        content=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        issued_at=now,
    )
    db.add(letter)
    if ready and request.status != LetterStatus.SIAP_DIAMBIL:
        request.status = int(LetterStatus.SIAP_DIAMBIL)
        request.history.append(
            LetterStatusChange(
                status=int(LetterStatus.SIAP_DIAMBIL), at=now, reason="Ditandatangani"
            )
        )
    db.commit()
    return letter
