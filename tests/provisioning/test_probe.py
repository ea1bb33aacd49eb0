"""`kiosk-provision probe`: the parsers on sample /sys and /proc files, and the installed
command on this PC with pcscd and the virtual reader running."""

from __future__ import annotations

import json
from pathlib import Path

from provisioning.probe import displays, network, touch_devices
from tests.provisioning.conftest import provision
from tests.vcard.stack import PcscStack

INPUT_DEVICES = """\
I: Bus=0019 Vendor=0000 Product=0001 Version=0000
N: Name="Power Button"
H: Handlers=kbd event0
B: PROP=0

I: Bus=0003 Vendor=0eef Product=0001 Version=0111
N: Name="eGalax Inc. eGalaxTouch EXC3000"
H: Handlers=mouse1 event5
B: PROP=2
B: EV=1b
"""

ROUTE = """\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask
enp1s0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF
enp1s0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000
"""


def test_touch_panels_are_the_input_devices_with_direct_coordinates(tmp_path: Path) -> None:
    devices = tmp_path / "devices"
    devices.write_text(INPUT_DEVICES)
    found = touch_devices(devices)
    assert [(t.name, t.handlers) for t in found] == [
        ("eGalax Inc. eGalaxTouch EXC3000", ["mouse1", "event5"])
    ]


def test_displays_come_from_the_drm_connectors(tmp_path: Path) -> None:
    for name, status, modes in (
        ("card0-HDMI-A-1", "connected", "1920x1080\n1920x1080\n1280x720\n"),
        ("card0-DP-1", "disconnected", ""),
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "status").write_text(status + "\n")
        (tmp_path / name / "modes").write_text(modes)
    (tmp_path / "card0").mkdir()  # the card itself is not a connector
    found = displays(tmp_path)
    assert [(d.connector, d.connected, d.modes) for d in found] == [
        ("DP-1", False, []),
        ("HDMI-A-1", True, ["1920x1080", "1280x720"]),
    ]


def test_network_reads_the_default_route_and_the_nameservers(tmp_path: Path) -> None:
    (tmp_path / "route").write_text(ROUTE)
    (tmp_path / "resolv.conf").write_text("# local\nnameserver 192.168.1.1\nnameserver 1.1.1.1\n")
    net = network(tmp_path / "route", tmp_path / "resolv.conf")
    assert (net.default_interface, net.gateway) == ("enp1s0", "192.168.1.1")
    assert net.nameservers == ["192.168.1.1", "1.1.1.1"]
    (tmp_path / "route").write_text(ROUTE.splitlines()[0] + "\n")
    assert network(tmp_path / "route", tmp_path / "missing").default_interface is None


def _config(tmp_path: Path) -> Path:
    root = tmp_path / "etc"
    root.mkdir()
    (root / "kiosk.toml").write_text(f'[kiosk]\nstate_dir = "{tmp_path / "state"}"\n')
    return root


def test_the_command_lists_the_reader_pcscd_knows(pcsc: PcscStack, tmp_path: Path) -> None:
    config = _config(tmp_path)
    table = provision("probe", "--config-dir", str(config))
    assert table.returncode == 0, table.stderr
    readers = [line for line in table.stdout.splitlines() if line.startswith("pcsc-reader")]
    assert readers and all("Virtual PCD" in line for line in readers), table.stdout
    assert "disk" in table.stdout and str(tmp_path / "state") in table.stdout

    as_json = provision("probe", "--json", "--config-dir", str(config))
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert [d["kind"] for d in report["devices"]].count("pcsc-reader") == len(readers)
    assert report["disk"]["path"] == str(tmp_path / "state")
    assert report["disk"]["free_mb"] > 0
    assert set(report) >= {"displays", "touch", "network", "notes"}


def test_a_broken_config_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "etc"
    config.mkdir()
    (config / "kiosk.toml").write_text("[kiosk\n")
    result = provision("probe", "--config-dir", str(config))
    assert result.returncode == 1
    assert "probe failed" in result.stderr and "Traceback" not in result.stderr
