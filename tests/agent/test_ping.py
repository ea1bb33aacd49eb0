"""`kiosk health ping`, the installed command as the timer runs it, against a real centre on
loopback and a real `kiosk run` (simulated devices, demo mode): the fleet tells "app down"
from "up" and from "offline", and a ping made while the centre is away arrives later, once."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from central.contract.models import AppHealth, FleetKiosk, Liveness
from central.settings import CentralSettings
from provisioning.enroll import enroll
from tests.runtime.conftest import (
    KIOSK,
    OFFICE,
    Centre,
    KioskProcess,
    wait_for,
    write_config,
)
from tests.support.central_server import CentralServer, prepare_database

PERIOD_S = 1.0
START_S = 30.0


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    prepare_database(url, residents=2)
    server = CentralServer(CentralSettings(database_url=url)).start()
    centre = Centre(server, url, server.operator_api_key())
    yield centre
    centre.server.stop()


@pytest.fixture
def config(tmp_path: Path, centre: Centre) -> Path:
    config = write_config(tmp_path / "etc", tmp_path / "state", kiosk={"mode": "demo"})
    enroll(config, centre.url, centre.server.enrollment_token(OFFICE))
    (config / "kiosk.d" / "95-test.toml").write_text(f"[heartbeat]\nperiod_s = {PERIOD_S}\n")
    return config


def ping(config: Path, agent_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KIOSK, "health", "ping", "--config-dir", str(config), "--agent-dir", str(agent_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def entry(centre: Centre) -> FleetKiosk:
    (kiosk,) = centre.fleet().kiosks
    return kiosk


def test_the_agent_reports_the_app_up_then_down_when_it_stops(
    tmp_path: Path, centre: Centre, config: Path, start_kiosk: Callable[[Path], KioskProcess]
) -> None:
    agent_dir = tmp_path / "agent"
    before = ping(config, agent_dir)  # installed, enrolled, the app not started yet
    assert before.returncode == 0, before.stderr
    assert "app DOWN (no_status)" in before.stdout
    assert entry(centre).liveness is Liveness.APP_DOWN

    kiosk = start_kiosk(config)
    wait_for((tmp_path / "state" / "status.json").exists, START_S, "a status file")
    running = ping(config, agent_dir)
    assert running.returncode == 0, running.stderr
    assert "app up (AVAILABLE" in running.stdout
    shown = entry(centre)
    assert shown.liveness is Liveness.UP
    assert shown.agent is not None and shown.agent.app is AppHealth.UP

    assert kiosk.terminate()[0] == 0
    centre.server.clock.advance(PERIOD_S)  # the agent speaks after the app's last heartbeat
    stopped = ping(config, agent_dir)
    assert "app DOWN (stopped" in stopped.stdout, stopped.stdout + stopped.stderr
    assert entry(centre).liveness is Liveness.APP_DOWN
    assert "Traceback" not in before.stderr + running.stderr + stopped.stderr


def test_a_ping_while_the_centre_is_away_is_kept_and_delivered_once_later(
    tmp_path: Path, centre: Centre, config: Path
) -> None:
    agent_dir = tmp_path / "agent"
    again = centre.restart_later()
    away = ping(config, agent_dir)
    assert away.returncode == 1, away.stderr
    assert "centre not reached" in away.stdout and "1 waiting" in away.stdout
    again()
    back = ping(config, agent_dir)
    assert back.returncode == 0, back.stderr
    assert "2 report(s) delivered, 0 waiting" in back.stdout
    assert ping(config, agent_dir).stdout.endswith("1 report(s) delivered, 0 waiting\n")
    assert entry(centre).agent is not None


def test_an_unready_kiosk_gets_one_line_and_exit_2(tmp_path: Path) -> None:
    bare = write_config(tmp_path / "bare", tmp_path / "bare-state")
    result = ping(bare, tmp_path / "agent")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "kiosk health ping: not enrolled: run kiosk-provision enroll\n"
    (bare / "kiosk.toml").write_text("[heartbeat]\nperiod_s = -1\n")
    broken = ping(bare, tmp_path / "agent")
    assert broken.returncode == 2 and "invalid configuration" in broken.stderr
    assert "kiosk.toml" in broken.stderr and "Traceback" not in broken.stderr
