"""The touchscreen app on a real X server (Xvfb) in this test process, attached to a kiosk
core that is enrolled with a real centre on uvicorn and prints on the ESC/POS emulator.

Kivy creates one window per process and reads its settings then, so the display fixture is
session-wide and sets everything before the first Kivy import; each test builds a fresh app
(a new root widget) on that window. Test modules therefore import nothing that imports the
window (screens.app, screens.keys…) at module level, only inside tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from central.seeding.seed import DemoIdentity
from central.settings import CentralSettings
from kiosk.config import load_kiosk_config
from kiosk.simulated import SimulatedKiosk, build_simulated_kiosk
from provisioning.enroll import enroll
from tests.journeys.conftest import kiosk_config_dir
from tests.support.central_server import CentralServer, prepare_database

SCREEN = "1920x1920x24"  # room for both orientations
DPI = 102.0  # the default screen.dpi: a 21.5-inch full HD panel
FRAME_WAIT_S = 45.0  # generous: a loaded CI machine shares its cores with the centre


def _free_display() -> int:
    for number in range(90, 190):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise RuntimeError("no free X display number between :90 and :189")


@pytest.fixture(scope="session")
def window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Xvfb on a free display, Kivy pointed at it with a private KIVY_HOME; the window."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is missing: run `make system-packages` (Debian package xvfb)")
    number = _free_display()
    server = subprocess.Popen(
        [xvfb, f":{number}", "-screen", "0", SCREEN, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"Xvfb did not start on :{number}")
        time.sleep(0.05)
    os.environ.update(
        DISPLAY=f":{number}",
        KIVY_HOME=str(tmp_path_factory.mktemp("kivy-home")),
        KIVY_NO_ARGS="1",
        KIVY_LOG_MODE="PYTHON",
        KIVY_NO_FILELOG="1",
    )
    from kivy.config import Config

    Config.set("graphics", "width", "1920")
    Config.set("graphics", "height", "1080")
    Config.set("kivy", "exit_on_escape", "0")
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    if tuple(EventLoop.window.size) != (1920, 1080):
        pytest.fail("Kivy's window was created before this fixture (a module-level import)")
    yield EventLoop.window
    server.terminate()
    server.wait(10)


@dataclass
class Rig:
    central: CentralServer
    kiosk: SimulatedKiosk
    people: list[DemoIdentity]
    receipts: Path
    tmp: Path

    def person(self) -> DemoIdentity:
        """Someone who signs in with their PIN as it is (no first-time PIN change)."""
        return next(p for p in self.people if not p.must_change_pin)


@pytest.fixture
def printer_section() -> str:
    """Extra kiosk.toml text for the printer; a test overrides it to use the TCP emulator."""
    return ""


@pytest.fixture
def rig(tmp_path: Path, printer_section: str) -> Iterator[Rig]:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    people = prepare_database(url, residents=6)
    central = CentralServer(CentralSettings(database_url=url)).start()
    config_dir = kiosk_config_dir(tmp_path)
    with (config_dir / "kiosk.toml").open("a") as config:
        config.write(printer_section)
    enroll(config_dir, central.url, central.enrollment_token("35.10.01.2001"))
    receipts = tmp_path / "receipts"
    receipts.mkdir()
    kiosk = build_simulated_kiosk(load_kiosk_config(config_dir, env={}), receipts_dir=receipts)
    kiosk.start()
    yield Rig(central, kiosk, people, receipts, tmp_path)
    kiosk.stop()
    central.stop()


class Ui:
    """The app on the window, and a finger: frames are pumped by hand, touches are real
    Kivy motion events dispatched through the window."""

    def __init__(self, app: Any, root: Any, spoken: list[tuple[str, str]] | None = None) -> None:
        self.app = app
        self.root = root
        self.touches = 0
        self.spoken = spoken if spoken is not None else []  # (text, language) said aloud

    @property
    def screen(self) -> str:
        return str(self.root.ids.manager.current)

    def frames(self, count: int = 3) -> None:
        from kivy.base import EventLoop

        for _ in range(count):
            EventLoop.idle()

    def until(self, done: Callable[[], bool], what: str, timeout_s: float = FRAME_WAIT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                notice = self.root.ids.toast.text
                pytest.fail(
                    f"timed out waiting for {what} (screen: {self.screen}; notice: {notice!r})"
                )
            self.frames(1)
        self.frames(2)  # let the kv bindings settle

    def on(self, screen: str) -> None:
        self.until(lambda: self.screen == screen, f"the {screen} screen")

    def tap(self, widget: Any) -> None:
        """A touch down and up at the widget's centre, in window coordinates."""
        from kivy.tests.common import UnitTestTouch

        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.touches += 1
        self.frames(2)

    def buttons(self, text: str) -> list[Any]:
        return [w for w in self.visible() if getattr(w, "text", None) == text and _pressable(w)]

    def button(self, text: str) -> Any:
        found = self.buttons(text)
        if not found:
            pytest.fail(f"no button {text!r} on the {self.screen} screen: {self.texts()}")
        return found[0]

    def press(self, *labels: str) -> None:
        for label in labels:
            self.tap(self.button(label))

    def visible(self) -> list[Any]:
        """The widgets a resident sees: the current screen's and the overlays', not hidden."""
        shown: list[Any] = []

        def walk(widget: Any) -> None:
            if widget.opacity == 0:
                return
            if widget is self.root.ids.manager:
                walk(widget.current_screen)
                return
            shown.append(widget)
            for child in widget.children:
                walk(child)

        walk(self.root)
        return shown

    def texts(self) -> list[str]:
        return [
            w.text for w in self.visible() if isinstance(getattr(w, "text", None), str) and w.text
        ]

    def every_text(self) -> list[str]:
        """Every text of every widget the app holds, on every screen, shown or not."""
        return [
            w.text
            for w in self.root.walk(restrict=False)
            if isinstance(getattr(w, "text", None), str)
        ] + [
            w.text
            for s in self.root.ids.manager.screens
            for w in s.walk(restrict=False)
            if isinstance(getattr(w, "text", None), str)
        ]

    def screenshot(self, path: Path) -> Path:
        """The window's picture as the resident sees it (all layers), as a PNG."""
        self.frames(2)
        self.root.export_to_png(str(path))
        return path

    def show_language(self, language: str) -> None:
        self.app.language = language
        self.frames(3)


def _pressable(widget: Any) -> bool:
    from kivy.uix.behaviors import ButtonBehavior

    return isinstance(widget, ButtonBehavior) and not widget.disabled


@pytest.fixture
def ui(window: Any, rig: Rig) -> Iterator[Ui]:
    from screens.app import KioskApp
    from screens.speech.speaker import Speaker

    spoken: list[tuple[str, str]] = []
    scanner = rig.kiosk.core.scanner
    app = KioskApp(
        rig.kiosk.core.owner,
        language="id",
        dpi=DPI,
        demo=True,
        preview=scanner.preview if scanner is not None else None,
        # No synthesis in tests (tests/screens/test_speech.py runs espeak-ng): the hook
        # records what would be spoken, once a test turns speech on.
        speaker=Speaker(None, record=lambda text, language: spoken.append((text, language))),
    )
    root = app.build()
    window.add_widget(root)
    shown = Ui(app, root, spoken)
    shown.on("attract")
    yield shown
    app.dispatch("on_stop")  # also drops kv's cached `app`, for the next test's app
    window.remove_widget(root)
