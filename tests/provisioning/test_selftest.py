"""`kiosk-provision selftest` as the installed command: a kiosk on the real stacks (pcscd with
the virtual reader, the ESC/POS emulator on TCP, a centre on loopback) passes; each thing that
is wrong fails its own row, the exit code says so, and nothing prints a traceback."""

from __future__ import annotations

import email.utils
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from central.commands.process import free_port
from drivers.emulator import TcpPrinterServer
from provisioning.enroll import enroll
from provisioning.selftest import CLOCK_SKEW_LIMIT_S
from tests.provisioning.conftest import OFFICE, PROVISION, provision
from tests.support.central_server import CentralServer
from tests.vcard.card import CardProfile, VirtualCard
from tests.vcard.stack import PcscStack

CARD_UID = "04A1B2C3D4E5F6"

SIMULATED = '[printer]\ndriver = "simulated"\n[card_reader]\ndriver = "simulated"\n'
NO_CAMERA = '[camera]\ndriver = "none"\n'


def _config(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "etc"
    root.mkdir(exist_ok=True)
    (root / "kiosk.toml").write_text(f'[kiosk]\nstate_dir = "{tmp_path / "state"}"\n{body}')
    return root


def _rows(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert "Traceback" not in result.stdout + result.stderr
    rows = {}
    for line in result.stdout.splitlines():
        verdict, name = line.split()[:2]
        rows[name] = verdict
    return rows


def test_a_kiosk_on_the_real_stacks_passes(
    centre: CentralServer, pcsc: PcscStack, printer: TcpPrinterServer, tmp_path: Path
) -> None:
    config = _config(
        tmp_path,
        f'[printer]\ndriver = "network"\nhost = "{printer.host}"\nport = {printer.port}\n'
        f'[card_reader]\ndriver = "pcsc"\nreader_pattern = "{pcsc.reader_name(0)}"\n' + NO_CAMERA,
    )
    enroll(config, centre.url, centre.enrollment_token(OFFICE))
    selftest = subprocess.Popen(
        [PROVISION, "selftest", "--config-dir", str(config), "--card-wait", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert selftest.stderr is not None
    assert "tap an e-KTP" in selftest.stderr.readline()  # the technician is asked: tap now
    with VirtualCard(CardProfile.ektp_type_a(bytes.fromhex(CARD_UID)), pcsc.card_port(0)):
        out, _err = selftest.communicate(timeout=120)
    result = subprocess.CompletedProcess(selftest.args, selftest.returncode, out, _err)
    assert _rows(result) == {
        "printer": "PASS",
        "card_reader": "PASS",
        "identity": "PASS",
        "centre": "PASS",
        "clock": "PASS",
        "card": "PASS",
        "test": "PASS",
        "camera": "SKIP",
    }, result.stdout
    assert "a card was read (ektp-a)" in out and CARD_UID not in out.upper()
    assert result.returncode == 0, result.stderr
    assert len(printer.emulator.receipts) == 1  # the test receipt, on the emulator's paper


def test_a_dead_printer_and_no_enrolment_fail_their_rows(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        f'[printer]\ndriver = "network"\nhost = "127.0.0.1"\nport = {free_port()}\n'
        f'[card_reader]\ndriver = "simulated"\n{NO_CAMERA}'
        f'[central]\nurl = "http://127.0.0.1:{free_port()}"\n',
    )
    result = provision("selftest", "--config-dir", str(config), "--skip-card")
    rows = _rows(result)
    assert rows["printer"] == "FAIL" and rows["card_reader"] == "PASS"
    assert rows["identity"] == "FAIL" and "kiosk-provision enroll" in result.stdout
    assert rows["centre"] == "FAIL" and "cannot reach" in result.stdout
    assert rows["card"] == "SKIP" and rows["test"] == "FAIL"  # no receipt on a dead printer
    assert result.returncode == 1
    assert "5 of 8 checks failed" in result.stderr


def test_a_demo_kiosk_reads_its_own_card_prints_and_captures(tmp_path: Path) -> None:
    config = tmp_path / "etc"
    config.mkdir()
    (config / "kiosk.toml").write_text(
        f'[kiosk]\nstate_dir = "{tmp_path / "state"}"\nmode = "demo"\n' + SIMULATED
    )
    result = provision("selftest", "--config-dir", str(config), "--card-wait", "20")
    rows = _rows(result)
    assert (rows["card"], rows["test"], rows["camera"]) == ("PASS", "PASS", "PASS"), result.stdout
    assert "simulated: 1920x1080" in result.stdout
    skipped = provision(
        "selftest", "--config-dir", str(config), "--skip-card", "--skip-receipt", "--skip-frame"
    )
    rows = _rows(skipped)
    assert (rows["card"], rows["test"], rows["camera"]) == ("SKIP", "SKIP", "SKIP")
    assert "skipped (--skip-receipt)" in skipped.stdout


class _OtherServer(BaseHTTPRequestHandler):
    """Answers /healthz like a centre, but with its clock ``offset_s`` ahead; or 404."""

    offset_s = 0.0
    healthy = True
    url = ""

    def do_GET(self) -> None:
        body = b'{"status": "ok"}' if self.healthy else b"not here"
        self.send_response(200 if self.healthy else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def date_time_string(self, timestamp: float | None = None) -> str:
        return email.utils.formatdate(time.time() + self.offset_s, usegmt=True)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def other_server() -> Iterator[type[_OtherServer]]:
    handler: type[_OtherServer] = type("Handler", (_OtherServer,), {})
    server = HTTPServer(("127.0.0.1", free_port()), handler)
    handler.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_a_clock_outside_the_skew_window_fails_and_says_how_to_fix_it(
    other_server: type[_OtherServer], tmp_path: Path
) -> None:
    url = other_server.url
    config = _config(tmp_path, SIMULATED + NO_CAMERA + f'[central]\nurl = "{url}"\n')
    other_server.offset_s = CLOCK_SKEW_LIMIT_S * 2
    late = provision("selftest", "--config-dir", str(config))
    assert _rows(late)["centre"] == "PASS"
    assert _rows(late)["clock"] == "FAIL" and "timedatectl" in late.stdout
    assert late.returncode == 1

    other_server.offset_s = 0.0
    on_time = provision("selftest", "--config-dir", str(config))
    assert _rows(on_time)["clock"] == "PASS"


def test_a_server_that_is_not_a_centre_is_named_so(
    other_server: type[_OtherServer], tmp_path: Path
) -> None:
    url = other_server.url
    other_server.healthy = False
    config = _config(tmp_path, SIMULATED + NO_CAMERA + f'[central]\nurl = "{url}"\n')
    result = provision("selftest", "--config-dir", str(config))
    assert _rows(result)["centre"] == "FAIL" and "not an Anjungan centre" in result.stdout
    assert result.returncode == 1


def test_a_broken_config_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    config = _config(tmp_path, "[printer\n")
    result = provision("selftest", "--config-dir", str(config))
    assert result.returncode == 1
    assert "selftest failed" in result.stderr and "Traceback" not in result.stderr
