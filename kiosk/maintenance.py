"""What the technician's maintenance screen reads and does with the kiosk's parts.

Every call here may block (a network probe, a printer job, the camera) and runs on the
maintenance screen's worker thread, never the UI's; the screen shows the answers. Nothing
returned holds personal data: device states, counts, addresses of the kiosk itself.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from drivers.base import DeviceStatus
from drivers.printer.errors import PrinterError
from drivers.printer.receipt import Receipt
from kiosk import __version__
from kiosk.assembly import KioskCore

PROBE_TIMEOUT_S = 3.0  # the centre's /healthz: a technician waits, a resident never does
PREVIEW_STOP_S = 2.0  # the camera check's thread ends within a frame timeout


@dataclass(frozen=True)
class Checkup:
    devices: dict[str, DeviceStatus]
    backlog: int  # submissions and heartbeats waiting in the outbox
    centre_url: str
    centre_reachable: bool
    local_address: str | None  # the kiosk's address on the way to the centre (None: no route)
    version: str
    kiosk_id: str | None
    office_id: str | None


class Maintenance:
    def __init__(self, core: KioskCore, *, centre_url: str | None = None) -> None:
        self._core = core
        self._centre_url = (centre_url or core.config.central.url).rstrip("/")
        self._watching: tuple[threading.Thread, threading.Event] | None = None

    @property
    def has_camera(self) -> bool:
        return self._core.scanner is not None

    def checkup(self) -> Checkup:
        config = self._core.config
        return Checkup(
            devices=self._core.device_statuses(),
            backlog=self._core.outbox.backlog(include_heartbeats=True),
            centre_url=self._centre_url,
            centre_reachable=self._centre_answers(),
            local_address=self._local_address(),
            version=__version__,
            kiosk_id=config.kiosk.id,
            office_id=config.kiosk.office_id,
        )

    def _centre_answers(self) -> bool:
        try:
            reply = requests.get(f"{self._centre_url}/healthz", timeout=PROBE_TIMEOUT_S)
        except requests.RequestException:
            return False
        return reply.ok

    def _local_address(self) -> str | None:
        """The address this kiosk would use to reach the centre (a UDP connect sends nothing)."""
        parts = urlsplit(self._centre_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(parts.hostname or "", port, proto=socket.IPPROTO_UDP)
            family, kind, proto, _name, address = infos[0]
            with socket.socket(family, kind, proto) as probe:
                probe.connect(address)
                return str(probe.getsockname()[0])
        except (OSError, IndexError):
            return None

    def print_test(self) -> bool:
        """A short test receipt; True when the printer took it."""
        config = self._core.config
        receipt = (
            Receipt()
            .title("STRUK UJI / TEST RECEIPT")
            .pair("Kiosk", config.kiosk.id or "-")
            .pair("Versi", __version__)
            .pair("Waktu", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
            .feed(2)
            .cut()
        )
        try:
            self._core.printer.print(receipt)
        except PrinterError:
            return False
        return True

    def paper_replaced(self) -> DeviceStatus:
        """Ask the printer again now, instead of at its next poll, so the kiosk returns to
        service as soon as the paper is in."""
        return self._core.printer.refresh_status()

    def start_preview(self) -> None:
        """The tray's picture and the detector's outline, through the scanner's slot."""
        scanner = self._core.scanner
        if scanner is None or self._watching is not None:
            return
        stop = threading.Event()
        thread = threading.Thread(target=scanner.watch, args=(stop,), name="camera-check")
        thread.start()
        self._watching = (thread, stop)

    def stop_preview(self) -> None:
        if self._watching is None:
            return
        thread, stop = self._watching
        stop.set()
        thread.join(PREVIEW_STOP_S)
        self._watching = None
