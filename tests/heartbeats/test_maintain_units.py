"""The centre's maintenance timer and service verify with systemd-analyze, and the timer
fires hourly (kiosk units are checked in tests/systemd; these are not installed on kiosks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.systemd.staging import REPO, staging_root
from tests.systemd.test_units import ANALYZE, verify

CENTRE_UNITS = sorted((REPO / "systemd" / "central").iterdir())
KIOSK_CENTRAL = "opt/anjungan-central/bin/kiosk-central"  # the centre's own virtualenv

pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze (Debian: systemd)")


def test_centre_units_verify_with_nothing_on_stderr(tmp_path: Path) -> None:
    assert {u.name for u in CENTRE_UNITS} >= {
        "anjungan-central-maintain.service",
        "anjungan-central-maintain.timer",
    }  # and the back office's retention job beside it
    unit_dir = staging_root(tmp_path, CENTRE_UNITS)
    stub = tmp_path / KIOSK_CENTRAL
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    result = verify(tmp_path, unit_dir, [u.name for u in CENTRE_UNITS])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_kiosk_install_does_not_ship_centre_units() -> None:
    """kiosk-provision installs the unit files directly in systemd/, not this folder's."""
    top = {p.name for p in (REPO / "systemd").iterdir() if p.is_file()}
    assert not top & {u.name for u in CENTRE_UNITS}
