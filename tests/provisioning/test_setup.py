"""End to end (issue 14 item 7): a fresh staging root and a running centre → `kiosk-provision
setup` with simulated devices → `kiosk run` and the health agent's first ping show the kiosk up
on /v1/fleet; the runtime stops → the next ping shows "app down". (An update to a version that
fails its health check rolling back by itself: test_update.py, with real virtualenvs.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from central.contract.models import Fleet, FleetKiosk, Liveness
from tests.provisioning.conftest import OFFICE, provision
from tests.runtime.conftest import wait_for
from tests.support.central_server import CentralServer

KIOSK = str(Path(sys.executable).parent / "kiosk")
START_S = 30.0


def _setup(centre_url: str, root: Path, token: str) -> subprocess.CompletedProcess[str]:
    return provision(
        "setup", "--central", centre_url, "--root", str(root), "--demo", "--yes", stdin=token
    )


def _entry(centre: CentralServer, api_key: str) -> FleetKiosk:
    reply = requests.get(f"{centre.url}/v1/fleet", headers={"X-Api-Key": api_key}, timeout=10)
    (kiosk,) = Fleet.model_validate_json(reply.content).kiosks
    return kiosk


def test_setup_to_serving_and_the_centre_tells_app_down(
    centre: CentralServer, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    token = centre.enrollment_token(OFFICE)
    done = _setup(centre.url, root, token)
    assert done.returncode == 0, done.stdout + done.stderr
    steps = [line.split(":")[0] for line in done.stdout.splitlines() if line.startswith("[")]
    assert steps == ["[1/4] install", "[2/4] configure", "[3/4] enroll", "[4/4] selftest"]
    assert "[4/4] selftest: all 10 pass" in done.stdout  # card read, receipt and frame too
    assert (root / "etc/systemd/system/anjungan-health.timer").exists()

    config = root / "etc" / "anjungan"
    agent = [KIOSK, "health", "ping", "--config-dir", str(config),
             "--agent-dir", str(root / "var/lib/anjungan/agent")]  # fmt: skip
    env = {**os.environ, "ANJUNGAN_CONFIG_DIR": str(config)}
    runtime = subprocess.Popen(
        [KIOSK, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for((root / "var/lib/anjungan/status.json").exists, START_S, "the status file")
        first = subprocess.run(agent, capture_output=True, text=True, timeout=60, check=False)
        assert first.returncode == 0, first.stderr
        api_key = centre.operator_api_key()
        shown = _entry(centre, api_key)
        assert shown.liveness is Liveness.UP
        assert shown.agent is not None and shown.agent.app_state == "AVAILABLE"
        assert shown.heartbeat is not None and shown.heartbeat.demo is True
    finally:
        runtime.send_signal(signal.SIGTERM)
        _out, errors = runtime.communicate(timeout=30)
    assert runtime.returncode == 0 and "Traceback" not in errors

    period = centre.context.settings.heartbeat_period_s
    centre.clock.advance(period)  # the timer's next ping, one interval later
    after = subprocess.run(agent, capture_output=True, text=True, timeout=60, check=False)
    assert "app DOWN (stopped" in after.stdout, after.stdout + after.stderr
    assert _entry(centre, api_key).liveness is Liveness.APP_DOWN

    again = _setup(centre.url, root, "")  # resumable: a second run asks for no token
    assert again.returncode == 0, again.stderr
    assert "[1/4] install: already in place" in again.stdout
    assert "[3/4] enroll: already enrolled as" in again.stdout


def test_a_failed_setup_is_resumed_by_running_it_again(
    centre: CentralServer, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    token = centre.enrollment_token(OFFICE)
    unreachable = _setup("http://127.0.0.1:9", root, token)
    assert unreachable.returncode == 1
    assert "[2/4] configure" in unreachable.stdout and "[3/4]" not in unreachable.stdout
    assert "cannot reach the centre" in unreachable.stderr
    assert "run the same command again" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr

    resumed = _setup(centre.url, root, token)  # the same token: it was not spent
    assert resumed.returncode == 0, resumed.stderr
    assert "[1/4] install: already in place" in resumed.stdout
    assert "[3/4] enroll: enrolled as" in resumed.stdout
