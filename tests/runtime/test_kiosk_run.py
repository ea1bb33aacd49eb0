"""`kiosk run` as the installed command against a real centre, pcscd and the printer
emulator: up on the fleet, paper out at the centre at once, beats buffered while the centre is
away, a clean SIGTERM; and `kiosk status` reading what it wrote."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from central.contract.models import FleetKiosk, Heartbeat, Liveness
from central.models import HeartbeatRecord
from drivers.emulator import PaperState, PrinterEmulator, TcpPrinterServer
from kiosk.config import load_kiosk_config
from provisioning.enroll import enroll
from tests.runtime.conftest import (
    OFFICE,
    PERIOD_S,
    Centre,
    KioskProcess,
    kiosk_command,
    wait_for,
    write_config,
)
from tests.vcard.card import CardProfile, VirtualCard
from tests.vcard.stack import PcscStack

EVENT_DEADLINE_S = 2.0  # the issue: the centre has a device change within 2 s
STOP_DEADLINE_S = 5.0  # systemd's default stop timeout before SIGKILL
START_S = 20.0
CARD_UID = "04A1B2C3D4E5F6"  # a cold interpreter importing the kiosk, on a busy 2-core machine


def _kiosk(centre: Centre) -> FleetKiosk | None:
    kiosks = centre.fleet().kiosks
    return kiosks[0] if kiosks else None


def _beat(centre: Centre) -> Heartbeat | None:
    kiosk = _kiosk(centre)
    return kiosk.heartbeat if kiosk is not None else None


def _history(centre: Centre) -> list[HeartbeatRecord]:
    with centre.server.context.sessions() as db:
        order = (HeartbeatRecord.received_at, HeartbeatRecord.sequence)
        return list(db.scalars(select(HeartbeatRecord).order_by(*order)))


def _sequences(centre: Centre) -> list[int]:
    return [beat.sequence for beat in _history(centre)]


def test_kiosk_run_reports_serves_buffers_and_stops(
    centre: Centre,
    enrolled_config: Path,
    emulator: tuple[PrinterEmulator, TcpPrinterServer],
    start_kiosk: Callable[[Path], KioskProcess],
    pcsc: PcscStack,
) -> None:
    printer, _ = emulator
    status_file = load_kiosk_config(enrolled_config, env={}).heartbeat.status_file
    kiosk = start_kiosk(enrolled_config)

    # Up on the fleet: the first beat goes at start, the next within one period.
    wait_for(status_file.exists, START_S, "the status file")
    up = wait_for(
        lambda: (k := _kiosk(centre)) and k.liveness is Liveness.UP and k, PERIOD_S * 3, "up"
    )
    assert up.heartbeat is not None and up.heartbeat.demo is False
    wait_for(
        lambda: (b := _beat(centre)) and {p.state for p in b.peripherals} == {"online"},
        10,
        "reader and printer online at the centre",
    )
    assert _beat(centre).app_state == "AVAILABLE"  # type: ignore[union-attr]
    served = kiosk_command(enrolled_config, "status")
    assert served.returncode == 0 and "state: AVAILABLE" in served.stdout

    # Paper out: the centre has it within 2 s, and the kiosk is out of service.
    printer.set_paper(PaperState.OUT)
    changed = time.monotonic()
    beat = wait_for(
        lambda: (b := _beat(centre)) and b.app_state_reason == "consumables" and b,
        EVENT_DEADLINE_S,
        "UNAVAILABLE(consumables) at the centre",
    )
    assert time.monotonic() - changed <= EVENT_DEADLINE_S
    assert beat.app_state == "UNAVAILABLE"
    assert {p.name: p.supply for p in beat.peripherals}["printer"] == "out"
    assert any(  # sent because of the change, not only with the next scheduled beat
        b.device_change and b.paper == "out" for b in _history(centre)
    )
    out = kiosk_command(enrolled_config, "status")
    assert out.returncode == 1 and "UNAVAILABLE (consumables)" in out.stdout
    time.sleep(PERIOD_S * 3)  # no timer brings it back while the paper is out
    assert _beat(centre).app_state == "UNAVAILABLE"  # type: ignore[union-attr]

    printer.set_paper(PaperState.FULL)
    wait_for(lambda: (b := _beat(centre)) and b.app_state == "AVAILABLE", EVENT_DEADLINE_S, "back")

    # The centre goes away for three periods: beats wait in the outbox, then arrive once each,
    # in order, with nothing missing.
    start_again = centre.restart_later()
    time.sleep(PERIOD_S * 3)
    status = json.loads(status_file.read_text())
    assert status["centre_reachable"] is False
    start_again()
    before = json.loads(status_file.read_text())["heartbeats_sent"]
    wait_for(lambda: len(_sequences(centre)) >= before, PERIOD_S * 10, "the buffered beats")
    sequences = _sequences(centre)
    assert sequences == sorted(set(sequences)), "duplicated or out of order"
    assert sequences == list(range(1, len(sequences) + 1)), "a beat went missing"

    # A resident taps a card through pcscd; SIGTERM in the middle of their session.
    with VirtualCard(CardProfile.ektp_type_a(bytes.fromhex(CARD_UID)), pcsc.card_port(0)):
        wait_for(lambda: (b := _beat(centre)) and b.app_state == "ACTIVE", PERIOD_S * 5, "tap")
    code, took = kiosk.terminate()
    assert (code, took <= STOP_DEADLINE_S) == (0, True), kiosk.stderr()
    stopped = kiosk_command(enrolled_config, "status")
    assert stopped.returncode == 1 and "STOPPED" in stopped.stdout
    log = kiosk.stderr()
    assert "<6>kiosk.runtime.service: kiosk" in log and "Traceback" not in log
    assert CARD_UID not in log.upper() and "presented" in log  # a tag, never the card's UID


def test_a_demo_kiosk_says_demo_in_its_heartbeat(
    tmp_path: Path, centre: Centre, start_kiosk: Callable[[Path], KioskProcess]
) -> None:
    config = write_config(tmp_path / "demo-etc", tmp_path / "demo-state", kiosk={"mode": "demo"})
    enroll(config, centre.url, centre.server.enrollment_token(OFFICE))
    kiosk = start_kiosk(config)
    beat = wait_for(lambda: _beat(centre), START_S, "a heartbeat")
    assert beat.demo is True
    assert "DEMO" in kiosk_command(config, "status").stdout
    assert kiosk.terminate()[0] == 0
    assert "(DEMO: simulated devices)" in kiosk.stderr()


def test_kiosk_run_speaks_to_systemd(
    tmp_path: Path, centre: Centre, start_kiosk: Callable[..., KioskProcess]
) -> None:
    """Type=notify with a watchdog, on a real datagram socket as systemd gives one: READY=1
    once running, WATCHDOG=1 at half the interval while the session owner answers,
    STOPPING=1 on SIGTERM."""
    config = write_config(tmp_path / "sd-etc", tmp_path / "sd-state", kiosk={"mode": "demo"})
    enroll(config, centre.url, centre.server.enrollment_token(OFFICE))
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(address)
        listener.settimeout(START_S)
        kiosk = start_kiosk(config, {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1000000"})
        messages = [listener.recv(4096).decode()]
        while messages.count("WATCHDOG=1") < 3:
            messages.append(listener.recv(4096).decode())
        assert messages[0] == "READY=1", messages
        assert kiosk.terminate()[0] == 0
        assert listener.recv(4096).decode() == "STOPPING=1"
