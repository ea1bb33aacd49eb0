"""`kiosk devices` and `kiosk printer-emulator`, driven through their argparse registration."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from drivers.base import DeviceState, Supply
from drivers.emulator import PaperState, PrinterEmulator, TcpPrinterServer
from drivers.printer import PRINTERS, Receipt
from kiosk import devices_cli


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    devices_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.handler(args))


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANJUNGAN_CONFIG_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def tcp_printer() -> Iterator[tuple[PrinterEmulator, TcpPrinterServer]]:
    emulator = PrinterEmulator()
    with TcpPrinterServer(emulator, port=0) as server:
        yield emulator, server


def test_a_bare_config_is_not_ready_and_names_what_to_configure(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No silent simulators (issue 10): the simulators answer, but a production kiosk that
    would serve residents with them is not ready."""
    assert _run(["devices", "--json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert any(p.startswith("printer.driver is 'simulated'") for p in report["problems"])
    assert "card_reader.driver is 'simulated'" in captured.err


def test_a_demo_kiosk_has_simulated_devices_online(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_dir / "kiosk.toml").write_text('[kiosk]\nmode = "demo"\n')
    assert _run(["devices", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["problems"] == []
    roles = {entry["role"]: entry for entry in report["configured"]}
    assert set(roles) == {"printer", "camera", "card_reader"}
    assert all(
        entry["driver"] == "simulated" and entry["state"] == "online" for entry in roles.values()
    )


def test_configured_network_printer_out_of_paper(
    config_dir: Path,
    tcp_printer: tuple[PrinterEmulator, TcpPrinterServer],
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator, server = tcp_printer
    emulator.set_paper(PaperState.OUT)
    (config_dir / "kiosk.toml").write_text(
        textwrap.dedent(f"""
            [printer]
            driver = "network"
            host = "127.0.0.1"
            port = {server.port}
        """)
    )
    assert _run(["devices"]) == 1
    out = capsys.readouterr().out
    assert "printer      network        offline  supply=out" in out
    assert "(paper out)" in out


def test_invalid_config_exits_2(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (config_dir / "kiosk.toml").write_text('[printer]\ndriver = "serial"\n')
    assert _run(["devices"]) == 2
    assert "serial_port" in capsys.readouterr().err


EMULATOR_MAIN = (
    "import argparse, sys; from kiosk import devices_cli; "
    "p = argparse.ArgumentParser(); devices_cli.register(p.add_subparsers()); "
    "a = p.parse_args(sys.argv[1:]); sys.exit(a.handler(a))"
)


def test_printer_emulator_command(tmp_path: Path) -> None:
    out_dir = tmp_path / "png"
    process = subprocess.Popen(
        [sys.executable, "-c", EMULATOR_MAIN, "printer-emulator", "--port", "0",
         "--out", str(out_dir), "--profile", "58mm"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        banner = process.stdout.readline()
        assert banner.startswith("printer emulator (58mm) on tcp://127.0.0.1:")
        port = int(banner.rsplit(":", 1)[1])
        assert process.stdout.readline().startswith("receipts go to ")
        printer = PRINTERS.create(
            "network", host="127.0.0.1", port=port, profile="58mm", poll_period=None
        )
        printer.print(Receipt().text("Halo").cut())
        printer.close()
        assert "receipt 1: " in process.stdout.readline()
        process.stdin.write("paper out\n")
        process.stdin.flush()
        assert process.stdout.readline().strip() == "paper=out cover=closed"
        printer = PRINTERS.create("network", host="127.0.0.1", port=port, poll_period=None)
        status = printer.refresh_status()
        printer.close()
        assert (status.state, status.supply) == (DeviceState.OFFLINE, Supply.OUT)
        process.stdin.write("quit\n")
        process.stdin.flush()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    assert (out_dir / "receipt-0001.png").is_file()


def test_json_times_are_iso_utc_and_config_dir_is_an_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`since` reads like every other time the project prints; --config-dir works here too
    (issue 12, item 18)."""
    monkeypatch.setenv("ANJUNGAN_CONFIG_DIR", str(tmp_path / "not-this-one"))
    chosen = tmp_path / "etc"
    chosen.mkdir()
    (chosen / "kiosk.toml").write_text(
        '[kiosk]\nmode = "demo"\n[code_scanner]\ndriver = "simulated"\n'
    )
    assert _run(["devices", "--json", "--config-dir", str(chosen)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "code_scanner" in {entry["role"] for entry in report["configured"]}
    for entry in report["configured"]:
        since = datetime.fromisoformat(entry["since"])
        assert since.utcoffset() == timedelta(0)
        assert abs((datetime.now(UTC) - since).total_seconds()) < 600


def test_every_printer_emulator_option_is_explained() -> None:
    parser = argparse.ArgumentParser()
    devices_cli.register(parser.add_subparsers())
    emulator = next(
        action.choices["printer-emulator"]
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    unexplained = [action.option_strings for action in emulator._actions if not action.help]
    assert unexplained == []
