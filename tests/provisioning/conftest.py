"""Fixtures for the technician's commands: a real centre on loopback, a kiosk config folder,
and the installed `kiosk-provision` run as a technician runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from central.settings import CentralSettings
from drivers.emulator import PrinterEmulator, TcpPrinterServer
from tests.support.central_server import CentralServer, prepare_database
from tests.vcard.stack import PcscStack, process_stack

PROVISION = str(Path(sys.executable).parent / "kiosk-provision")
OFFICE = "35.10.01.2001"


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[CentralServer]:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    prepare_database(url, residents=2)
    server = CentralServer(CentralSettings(database_url=url)).start()
    yield server
    server.stop()


def make_config(root: Path) -> Path:
    """A kiosk config folder whose state lives beside it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "kiosk.toml").write_text(f'[kiosk]\nstate_dir = "{root / "state"}"\n')
    return root


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return make_config(tmp_path / "etc")


def provision(
    *argv: str,
    stdin: str | None = None,
    prefix: Sequence[str] = (),
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ANJUNGAN_DEBUG"}
    return subprocess.run(
        [*prefix, PROVISION, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def pcsc() -> Iterator[PcscStack]:
    """pcscd with the virtual reader (``tests.vcard.stack.process_stack``)."""
    with process_stack() as stack:
        yield stack


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[TcpPrinterServer]:
    """The ESC/POS emulator on a loopback TCP port."""
    with TcpPrinterServer(PrinterEmulator(576, tmp_path / "receipts"), port=0) as server:
        yield server
