"""The status screen of a kiosk without a camera (``camera.driver = "none"``): no "Pindai QR"
button, neither for a finger nor for the four keys; the typed code still works."""

from __future__ import annotations

import pytest

from screens.demo.finger import pressable
from tests.screens.conftest import Rig, Ui
from tests.screens.test_status_scan import answer_text, open_status


@pytest.fixture
def printer_section() -> str:
    """This module's kiosks have no camera fitted (kiosk.toml, docs/config.md)."""
    return '\n[camera]\ndriver = "none"\n'


def test_no_camera_no_scan_button(ui: Ui, rig: Rig) -> None:
    assert rig.kiosk.core.camera is None and ui.app.preview is None
    open_status(ui)
    assert ui.buttons("Pindai QR") == [] and "Pindai QR" not in ui.texts()
    reachable = [getattr(w, "text", "") for w in ui.app.keys.controls() if pressable(w)]
    assert "Pindai QR" not in reachable and "Cek" in reachable and "Kembali" in reachable
    back, check = ui.button("Kembali"), ui.button("Cek")
    assert back.width > 0 and abs(back.width - check.width) < 1  # the row is shared by two
    ui.show_language("en")
    assert ui.buttons("Scan QR") == []
    ui.show_language("id")
    ui.press(*"skt-0000-1", "Cek")  # typing still works: the centre's answer comes
    ui.until(lambda: "Tidak ada permohonan" in answer_text(ui), "the centre's answer")
