"""Technician maintenance mode: opened by a long press on the top-left corner plus the
technician PIN, or by a technician card. While it is open the kiosk is
UNAVAILABLE(maintenance) (the router tells the session); the technician sees every device's
status, the centre's reachability, the outbox backlog, the version, kiosk id and office, and
can print a test receipt, say the paper was replaced, watch the camera with the detector's
outline, and restart the app.

Every check and action runs on this screen's one worker thread (scrypt, HTTP, the printer);
answers come back through Kivy's clock, so the UI never waits.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.maintenance import Checkup, Maintenance
from kiosk.technician import TechnicianGate, Verdict
from screens.base import KioskScreen, load_rules
from screens.text import word

T = TypeVar("T")

STATE_WORDS = {
    "online": ("menyala", "online"),
    "offline": ("mati", "offline"),
    "error": ("rusak", "error"),
    "busy": ("sibuk", "busy"),
    "unknown": ("belum diketahui", "unknown"),
}
SUPPLY_WORDS = {
    "full": ("cukup", "enough"),
    "low": ("hampir habis", "running low"),
    "out": ("habis", "out"),
    "unknown": ("belum diketahui", "unknown"),
    "n/a": ("-", "-"),
}


def describe(checkup: Checkup, language: str) -> str:
    """The checkup as lines a technician reads (no personal data is in a checkup)."""
    en = language == "en"

    def say(key: str, **values: object) -> str:
        return word(key, language).format(**values)

    lines = [
        say(
            "tech.identity",
            version=checkup.version,
            kiosk=checkup.kiosk_id or "-",
            office=checkup.office_id or "-",
        ),
    ]
    for role, status in checkup.devices.items():
        state = STATE_WORDS.get(status.state.value, (status.state.value,) * 2)[en]
        supply = SUPPLY_WORDS.get(status.supply.value, (status.supply.value,) * 2)[en]
        extra = [f"{say('tech.paper')} {supply}"] if role == "printer" else []
        if status.cover.value == "open":
            extra.append(say("tech.cover_open"))
        lines.append(f"{say('tech.device.' + role)}: {', '.join([state, *extra])}")
    lines.append(
        say("tech.centre", url=checkup.centre_url)
        + ": "
        + say("tech.reachable" if checkup.centre_reachable else "tech.unreachable")
    )
    lines.append(say("tech.network", address=checkup.local_address or say("tech.no_route")))
    lines.append(say("tech.backlog", count=checkup.backlog))
    return "\n".join(lines)


class MaintenanceScreen(KioskScreen):
    unlocked = BooleanProperty(False)
    message = StringProperty("")  # the last answer: wrong PIN, printed, paper checked…
    report = StringProperty("")
    previewing = BooleanProperty(False)
    busy = BooleanProperty(False)  # a check or action is running on the worker

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tools: Maintenance | None = None
        self.gate = TechnicianGate(None)
        self._worker: ThreadPoolExecutor | None = None

    def run(self, work: Callable[[], T], then: Callable[[T], None]) -> None:
        """``work`` on the worker thread, ``then`` with its result on the UI thread."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maintenance")
        self.busy = True

        def done(future: Future[T]) -> None:
            def back(_dt: float) -> None:
                self.busy = False
                if future.exception() is None:
                    then(future.result())
                else:
                    self.message = word("tech.failed", self._language())

            Clock.schedule_once(back, 0)

        self._worker.submit(work).add_done_callback(done)

    @staticmethod
    def _language() -> str:
        return str(App.get_running_app().language)

    # ------------------------------------------------------------------ locked

    def lock(self) -> None:
        self.stop_preview()
        self.unlocked = False
        self.message = ""
        self.report = ""
        self.ids.keypad.clear()

    def entered(self, pin: str) -> None:
        """The technician PIN from the keypad: checked (and counted) on the worker."""
        self.run(lambda: self.gate.check_pin(pin), self._verdict)

    def _verdict(self, verdict: Verdict) -> None:
        language = self._language()
        if verdict is Verdict.OPEN:
            App.get_running_app().router.maintenance_opened()
        elif verdict is Verdict.LOCKED:
            seconds = round(self.gate.locked_for())
            self.message = word("tech.locked", language).format(seconds=seconds)
        elif verdict is Verdict.NOT_SET:
            self.message = word("tech.not_set", language)
        else:
            self.message = word("tech.wrong", language)

    # ------------------------------------------------------------------ open

    def unlock(self) -> None:
        self.unlocked = True
        self.message = ""
        self.refresh()

    def refresh(self) -> None:
        tools = self.tools
        if tools is not None:
            self.run(
                tools.checkup, lambda c: setattr(self, "report", describe(c, self._language()))
            )

    def print_test(self) -> None:
        if self.tools is not None:
            self.run(
                self.tools.print_test,
                lambda ok: self._said("tech.printed" if ok else "tech.print_failed"),
            )

    def paper_replaced(self) -> None:
        if self.tools is not None:
            self.run(self.tools.paper_replaced, lambda _status: self._checked())

    def _checked(self) -> None:
        self._said("tech.paper_checked")
        self.refresh()

    def _said(self, key: str) -> None:
        self.message = word(key, self._language())

    def toggle_preview(self) -> None:
        if self.tools is None or not self.tools.has_camera:
            self._said("tech.no_camera")
        elif self.previewing:
            self.stop_preview()
        else:
            self.previewing = True
            self.ids.preview.start()
            self.run(self.tools.start_preview, lambda _none: None)

    def stop_preview(self) -> None:
        if self.previewing and self.tools is not None:
            self.previewing = False
            self.ids.preview.stop()
            self.run(self.tools.stop_preview, lambda _none: None)

    def forget(self) -> None:
        self.ids.keypad.clear()

    def close(self) -> None:
        """The app is stopping: no worker thread outlives it."""
        self.stop_preview()
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)
            self._worker = None


load_rules(__name__)
