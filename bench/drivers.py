"""Every driver figure of issue 3 in one run: the card-reader benchmark and the printer/camera
benchmark, each as its own process (they start daemons and threads that must not meet)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("drivers_card.py", "drivers_print.py")
PART_TIMEOUT = 900


def main() -> int:
    for part in PARTS:
        script = HERE / part
        if not script.is_file():
            print(f"bench: {part} is missing, its figures are not measured", file=sys.stderr)
            continue
        try:
            subprocess.run([sys.executable, str(script)], check=False, timeout=PART_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"bench: {part} ran past {PART_TIMEOUT} s and was stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
