"""No silent simulators: a kiosk whose config names no hardware refuses to run, and says what
to configure; demo mode allows simulators and says DEMO."""

from __future__ import annotations

import json
from pathlib import Path

from tests.runtime.conftest import kiosk_command, write_config

DEVICES = ("card_reader.driver", "printer.driver", "camera.driver")


def test_bare_config_fails_check_and_run_naming_the_devices(tmp_path: Path) -> None:
    config = write_config(tmp_path / "etc", tmp_path / "state")
    check = kiosk_command(config, "config", "check")
    run = kiosk_command(config, "run", timeout=30)
    for result in (check, run):
        assert result.returncode == 2 if result is run else result.returncode == 1
        for key in DEVICES:
            assert key in result.stderr
        assert 'kiosk.mode = "demo"' in result.stderr
        assert "Traceback" not in result.stderr
    assert "not enrolled" in run.stderr
    assert not (tmp_path / "state").exists()  # refused before anything was made


def test_one_device_left_simulated_is_named_alone(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "etc",
        tmp_path / "state",
        card_reader={"driver": "pcsc"},
        camera={"driver": "none"},
    )
    check = kiosk_command(config, "config", "check")
    assert check.returncode == 1
    assert "printer.driver" in check.stderr
    assert "card_reader" not in check.stderr and "camera" not in check.stderr


def test_demo_mode_allows_simulators(tmp_path: Path) -> None:
    config = write_config(tmp_path / "etc", tmp_path / "state", kiosk={"mode": "demo"})
    assert kiosk_command(config, "config", "check").returncode == 0


def test_status_without_a_running_kiosk_says_so(tmp_path: Path) -> None:
    config = write_config(tmp_path / "etc", tmp_path / "state")
    status = kiosk_command(config, "status")
    assert status.returncode == 2
    assert "is `kiosk run` running here?" in status.stderr
    assert str(tmp_path / "state" / "status.json") in status.stderr


def test_a_kiosk_without_its_key_says_so_and_exits_1(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "etc",
        tmp_path / "state",
        kiosk={"id": "KSK-LOSTKEY", "office_id": "35.10.01.2001", "mode": "demo"},
    )
    run = kiosk_command(config, "run", timeout=30)
    assert run.returncode == 1
    assert f"no kiosk key at {tmp_path / 'state' / 'identity' / 'kiosk.key'}" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_kiosk_without_a_camera_lists_none(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "etc", tmp_path / "state", kiosk={"mode": "demo"}, camera={"driver": "none"}
    )
    devices = kiosk_command(config, "devices", "--json", "--timeout", "1")
    roles = [device["role"] for device in json.loads(devices.stdout)["configured"]]
    assert roles == ["printer", "card_reader"]
