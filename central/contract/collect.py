"""Wire models for collecting a finished letter at the kiosk (issue 15 item 5): the signed-in
resident's letters ready with a PDF, the PDF itself (``application/pdf``), and the record that
a kiosk printed it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from central.contract.models import LocalizedText, WireModel
from central.contract.services import LetterStatus, TrackingCode

MAX_LETTER_PDF_BYTES = 10 * 1024 * 1024
"""The largest finished letter the centre keeps and a kiosk downloads (a signed scan of a few
pages fits many times over); the kiosk refuses a longer answer before reading it."""
MAX_FINISHED_LETTERS = 20


class FinishedLetter(WireModel):
    """A letter the resident may print now: status 'siap diambil' with its PDF attached."""

    tracking_code: TrackingCode
    service_id: str
    service_label: LocalizedText
    ready_at: datetime = Field(description="When the PDF was attached at the office.")
    size_bytes: int = Field(ge=1, le=MAX_LETTER_PDF_BYTES)


class FinishedLetters(WireModel):
    letters: list[FinishedLetter] = Field(max_length=MAX_FINISHED_LETTERS)


class LetterPrinted(WireModel):
    """Answer to ``POST /v1/letters/{code}/printed``: the letter is collected."""

    tracking_code: TrackingCode
    status: LetterStatus
    printed_at: datetime
