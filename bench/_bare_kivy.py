"""The platform's floor under the app's memory: a bare Kivy window showing one label, with the
same window settings as the app (1920x1080, no multisampling), drawn for a second; prints its
resident memory in MB and exits.

bench/ui.py runs it beside the app so the steady RSS can be read as this floor (Python, SDL,
the GL driver; on Debian 12 every Mesa driver loads libLLVM) plus what the kiosk adds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

DRAW_S = 1.0


def resident_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1]) / 1024


def main() -> int:
    os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    from kivy.config import Config

    Config.set("graphics", "width", "1920")
    Config.set("graphics", "height", "1080")
    Config.set("graphics", "multisamples", "0")
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.uix.label import Label

    class Bare(App):  # type: ignore[misc]  # Kivy is untyped
        def build(self) -> Any:
            Clock.schedule_once(self.measure, DRAW_S)
            return Label(text="Tempelkan e-KTP atau sentuh layar", font_size=64)

        def measure(self, _dt: float) -> None:
            print(f"{resident_mb():.1f}", flush=True)
            self.stop()

    Bare().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
