"""A kiosk core, enrolled for real with a real centre on uvicorn, with simulated devices."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from central.seeding.seed import DemoIdentity
from central.settings import CentralSettings
from kiosk.config import load_kiosk_config
from kiosk.demo.journey import JourneyLog, run_journey
from kiosk.demo.journey_script import load_script
from kiosk.session.states import State
from kiosk.simulated import SimulatedKiosk, build_simulated_kiosk
from provisioning.enroll import enroll
from tests.support.central_server import CentralServer, prepare_database


@dataclass
class Rig:
    central: CentralServer
    core: SimulatedKiosk
    people: list[DemoIdentity]
    config_dir: Path
    receipts: Path
    tmp: Path

    def play(self, body: str, name: str = "journey.toml") -> JourneyLog:
        """Run a journey script given as TOML text (indented as in the test) on this kiosk."""
        script = self.tmp / name
        script.write_text(textwrap.dedent(body))
        return run_journey(self.core, load_script(script), echo=lambda _line: None)


def start_ready(core: SimulatedKiosk, timeout_s: float = 30.0) -> SimulatedKiosk:
    """Start the kiosk and wait until it serves (catalog loaded, every device reported), as a
    resident finds it: a step taken before that is ignored, and the script fails later."""
    core.start()
    deadline = time.monotonic() + timeout_s
    while (state := core.do(lambda session: session.state)) is not State.IDLE:
        if time.monotonic() > deadline:
            raise AssertionError(f"the kiosk is {state} {timeout_s} s after starting, not idle")
        time.sleep(0.02)
    return core


def kiosk_config_dir(tmp: Path) -> Path:
    config = tmp / "etc"
    config.mkdir()
    (config / "kiosk.toml").write_text(
        f'[kiosk]\nmode = "demo"\nstate_dir = "{tmp / "state"}"\nidle_timeout_s = 60\n'
        "warning_countdown_s = 10\n"
        f'[identity]\nkey_file = "{tmp / "state" / "kiosk.key"}"\n'
        f'[outbox]\npath = "{tmp / "state" / "outbox.sqlite3"}"\nmax_backoff_s = 2\n'
        # A sign-in slower than the read timeout leaves the session asking for the PIN, and
        # every later step of the script is ignored: the likeliest reading of a CI run that
        # failed under load (no sign-in request finished, the session still on the PIN).
        "[central]\nread_timeout_s = 15\nretries = 0\n"
    )
    return config


def page_photo(path: Path, seed: int = 0) -> Path:
    """A photo of a page on a wooden-ish tray: good enough for the scan step."""
    rng = np.random.default_rng(seed)
    frame = np.full((900, 1200, 3), (60, 90, 130), np.uint8)
    frame += rng.integers(0, 20, frame.shape, dtype=np.uint8)
    page = np.array([[250, 120], [950, 150], [930, 820], [230, 790]], np.int32)
    cv2.fillConvexPoly(frame, page, (235, 235, 230))
    for row in range(8):
        cv2.putText(
            frame,
            "KARTU KELUARGA 3510 " * 2,
            (280, 220 + row * 70),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.7,
            (30, 30, 30),
            2,
        )
    cv2.imwrite(str(path), frame)
    return path


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    people = prepare_database(url, residents=12)
    central = CentralServer(CentralSettings(database_url=url)).start()
    config_dir = kiosk_config_dir(tmp_path)
    enroll(config_dir, central.url, central.enrollment_token("35.10.01.2001"))
    receipts = tmp_path / "receipts"
    receipts.mkdir()
    core = start_ready(
        build_simulated_kiosk(load_kiosk_config(config_dir, env={}), receipts_dir=receipts)
    )
    yield Rig(central, core, people, config_dir, receipts, tmp_path)
    core.stop()
    central.stop()
