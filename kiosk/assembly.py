"""Puts a kiosk together from its configuration: devices, centre client, outbox, session.

The touchscreen app and `kiosk journey` both start here, so what a journey proves is what a
resident gets. Devices come from the drivers' registries by the configured name: a kiosk set
up for real hardware gets that hardware or a loud error, never a quiet simulator.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from central.contract.models import Office, OfficeKind
from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, StatusChanged, Supply
from drivers.camera import CAMERAS, Camera, SimulatedSource
from drivers.cards import CARD_READERS
from drivers.cards.events import CardPresented
from drivers.cards.reader import CardReader
from drivers.emulator import PaperState, PrinterEmulator
from drivers.printer import PRINTERS, ThermalPrinter, simulated_printer
from drivers.printer.profile import profile_named
from kiosk.central_client import CentralClient
from kiosk.config import KioskConfig
from kiosk.delivery import CentreDelivery
from kiosk.devices_cli import device_specs
from kiosk.identity import KioskKey
from kiosk.outbox import Outbox
from kiosk.scanning import DocumentScanner
from kiosk.session import Session, Timeouts
from kiosk.session.receipting import SessionReceipts
from kiosk.signing import RequestSigner
from kiosk.submitter import OutboxSubmitter

log = logging.getLogger(__name__)


class NetworkSwitch(HTTPAdapter):
    """The kiosk's HTTP transport, with a switch and a stopwatch.

    The switch is a simulated cable for journeys and the demo (``centre`` steps in a script):
    when off, every request fails as if the network were gone. The stopwatch adds up time spent
    waiting on the network, so benchmarks can tell the kiosk's own work from the centre's."""

    def __init__(self) -> None:
        super().__init__()
        self.online = True
        self.waited_s = 0.0

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if not self.online:
            raise requests.ConnectionError("network switched off (simulated)")
        started = time.perf_counter()
        try:
            return super().send(request, *args, **kwargs)
        finally:
            self.waited_s += time.perf_counter() - started


@dataclass
class SkewableClock:
    """Monotonic time that journeys can push forward to play an idle timeout in no time."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


@dataclass
class KioskCore:
    config: KioskConfig
    bus: EventBus
    session: Session
    card_reader: CardReader
    printer: ThermalPrinter
    outbox: Outbox
    network: NetworkSwitch
    submitter: OutboxSubmitter
    clock: SkewableClock
    scanner: DocumentScanner
    camera: Camera | None = None
    emulator: PrinterEmulator | None = None
    _unsubscribe: list[Callable[[], None]] = field(default_factory=list)

    def start(self) -> None:
        self._unsubscribe.append(self.bus.subscribe(CardPresented, self._on_card))
        self._unsubscribe.append(self.bus.subscribe(StatusChanged, self._on_status))
        self.card_reader.start()
        self.printer.start()
        if self.camera is not None:
            self.camera.start()
        self.outbox.start()
        self.session.refresh_catalog()

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.outbox.close(timeout_s=5)
        self.printer.close()
        self.card_reader.stop()
        if self.camera is not None:
            self.camera.stop()

    def _on_card(self, event: CardPresented) -> None:
        self.session.tap_card(event.uid_hex)

    def _on_status(self, event: StatusChanged) -> None:
        status = event.status
        if status.kind is DeviceKind.PRINTER:
            ready = status.state is DeviceState.ONLINE and status.supply is not Supply.OUT
            self.session.set_modes(printer_ready=ready)
        elif status.kind is DeviceKind.CARD_READER:
            self.session.set_modes(reader_ready=status.state is DeviceState.ONLINE)

    # ------------------------------------------------------------------ simulation controls

    def tap_card(self, uid_hex: str) -> None:
        tap = getattr(self.card_reader, "tap", None)
        if tap is None:
            raise RuntimeError("only the simulated card reader can be tapped by a script")
        tap(uid_hex)

    def put_on_tray(self, photo: Path) -> None:
        """What the simulated tray camera sees from now on: a photo of a page."""
        if self.camera is None or not isinstance(self.camera.source, SimulatedSource):
            raise RuntimeError("only the simulated camera can be shown a photo by a script")
        self.camera.source.files = [photo]

    def advance_clock(self, seconds: float) -> None:
        self.clock.offset += seconds

    def set_centre_reachable(self, online: bool) -> None:
        self.network.online = online
        if online:
            self.outbox.wake()

    def set_paper(self, state: PaperState) -> None:
        if self.emulator is None:
            raise RuntimeError("paper can only be switched on the simulated printer")
        self.emulator.set_paper(state)

    def last_receipt_text(self) -> str:
        receipts = self.emulator.receipts if self.emulator else []
        return receipts[-1].text if receipts else ""

    def receipt_files(self) -> list[Path]:
        receipts = self.emulator.receipts if self.emulator else []
        return [r.png_path for r in receipts if r.png_path is not None]

    def waited_s(self) -> float:
        """Time spent waiting on the outside so far: HTTP calls, outbox deliveries and camera
        frames (benchmarks subtract it to measure the kiosk's own work)."""
        return self.network.waited_s + self.submitter.waited_s + self.scanner.waited_s

    def outbox_backlog(self) -> int:
        return self.outbox.backlog()


def _printer(
    config: KioskConfig, bus: EventBus, receipts_dir: Path | None
) -> tuple[ThermalPrinter, PrinterEmulator | None]:
    spec = next(s for s in device_specs(config) if s.kind is DeviceKind.PRINTER)
    if spec.driver == "simulated":
        emulator = PrinterEmulator(profile_named(config.printer.profile).width_dots, receipts_dir)
        printer = simulated_printer(
            emulator=emulator, profile=config.printer.profile, bus=bus, poll_period=None
        )
        return printer, emulator
    return PRINTERS.create(spec.driver, bus=bus, **spec.options), None


def build_core(
    config: KioskConfig, *, central_url: str | None = None, receipts_dir: Path | None = None
) -> KioskCore:
    if config.kiosk.id is None or config.kiosk.office_id is None:
        raise ValueError("this kiosk is not enrolled yet: run kiosk-provision enroll")
    bus = EventBus()
    key = KioskKey.load(config.identity.key_file)
    signer = RequestSigner(config.kiosk.id, key)
    network = NetworkSwitch()
    url = central_url or config.central.url

    def client(retries: int) -> CentralClient:
        session = requests.Session()
        session.mount("http://", network)
        session.mount("https://", network)
        return CentralClient(
            url,
            signer,
            connect_timeout_s=config.central.connect_timeout_s,
            read_timeout_s=config.central.read_timeout_s,
            retries=retries,
            session=session,
        )

    delivery = CentreDelivery(client(retries=0))
    outbox = Outbox.open(config.outbox, key, delivery, bus)
    printer, emulator = _printer(config, bus, receipts_dir)
    specs = {spec.kind: spec for spec in device_specs(config)}
    reader_spec = specs[DeviceKind.CARD_READER]
    card_reader = CARD_READERS.create(reader_spec.driver, bus=bus, **reader_spec.options)
    camera_spec = specs[DeviceKind.CAMERA]
    camera = CAMERAS.create(camera_spec.driver, bus=bus, **camera_spec.options)
    clock = SkewableClock()
    session_ref: list[Session] = []
    scanner = DocumentScanner(camera, bus)
    submitter = OutboxSubmitter(outbox, delivery, bus, wait_s=config.central.read_timeout_s)

    def office() -> Office:
        catalog = session_ref[0].catalog if session_ref else None
        if catalog is not None:
            return catalog.office
        return Office(
            id=config.kiosk.office_id or "", name=config.kiosk.office_id or "", kind=OfficeKind.DESA
        )

    session = Session(
        client=client(retries=config.central.retries),
        submitter=submitter,
        printer=printer,
        scanner=scanner,
        receipts=SessionReceipts(
            office=office,
            kiosk_id=config.kiosk.id,
            catalog=lambda: session_ref[0].catalog if session_ref else None,
            now=lambda: datetime.now(UTC),
        ),
        bus=bus,
        timeouts=Timeouts(config.kiosk.idle_timeout_s, config.kiosk.warning_countdown_s),
        language=config.kiosk.language,
        clock=clock,
    )
    session_ref.append(session)
    return KioskCore(
        config=config,
        bus=bus,
        session=session,
        card_reader=card_reader,
        printer=printer,
        outbox=outbox,
        network=network,
        submitter=submitter,
        scanner=scanner,
        clock=clock,
        camera=camera,
        emulator=emulator,
    )
