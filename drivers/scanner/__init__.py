"""Code scanners (QR/barcode) in virtual-COM mode, and a simulator.

``CODE_SCANNERS`` maps the config name to a factory that imports its driver on first use; an
unknown name is an error, never a quiet fallback to the simulator.
"""

from __future__ import annotations

from typing import Any

from drivers.base import DeviceKind, Registry
from drivers.scanner.scanner import CodeScanner


def _serial(**options: Any) -> CodeScanner:
    from drivers.scanner.serial_scanner import SerialCodeScanner

    return SerialCodeScanner(**options)


def _simulated(**options: Any) -> CodeScanner:
    from drivers.scanner.simulated import SimulatedCodeScanner

    return SimulatedCodeScanner(**options)


CODE_SCANNERS: Registry[CodeScanner] = Registry(
    DeviceKind.CODE_SCANNER, {"serial": _serial, "simulated": _simulated}
)
