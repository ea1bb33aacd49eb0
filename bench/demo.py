"""`make demo`'s own running time against its targets (Anjungan issue 12, item 19).

    .venv/bin/python bench/demo.py

Runs the real commands in a temporary folder: `kiosk-central migrate` + `seed` of 2,000
residents (the demo's default), then the whole `kiosk demo --no-stay`. The venv install is
not timed (it depends on the network). Prints one line per figure:
``bench: <name> = <value> <unit> (target <op> <value>) ok|short``. Always exits 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
RESIDENTS = 2000
SEED_TARGET_S = 10.0  # was about 45-70 s: one Argon2 hash per resident
DEMO_TARGET_S = 45.0  # the whole demo after the install, seeding included


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / argv[0]), *argv[1:]], env=env, check=True, capture_output=True, timeout=900
    )
    return time.perf_counter() - started


def _report(name: str, value: float, target: float) -> None:
    verdict = "ok" if value <= target else "short"
    print(f"bench: {name} = {value:.1f} s (target <= {target:.0f} s) {verdict}", flush=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="anjungan-bench-demo-") as tmp:
        root = Path(tmp)
        env = {
            **os.environ,
            "ANJUNGAN_CONFIG_DIR": str(root),
            "ANJUNGAN_CENTRAL_DATABASE_URL": f"sqlite:///{root / 'central.sqlite3'}",
        }
        _timed(["kiosk-central", "migrate"], env)
        seed_s = _timed(["kiosk-central", "seed", "--residents", str(RESIDENTS)], env)
        _report(f"kiosk-central seed --residents {RESIDENTS}", seed_s, SEED_TARGET_S)
        demo_s = _timed(["kiosk", "demo", "--out", str(root / "demo"), "--no-stay"], env)
        _report("kiosk demo (after the install)", demo_s, DEMO_TARGET_S)
    return 0


if __name__ == "__main__":
    sys.exit(main())
