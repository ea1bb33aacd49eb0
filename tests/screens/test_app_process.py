"""`kiosk app` as systemd runs it: a process on the X display that says READY=1 once the
attract screen is drawn, keeps WATCHDOG=1 coming from its UI loop, ignores a window close
request, and stops cleanly (exit 0) on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from central.settings import CentralSettings
from provisioning.enroll import enroll
from tests.journeys.conftest import kiosk_config_dir
from tests.support.central_server import CentralServer, prepare_database

KIOSK = str(Path(sys.executable).parent / "kiosk")
WAIT_S = 60.0
STOP_S = 5.0  # systemd's default stop timeout before SIGKILL


def test_kiosk_app_notifies_ready_and_watchdog_and_stops_on_sigterm(
    window: Any, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    prepare_database(url, residents=2)
    central = CentralServer(CentralSettings(database_url=url)).start()
    try:
        config_dir = kiosk_config_dir(tmp_path)
        with (config_dir / "kiosk.toml").open("a") as config:
            config.write("[screen]\nfullscreen = false\n")
        enroll(config_dir, central.url, central.enrollment_token("35.10.01.2001"))
        address = str(tmp_path / "notify")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(address)
            sock.settimeout(WAIT_S)
            env = {
                **os.environ,
                "NOTIFY_SOCKET": address,
                "WATCHDOG_USEC": "400000",
                "KIVY_HOME": str(tmp_path / "kivy-home"),
            }
            app = subprocess.Popen(
                [KIOSK, "app", "--config-dir", str(config_dir)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                messages = [sock.recv(64), sock.recv(64), sock.recv(64)]
            finally:
                started = time.monotonic()
                app.send_signal(signal.SIGTERM)
                _, stderr = app.communicate(timeout=30)
            stopped_in = time.monotonic() - started
    finally:
        central.stop()
    assert messages[0] == b"READY=1", stderr
    assert messages[1:] == [b"WATCHDOG=1", b"WATCHDOG=1"]
    assert app.returncode == 0, stderr
    assert stopped_in < STOP_S
    assert "Traceback" not in stderr


def test_a_close_request_does_not_close_the_kiosk(window: Any) -> None:
    from screens.app import make_appliance

    make_appliance()
    assert window.dispatch("on_request_close") is True  # handled: the window stays
    assert window.show_cursor is False
