"""A kiosk on the real test stacks: a centre on uvicorn, pcscd with the virtual reader, the
ESC/POS emulator on TCP; and `kiosk run` as the installed command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from central.contract.models import Fleet
from central.settings import CentralSettings
from drivers.emulator import PrinterEmulator, TcpPrinterServer
from provisioning.enroll import enroll
from tests.support.central_server import CentralServer, prepare_database
from tests.vcard.stack import PcscStack, process_stack

KIOSK = str(Path(sys.executable).parent / "kiosk")
OFFICE = "35.10.01.2001"
PERIOD_S = 1.0  # the kiosk's heartbeat period in these tests


@pytest.fixture(scope="module")
def pcsc() -> Iterator[PcscStack]:
    """pcscd with the virtual reader (``tests.vcard.stack.process_stack``)."""
    with process_stack() as stack:
        yield stack


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[tuple[PrinterEmulator, TcpPrinterServer]]:
    printer = PrinterEmulator(576, tmp_path / "receipts")
    with TcpPrinterServer(printer, port=0) as server:
        yield printer, server


@dataclass
class Centre:
    server: CentralServer
    database_url: str
    api_key: str

    @property
    def url(self) -> str:
        return self.server.url

    def fleet(self) -> Fleet:
        reply = requests.get(f"{self.url}/v1/fleet", headers={"X-Api-Key": self.api_key}, timeout=5)
        reply.raise_for_status()
        return Fleet.model_validate_json(reply.content)

    def restart_later(self) -> Callable[[], None]:
        """Stop now; the function returned starts a centre again on the same port and data."""
        port = self.server.port
        self.server.stop()

        def again() -> None:
            self.server = CentralServer(
                CentralSettings(database_url=self.database_url), port=port
            ).start()

        return again


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    prepare_database(url, residents=4)
    server = CentralServer(CentralSettings(database_url=url)).start()
    centre = Centre(server, url, server.operator_api_key())
    yield centre
    centre.server.stop()


def write_config(root: Path, state: Path, **sections: dict[str, Any]) -> Path:
    """A kiosk config directory with ``sections`` as its main file."""
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    kiosk = {"state_dir": str(state), **sections.pop("kiosk", {})}
    for name, values in {"kiosk": kiosk, **sections}.items():
        lines.append(f"[{name}]")
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else repr(value)
            lines.append(f"{key} = {text}".replace("'", '"'))
    (root / "kiosk.toml").write_text("\n".join(lines) + "\n")
    return root


def real_devices(server: TcpPrinterServer, pcsc: PcscStack) -> dict[str, dict[str, Any]]:
    return {
        "card_reader": {"driver": "pcsc", "reader_pattern": pcsc.reader_name(0)},
        "printer": {
            "driver": "network",
            "host": server.host,
            "port": server.port,
            "status_poll_s": 0.2,
            "screen_fallback": False,
        },
        "camera": {"driver": "none"},
        "heartbeat": {"period_s": PERIOD_S},
        "outbox": {"max_backoff_s": 1},
    }


@pytest.fixture
def enrolled_config(
    tmp_path: Path,
    centre: Centre,
    emulator: tuple[PrinterEmulator, TcpPrinterServer],
    pcsc: PcscStack,
) -> Path:
    config = write_config(tmp_path / "etc", tmp_path / "state", **real_devices(emulator[1], pcsc))
    enroll(config, centre.url, centre.server.enrollment_token(OFFICE))
    # after enrolment's drop-in, which sets the centre's own period (60 s)
    (config / "kiosk.d" / "95-test.toml").write_text(f"[heartbeat]\nperiod_s = {PERIOD_S}\n")
    return config


@dataclass
class KioskProcess:
    process: subprocess.Popen[str]
    config_dir: Path
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def terminate(self) -> tuple[int, float]:
        """SIGTERM; (exit code, seconds until it exited)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        return code, time.monotonic() - started


def kiosk_command(
    config_dir: Path, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANJUNGAN_CONFIG_DIR": str(config_dir)}
    return subprocess.run(
        [KIOSK, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def start_kiosk(tmp_path: Path) -> Iterator[Callable[..., KioskProcess]]:
    started: list[KioskProcess] = []

    def start(config_dir: Path, extra_env: dict[str, str] | None = None) -> KioskProcess:
        env = {**os.environ, "ANJUNGAN_CONFIG_DIR": str(config_dir), **(extra_env or {})}
        stderr_path = tmp_path / f"kiosk-{len(started)}.stderr"
        with stderr_path.open("w") as err:
            process = subprocess.Popen(
                [KIOSK, "run"], env=env, stdout=subprocess.DEVNULL, stderr=err, text=True
            )
        kiosk = KioskProcess(process, config_dir, stderr_path)
        started.append(kiosk)
        return kiosk

    yield start
    for kiosk in started:
        if kiosk.process.poll() is None:
            kiosk.process.kill()
            kiosk.process.wait(10)


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)
