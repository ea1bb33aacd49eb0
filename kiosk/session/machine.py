"""The resident's session: one explicit state machine from card tap to printed receipt.

Screens and journeys send intents (``tap_card``, ``enter_pin``, ``choose``, ``answer``,
``back``, ``cancel``…); the session answers with events on its bus. Every state has a
timeout announced by a countdown first; leaving a session, however it ends, wipes every
piece of personal data it held. Collaborators are passed in, so tests hand in fakes or real
parts as they like.

Device status reaches the session as ``device_changed``; the rule in ``availability`` decides
when the kiosk must stop serving (``OUT_OF_SERVICE`` / ``UNAVAILABLE(reason)``) and the session
returns to service by itself when the cause clears. In a running kiosk one thread owns the
session (``kiosk.session.owner``); once bound to it, a call from any other thread is refused.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel

from central.contract.collect import FinishedLetter
from central.contract.models import (
    DocumentRequirement,
    LocalizedText,
    LoginRequest,
    LoginResponse,
    PinChanged,
    PinChangeRequest,
    ResidentSummary,
    Service,
    ServiceCatalog,
    ServiceKind,
    UnavailableReason,
)
from central.contract.services import (
    LOCAL_REF_PATTERN,
    Announcement,
    BansosStatus,
    MyRequests,
    QueueTicket,
    QueueTicketCreate,
    TrackedItem,
    VillageInformation,
)
from common.events import Event, EventBus
from common.nik import InvalidNik, check_nik
from drivers.base import DeviceKind, DeviceState, DeviceStatus, Supply
from drivers.documents.printer import is_ready
from drivers.printer.errors import PrinterError
from drivers.printer.receipt import Receipt
from kiosk.captured import PhotoFailed, ScannedDocument, Shutter
from kiosk.central_client import (
    CentralError,
    CentralOffline,
    CentralRefused,
    CentralServerError,
    CentralTimeout,
    Credentials,
)
from kiosk.i18n import bilingual
from kiosk.i18n.translator import LANGUAGES, N_
from kiosk.photos import PhotoCache
from kiosk.receipts import tracking_code_from_scan
from kiosk.session.availability import Needs, unavailable_reason
from kiosk.session.bansos import BansosChoice, bansos_choices
from kiosk.session.collect import (
    COLLECT_SERVICE_ID,
    NONE_TO_COLLECT,
    NOT_LISTED,
    PRINTED,
    DocumentPrinting,
    LetterDesk,
    collect_service,
    not_printed,
)
from kiosk.session.events import (
    CardTapped,
    CountdownTick,
    LetterCollected,
    LettersListed,
    ModeChanged,
    Notice,
    ReceiptReady,
    SessionEnded,
    StateChanged,
    StatusLookedUp,
    StepChanged,
    ViewfinderClosed,
)
from kiosk.session.flows import (
    NOTIFY_PHONE,
    OutboxSubmission,
    QueueTicketSubmission,
    Step,
    Submission,
    steps_for,
    submission_for,
    takes_notify_phone,
    works_offline,
)
from kiosk.session.forms import AnswerRejected, check_answer, check_phone
from kiosk.session.photo import Photographer
from kiosk.session.states import AppState, Availability, State, check_transition
from kiosk.session.timer import Backoff, IdleTimer
from kiosk.submitter import Submitted

log = logging.getLogger(__name__)

TRACKING_CODE = re.compile(r"[A-Z0-9-]{6,20}")  # the contract's ``TrackingCode``
LOCAL_REF = re.compile(LOCAL_REF_PATTERN)  # an offline slip prints its outbox reference
HTTP_NOT_FOUND = 404
# When a tapped card is told to the screens (a technician's card opens maintenance): before a
# resident is signed in, and while the kiosk is out of service.
CARD_HEARD = {State.IDLE, State.IDENTIFYING, State.VERIFYING_PIN, State.OUT_OF_SERVICE}
NOT_A_RECEIPT = N_("That is not a code from a receipt. Check the letters and digits.")
NO_QR_SEEN = N_(
    "No receipt code was seen. Put the receipt on the tray with its QR code facing up, "
    "or type the code."
)
NO_CAMERA = N_("The camera is not available. Type the code from your receipt.")
SIGN_IN_FIRST = N_("Sign in first to see your requests.")
CATALOG_RETRY_FIRST_S = 1.0  # a kiosk without a catalog asks again after 1 s, 2 s, 4 s…
CATALOG_RETRY_MAX_S = 60.0  # … and at least once a minute

# What the resident (and the technician) reads while the kiosk is out of service.
OUT_OF_SERVICE_TEXT: dict[UnavailableReason, str] = {
    UnavailableReason.HARDWARE: N_("This kiosk is out of service: a device needs a technician."),
    UnavailableReason.CONSUMABLES: N_("This kiosk is out of service: the printer needs paper."),
    UnavailableReason.BACKEND: N_(
        "This kiosk is out of service: the central server cannot be reached."
    ),
    UnavailableReason.MAINTENANCE: N_("This kiosk is out of service for maintenance."),
}


class WrongThread(RuntimeError):
    """A programming error: the session was called from a thread that does not own it."""


class Centre(Protocol):
    """What the session asks the centre directly (``kiosk.central_client.CentralClient`` in a
    kiosk). Each call raises ``CentralError``; submissions that may wait go to the Submitter."""

    def sign_in(self, request: LoginRequest) -> LoginResponse: ...
    def change_pin(self, token: str, request: PinChangeRequest) -> PinChanged: ...
    def sign_out(self, token: str) -> None: ...
    def catalog(self) -> ServiceCatalog: ...
    def information(self) -> VillageInformation: ...
    def track(self, code: str) -> TrackedItem: ...
    def bansos_status(self, credentials: Credentials) -> BansosStatus: ...
    def my_requests(self, credentials: Credentials) -> MyRequests: ...
    def take_queue_ticket(
        self, credentials: Credentials, request: QueueTicketCreate
    ) -> QueueTicket: ...
    def project_photo(self, project_id: str, photo_id: str) -> bytes: ...


class ReceiptQrWatch(Protocol):
    """The camera's watch for a receipt's QR (``kiosk.receipt_qr.ReceiptQrReader``): both calls
    return at once; what it reads comes back as the ``code_scanned`` intent."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


class Submitter(Protocol):
    """Commits a submission to the outbox and waits briefly for the centre's answer."""

    def submit(self, submission: OutboxSubmission, credentials: Credentials) -> Submitted: ...


class Printer(Protocol):
    def print(self, receipt: Receipt) -> object: ...


class Scanner(Protocol):
    """Watches the tray and returns a checked, flattened page (or None after its timeout)."""

    def prepare(self) -> None:
        """A document step is on screen: get the camera ready; returns at once."""
        ...

    def scan(self, timeout_s: float = 60.0) -> ScannedDocument | None: ...


class ReceiptMaker(Protocol):
    """Builds receipts; the session hands it its catalog (office name, service labels)."""

    def for_result(
        self,
        result: BaseModel,
        resident: ResidentSummary | None,
        language: str,
        catalog: ServiceCatalog | None,
    ) -> Receipt: ...
    def queued(
        self,
        submission: OutboxSubmission,
        resident: ResidentSummary,
        language: str,
        catalog: ServiceCatalog | None,
    ) -> Receipt: ...
    def qr_payload(self, result: BaseModel | Submission) -> str: ...


@dataclass
class Timeouts:
    idle_s: float = 90.0
    warning_s: float = 15.0


@dataclass
class _Personal:
    """Everything about the resident, held in one place so wiping is one assignment."""

    card_uid: str | None = None
    nik: str | None = None
    resident: ResidentSummary | None = None
    credentials: Credentials | None = None
    must_change_pin: bool = False
    answers: dict[str, str] = field(default_factory=dict)
    documents: dict[str, ScannedDocument] = field(default_factory=dict)
    last_receipt: Receipt | None = None
    letters: tuple[FinishedLetter, ...] = ()
    bansos: BansosStatus | None = None  # the resident's enrollments, for the bansos screen
    photo: ScannedDocument | None = None  # a complaint's photo, shown until kept or retaken


class Session:
    def __init__(
        self,
        *,
        client: Centre,
        submitter: Submitter,
        printer: Printer,
        receipts: ReceiptMaker,
        scanner: Scanner | None = None,
        bus: EventBus | None = None,
        timeouts: Timeouts | None = None,
        language: str = "id",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        receipt_on_screen: bool = True,
        documents: DocumentPrinting | None = None,
        letter_desk: LetterDesk | None = None,
        receipt_qr: ReceiptQrWatch | None = None,
        photographer: Photographer | None = None,
    ) -> None:
        """``receipt_on_screen``: a printer fault may be answered with the receipt's QR on
        screen; when False, a printer out of paper takes the kiosk out of service.
        ``documents`` and ``letter_desk``: the A4 printer and the centre's finished letters;
        with both, "Ambil surat" is offered while the printer is ready. ``receipt_qr``: the
        camera's watch for a receipt's QR on the status screen (None: no camera)."""
        self.client = client
        self.submitter = submitter
        self.printer = printer
        self.documents = documents
        self.letter_desk = letter_desk
        self.receipt_qr = receipt_qr
        self.receipts = receipts
        self.scanner = scanner
        self.photographer = photographer  # the camera for a complaint's photo
        self.bus = bus or EventBus()
        self.default_language = language
        self.language = language
        self.state = State.IDLE
        self._wall_clock = wall_clock
        self._timeouts = timeouts or Timeouts()
        self._timer = IdleTimer(self._timeouts.idle_s, self._timeouts.warning_s, clock)
        self._personal = _Personal()
        self.photos = PhotoCache()  # the information screen's project photos
        self._catalog: ServiceCatalog | None = None
        self._clock = clock
        self._catalog_retry = Backoff(CATALOG_RETRY_FIRST_S, CATALOG_RETRY_MAX_S)
        self._service: Service | None = None
        self._steps: list[Step] = []
        self._step_index = 0
        self.centre_online = True
        self.printer_ready = True
        self.reader_ready = True
        self.documents_ready = documents is not None and is_ready(documents.status())
        self._receipt_on_screen = receipt_on_screen
        self._devices: dict[DeviceKind, DeviceStatus] = {}
        self._maintenance = False
        self._availability = Availability(AppState.AVAILABLE)
        self._owner: int | None = None

    # ------------------------------------------------------------------ observation

    @property
    def app_state(self) -> AppState:
        return self._availability.app_state

    @property
    def availability(self) -> Availability:
        """State and reason as one value: safe to read from any thread."""
        return self._availability

    def bind_owner(self) -> None:
        """From now on only the calling thread may move the session (the owner's thread)."""
        self._owner = threading.get_ident()

    def _check_owner(self) -> None:
        if self._owner is not None and threading.get_ident() != self._owner:
            raise WrongThread("the session was moved from a thread that does not own it")

    @property
    def catalog(self) -> ServiceCatalog | None:
        """The last service catalog fetched from the centre (kept when it goes offline)."""
        return self._catalog

    @property
    def resident(self) -> ResidentSummary | None:
        return self._personal.resident

    def holds_personal_data(self) -> bool:
        return self._personal != _Personal()

    def available_services(self) -> list[Service]:
        """With the centre down, only what the outbox can carry (DESIGN: degraded modes)."""
        services = self._catalog.services if self._catalog else []
        if not self.centre_online:
            return [s for s in services if works_offline(s.kind)]
        collect = [collect_service()] if self._collect_offered() else []
        return [*services, *collect]

    def _collect_offered(self) -> bool:
        return self.documents_ready and self.letter_desk is not None

    # ------------------------------------------------------------------ plumbing

    def _go(self, target: State, detail: str | None = None) -> None:
        self._check_owner()
        check_transition(self.state, target)
        previous, self.state = self.state, target
        if target in {State.IDLE, State.OUT_OF_SERVICE}:
            self._timer.stop()  # nobody to time out; out of service ends when its cause does
        else:
            self._timer.restart()
        reason = UnavailableReason(detail) if target is State.OUT_OF_SERVICE and detail else None
        if target is State.OUT_OF_SERVICE:
            self._availability = Availability(AppState.UNAVAILABLE, reason)
        elif target is State.IDLE:
            self._availability = Availability(AppState.AVAILABLE)
        else:
            self._availability = Availability(AppState.ACTIVE)
        self._publish(StateChanged(target, previous, detail))

    def _publish(self, event: Event) -> None:
        """Every event the session tells goes through here, so the owner check covers every
        intent that changes anything the screen shows."""
        self._check_owner()
        self.bus.publish(event)

    def _notice(self, message: LocalizedText, level: str = "error") -> None:
        self._publish(Notice(level, message))

    def _end(self, reason: str) -> None:
        """Leave the session: sign out at the centre if possible, then forget everything."""
        credentials = self._personal.credentials
        if credentials and credentials.session_token and self.centre_online:
            with contextlib.suppress(CentralError):  # the centre's idle expiry ends it anyway
                self.client.sign_out(credentials.session_token)
        self._personal = _Personal()
        if self.photographer is not None:
            self.photographer.put_away()  # a photo still on screen goes with the resident
        self._service = None
        self._steps = []
        self._step_index = 0
        self.language = self.default_language
        if self.state is not State.IDLE:
            self._go(State.IDLE)
        self._publish(SessionEnded(reason))
        self._reconsider_service()  # a fault that arrived mid-session counts now

    def _centre_failed(self, error: CentralError) -> None:
        if isinstance(error, CentralOffline | CentralTimeout | CentralServerError):
            self.set_modes(centre_online=False)
        self._notice(error.message)

    # ------------------------------------------------------------------ time

    def tick(self) -> None:
        """Called about once a second by the UI clock or the journey runner."""
        if self._catalog is None and self._catalog_retry.due(self._clock()):
            self.refresh_catalog()
        second, expired = self._timer.tick()
        if second is not None:
            self._publish(CountdownTick(second))
        if expired:
            self._end("timeout")

    def touch(self) -> None:
        """Any touch: the resident is still there."""
        if self.state is not State.IDLE:
            self._timer.restart()

    # ------------------------------------------------------------------ modes

    def set_modes(
        self,
        *,
        centre_online: bool | None = None,
        printer_ready: bool | None = None,
        reader_ready: bool | None = None,
        documents_ready: bool | None = None,
    ) -> None:
        changed = False
        for name, value in (
            ("centre_online", centre_online),
            ("printer_ready", printer_ready),
            ("reader_ready", reader_ready),
            ("documents_ready", documents_ready),
        ):
            if value is not None and getattr(self, name) != value:
                setattr(self, name, value)
                changed = True
        if changed:
            self._publish(
                ModeChanged(
                    self.centre_online, self.printer_ready, self.reader_ready, self.documents_ready
                )
            )
            self._reconsider_service()

    def refresh_catalog(self) -> None:
        try:
            self._catalog = self.client.catalog()
            self._catalog_retry.reset()
            self.set_modes(centre_online=True)
        except CentralError as error:
            # Without a catalog nothing can be offered: ask again soon (1 s, 2 s, … a minute)
            # rather than waiting for the next confirmed heartbeat.
            self._catalog_retry.failed(self._clock())
            self.set_modes(centre_online=False)
            log.warning("catalog refresh failed: %s", type(error).__name__)
        self._reconsider_service()  # what the catalog offers decides what the kiosk needs

    def centre_reachable(self, online: bool) -> None:
        """What the health loop learnt about the centre; the first time it answers, the
        catalog is fetched (a kiosk started while the centre was away has none)."""
        self.set_modes(centre_online=online)
        if online and self._catalog is None:
            self.refresh_catalog()

    # ------------------------------------------------------------------ out of service

    def device_changed(self, status: DeviceStatus) -> None:
        """A driver's new status: updates the degraded modes and, through them or directly,
        whether the kiosk can serve."""
        self._check_owner()
        self._devices[status.kind] = status
        if status.kind is DeviceKind.PRINTER:
            ready = status.state is DeviceState.ONLINE and status.supply is not Supply.OUT
            self.set_modes(printer_ready=ready)
        elif status.kind is DeviceKind.CARD_READER:
            self.set_modes(reader_ready=status.state is DeviceState.ONLINE)
        elif status.kind is DeviceKind.DOCUMENT_PRINTER:
            self.set_modes(documents_ready=is_ready(status))
        self._reconsider_service()

    def set_maintenance(self, on: bool) -> None:
        """A technician takes the kiosk out of service (or gives it back)."""
        self._check_owner()
        self._maintenance = on
        self._reconsider_service()

    def _needs(self) -> Needs:
        services = self._catalog.services if self._catalog else []
        return Needs(
            receipt_on_screen=self._receipt_on_screen,
            scan_needed=any(_scans(s.documents) for s in services),
            offline_services=any(works_offline(s.kind) for s in services),
        )

    def _reconsider_service(self) -> None:
        """Out of service when the rule says so, back when it no longer does; a resident
        being served finishes first (``_end`` asks again), because the receipt's on-screen
        fallback covers a printer fault and taking the screen away mid-form helps nobody."""
        reason = unavailable_reason(
            self._devices,
            centre_online=self.centre_online,
            needs=self._needs(),
            maintenance=self._maintenance,
        )
        if reason is None:
            if self.state is State.OUT_OF_SERVICE:
                log.info("back in service")
                self._go(State.IDLE)
            return
        if self.state not in {State.IDLE, State.OUT_OF_SERVICE}:
            return
        if self._availability.reason is reason and self.state is State.OUT_OF_SERVICE:
            return
        log.warning("out of service: %s", reason.value)
        self._personal = _Personal()
        self._go(State.OUT_OF_SERVICE, reason.value)
        self._notice(bilingual(OUT_OF_SERVICE_TEXT[reason]), "warning")

    # ------------------------------------------------------------------ identification

    def set_language(self, language: str) -> None:
        self.language = language if language in LANGUAGES else self.default_language
        self.touch()

    def tap_card(self, card_uid: str) -> None:
        if self.state in CARD_HEARD:
            self._publish(CardTapped(card_uid))  # the screens' technician-card check
        if self.state not in {State.IDLE, State.IDENTIFYING}:
            return  # a card resting on the reader mid-session changes nothing
        self._personal.card_uid = card_uid
        self._personal.nik = None
        self._go(State.VERIFYING_PIN)

    def start_nik_entry(self) -> None:
        if self.state is State.IDLE:
            self._go(State.IDENTIFYING)

    def enter_nik(self, nik: str) -> None:
        if self.state not in {State.IDLE, State.IDENTIFYING}:
            return
        try:
            checked = check_nik(nik)
        except InvalidNik as err:
            self._notice(LocalizedText(id=err.message_id, en=str(err)))
            return
        self._personal.nik = checked.nik
        self._personal.card_uid = None
        self._go(State.VERIFYING_PIN)

    def enter_pin(self, pin: str) -> None:
        if self.state is not State.VERIFYING_PIN:
            return
        if not (len(pin) == 6 and pin.isdigit()):
            self._notice(bilingual("The PIN is 6 digits."))
            return
        if self._personal.card_uid:
            request = LoginRequest(method="card", card_uid=self._personal.card_uid, pin=pin)
        else:
            request = LoginRequest(method="nik", nik=self._personal.nik, pin=pin)
        try:
            answer = self.client.sign_in(request)
        except CentralRefused as refusal:
            self._notice(refusal.message)
            if refusal.code == "pin_locked":
                self._end("cancelled")
            return
        except CentralError as error:
            self._centre_failed(error)
            if isinstance(error, CentralOffline | CentralTimeout):
                self._notice(
                    bilingual(
                        "Signing in needs the central server, which cannot be "
                        "reached now. Please try again later."
                    )
                )
            return
        self.set_modes(centre_online=True)
        self._personal.resident = answer.resident
        self._personal.credentials = Credentials(answer.session_token, answer.submission_grant)
        self._personal.must_change_pin = answer.must_change_pin
        self._personal.card_uid = None
        self._personal.nik = None
        if answer.must_change_pin:
            self._go(State.CHANGING_PIN)
            self._notice(bilingual("This is your first sign-in: choose a new PIN."), "info")
        else:
            self._enter_menu()

    def change_pin(self, current_pin: str, new_pin: str) -> None:
        credentials = self._personal.credentials
        if self.state is not State.CHANGING_PIN or credentials is None:
            return
        try:
            self.client.change_pin(
                credentials.session_token or "",
                PinChangeRequest(current_pin=current_pin, new_pin=new_pin),
            )
        except CentralError as error:
            self._notice(error.message)
            return
        except ValueError:
            self._notice(bilingual("The PIN is 6 digits."))
            return
        self._personal.must_change_pin = False
        self._notice(bilingual("Your new PIN is saved."), "info")
        self._enter_menu()

    def _enter_menu(self) -> None:
        if self._catalog is None:
            self.refresh_catalog()
        self._go(State.MENU)

    # ------------------------------------------------------------------ services

    def choose(self, service_id: str) -> None:
        if self.state is not State.MENU:
            return
        service = next((s for s in self.available_services() if s.id == service_id), None)
        if service is None:
            self._notice(bilingual("This service is not available right now."))
            return
        self._service = service
        self._personal.answers = {}
        self._personal.documents = {}
        if service.kind is ServiceKind.INFO:
            self._go(State.SERVICE, service.id)
            return
        if service.kind is ServiceKind.COLLECT:
            self._list_letters()
            return
        self._steps = steps_for(
            service, self._bansos_options() if service.kind is ServiceKind.BANSOS else ()
        )
        self._step_index = 0
        self._go(State.SERVICE, service.id)
        self._show_step_or_review()

    def _bansos_options(self) -> tuple[str, ...]:
        credentials = self._personal.credentials
        if credentials is None:
            return ()
        try:
            status = self.client.bansos_status(credentials)
        except CentralError as error:
            self._centre_failed(error)
            self._personal.bansos = None
            return ()
        self._personal.bansos = status
        return tuple(p.id for p in status.programs if p.open_for_applications)

    def track(self, code: str) -> TrackedItem | LocalizedText:
        """A receipt's status by the code printed on it (anyone holding it may ask: the
        answer has no personal data), or what to tell the resident instead. The answer is
        for the status screen, so no notice is sent."""
        code = "".join(code.split())
        if TRACKING_CODE.fullmatch(code.upper()):
            code = code.upper()  # typed in any case; an offline slip's reference keeps its own
        elif not LOCAL_REF.fullmatch(code):
            return bilingual(NOT_A_RECEIPT)
        try:
            return self.client.track(code)
        except CentralRefused as refusal:
            if refusal.status == HTTP_NOT_FOUND:
                return bilingual("No request has this code. Check the code on your receipt.")
            return refusal.message
        except CentralError as error:
            if isinstance(error, CentralOffline | CentralTimeout | CentralServerError):
                self.set_modes(centre_online=False)
            return error.message

    def announcements(self) -> list[Announcement]:
        """The centre's announcements for the attract screen's slides. Asked only while idle
        and the centre was last reachable, and quiet on failure (no notice: nobody is there
        to read it); the failure still marks the centre offline."""
        if self.state is not State.IDLE or not self.centre_online:
            return []
        try:
            return self.client.information().announcements
        except CentralError as error:
            if isinstance(error, CentralOffline | CentralTimeout | CentralServerError):
                self.set_modes(centre_online=False)
            return []

    def information(self) -> VillageInformation | None:
        """Public information for the info screens; None (with a notice) when offline."""
        try:
            return self.client.information()
        except CentralError as error:
            self._centre_failed(error)
            return None

    def _show_step_or_review(self) -> None:
        assert self._service is not None
        if self._step_index < len(self._steps):
            step = self._steps[self._step_index]
            self._publish(StepChanged(self._service.id, step.name, step.prompt, step.options))
            if step.kind == "document" and self.scanner is not None:
                self.scanner.prepare()  # the camera's process starts while the resident reads
            elif step.kind == "photo" and self.photographer is not None:
                self.photographer.prepare()
            return
        if self.state is State.SERVICE:
            self._go(State.REVIEW, self._service.id)

    def answer(self, value: str) -> None:
        """The answer to the current field or choice step."""
        if self.state is not State.SERVICE or self._step_index >= len(self._steps):
            return
        step = self._steps[self._step_index]
        if step.kind == "document":
            return
        if step.kind == "choice" and value not in step.options:
            self._notice(bilingual("Choose one of the options shown."))
            return
        try:
            if step.form_field is not None:
                value = check_answer(step.form_field, value, step.min_length)
        except AnswerRejected as rejected:
            self._notice(rejected.message)
            return
        self._personal.answers[step.name] = value
        self._advance()

    def attach(self, document: ScannedDocument) -> None:
        """A captured page for the current document step (the scan step supplies it)."""
        if self.state is not State.SERVICE or self._step_index >= len(self._steps):
            return
        step = self._steps[self._step_index]
        if step.kind != "document":
            return
        self._personal.documents[step.name] = document
        self._advance()

    def scan(self, timeout_s: float = 60.0) -> None:
        """Run the camera for the current document step; guidance arrives as events."""
        if self.state is not State.SERVICE or self._step_index >= len(self._steps):
            return
        if self._steps[self._step_index].kind != "document":
            return
        if self.scanner is None:
            self._notice(bilingual("The document camera is not available."))
            return
        document = self.scanner.scan(timeout_s)
        if document is None:
            self._notice(bilingual("No page was captured. Put the page on the tray and try again."))
            return
        self.attach(document)

    def skip(self) -> None:
        """Skip an optional step."""
        if self.state is State.SERVICE and self._step_index < len(self._steps):
            step = self._steps[self._step_index]
            if step.required:
                self._notice(bilingual("This step is required."))
                return
            self._personal.answers.pop(step.name, None)  # skipped now: an earlier answer goes
            self._personal.documents.pop(step.name, None)
            self._advance()

    def _advance(self) -> None:
        self._step_index += 1
        self._timer.restart()
        self._show_step_or_review()

    def back(self) -> None:
        """One step back; from the first step, back to the menu (never a dead end)."""
        if self.state is State.REVIEW and not self._steps:  # a queue number: nothing to redo
            self._service = None
            self._go(State.MENU)
        elif self.state is State.REVIEW:
            self._step_index = max(0, len(self._steps) - 1)
            self._go(State.SERVICE, self._service.id if self._service else None)
            self._show_step_or_review()
        elif self.state is State.SERVICE and self._step_index > 0:
            self._step_index -= 1
            self._timer.restart()
            self._show_step_or_review()
        elif self.state in {State.SERVICE, State.DONE}:
            self._service = None
            self._go(State.MENU)
        elif self.state in {State.IDENTIFYING, State.VERIFYING_PIN}:
            self._end("cancelled")

    def cancel(self) -> None:
        """Leave at once, from anywhere: nothing is kept."""
        if self.state is not State.IDLE and self.state is not State.OUT_OF_SERVICE:
            self._end("cancelled")

    # ------------------------------------------------------------------ collect a letter

    def _list_letters(self) -> None:
        """ "Ambil surat": fetch the resident's finished letters and show them (or say there
        are none and stay in the menu)."""
        credentials = self._personal.credentials
        if self.letter_desk is None or credentials is None:
            return
        try:
            found = self.letter_desk.finished_letters(credentials)
        except CentralError as error:
            self._centre_failed(error)
            return
        if not found.letters:
            self._notice(bilingual(NONE_TO_COLLECT), "info")
            return
        self._personal.letters = tuple(found.letters)
        self._go(State.SERVICE, COLLECT_SERVICE_ID)
        self._publish(LettersListed(self._personal.letters))

    def collect_letter(self, tracking_code: str) -> None:
        """Print one of the listed letters on the A4 printer, then tell the centre it was
        printed. Any fault: the resident is told to collect it at the village office."""
        collecting = self._service is not None and self._service.id == COLLECT_SERVICE_ID
        credentials = self._personal.credentials
        if self.state is not State.SERVICE or not collecting or credentials is None:
            return
        if self.documents is None or self.letter_desk is None:
            return
        if tracking_code not in {letter.tracking_code for letter in self._personal.letters}:
            self._notice(bilingual(NOT_LISTED))
            return
        self._go(State.SUBMITTING, COLLECT_SERVICE_ID)
        try:
            document = self.letter_desk.letter_pdf(credentials, tracking_code)
        except CentralError as error:
            self._centre_failed(error)
            self._go(State.SERVICE, COLLECT_SERVICE_ID)
            return
        self._go(State.PRINTING)
        try:
            self.documents.print_pdf(document)
        except PrinterError as error:
            log.warning("letter not printed: %s", type(error).__name__)
            self.set_modes(documents_ready=is_ready(self.documents.status()))
            told = not_printed(error)
            self._notice(told, "warning")
            self._publish(LetterCollected(tracking_code, printed=False, message=told))
            self._go(State.DONE)
            return
        del document  # personal data: gone as soon as the printer has it
        self._record_printed(credentials, tracking_code)
        self._personal.letters = tuple(
            letter for letter in self._personal.letters if letter.tracking_code != tracking_code
        )
        self._notice(bilingual(PRINTED), "info")
        self._publish(LetterCollected(tracking_code, printed=True, message=bilingual(PRINTED)))
        self._go(State.DONE)

    def _record_printed(self, credentials: Credentials, tracking_code: str) -> None:
        """Retried by the client with one Idempotency-Key; a centre still away after that
        leaves the letter listed as ready (the resident has it on paper either way)."""
        assert self.letter_desk is not None
        try:
            self.letter_desk.letter_printed(credentials, tracking_code, key=uuid.uuid4().hex)
        except CentralError as error:
            log.warning("printed letter not recorded at the centre: %s", type(error).__name__)

    # ------------------------------------------------------------------ submit and print

    def submit(self) -> None:
        if self.state is not State.REVIEW:
            return
        assert self._service is not None and self._personal.credentials is not None
        submission = submission_for(
            self._service, self._personal.answers, self._personal.documents, self._wall_clock()
        )
        if submission is None:
            return
        self._go(State.SUBMITTING, self._service.id)
        credentials = self._personal.credentials
        if isinstance(submission, QueueTicketSubmission):  # the one kind outside OFFLINE_KINDS
            self._submit_online(submission, credentials)
            return
        submitted = self.submitter.submit(submission, credentials)
        if submitted.refusal is not None:
            self._notice(submitted.refusal.message)
            self._go(State.REVIEW)
        elif submitted.result is not None:
            self.set_modes(centre_online=True)
            self._print(
                self.receipts.for_result(
                    submitted.result, self._resident(), self.language, self._catalog
                ),
                self.receipts.qr_payload(submitted.result),
            )
        else:
            if submitted.deferred in {"offline", "timeout"}:
                self.set_modes(centre_online=False)
            self._print(
                self.receipts.queued(submission, self._resident(), self.language, self._catalog),
                self.receipts.qr_payload(submission),
            )

    def _submit_online(self, submission: QueueTicketSubmission, credentials: Credentials) -> None:
        """Queue tickets: the number only exists at the centre, so no outbox."""
        try:
            ticket = self.client.take_queue_ticket(credentials, submission.payload)
        except CentralError as error:
            self._centre_failed(error)
            self._go(State.MENU)
            return
        self.set_modes(centre_online=True)
        self._print(
            self.receipts.for_result(ticket, self._resident(), self.language, self._catalog),
            self.receipts.qr_payload(ticket),
        )

    def _resident(self) -> ResidentSummary:
        assert self._personal.resident is not None
        return self._personal.resident

    def _print(self, receipt: Receipt, qr_payload: str) -> None:
        self._go(State.PRINTING)
        self._personal.last_receipt = receipt
        printed = False
        if self.printer_ready:
            try:
                self.printer.print(receipt)
                printed = True
            except PrinterError as error:
                self.set_modes(printer_ready=False)
                log.warning("receipt not printed: %s", type(error).__name__)
        if not printed:
            self._notice(
                bilingual(
                    "The printer is not available: photograph the code on the "
                    "screen with your phone instead."
                ),
                "warning",
            )
        self._publish(ReceiptReady(receipt, printed, qr_payload))
        self._go(State.DONE)

    def reprint(self) -> None:
        if self.state is State.DONE and self._personal.last_receipt is not None:
            try:
                self.printer.print(self._personal.last_receipt)
                self.set_modes(printer_ready=True)
            except PrinterError:
                self._notice(bilingual("The printer is still not available."))

    def finish(self) -> None:
        """The resident is done: back to the menu for another service, or end with ``cancel``.
        A walk-in queue number has no menu to go back to (nobody signed in): it ends."""
        if self.state is State.DONE and self._personal.credentials is None:
            self._end("finished")
        elif self.state is State.DONE:
            self._personal.answers = {}
            self._personal.documents = {}
            self._personal.last_receipt = None
            self._service = None
            self._go(State.MENU)

    # ------------------------------------------------------------------ status by a scanned code

    def code_scanned(self, text: str | None) -> None:
        """A receipt's code read by the code scanner or the camera's QR watch (``None``: the
        watch ended without one). Between residents only: its status is looked up and told as
        ``StatusLookedUp``; during a session a scan changes nothing."""
        if self.state is not State.IDLE:
            return
        if text is None:
            answer: TrackedItem | LocalizedText = bilingual(NO_QR_SEEN)
        else:
            code = tracking_code_from_scan(text)
            answer = self.track(code) if code is not None else bilingual(NOT_A_RECEIPT)
        self._publish(StatusLookedUp(answer))

    def watch_receipt_qr(self) -> LocalizedText | None:
        """Start the camera's watch for a receipt's QR (status screen, between residents);
        what it reads arrives as ``code_scanned``. The reason when it cannot start."""
        if self.state is not State.IDLE:
            return None
        if self.receipt_qr is None:
            return bilingual(NO_CAMERA)
        self.receipt_qr.start()
        return None

    def stop_receipt_qr(self) -> None:
        if self.receipt_qr is not None:
            self.receipt_qr.stop()

    # ------------------------------------------------------------------ my requests

    def my_requests(self) -> MyRequests | LocalizedText:
        """ "Permohonan saya": the signed-in resident's latest requests for the list screen,
        or what to tell them instead (no notice: the screen shows the answer)."""
        credentials = self._personal.credentials
        if self.state is not State.MENU or credentials is None or not credentials.session_token:
            return bilingual(SIGN_IN_FIRST)
        try:
            return self.client.my_requests(credentials)
        except CentralError as error:
            if isinstance(error, CentralOffline | CentralTimeout | CentralServerError):
                self.set_modes(centre_online=False)
            return error.message

    # ------------------------------------------------------------------ project photos

    def project_photo(self, project_id: str, photo_id: str) -> bytes | None:
        """A project's photo for the information screen, from the cache or the centre; None
        when it cannot be had (the screen shows the progress bar alone: a photo is not worth
        a notice, and the information itself already told the resident if the centre is
        away)."""
        try:
            return self.photos.get(
                (project_id, photo_id), lambda: self.client.project_photo(project_id, photo_id)
            )
        except CentralError:
            return None

    # ------------------------------------------------------------------ bansos, photo

    def bansos_choices(self) -> tuple[BansosChoice, ...] | None:
        """The bansos screen's list: each programme with the resident's standing and why it
        cannot be chosen (``kiosk.session.bansos``); None when the centre could not say."""
        if self._personal.bansos is None or self.state is not State.SERVICE:
            return None
        return bansos_choices(self._personal.bansos)

    def _photo_step(self) -> bool:
        return (
            self.state is State.SERVICE
            and self._step_index < len(self._steps)
            and self._steps[self._step_index].kind == "photo"
        )

    def photograph(self, shutter: Shutter, timeout_s: float = 60.0) -> None:
        """The camera's live picture until the resident presses ``shutter``; a photo taken is
        held (and shown) until ``keep_photo`` or another ``photograph``. Blocks the owner
        like a scan does, at most ``timeout_s``; the screen's press ends it at once."""
        if not self._photo_step():
            shutter.close()
            return
        self._personal.photo = None
        taken: ScannedDocument | None = None
        try:
            if self.photographer is None:
                self._notice(bilingual("The document camera is not available."))
            else:
                taken = self.photographer.photograph(shutter, timeout_s)
        except PhotoFailed as error:  # the resident may try again or skip
            log.warning("complaint photo not taken: %s", type(error).__name__)
            self._notice(bilingual("The document camera is not available."))
        finally:
            self._timer.restart()  # the resident was there, looking at the camera
        self._personal.photo = taken
        self._publish(ViewfinderClosed(taken is not None))

    def keep_photo(self) -> None:
        """Attach the photo just taken to the complaint and go on to the review."""
        photo = self._personal.photo
        if photo is None or not self._photo_step():
            return
        self._personal.photo = None
        self._personal.documents[self._steps[self._step_index].name] = photo
        if self.photographer is not None:
            self.photographer.put_away()
        self._advance()

    def drop_photo(self) -> None:
        """No photo after all (before a skip): the one taken, or kept earlier and come back
        to from the review, is forgotten and leaves the screen."""
        self._personal.photo = None
        if self._photo_step():
            self._personal.documents.pop(self._steps[self._step_index].name, None)
        if self.photographer is not None:
            self.photographer.put_away()

    # ------------------------------------------------------------------ walk-in queue number

    def walk_in_services(self) -> list[Service]:
        """The queue services the attract screen offers before anyone signs in. The centre
        numbers tickets per office and day without knowing who takes one (a paper roll), and
        the ticket shows nobody's data, so a queue number needs no card, NIK or PIN. Empty
        unless the kiosk is idle and the centre reachable (a number only exists there)."""
        if self.state is not State.IDLE or not self.centre_online:
            return []
        return [s for s in self.available_services() if s.kind is ServiceKind.QUEUE]

    def take_queue_number(self, service_id: str) -> None:
        """One touch on the attract screen: the number is taken and printed (or shown as a QR)
        through SUBMITTING → PRINTING → DONE, whose idle timer brings the attract back. The
        session holds no credentials and no personal data; the receipt names nobody."""
        service = next((s for s in self.walk_in_services() if s.id == service_id), None)
        if service is None:
            if self.state is State.IDLE:
                self._notice(bilingual("This service is not available right now."))
            return
        submission = submission_for(service, {}, {}, self._wall_clock())
        if not isinstance(submission, QueueTicketSubmission):  # walk_in_services: queue only
            return
        self._service = service
        self._go(State.SUBMITTING, service.id)
        try:
            ticket = self.client.take_queue_ticket(Credentials(), submission.payload)
        except CentralError as error:
            self._centre_failed(error)
            self._end("cancelled")
            return
        self.set_modes(centre_online=True)
        self._print(
            self.receipts.for_result(ticket, None, self.language, self._catalog),
            self.receipts.qr_payload(ticket),
        )

    # ------------------------------------------------------------------ SMS/WhatsApp opt-in

    def notify_by(self, raw: str) -> bool:
        """The review's optional "Kabari saya lewat SMS": a mobile number to be told on when
        the letter is ready or the complaint answered ("" takes it back). Off the flow's path,
        so a resident who wants none spends no touch on it. True when taken; a number that is
        not one gets a notice that never repeats it, and the review keeps what it had."""
        if self.state is not State.REVIEW or self._service is None:
            return False
        if not takes_notify_phone(self._service.kind):
            return False
        try:
            phone = check_phone(raw)
        except AnswerRejected as rejected:
            self._notice(rejected.message)
            return False
        if phone:
            self._personal.answers[NOTIFY_PHONE] = phone
        else:
            self._personal.answers.pop(NOTIFY_PHONE, None)
        self._timer.restart()
        return True


def _scans(documents: list[DocumentRequirement]) -> bool:
    return any(d.provide == "scan" for d in documents)
