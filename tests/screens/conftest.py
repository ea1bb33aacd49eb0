"""The touchscreen app on a real X server (Xvfb) in this test process, attached to a kiosk
core that is enrolled with a real centre on uvicorn and prints on the ESC/POS emulator.

Kivy creates one window per process and reads its settings then, so the display fixture is
session-wide and sets everything before the first Kivy import; each test builds a fresh app
(a new root widget) on that window. Test modules therefore import nothing that imports the
window (screens.app, screens.keys…) at module level, only inside tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from central.seeding.seed import DemoIdentity
from central.settings import CentralSettings
from kiosk.config import load_kiosk_config
from kiosk.config.schema import ScreenSection
from kiosk.demo.xvfb import NoVirtualDisplay, virtual_display
from kiosk.simulated import SimulatedKiosk, build_simulated_kiosk
from provisioning.enroll import enroll
from screens.demo.finger import Finger
from tests.journeys.conftest import kiosk_config_dir
from tests.support.central_server import CentralServer, prepare_database

SCREEN = "1920x1920x24"  # room for both orientations
DPI = 102.0  # the default screen.dpi: a 21.5-inch full HD panel


@pytest.fixture(scope="session")
def window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Xvfb on a free display (the demo's own helper), Kivy pointed at it with a private
    KIVY_HOME; the window."""
    try:
        with virtual_display(SCREEN) as display:
            yield _kivy_window(display, tmp_path_factory.mktemp("kivy-home"))
    except NoVirtualDisplay as missing:
        pytest.fail(f"{missing}: run `make system-packages`")


def _kivy_window(display: str, kivy_home: Path) -> Any:
    os.environ.update(
        DISPLAY=display,
        KIVY_HOME=str(kivy_home),
        KIVY_NO_ARGS="1",
        KIVY_LOG_MODE="PYTHON",
        KIVY_NO_FILELOG="1",
    )
    from kivy.config import Config

    Config.set("graphics", "width", "1920")
    Config.set("graphics", "height", "1080")
    Config.set("graphics", "multisamples", str(ScreenSection().multisamples))  # as a kiosk
    Config.set("kivy", "exit_on_escape", "0")
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    if tuple(EventLoop.window.size) != (1920, 1080):
        pytest.fail("Kivy's window was created before this fixture (a module-level import)")
    return EventLoop.window


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


class Ui(Finger):
    """The app on the window, and a finger (the demo tour's: real Kivy motion events through
    the window, frames pumped by hand), with what the tests look at besides: what the app
    would have said aloud."""

    def __init__(self, app: Any, root: Any, spoken: list[tuple[str, str]] | None = None) -> None:
        super().__init__(app, root)
        self.spoken = spoken if spoken is not None else []  # (text, language) said aloud

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

    def show_language(self, language: str) -> None:
        self.app.language = language
        self.frames(3)


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
