"""`kiosk app`: the same runtime as `kiosk run`, with the touchscreen app on the main thread.

Kivy reads its window settings when the window is created, which happens on importing
``screens.app``: so this module chooses them first (size from the configured orientation,
full screen, Escape not quitting) and imports the app afterwards.
"""

from __future__ import annotations

import logging
import os
import signal
from types import FrameType
from typing import Any, Protocol

from kiosk import sdnotify
from kiosk.assembly import KioskCore
from kiosk.config import KioskConfig
from kiosk.runtime.health import HealthLoop
from kiosk.runtime.service import KioskService

log = logging.getLogger(__name__)

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


class Runtime(Protocol):
    core: KioskCore

    def start(self) -> None: ...
    def stop(self) -> None: ...


class DemoRuntime:
    """A demo-mode kiosk: the simulated kiosk (with its controls for a demo panel) plus the
    same health loop `kiosk run` starts."""

    def __init__(self, config: KioskConfig, central_url: str | None) -> None:
        from kiosk.simulated import build_simulated_kiosk

        self.simulated = build_simulated_kiosk(config, central_url=central_url)
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


def build_runtime(config: KioskConfig, central_url: str | None) -> Runtime:
    """Production: exactly `kiosk run`'s service. Demo mode: the simulated kiosk."""
    if config.kiosk.mode == "demo":
        return DemoRuntime(config, central_url)
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


def run(config: KioskConfig, central_url: str | None = None) -> int:
    runtime = build_runtime(config, central_url)  # refuses (NotReady) before any window opens
    configure_window(config)
    from kivy.clock import Clock

    from screens.app import make_appliance

    app = make_app(config, runtime.core, central_url)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: stopping the app", signal.Signals(signum).name)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    runtime.start()
    try:
        make_appliance()
        Clock.schedule_once(lambda _dt: sdnotify.ready(), 0)  # after the first frame: attract
        # Under cage the unit's main process is cage (NotifyAccess=all): the watchdog is ours.
        interval = sdnotify.watchdog_interval(inherited=True)
        if interval is not None:  # from the UI loop: a frozen UI gets the app restarted
            Clock.schedule_interval(lambda _dt: sdnotify.watchdog(), interval / 2)
        app.run()
    finally:
        sdnotify.stopping()
        runtime.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
