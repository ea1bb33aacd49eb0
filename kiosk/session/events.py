"""What the session tells its observers (the touchscreen, the journey runner, the health agent).

Events carry display-ready bilingual text (``LocalizedText``): the screen shows the half for the
session's language and never builds a message itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from central.contract.collect import FinishedLetter
from central.contract.models import LocalizedText
from central.contract.services import TrackedItem
from common.events import Event
from drivers.printer.receipt import Receipt
from kiosk.session.states import State


@dataclass(frozen=True)
class StateChanged(Event):
    state: State
    previous: State
    detail: str | None = None  # e.g. the service id in SERVICE, never personal data


@dataclass(frozen=True)
class StepChanged(Event):
    """Inside a service: which step (a form field, a document, a choice) is on screen."""

    service_id: str
    step: str
    prompt: LocalizedText
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notice(Event):
    """Something the resident must read: an error, a refusal, a confirmation."""

    level: str  # "info" | "warning" | "error"
    message: LocalizedText


@dataclass(frozen=True)
class CountdownTick(Event):
    """Shown before a timeout so nobody is logged out by surprise; a touch cancels it."""

    seconds_left: int


@dataclass(frozen=True)
class SessionEnded(Event):
    reason: str  # "finished" | "timeout" | "cancelled" | "out_of_service"


@dataclass(frozen=True)
class ReceiptReady(Event):
    """A receipt for the resident: ``printed`` false means show ``qr_payload`` on screen."""

    receipt: Receipt
    printed: bool
    qr_payload: str
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModeChanged(Event):
    """Degraded modes: which parts of the kiosk work right now."""

    centre_online: bool
    printer_ready: bool
    reader_ready: bool
    documents_ready: bool = False  # the A4 printer can print a letter ("Ambil surat" offered)


@dataclass(frozen=True)
class LettersListed(Event):
    """ "Ambil surat": the signed-in resident's finished letters, oldest first, for the screen
    to list (tracking code, service label, when it was ready); the resident picks one with
    ``Session.collect_letter(tracking_code)``."""

    letters: tuple[FinishedLetter, ...]


@dataclass(frozen=True)
class LetterCollected(Event):
    """The end of a collect: ``printed`` false means the resident was told (a ``Notice``) to
    collect the letter at the village office; ``message`` is what they were told, for the
    screen that stays after the notice has gone."""

    tracking_code: str
    printed: bool
    message: LocalizedText | None = None


@dataclass(frozen=True)
class StatusLookedUp(Event):
    """A receipt's code read by the code scanner or the camera while nobody is signed in, and
    what the centre said of it (or what to tell instead): the status screen shows it. Holds
    no personal data (the tracking lookup has none)."""

    answer: TrackedItem | LocalizedText


@dataclass(frozen=True)
class CardTapped(Event):
    """A card was tapped while the kiosk could start a sign-in or is out of service: the
    screens' technician-card check hears it here, never from a driver. The UID is personal
    data (a resident's card): observers compare it and keep nothing."""

    uid_hex: str


@dataclass(frozen=True)
class ViewfinderClosed(Event):
    """The complaint photo's viewfinder ended. ``taken``: a photo is shown (through the
    preview slot, never in an event) for the resident to keep (``Session.keep_photo``) or
    retake; otherwise none was taken (closed, timed out, or the camera failed: a notice says
    so) and the resident may try again or skip."""

    taken: bool
