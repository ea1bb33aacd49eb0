"""In a real Chromium: a district admin watches a late kiosk turn offline (manual clock), sees
the alert raised, acknowledges it. Screenshots of the fleet table and the kiosk page are kept
(and copied to docs/console/ when CONSOLE_DOCS_SHOTS=1, for the README)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.console.conftest import OFFICE_A, OFFICE_B, ROOT, Accounts, Browser
from tests.console.test_fleet import paper, send
from tests.support.central_server import CentralServer

DOCS_SHOTS = ROOT / "docs" / "console"


def _keep(shot: Path) -> None:
    if os.environ.get("CONSOLE_DOCS_SHOTS") == "1":
        DOCS_SHOTS.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SHOTS / shot.name)


def test_a_late_kiosk_turns_offline_and_its_alert_is_acknowledged(
    page: Browser, console: CentralServer
) -> None:
    watched = console.enroll(OFFICE_A)
    others = [console.enroll(OFFICE_A), console.enroll(OFFICE_B), console.enroll(OFFICE_B)]
    send(console, watched, 1, peripherals=paper("full"))
    for number, kiosk in enumerate(others):
        send(console, kiosk, 1, peripherals=paper(["full", "low", "out"][number]))
    period = console.settings.heartbeat_period_s

    page.sign_in(Accounts.admin)
    console.clock.advance(2 * period)  # nobody has pinged for two periods: late
    for kiosk in others:
        send(console, kiosk, 2, peripherals=paper("full" if kiosk is others[0] else "low"))
    page.press("Armada kios")
    assert page.path == "/console/fleet"
    row = page.row(watched.kiosk_id)
    assert "Terlambat" in row
    _keep(page.screenshot("fleet-table"))

    # Offline for longer than the alert's threshold; the others keep pinging.
    console.clock.advance(console.settings.alert_offline_after_s + 3 * period)
    for kiosk in others:
        send(console, kiosk, 3, peripherals=paper("low"))
    page.open("/console/fleet")
    assert "Luring" in page.row(watched.kiosk_id)
    assert "Terlalu lama luring" in page.row(watched.kiosk_id)  # raised by the page's sweep

    page.press(watched.kiosk_id)
    assert page.path == f"/console/fleet/kiosks/{watched.kiosk_id}"
    assert "Terlalu lama luring" in page.text
    _keep(page.screenshot("kiosk-page"))

    page.press("Peringatan")
    assert page.path == "/console/fleet/alerts"
    before = page.row(watched.kiosk_id)
    assert "Tanggapi" in before
    page.press_in_row(watched.kiosk_id, "Tanggapi")
    after = page.row(watched.kiosk_id)
    assert "Tanggapi" not in after and "WIB" in after
    page.screenshot("alerts-acknowledged")

    send(console, watched, 2, peripherals=paper("full"))  # back: the alert clears by itself
    console.clock.advance(61)  # the sweep runs at most once a minute
    send(console, watched, 3, peripherals=paper("full"))
    page.open("/console/fleet/alerts")
    assert watched.kiosk_id not in page.text
