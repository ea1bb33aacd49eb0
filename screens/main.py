"""`kiosk app`: the same runtime as `kiosk run`, with the touchscreen app on the main thread.

Kivy reads its window settings when the window is created, which happens on importing
``screens.app``: so this module chooses them first (size from the configured orientation,
full screen, Escape not quitting) and imports the app afterwards.
"""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from kiosk import sdnotify
from kiosk.assembly import KioskCore
from kiosk.config import KioskConfig
from kiosk.demo.visitor import CARD_ENV, PIN_ENV, Visitor
from kiosk.runtime.health import HealthLoop
from kiosk.runtime.service import KioskService
from screens import heap

log = logging.getLogger(__name__)

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


class Runtime(Protocol):
    core: KioskCore

    def start(self) -> None: ...
    def stop(self) -> None: ...


class DemoRuntime:
    """A demo-mode kiosk: the simulated kiosk (with its controls for a demo panel) plus the
    same health loop `kiosk run` starts."""

    def __init__(
        self, config: KioskConfig, central_url: str | None, receipts_dir: Path | None = None
    ) -> None:
        from kiosk.simulated import build_simulated_kiosk

        self.simulated = build_simulated_kiosk(
            config, central_url=central_url, receipts_dir=receipts_dir
        )
        self.core = self.simulated.core
        self.health = HealthLoop(
            self.core, period_s=config.heartbeat.period_s, status_path=config.heartbeat.status_file
        )

    def start(self) -> None:
        self.simulated.start()
        self.health.start()

    def stop(self) -> None:
        self.health.stop()
        self.simulated.stop()
        self.health.write_stopped()


@dataclass(frozen=True)
class DemoOptions:
    """What `kiosk app` takes only in demo mode (``screens/demo``)."""

    receipts_dir: Path | None = None  # the simulated printer's receipts, as PNGs
    tour_dir: Path | None = None  # play the scripted tour, its screenshots here, then exit
    visitor: Visitor | None = None  # the demo resident the tour signs in as
    card_uid: str | None = None  # the card the panel's F5 taps


class DemoOnly(ValueError):
    """Demo options given to a kiosk that is not in demo mode."""


def build_runtime(
    config: KioskConfig, central_url: str | None, demo: DemoOptions | None = None
) -> Runtime:
    """Production: exactly `kiosk run`'s service. Demo mode: the simulated kiosk."""
    if config.kiosk.mode == "demo":
        return DemoRuntime(config, central_url, demo.receipts_dir if demo else None)
    if demo is not None and (demo.receipts_dir or demo.tour_dir):
        raise DemoOnly('--tour and --receipts need kiosk.mode = "demo"')
    return KioskService(config, central_url=central_url)


def configure_window(config: KioskConfig) -> None:
    """Kivy's settings for a kiosk window; must run before anything imports the window."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our argv is argparse's, not Kivy's
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # our logging, not Kivy's handler
    from kivy.config import Config

    width, height = SIZES[config.screen.orientation]
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if config.screen.fullscreen else "0")
    Config.set("graphics", "multisamples", str(config.screen.multisamples))
    Config.set("graphics", "show_cursor", "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def make_app(config: KioskConfig, core: KioskCore, central_url: str | None = None) -> Any:
    from kiosk.maintenance import Maintenance
    from kiosk.technician import TechnicianGate
    from screens.app import KioskApp
    from screens.keys import KeyMap
    from screens.speech.speaker import Speaker
    from screens.speech.synth import Synthesizer

    keys = config.keys
    synth = Synthesizer(config.speech.cache_dir, rate_wpm=config.speech.rate_wpm)

    return KioskApp(
        core.owner,
        language=config.kiosk.language,
        dpi=config.screen.dpi,
        landscape=config.screen.orientation == "landscape",
        demo=config.kiosk.mode == "demo",
        preview=core.scanner.preview if core.scanner is not None else None,
        speaker=Speaker(synth, enabled=config.speech.enabled),
        keymap=KeyMap.from_lists(up=keys.up, down=keys.down, select=keys.select, help=keys.help),
        maintenance=Maintenance(core, centre_url=central_url),
        gate=TechnicianGate(config.technician.pin_hash, config.technician.card_hashes),
    )


def run(
    config: KioskConfig, central_url: str | None = None, demo: DemoOptions | None = None
) -> int:
    heap.limit_arenas()  # before any thread starts (screens/heap.py)
    heap.map_large_blocks()
    # refuses (NotReady, DemoOnly) before any window opens
    runtime = build_runtime(config, central_url, demo)
    configure_window(config)
    from kivy.clock import Clock

    from screens.app import make_appliance

    app = make_app(config, runtime.core, central_url)
    if isinstance(runtime, DemoRuntime) and demo is not None and demo.tour_dir is not None:
        return _tour(app, runtime, demo, demo.tour_dir)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: stopping the app", signal.Signals(signum).name)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    runtime.start()
    panel = _demo_panel(app, runtime, demo)
    try:
        make_appliance()
        Clock.schedule_once(lambda _dt: _ready(Clock), 0)  # after the first frame: attract
        # Under cage the unit's main process is cage (NotifyAccess=all): the watchdog is ours.
        interval = sdnotify.watchdog_interval(inherited=True)
        if interval is not None:  # from the UI loop: a frozen UI gets the app restarted
            Clock.schedule_interval(lambda _dt: sdnotify.watchdog(), interval / 2)
        app.run()
    finally:
        if panel is not None:
            panel.detach()
        sdnotify.stopping()
        runtime.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _ready(clock: Any) -> None:
    """READY=1, then the start-up heap frozen a frame later (screens/heap.py)."""
    sdnotify.ready()
    clock.schedule_once(lambda _dt: heap.settle(), 0)


def _demo_panel(app: Any, runtime: Runtime, demo: DemoOptions | None) -> Any:
    """Demo mode in a window: the F5-F8 panel, attached once the app has built its root."""
    if not isinstance(runtime, DemoRuntime):
        return None
    from kivy.clock import Clock

    from screens.demo.panel import DemoPanel

    panel = DemoPanel(app, runtime.simulated, demo.card_uid if demo else None)
    Clock.schedule_once(lambda _dt: panel.attach(app.root), 0)
    return panel


def _tour(app: Any, runtime: DemoRuntime, demo: DemoOptions, out: Path) -> int:
    """Play the scripted visits (screens/demo/tour.py) instead of waiting for residents."""
    from screens.demo.finger import TourStuck
    from screens.demo.tour import play

    if demo.visitor is None:
        raise DemoOnly(
            f"--tour needs the demo resident's card and PIN in ${CARD_ENV} and ${PIN_ENV} "
            "(`kiosk demo` sets them)"
        )
    runtime.start()
    try:
        shots = play(app, runtime.simulated, demo.visitor, out)
    except TourStuck as stuck:
        log.error("the demo tour stopped: %s", stuck)
        return 1
    finally:
        runtime.stop()
    log.info("demo tour: %d screenshots in %s", len(shots), out / "screens")
    return 0
