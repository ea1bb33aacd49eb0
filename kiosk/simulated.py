"""The simulated kiosk: the production core with the controls a demo, a journey script or a
benchmark needs (a network cable, a clock to push forward, the paper switch, the tray, the
card to tap), kept out of the production classes.

Only a config in demo mode (``kiosk.mode = "demo"``) can be built this way, so these controls
never reach a kiosk that serves residents.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import requests
from requests.adapters import HTTPAdapter

from drivers.base import DeviceKind
from drivers.cards.simulated import SimulatedCardReader
from drivers.printer.profile import profile_named
from kiosk.assembly import KioskCore, build_core
from kiosk.config import KioskConfig
from kiosk.metrics import Metrics, WaitTally
from kiosk.session import Session

if TYPE_CHECKING:  # imported only by a kiosk printing to it: one printing to a device does not
    from drivers.emulator import PaperState, PrinterEmulator

T = TypeVar("T")
INTENT_WAIT_S = 120.0  # a scripted step waits this long for the session (a scan waits 60 s)


class NotDemo(ValueError):
    """Simulation controls were asked of a kiosk that is not in demo mode."""


class NetworkSwitch(HTTPAdapter):
    """An HTTP transport with a simulated cable: when off, every request fails as if the
    network were gone. It reports each request's wait to the metrics hook."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__()
        self.online = True
        self._metrics = metrics

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if not self.online:
            raise requests.ConnectionError("network switched off (simulated)")
        started = time.perf_counter()
        try:
            return super().send(request, *args, **kwargs)
        finally:
            self._metrics.waited("http", time.perf_counter() - started)


@dataclass
class SkewableClock:
    """Monotonic time that scripts can push forward to play an idle timeout in no time."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


@dataclass
class SimulatedKiosk:
    core: KioskCore
    network: NetworkSwitch
    clock: SkewableClock
    waits: WaitTally
    emulator: PrinterEmulator | None

    def start(self) -> None:
        self.core.start()

    def stop(self) -> None:
        self.core.stop()

    def do(self, intent: Callable[[Session], T]) -> T:
        """Run an intent on the session's owner and wait for it (a script's finger)."""
        return self.core.owner.call(intent, INTENT_WAIT_S)

    def tap_card(self, uid_hex: str) -> None:
        reader = self.core.card_reader
        if not isinstance(reader, SimulatedCardReader):
            raise NotDemo("only the simulated card reader can be tapped by a script")
        reader.tap(uid_hex)

    def put_on_tray(self, photo: Path) -> None:
        """What the simulated tray camera sees from now on: a photo of a page."""
        camera = self.core.camera
        if camera is None or camera.driver != "simulated":
            raise NotDemo("only the simulated camera can be shown a photo by a script")
        camera.show_on_tray((str(photo),))

    def advance_clock(self, seconds: float) -> None:
        self.clock.offset += seconds

    def set_centre_reachable(self, online: bool) -> None:
        self.network.online = online
        if online:
            self.core.outbox.wake()

    def set_paper(self, state: PaperState) -> None:
        if self.emulator is None:
            raise NotDemo("paper can only be switched on the simulated printer")
        self.emulator.set_paper(state)

    def run_out_of_paper(self) -> None:
        """The demo panel's and tour's control: what a printer with no paper left reports."""
        from drivers.emulator import PaperState

        self.set_paper(PaperState.OUT)

    def refill_paper(self) -> None:
        from drivers.emulator import PaperState

        self.set_paper(PaperState.FULL)

    def paper_is_out(self) -> bool:
        from drivers.emulator import PaperState

        return self.emulator is not None and self.emulator.paper is PaperState.OUT

    def last_receipt_text(self) -> str:
        receipts = self.emulator.receipts if self.emulator else []
        return receipts[-1].text if receipts else ""

    def receipt_files(self) -> list[Path]:
        receipts = self.emulator.receipts if self.emulator else []
        return [r.png_path for r in receipts if r.png_path is not None]

    def waited_s(self) -> float:
        """Time spent waiting on the outside so far: HTTP calls, outbox deliveries and camera
        frames (benchmarks subtract it to measure the kiosk's own work)."""
        return self.waits.total_s()

    def outbox_backlog(self) -> int:
        return self.core.outbox.backlog()


def build_simulated_kiosk(
    config: KioskConfig, *, central_url: str | None = None, receipts_dir: Path | None = None
) -> SimulatedKiosk:
    if config.kiosk.mode != "demo":
        raise NotDemo('simulation controls need kiosk.mode = "demo"')
    waits = WaitTally()
    network = NetworkSwitch(waits)
    clock = SkewableClock()
    emulator = None
    options: dict[DeviceKind, dict[str, Any]] = {}
    if config.printer.driver == "simulated":
        from drivers.emulator import PrinterEmulator

        emulator = PrinterEmulator(profile_named(config.printer.profile).width_dots, receipts_dir)
        # no status poll: the emulator answers every job's own status queries at once
        options[DeviceKind.PRINTER] = {"emulator": emulator, "poll_period": None}
    core = build_core(
        config,
        central_url=central_url,
        http_adapter=network,
        clock=clock,
        metrics=waits,
        driver_options=options,
    )
    return SimulatedKiosk(core, network, clock, waits, emulator)
