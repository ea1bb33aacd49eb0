"""The thermal printer device: true status from the printer, and receipts sent block by block.

One lock guards the connection, so the background status poll and a print job never interleave
their bytes. The status is asked before every job and after every block: a real-time
``DLE EOT`` is answered even while the printer still holds buffered data, so a paper-out in the
middle of a receipt is noticed at the next block and reported with how far the job got.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace

from common.events import EventBus
from drivers.base import Cover, DeviceKind, DeviceState, DeviceStatus, StatusChanged, Supply
from drivers.printer import commands as cmd
from drivers.printer.errors import (
    CoverOpen,
    JobProgress,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterStatusUnknown,
)
from drivers.printer.profile import PrinterProfile
from drivers.printer.receipt import Receipt
from drivers.printer.status import QUERIES, interpret
from drivers.printer.transport import Transport
from drivers.threads import ServiceThread

log = logging.getLogger(__name__)

_LOCK_WAIT = 10.0
"""How long a poll or a job waits for the other to finish before giving up."""


@dataclass(frozen=True)
class PrintResult:
    progress: JobProgress
    status: DeviceStatus

    @property
    def confirmed(self) -> bool:
        """True when the printer itself confirmed every block (not just silence)."""
        return self.progress.blocks_confirmed == self.progress.blocks_total


class ThermalPrinter:
    """An ESC/POS receipt printer behind any ``Transport``.

    ``poll_period`` (seconds, ``None`` = no background polling) drives the status thread;
    ``status_timeout`` bounds each ``DLE EOT`` reply. With ``require_status`` a printer that
    never answers status queries is refused instead of printed to blind.
    """

    def __init__(
        self,
        transport: Transport,
        profile: PrinterProfile,
        *,
        device_name: str = "printer",
        bus: EventBus | None = None,
        poll_period: float | None = 5.0,
        status_timeout: float = 0.5,
        require_status: bool = False,
    ) -> None:
        self.name = device_name
        self.profile = profile
        self._transport = transport
        self._bus = bus
        self._poll_period = poll_period
        self._status_timeout = status_timeout
        self._require_status = require_status
        self._lock = threading.Lock()
        self._status = DeviceStatus(DeviceKind.PRINTER, supply=Supply.UNKNOWN)
        self._open = False
        self._poller = ServiceThread(
            f"printer-status-{device_name}", self._poll_loop, self._poll_crashed
        )

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start background status polling (if configured)."""
        if self._poll_period:
            self._poller.start()

    def close(self) -> None:
        self._poller.stop()
        with self._lock:
            self._disconnect()

    def __enter__(self) -> ThermalPrinter:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- status -----------------------------------------------------------------------------

    def status(self) -> DeviceStatus:
        """The last known status (no I/O)."""
        return self._status

    def refresh_status(self) -> DeviceStatus:
        """Ask the printer now and publish a change."""
        if not self._lock.acquire(timeout=_LOCK_WAIT):
            return self._status
        try:
            return self._query_status()
        finally:
            self._lock.release()

    def _poll_loop(self, stopping: threading.Event) -> None:
        period = self._poll_period or 0.0
        while not stopping.is_set():
            self.refresh_status()
            stopping.wait(period)

    def _poll_crashed(self, exc: BaseException) -> None:
        self._set_status(state=DeviceState.ERROR, last_error=f"status poll failed: {exc}")

    def _query_status(self) -> DeviceStatus:
        """One round of ``DLE EOT 1/2/4`` (lock held). Silence on the first query ends it."""
        try:
            self._connect()
            self._transport.discard_input()
            replies: dict[int, bytes] = {}
            for query in QUERIES:
                self._transport.write(cmd.status_query(query))
                replies[query] = self._transport.read(self._status_timeout)
                if not replies[query]:
                    break
        except PrinterOffline as err:
            return self._went_offline(str(err))
        except OSError as err:
            return self._went_offline(f"{self._transport.describe()}: {err}")
        reading = interpret(replies)
        if reading.state is DeviceState.ERROR:
            # whatever nonsense is left must not poison the next round
            self._transport.discard_input()
        return self._set_status(
            state=reading.state,
            supply=reading.supply,
            cover=reading.cover,
            last_error=reading.problem,
        )

    def _went_offline(self, why: str) -> DeviceStatus:
        self._disconnect()
        return self._set_status(
            state=DeviceState.OFFLINE, supply=Supply.UNKNOWN, cover=Cover.UNKNOWN, last_error=why
        )

    def _set_status(self, **fields: object) -> DeviceStatus:
        previous = self._status
        self._status = previous.changed(**fields)
        if self._status is not previous and self._bus is not None:
            self._bus.publish(StatusChanged(self.name, self._status))
        return self._status

    # -- connection ------------------------------------------------------------------------

    def _connect(self) -> None:
        if self._open:
            return
        try:
            self._transport.open()
        except Exception as err:  # python-escpos raises its own types and OSError
            raise PrinterOffline(f"cannot open {self._transport.describe()}: {err}") from err
        self._open = True

    def _disconnect(self) -> None:
        if not self._open:
            return
        self._open = False
        try:
            self._transport.close()
        except Exception:
            log.warning("closing %s failed", self._transport.describe(), exc_info=True)

    # -- jobs -------------------------------------------------------------------------------

    def print(self, receipt: Receipt) -> PrintResult:
        """Print ``receipt`` or raise ``PrinterError`` saying why and how far it got.

        A failed job can simply be printed again once the cause is fixed: each job starts with
        ``ESC @`` so nothing from the broken one carries over.
        """
        from drivers.printer.render import render  # the imaging stack loads with the first job

        rendered = render(receipt, self.profile)
        if not self._lock.acquire(timeout=_LOCK_WAIT):
            raise PrinterOffline("printer is busy with another job")
        try:
            try:
                self._connect()
            except PrinterOffline as err:
                self._went_offline(str(err))
                raise
            before = self._query_status()
            self._check_ready(before, None)
            # A printer that ignores DLE EOT would cost a status timeout per block for nothing:
            # then the job is sent blind and the status asked once at the end.
            watch = before.state is not DeviceState.UNKNOWN
            return self._send(rendered.prefix, rendered.chunks, watch)
        finally:
            self._lock.release()

    def _send(self, prefix: bytes, chunks: tuple[bytes, ...], watch: bool) -> PrintResult:
        progress = JobProgress(blocks_total=len(chunks))
        status = self._status
        for index, chunk in enumerate(chunks):
            data = prefix + chunk if index == 0 else chunk
            try:
                self._transport.write(data)
            except OSError as err:
                self._disconnect()
                self._set_status(state=DeviceState.OFFLINE, last_error=f"write failed: {err}")
                raise PrinterOffline("printer stopped accepting data", progress) from err
            progress = replace(
                progress, blocks_sent=index + 1, bytes_sent=progress.bytes_sent + len(data)
            )
            if not watch and index + 1 < len(chunks):
                continue
            status = self._query_status()
            self._check_ready(status, progress)
            if status.state is DeviceState.ONLINE:
                progress = replace(progress, blocks_confirmed=index + 1)
        return PrintResult(progress, status)

    def _check_ready(self, status: DeviceStatus, progress: JobProgress | None) -> None:
        """Raise the error that matches ``status``; unknown passes unless status is required."""
        if status.cover is Cover.OPEN:
            raise CoverOpen("printer cover is open", progress)
        if status.supply is Supply.OUT:
            raise PaperOut("printer is out of paper", progress)
        if status.state is DeviceState.OFFLINE:
            raise PrinterOffline(f"printer is offline: {status.last_error}", progress)
        if status.state is DeviceState.ERROR:
            raise PrinterError(f"printer error: {status.last_error}", progress)
        if status.state is DeviceState.UNKNOWN and self._require_status:
            raise PrinterStatusUnknown("printer does not answer status queries", progress)
