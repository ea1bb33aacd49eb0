"""'Ambil surat / Collect a letter': the kiosk-local service that prints a signed-in
resident's finished letter on the A4 document printer (issue 15 item 5).

The centre's catalog never lists it: the kiosk offers it only while it has a document
printer that is ready and the centre answers (the letters and their PDFs live there). What
the session needs of the centre and of the printer are the two Protocols below; a fault is
told to the resident in both languages with the one thing to do — collect the letter at the
village office.
"""

from __future__ import annotations

from typing import Protocol

from central.contract.collect import FinishedLetters, LetterPrinted
from central.contract.models import LocalizedText, Service, ServiceKind
from drivers.base import DeviceStatus
from drivers.documents.errors import DoorOpen, MediaEmpty, MediaJam
from drivers.printer.errors import PrinterError
from kiosk.central_client import Credentials
from kiosk.i18n import N_, bilingual

COLLECT_SERVICE_ID = "ambil-surat"

NONE_TO_COLLECT = N_("You have no finished letters to collect at this kiosk.")
PRINTED = N_("Your letter is printed. Please take it from the printer.")
NOT_LISTED = N_("That letter is not in your list.")
_COLLECT_AT_OFFICE: dict[type[PrinterError], str] = {
    MediaEmpty: N_(
        "The printer is out of paper. Please collect your letter at the village office."
    ),
    DoorOpen: N_("The printer's door is open. Please collect your letter at the village office."),
    MediaJam: N_(
        "Paper is jammed in the printer. Please collect your letter at the village office."
    ),
}
_COULD_NOT_PRINT = N_(
    "The letter could not be printed here. Please collect it at the village office."
)


class LetterDesk(Protocol):
    """The centre's side (``kiosk.central_client.CentralClient``); each call raises
    ``CentralError``."""

    def finished_letters(self, credentials: Credentials) -> FinishedLetters: ...
    def letter_pdf(self, credentials: Credentials, code: str) -> bytes: ...
    def letter_printed(self, credentials: Credentials, code: str, key: str) -> LetterPrinted: ...


class DocumentPrinting(Protocol):
    """The A4 printer (``drivers.documents.DocumentPrinter``): ``print_pdf`` blocks until the
    job ends and raises ``PrinterError`` when it did not print."""

    def status(self) -> DeviceStatus: ...
    def print_pdf(self, document: bytes, job_name: str = ...) -> object: ...


def collect_service() -> Service:
    label = bilingual(N_("Collect a letter"))
    return Service(id=COLLECT_SERVICE_ID, kind=ServiceKind.COLLECT, label=label)


def not_printed(error: PrinterError) -> LocalizedText:
    """What the resident reads when the letter did not come out: the cause, then the office."""
    for kind, message in _COLLECT_AT_OFFICE.items():
        if isinstance(error, kind):
            return bilingual(message)
    return bilingual(_COULD_NOT_PRINT)
