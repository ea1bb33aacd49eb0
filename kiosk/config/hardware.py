"""No silent simulators: a kiosk serves residents only with the hardware its config names.

Every device section defaults to the simulated driver so that a fresh checkout, the demo and the
journeys run without setup; ``kiosk.mode = "demo"`` is what allows that. A kiosk in production
mode whose config still names a simulator (a bare config, or a unit that lost its drop-in) is
refused by ``kiosk config check``, ``kiosk run`` and ``build_core`` with the keys to set.
"""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel

from kiosk.config.schema import KioskConfig

SIMULATED = "simulated"


def _choices(section: BaseModel) -> str:
    """The real drivers a section offers, from its schema (so the message never goes stale)."""
    annotation = type(section).model_fields["driver"].annotation
    real = [name for name in get_args(annotation) if name not in {SIMULATED, "none"}]
    extra = " or 'none'" if "none" in get_args(annotation) else ""
    return ", ".join(real) + extra


def hardware_problems(config: KioskConfig) -> list[str]:
    """One line per device that would be simulated on a production kiosk (empty: fine)."""
    if config.kiosk.mode == "demo":
        return []
    sections: dict[str, BaseModel] = {
        "card_reader": config.card_reader,
        "printer": config.printer,
        "camera": config.camera,
        "code_scanner": config.code_scanner,
        "document_printer": config.document_printer,
    }
    return [
        f"{name}.driver is 'simulated': set it to the device fitted ({_choices(section)}), "
        'or set kiosk.mode = "demo" for a kiosk that serves nobody'
        for name, section in sections.items()
        if getattr(section, "driver", None) == SIMULATED
    ]


class HardwareNotConfigured(ValueError):
    """The config names no hardware for a production kiosk; the message lists what to set."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("no hardware configured: " + "; ".join(problems))
        self.problems = problems
