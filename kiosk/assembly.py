"""Puts a kiosk together from its configuration: devices, centre client, outbox, session and
the session's owner thread.

`kiosk run`, the touchscreen app and (through ``kiosk.simulated``) the demo and the journeys all
start here, so what a journey proves is what a resident gets. Every device comes from its
driver registry by the configured name; a production kiosk whose config still names simulators
is refused (``kiosk.config.hardware``), never quietly simulated. The only doors left for tests
and benchmarks are collaborators passed in: an HTTP adapter, a clock, a metrics hook and extra
driver options.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from central.contract.models import Office, OfficeKind
from common.events import EventBus
from drivers.base import DeviceKind, DeviceStatus, StatusChanged
from drivers.cards import CARD_READERS
from drivers.cards.events import CardPresented
from drivers.cards.reader import CardReader
from drivers.documents import DOCUMENT_PRINTERS, DocumentPrinter
from drivers.printer import PRINTERS, ThermalPrinter
from drivers.probe import DeviceSpec
from drivers.scanner import CODE_SCANNERS
from drivers.scanner.scanner import CodeScanned, CodeScanner
from kiosk.camera_host.client import (
    CameraProcess,
    RemotePhotographer,
    RemoteQrReader,
    RemoteScanner,
)
from kiosk.central_client import CentralClient
from kiosk.config import KioskConfig
from kiosk.config.devices import device_specs
from kiosk.config.hardware import HardwareNotConfigured, hardware_problems
from kiosk.delivery import CentreDelivery
from kiosk.identity import KioskKey
from kiosk.metrics import NO_METRICS, Metrics
from kiosk.outbox import Outbox
from kiosk.session import Session, Timeouts
from kiosk.session.owner import SessionOwner
from kiosk.session.photo import Photographer
from kiosk.session.receipting import SessionReceipts
from kiosk.signing import RequestSigner
from kiosk.submitter import OutboxSubmitter
from kiosk.tray import PreviewSlot

log = logging.getLogger(__name__)

# SIGTERM must end the kiosk within 5 s (systemd's default before SIGKILL): what the session
# is doing may take 1 s to finish, a delivery in flight 2 s; the outbox keeps what is unsent.
OWNER_STOP_S = 1.0
OUTBOX_CLOSE_S = 2.0


@dataclass
class KioskCore:
    """The running parts of one kiosk. Device events reach the session through its owner."""

    config: KioskConfig
    bus: EventBus
    session: Session
    owner: SessionOwner
    card_reader: CardReader
    printer: ThermalPrinter
    outbox: Outbox
    submitter: OutboxSubmitter
    scanner: RemoteScanner | None
    camera: CameraProcess | None = None
    document_printer: DocumentPrinter | None = None
    code_scanner: CodeScanner | None = None
    _unsubscribe: list[Callable[[], None]] = field(default_factory=list)

    def start(self) -> None:
        self._unsubscribe.append(self.bus.subscribe(CardPresented, self._on_card))
        self._unsubscribe.append(self.bus.subscribe(StatusChanged, self._on_status))
        self._unsubscribe.append(self.bus.subscribe(CodeScanned, self._on_code))
        self.owner.start()
        self.card_reader.start()
        self.printer.start()
        if self.camera is not None:
            self.camera.start()
        if self.document_printer is not None:
            self.document_printer.start()
        if self.code_scanner is not None:
            self.code_scanner.start()
        self.outbox.start()
        self.owner.post(Session.refresh_catalog)

    def stop(self) -> None:
        """Wipe the session, then stop what sends and what listens."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.owner.post(Session.cancel)
        self.owner.post(Session.stop_receipt_qr)
        self.owner.stop(OWNER_STOP_S)
        self.outbox.close(timeout_s=OUTBOX_CLOSE_S)
        self.printer.close()
        if self.document_printer is not None:
            self.document_printer.close()
        self.card_reader.stop()
        if self.code_scanner is not None:
            self.code_scanner.stop()
        if self.camera is not None:
            self.camera.stop()

    def device_statuses(self) -> dict[str, DeviceStatus]:
        """Each configured device's last known status (no I/O), by role."""
        devices: dict[str, DeviceStatus] = {
            "card_reader": self.card_reader.status(),
            "printer": self.printer.status(),
        }
        if self.camera is not None:
            devices["camera"] = self.camera.status()
        if self.document_printer is not None:
            devices["document_printer"] = self.document_printer.status()
        if self.code_scanner is not None:
            devices["code_scanner"] = self.code_scanner.status()
        return devices

    def _on_card(self, event: CardPresented) -> None:
        self.owner.post(lambda session: session.tap_card(event.uid_hex))

    def _on_code(self, event: CodeScanned) -> None:
        """A code held to the code scanner: the session looks it up (between residents)."""
        self.owner.post(lambda session: session.code_scanned(event.code))

    def _on_status(self, event: StatusChanged) -> None:
        self.owner.post(lambda session: session.device_changed(event.status))


def _client(
    config: KioskConfig,
    url: str,
    signer: RequestSigner,
    retries: int,
    adapter: HTTPAdapter | None,
) -> CentralClient:
    session = requests.Session()
    if adapter is not None:
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return CentralClient(
        url,
        signer,
        connect_timeout_s=config.central.connect_timeout_s,
        read_timeout_s=config.central.read_timeout_s,
        retries=retries,
        session=session,
    )


def build_core(
    config: KioskConfig,
    *,
    central_url: str | None = None,
    http_adapter: HTTPAdapter | None = None,
    clock: Callable[[], float] = time.monotonic,
    metrics: Metrics = NO_METRICS,
    driver_options: Mapping[DeviceKind, Mapping[str, Any]] | None = None,
) -> KioskCore:
    """The kiosk the config describes. ``driver_options`` add to (and override) what a device's
    registry factory gets from the config: the simulated kiosk hands its printer emulator in
    this way."""
    if config.kiosk.id is None or config.kiosk.office_id is None:
        raise ValueError("this kiosk is not enrolled yet: run kiosk-provision enroll")
    problems = hardware_problems(config)
    if problems:
        raise HardwareNotConfigured(problems)
    extra = driver_options or {}
    bus = EventBus()
    key = KioskKey.load(config.identity.key_file)
    signer = RequestSigner(config.kiosk.id, key)
    url = central_url or config.central.url
    delivery = CentreDelivery(_client(config, url, signer, 0, http_adapter))
    outbox = Outbox.open(config.outbox, key, delivery, bus)
    specs = {spec.kind: spec for spec in device_specs(config)}

    def options(kind: DeviceKind) -> dict[str, Any]:
        return {**specs[kind].options, **extra.get(kind, {})}

    printer = PRINTERS.create(
        specs[DeviceKind.PRINTER].driver, bus=bus, **options(DeviceKind.PRINTER)
    )
    card_reader = CARD_READERS.create(
        specs[DeviceKind.CARD_READER].driver, bus=bus, **options(DeviceKind.CARD_READER)
    )
    camera, scanner = _camera_and_scanner(
        specs.get(DeviceKind.CAMERA),  # none with camera.driver = "none"
        bus,
        options,
        metrics,
    )
    documents_spec = specs.get(DeviceKind.DOCUMENT_PRINTER)  # none with driver = "none"
    document_printer = (
        DOCUMENT_PRINTERS.create(
            documents_spec.driver, bus=bus, **options(DeviceKind.DOCUMENT_PRINTER)
        )
        if documents_spec is not None
        else None
    )
    scanner_spec = specs.get(DeviceKind.CODE_SCANNER)  # none with driver = "none"
    code_scanner = (
        CODE_SCANNERS.create(scanner_spec.driver, bus=bus, **options(DeviceKind.CODE_SCANNER))
        if scanner_spec is not None
        else None
    )
    client = _client(config, url, signer, config.central.retries, http_adapter)
    submitter = OutboxSubmitter(
        outbox, delivery, bus, wait_s=config.central.read_timeout_s, metrics=metrics
    )
    office_id = config.kiosk.office_id
    session = Session(
        client=client,
        submitter=submitter,
        printer=printer,
        scanner=scanner,
        receipts=SessionReceipts(
            office=Office(id=office_id, name=office_id, kind=OfficeKind.DESA),
            kiosk_id=config.kiosk.id,
            now=lambda: datetime.now(UTC),
            tracking_url=config.central.receipt_tracking_url(),
        ),
        bus=bus,
        timeouts=Timeouts(config.kiosk.idle_timeout_s, config.kiosk.warning_countdown_s),
        language=config.kiosk.language,
        clock=clock,
        receipt_on_screen=config.printer.screen_fallback,
        documents=document_printer,
        letter_desk=client if document_printer is not None else None,
        photographer=_photographer(camera),
    )
    owner = SessionOwner(session)

    def read_from_camera(code: str | None) -> None:
        owner.post(lambda s: s.code_scanned(code))

    if camera is not None:  # the status screen shows the tray as the scan screen does
        session.receipt_qr = RemoteQrReader(camera, on_read=read_from_camera)
    return KioskCore(
        config=config,
        bus=bus,
        session=session,
        owner=owner,
        card_reader=card_reader,
        printer=printer,
        outbox=outbox,
        submitter=submitter,
        scanner=scanner,
        camera=camera,
        document_printer=document_printer,
        code_scanner=code_scanner,
    )


def _camera_and_scanner(
    spec: DeviceSpec | None,
    bus: EventBus,
    options: Callable[[DeviceKind], dict[str, Any]],
    metrics: Metrics,
) -> tuple[CameraProcess | None, RemoteScanner | None]:
    """The camera (in its own process, started when needed: ``kiosk.camera_host``) and the
    document scanner watching it, or neither. The app's process never imports OpenCV."""
    if spec is None:
        return None, None
    camera = CameraProcess(spec.driver, options(DeviceKind.CAMERA), bus, PreviewSlot())
    return camera, RemoteScanner(camera, metrics=metrics)


def _photographer(camera: CameraProcess | None) -> Photographer | None:
    """A complaint's photos come from the same camera and show in the same preview slot as
    the scans (both run on the session's owner thread, so never at once)."""
    return None if camera is None else RemotePhotographer(camera)
