"""`kiosk-provision configure`: the drop-in it writes from the probe, the flags and the answers;
the installed command with pcscd and the virtual reader running, and its choices on their own."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from drivers.probe import DetectedDevice
from provisioning.configure import Answers, ConfigureFailed, decide
from tests.provisioning.conftest import PROVISION, make_config, provision
from tests.vcard.stack import PcscStack

DROPIN = Path("kiosk.d") / "10-provision.toml"


def _dropin(config: Path) -> dict[str, dict[str, object]]:
    return tomllib.loads((config / DROPIN).read_text())


def test_the_probe_proposes_the_reader_flags_choose_the_rest_and_a_rerun_replaces_all(
    pcsc: PcscStack, tmp_path: Path
) -> None:
    config = make_config(tmp_path / "etc")
    main = (config / "kiosk.toml").read_bytes()
    first = provision(
        "configure", "--yes", "--printer", "network:192.0.2.7:9100", "--paper", "58mm",
        "--config-dir", str(config),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    written = _dropin(config)
    assert written["card_reader"]["driver"] == "pcsc"
    assert "Virtual PCD" in str(written["card_reader"]["reader_pattern"])
    assert written["printer"] == {
        "driver": "network", "host": "192.0.2.7", "port": 9100, "profile": "58mm"
    }  # fmt: skip
    assert written["camera"] == {"driver": "none"} or written["camera"]["driver"] == "opencv"
    assert "printer" in first.stdout and str(config / DROPIN) in first.stdout

    again = provision(
        "configure", "--yes", "--card-reader", "keyboard-wedge", "--printer", "usb:0416:5011",
        "--camera", "none", "--config-dir", str(config),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    written = _dropin(config)
    assert written["card_reader"] == {"driver": "keyboard-wedge"}
    assert written["printer"] == {
        "driver": "usb", "usb_vendor_id": 0x0416, "usb_product_id": 0x5011
    }  # fmt: skip
    assert (config / "kiosk.toml").read_bytes() == main


def _configure_without_readers(config: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """As the technician runs it on a PC where pcscd knows no reader (no test pcscd)."""
    env = {k: v for k, v in os.environ.items() if k != "ANJUNGAN_DEBUG"}
    env["PCSCLITE_CSOCK_NAME"] = str(config / "no-pcscd.socket")
    return subprocess.run(
        [PROVISION, "configure", "--config-dir", str(config), *argv],
        capture_output=True, text=True, timeout=60, check=False, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "nothing found or chosen for: card_reader, printer; give --card-reader, --printer"),
        (("--card-reader", "pcsc", "--printer", "usb:zz:1"), "not a hexadecimal USB id"),
        (("--card-reader", "nfc", "--printer", "file:/dev/null"), "card reader 'nfc': expected"),
        (("--card-reader", "simulated", "--printer", "file:/dev/null"), "add --demo"),
    ],
)
def test_what_cannot_be_configured_is_said_and_nothing_is_written(
    tmp_path: Path, argv: tuple[str, ...], message: str
) -> None:
    config = make_config(tmp_path / "etc")
    result = _configure_without_readers(config, *argv)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (config / DROPIN).exists()


def test_a_demo_kiosk_gets_simulated_devices(tmp_path: Path) -> None:
    config = make_config(tmp_path / "etc")
    result = _configure_without_readers(config, "--demo", "--camera", "none")
    assert result.returncode == 0, result.stderr
    written = _dropin(config)
    assert written["kiosk"] == {"mode": "demo"}
    assert written["card_reader"] == {"driver": "simulated"}
    assert written["camera"] == {"driver": "none"}


@pytest.mark.in_process
def test_answers_at_the_prompt() -> None:
    found = [
        DetectedDevice("pcsc-reader", "ACS ACR39U ICC Reader 00 00", "PC/SC reader"),
        DetectedDevice("usb-printer", "/dev/usb/lp0", "POS-80", vid=0x0416, pid=0x5011),
        DetectedDevice("video", "/dev/video2", "Document camera"),
    ]
    replies = iter(["", "network:printer.local", "usb:xyz", "serial:/dev/ttyUSB0", "", ""])
    asked: list[tuple[str, str | None]] = []

    def ask(question: str, proposal: str | None) -> str:
        asked.append((question, proposal))
        return next(replies)

    answers = Answers()
    keys = decide(answers, found, ask)
    assert [proposal for _question, proposal in asked] == [
        "pcsc:ACS ACR39U ICC Reader 00 00",
        "usb:0416:5011",
        "opencv:/dev/video2",
        "opencv:/dev/video2",
        "opencv:/dev/video2",
        "none",
    ]
    assert asked[3][0].startswith("camera 'usb:xyz': expected") and "expected" not in asked[2][0]
    assert keys["card_reader.reader_pattern"] == "ACS ACR39U ICC Reader 00 00"
    assert (keys["printer.driver"], keys["printer.host"]) == ("network", "printer.local")
    assert keys["printer.usb_vendor_id"] is None  # owned, so removed from an earlier run
    assert answers.choices["camera"] == "opencv:/dev/video2"
    with pytest.raises(ConfigureFailed, match="card_reader, printer"):
        decide(Answers(), [], None)
