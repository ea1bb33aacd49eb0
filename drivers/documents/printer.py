"""The A4 document printer: a PDF in, a job followed to its end, true status back.

Jobs go to a CUPS queue over IPP (``uri``, e.g. ``ipp://localhost:631/printers/a4``); status
comes from the same queue and, when ``status_uri`` names the printer itself, from the printer.
CUPS learns a device's state only while its backend runs a job, so between jobs the queue
keeps repeating the last fault it heard (an empty tray stays "empty" after a refill until the
next job); the printer's own answer is current. A job is followed with ``Get-Job-Attributes``
until it ends; a fault seen while it waits (paper out, jam, door open, printer offline)
cancels it at once — a letter must never come out later into an empty room.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from common.events import EventBus
from drivers.base import Cover, DeviceKind, DeviceState, DeviceStatus, StatusReporter, Supply
from drivers.documents import ipp
from drivers.documents.errors import (
    DocumentPrinterError,
    DocumentPrinterOffline,
    DoorOpen,
    JobFailed,
    MediaEmpty,
    MediaJam,
)
from drivers.documents.ipp import Attribute, Group, IppResponse, JobState, Operation, Tag
from drivers.documents.status import DEVICE_REASONS, base_reason, interpret
from drivers.documents.transport import IppEndpoint, IppUnreachable
from drivers.threads import ServiceThread

log = logging.getLogger(__name__)

PDF = "application/pdf"
PDF_MAGIC = b"%PDF-"
DEFAULT_JOB_NAME = "anjungan-surat"  # never personal data: CUPS logs job names
JOB_LOCK_WAIT_S = 5.0
_PRINTER_ATTRIBUTES = (
    "printer-state",
    "printer-state-reasons",
    "printer-is-accepting-jobs",
)
_JOB_ATTRIBUTES = ("job-state", "job-state-reasons", "job-impressions-completed")


@dataclass(frozen=True)
class PrintedJob:
    job_id: int
    pages: int | None
    status: DeviceStatus


class DocumentPrinter:
    """An IPP printer (in a kiosk: a CUPS queue) behind any ``IppEndpoint``.

    ``poll_period`` (seconds, ``None``: no background polling) drives the status thread,
    ``follow_period`` the job follower; ``job_timeout`` bounds a job from submission to its
    end. ``user`` is sent as ``requesting-user-name`` (CUPS lets the owner cancel its job).
    """

    def __init__(
        self,
        endpoint: IppEndpoint,
        uri: str,
        *,
        status_uri: str | None = None,
        device_name: str = "document_printer",
        bus: EventBus | None = None,
        poll_period: float | None = 30.0,
        follow_period: float = 0.5,
        job_timeout: float = 120.0,
        user: str = "anjungan",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = device_name
        self.endpoint = endpoint
        self.uri = uri
        self.status_uri = status_uri
        self._poll_period = poll_period
        self._follow_period = follow_period
        self._job_timeout = job_timeout
        self._user = user
        self._clock = clock
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()
        self._job_lock = threading.Lock()
        self._closing = threading.Event()
        self._reporter = StatusReporter(bus or EventBus(), device_name, DeviceKind.DOCUMENT_PRINTER)
        self._poller = ServiceThread(f"document-printer-{device_name}", self._poll, self._crashed)

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        self._closing.clear()
        if self._poll_period:
            self._poller.start()

    def close(self) -> None:
        self._closing.set()
        self._poller.stop()

    # -- status -----------------------------------------------------------------------------

    def status(self) -> DeviceStatus:
        """The last known status (no I/O)."""
        return self._reporter.current

    def refresh_status(self) -> DeviceStatus:
        """Ask now; while a job runs its follower keeps the status fresh, so this waits not."""
        if not self._job_lock.acquire(blocking=False):
            return self.status()
        try:
            return self._query_status()
        finally:
            self._job_lock.release()

    def _poll(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            self.refresh_status()
            stopping.wait(self._poll_period or 0.0)

    def _crashed(self, exc: BaseException) -> None:
        self._reporter.update(state=DeviceState.ERROR, last_error=f"status poll failed: {exc}")

    def _query_status(self) -> DeviceStatus:
        try:
            queue = self._ask_printer(self.uri)
        except IppUnreachable as err:
            return self._offline(f"print queue unreachable: {err}")
        if not queue.ok:
            return self._offline(f"print queue answered IPP status 0x{queue.status:04x}")
        keywords = queue.strings(Group.PRINTER, "printer-state-reasons")
        if self.status_uri is not None:
            keywords = [k for k in keywords if base_reason(k) not in DEVICE_REASONS]
            try:
                device = self._ask_printer(self.status_uri)
                keywords += device.strings(Group.PRINTER, "printer-state-reasons")
            except IppUnreachable:
                keywords.append("offline")
        state = queue.first(Group.PRINTER, "printer-state")
        accepting = queue.first(Group.PRINTER, "printer-is-accepting-jobs")
        reading = interpret(
            state if isinstance(state, int) else None,
            accepting if isinstance(accepting, bool) else None,
            keywords,
        )
        return self._reporter.update(
            state=reading.state,
            supply=reading.supply,
            cover=reading.cover,
            last_error=reading.problem,
        )

    def _offline(self, why: str) -> DeviceStatus:
        return self._reporter.update(
            state=DeviceState.OFFLINE, supply=Supply.UNKNOWN, cover=Cover.UNKNOWN, last_error=why
        )

    def _ask_printer(self, uri: str) -> IppResponse:
        return self.endpoint.send(
            uri,
            ipp.request(
                Operation.GET_PRINTER_ATTRIBUTES,
                self._next_id(),
                uri,
                self._user_attribute(),
                Attribute(Tag.KEYWORD, "requested-attributes", _PRINTER_ATTRIBUTES),
            ),
        )

    # -- jobs -------------------------------------------------------------------------------

    def print_pdf(self, document: bytes, job_name: str = DEFAULT_JOB_NAME) -> PrintedJob:
        """Print ``document`` and wait until the printer says it is done, or raise the
        ``DocumentPrinterError`` that says why not (any job left behind is cancelled)."""
        if not document.startswith(PDF_MAGIC):
            raise JobFailed("the document is not a PDF")
        if not self._job_lock.acquire(timeout=JOB_LOCK_WAIT_S):
            raise DocumentPrinterOffline("the document printer is busy with another job")
        try:
            fault = _fault(self._query_status())
            if fault is not None:
                raise fault
            job_id = self._submit(document, job_name)
            return self._follow(job_id)
        finally:
            self._job_lock.release()

    def _submit(self, document: bytes, job_name: str) -> int:
        message = ipp.request(
            Operation.PRINT_JOB,
            self._next_id(),
            self.uri,
            self._user_attribute(),
            Attribute(Tag.NAME, "job-name", (job_name,)),
            Attribute(Tag.MIME_TYPE, "document-format", (PDF,)),
        )
        try:
            answer = self.endpoint.send(self.uri, message, document)
        except IppUnreachable as err:
            self._offline(f"print queue unreachable: {err}")
            raise DocumentPrinterOffline(f"cannot submit the job: {err}") from err
        job_id = answer.first(Group.JOB, "job-id")
        if not answer.ok or not isinstance(job_id, int):
            raise JobFailed(f"the printer refused the job (IPP status 0x{answer.status:04x})")
        log.info("document job %d submitted (%d bytes)", job_id, len(document))
        return job_id

    def _follow(self, job_id: int) -> PrintedJob:
        deadline = self._clock() + self._job_timeout
        while True:
            try:
                job = self._job(job_id)
            except IppUnreachable as err:
                self._offline(f"print queue unreachable: {err}")
                raise DocumentPrinterOffline(f"lost the print queue during job {job_id}") from err
            raw_state = job.first(Group.JOB, "job-state")
            state = JobState(raw_state) if isinstance(raw_state, int) else JobState.PENDING
            status = self._query_status()
            if state is JobState.COMPLETED:
                pages = job.first(Group.JOB, "job-impressions-completed")
                log.info("document job %d completed", job_id)
                return PrintedJob(job_id, pages if isinstance(pages, int) else None, status)
            if state.finished:
                why = ", ".join(job.strings(Group.JOB, "job-state-reasons")) or "no reason given"
                raise _fault(status) or JobFailed(f"job {job_id} {state.name.lower()}: {why}")
            fault = _fault(status)
            if fault is None and self._clock() > deadline:
                fault = JobFailed(f"job {job_id} did not finish within {self._job_timeout:.0f} s")
            if fault is not None:
                self._cancel(job_id)
                raise fault
            if self._closing.wait(self._follow_period):
                self._cancel(job_id)
                raise JobFailed(f"job {job_id} cancelled: the kiosk is stopping")

    def _job(self, job_id: int) -> IppResponse:
        return self.endpoint.send(
            self.uri,
            ipp.request(
                Operation.GET_JOB_ATTRIBUTES,
                self._next_id(),
                self.uri,
                Attribute(Tag.INTEGER, "job-id", (job_id,)),
                self._user_attribute(),
                Attribute(Tag.KEYWORD, "requested-attributes", _JOB_ATTRIBUTES),
            ),
        )

    def _cancel(self, job_id: int) -> None:
        """Best effort: a queue that cannot be reached cannot print the job either."""
        message = ipp.request(
            Operation.CANCEL_JOB,
            self._next_id(),
            self.uri,
            Attribute(Tag.INTEGER, "job-id", (job_id,)),
            self._user_attribute(),
        )
        try:
            answer = self.endpoint.send(self.uri, message)
        except IppUnreachable:
            log.warning("document job %d could not be cancelled: queue unreachable", job_id)
            return
        if not answer.ok:
            log.warning("document job %d not cancelled: IPP status 0x%04x", job_id, answer.status)
        else:
            log.info("document job %d cancelled", job_id)

    # -- plumbing ---------------------------------------------------------------------------

    def _next_id(self) -> int:
        with self._ids_lock:
            return next(self._ids)

    def _user_attribute(self) -> Attribute:
        return Attribute(Tag.NAME, "requesting-user-name", (self._user,))


def _fault(status: DeviceStatus) -> DocumentPrinterError | None:
    """The error a job meets in ``status`` (the cause a person can fix first), or None."""
    if status.cover is Cover.OPEN:
        return DoorOpen("the printer's door is open")
    if status.supply is Supply.OUT:
        return MediaEmpty("the printer is out of paper")
    if status.state is DeviceState.ERROR:
        if status.last_error == "paper jam":
            return MediaJam("paper is jammed in the printer")
        return DocumentPrinterError(f"printer error: {status.last_error}")
    if status.state is DeviceState.OFFLINE:
        return DocumentPrinterOffline(f"the printer is offline: {status.last_error}")
    return None


def is_ready(status: DeviceStatus) -> bool:
    """Whether a letter can be offered: the printer answers and nothing stops a job."""
    return status.state in {DeviceState.ONLINE, DeviceState.BUSY} and _fault(status) is None
