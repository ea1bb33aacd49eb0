"""The demo panel's keys play the world around the simulated kiosk: F5 taps the demo card,
F6 puts a paper on the tray, F7 runs the printer out of paper and refills it, F8 cuts the
network and restores it. The app reacts through the kiosk's usual paths."""

from __future__ import annotations

from typing import Any

from tests.screens.conftest import Rig, Ui


def _key(window: Any, code: int) -> None:
    window.dispatch("on_key_down", code, 0, None, [])


def test_the_panel_keys_drive_the_simulated_devices(window: Any, ui: Ui, rig: Rig) -> None:
    from screens.demo.panel import KEY_F5, KEY_F6, KEY_F7, KEY_F8, DemoPanel

    person = rig.person()
    panel = DemoPanel(ui.app, rig.kiosk, person.card_uid)
    panel.attach(ui.root)
    try:
        assert any(text.startswith("DEMO  F5") for text in ui.texts())
        _key(window, KEY_F5)
        ui.on("pin")
        _key(window, KEY_F7)
        assert rig.kiosk.paper_is_out()
        _key(window, KEY_F7)
        assert not rig.kiosk.paper_is_out()
        _key(window, KEY_F8)
        assert rig.kiosk.network.online is False
        _key(window, KEY_F8)
        assert rig.kiosk.network.online is True
        camera = rig.kiosk.core.camera
        assert camera is not None
        _key(window, KEY_F6)
        first = camera.tray
        _key(window, KEY_F6)
        assert first and camera.tray != first  # the next paper of the two
    finally:
        panel.detach()
        ui.root.remove_widget(panel.hint)
