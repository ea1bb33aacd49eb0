"""A simulated IPP printer in-process, for the demo and the journeys: the real driver talks to
it through the same four operations, so what a demo shows is what the driver does.

Fault switches (``set_media``, ``set_door``, ``set_jam``, ``set_online``) change what it
reports and how jobs behave: a job waits (``media-needed``) while the tray is empty, as real
printers and ippeveprinter do, and the driver is the one that gives up and cancels it. Printed
documents are kept as ``letter-N.pdf`` in ``out_dir`` when one is given.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass
from pathlib import Path

from drivers.documents.ipp import (
    Group,
    IppRequest,
    IppResponse,
    JobState,
    Operation,
    PrinterState,
    Value,
)
from drivers.documents.transport import IppUnreachable

SIMULATED_URI = "ipp://simulated.invalid/printers/a4"
_OK = 0x0000
_NOT_FOUND = 0x0406
_NOT_SUPPORTED = 0x0501


class Media(enum.StrEnum):
    FULL = "full"
    LOW = "low"
    EMPTY = "empty"


@dataclass
class _Job:
    id: int
    state: JobState
    document: bytes


class SimulatedIpp:
    """An ``IppEndpoint`` that is a printer: each job completes at its first status query."""

    def __init__(self, out_dir: Path | None = None) -> None:
        self.out_dir = out_dir
        self._lock = threading.Lock()
        self._media = Media.FULL
        self._door_open = False
        self._jammed = False
        self._online = True
        self._jobs: dict[int, _Job] = {}
        self.printed: list[Path | bytes] = []

    # -- fault switches ---------------------------------------------------------------------

    def set_media(self, media: Media) -> None:
        with self._lock:
            self._media = media

    def set_door(self, open_: bool) -> None:
        with self._lock:
            self._door_open = open_

    def set_jam(self, jammed: bool) -> None:
        with self._lock:
            self._jammed = jammed

    def set_online(self, online: bool) -> None:
        with self._lock:
            self._online = online

    # -- IPP --------------------------------------------------------------------------------

    def send(self, uri: str, message: IppRequest, document: bytes | None = None) -> IppResponse:
        with self._lock:
            if not self._online:
                raise IppUnreachable("simulated printer switched off")
            if message.operation is Operation.GET_PRINTER_ATTRIBUTES:
                return self._printer(message)
            if message.operation is Operation.PRINT_JOB:
                return self._print(message, document or b"")
            job = self._jobs.get(_job_id(message))
            if job is None:
                return IppResponse(_NOT_FOUND, message.request_id)
            if message.operation is Operation.CANCEL_JOB:
                if not job.state.finished:
                    job.state = JobState.CANCELED
                return IppResponse(_OK, message.request_id)
            if message.operation is Operation.GET_JOB_ATTRIBUTES:
                self._advance(job)
                return IppResponse(
                    _OK, message.request_id, {Group.JOB: {"job-state": [int(job.state)]}}
                )
            return IppResponse(_NOT_SUPPORTED, message.request_id)

    def _reasons(self) -> list[Value]:
        reasons: list[Value] = []
        if self._media is Media.EMPTY:
            reasons += ["media-empty-error", "media-needed-error"]
        elif self._media is Media.LOW:
            reasons.append("media-low-report")
        if self._door_open:
            reasons.append("door-open-error")
        if self._jammed:
            reasons.append("media-jam-error")
        return reasons or ["none"]

    def _printer(self, message: IppRequest) -> IppResponse:
        busy = any(not job.state.finished for job in self._jobs.values())
        state = PrinterState.PROCESSING if busy else PrinterState.IDLE
        attributes: dict[str, list[Value]] = {
            "printer-state": [int(state)],
            "printer-state-reasons": self._reasons(),
            "printer-is-accepting-jobs": [True],
        }
        return IppResponse(_OK, message.request_id, {Group.PRINTER: attributes})

    def _print(self, message: IppRequest, document: bytes) -> IppResponse:
        job = _Job(len(self._jobs) + 1, JobState.PENDING, document)
        self._jobs[job.id] = job
        return IppResponse(_OK, message.request_id, {Group.JOB: {"job-id": [job.id]}})

    def _advance(self, job: _Job) -> None:
        """A pending job prints at once unless something stops the printer."""
        if job.state.finished:
            return
        if self._media is Media.EMPTY or self._door_open or self._jammed:
            job.state = JobState.PROCESSING
            return
        job.state = JobState.COMPLETED
        if self.out_dir is None:
            self.printed.append(job.document)
            return
        path = self.out_dir / f"letter-{job.id}.pdf"
        path.write_bytes(job.document)
        self.printed.append(path)


def _job_id(message: IppRequest) -> int:
    for attribute in message.operation_attributes:
        if attribute.name == "job-id" and attribute.values and isinstance(attribute.values[0], int):
            return attribute.values[0]
    return 0
