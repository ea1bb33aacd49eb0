"""The one launcher of ``kiosk-central serve`` (central/commands/process.py) that the demo, the
tests
and the benches share: ready when /healthz answers, its whole group gone when stopped, a
failed start told with the server's own words."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from central.commands.process import CentralProcess, CentralStartError
from tests.central.test_cli import run


def test_serves_then_stops_its_whole_process_group(env: dict[str, str]) -> None:
    assert run("kiosk-central", "migrate", env=env).returncode == 0
    with CentralProcess(["--workers", "2"], env=env) as server:
        assert requests.get(f"{server.url}/healthz", timeout=5).json() == {"status": "ok"}
        group = server.pid
    assert _group_gone(group, within_s=10), "a worker of the stopped server is still running"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/healthz", timeout=2)


def _group_gone(group: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_server_that_exits_is_a_clear_error_with_its_log(
    env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "central.log"
    server = CentralProcess(env=env, log_path=log)  # the database was never migrated
    with pytest.raises(CentralStartError, match="kiosk-central migrate"):
        server.start()
    with pytest.raises(CentralStartError, match="not running"):
        _ = server.pid
