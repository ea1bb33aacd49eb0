"""`kiosk run`: the kiosk as a long-running service without a display.

Starts the core (drivers, the session's owner, the outbox sender) and the health loop, then
waits for SIGTERM or SIGINT. Stopping wipes the session, stops the senders and the drivers and
leaves "STOPPED" in the status file, inside the 5 s systemd allows by default before SIGKILL.
"""

from __future__ import annotations

import logging
import signal
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from types import FrameType

from drivers.base import DeviceError
from kiosk import sdnotify
from kiosk.assembly import KioskCore, build_core
from kiosk.config import KioskConfig
from kiosk.config.hardware import hardware_problems
from kiosk.identity import IdentityError
from kiosk.outbox import OutboxError
from kiosk.runtime.health import HealthLoop

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1  # it was configured, but could not start (a device library, the key file…)
EXIT_NOT_CONFIGURED = 2  # not enrolled, or no hardware named for a production kiosk


class NotReady(Exception):
    """The kiosk cannot start; the message says what to do about it."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def check_ready(config: KioskConfig) -> None:
    """Everything `kiosk run` refuses before touching a device."""
    problems = []
    if config.kiosk.id is None or config.kiosk.office_id is None:
        problems.append("not enrolled: run kiosk-provision enroll")
    problems += hardware_problems(config)
    if problems:
        raise NotReady("\n".join(problems), EXIT_NOT_CONFIGURED)


class KioskService:
    """The core and its health loop, started and stopped together."""

    def __init__(self, config: KioskConfig, *, central_url: str | None = None) -> None:
        check_ready(config)
        try:
            self.core: KioskCore = build_core(config, central_url=central_url)
        except (OSError, ValueError, ImportError, DeviceError, OutboxError, IdentityError) as error:
            raise NotReady(f"cannot start: {error}", EXIT_FAILED) from error
        self.health = HealthLoop(
            self.core,
            period_s=config.heartbeat.period_s,
            status_path=config.heartbeat.status_file,
        )

    def start(self) -> None:
        self.core.start()
        self.health.start()
        mode = " (DEMO: simulated devices)" if self.core.config.kiosk.mode == "demo" else ""
        log.info("kiosk %s running%s", self.core.config.kiosk.id, mode)

    def responsive(self, timeout_s: float) -> bool:
        """The session's owner ran a no-op within ``timeout_s`` and the health loop lives:
        what systemd's watchdog should vouch for (a hung owner means a frozen kiosk)."""
        try:
            self.core.owner.post(lambda _session: None).result(timeout_s)
        except FutureTimeout:
            return False
        return self.health.alive

    def stop(self) -> None:
        self.health.stop()
        self.core.stop()
        self.health.write_stopped()
        log.info("kiosk stopped")


def serve(service: KioskService, stop: threading.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or ``stop`` is set); the exit code.

    Under systemd (``Type=notify``) it says READY=1 once started, WATCHDOG=1 at half the
    unit's ``WatchdogSec`` while the kiosk is responsive (so a hung session owner gets the
    service restarted), and STOPPING=1 on the way out; without systemd these do nothing."""
    stopping = stop or threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        service.start()
        sdnotify.ready()
        _watch(service, stopping)
    finally:
        sdnotify.stopping()
        service.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK


def _watch(service: KioskService, stopping: threading.Event) -> None:
    """Wait for the stop, feeding systemd's watchdog while the kiosk answers."""
    interval = sdnotify.watchdog_interval()
    if interval is None:
        stopping.wait()
        return
    while not stopping.wait(interval / 2):
        if service.responsive(timeout_s=interval / 4):
            sdnotify.watchdog()
        else:
            log.warning("the session owner did not answer: withholding the watchdog ping")
