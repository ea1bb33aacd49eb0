"""Issue 14's operations figures, each beside its target.

- The units' exposure (``systemd-analyze security --offline``): agent units <= 4.5; the
  touchscreen app's score is reported.
- ``kiosk-provision install`` into a fresh staging root: wall time and commands.
- An update to a version that fails its health check: time from the failed check to the old
  version serving again (target <= 60 s), with real virtualenvs, real wheels and a stand-in
  kiosk process (tests/support/wheels.py), watched at the default poll interval.
- The health agent (``kiosk health ping``) is not built yet: said so, not measured.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/x.py`: tests/

from provisioning.install import install
from provisioning.update import DEFAULT_POLL_S, Watch, update
from tests.support.wheels import ServiceManager, build_wheel
from tests.systemd.staging import staging_root

AGENT_LIMIT = 4.5
ROLLBACK_TARGET_S = 60.0
UNITS = (
    ("anjungan-kiosk.service", "agent"),
    ("anjungan-health.service", "agent"),
    ("anjungan-app.service", "app"),
    ("anjungan-firstboot.service", "first boot"),
)


def exposures() -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("exposure: systemd-analyze missing (Debian: systemd), not measured")
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        staging_root(root)
        for unit, role in UNITS:
            shown = subprocess.run(
                [analyze, "security", "--offline=yes", f"--root={root}", "--no-pager", unit],
                capture_output=True, text=True, check=False,
            ).stdout  # fmt: skip
            found = re.search(r"Overall exposure level for \S+: (\S+ \S+)", shown)
            score = found.group(1) if found else "?"
            target = f"target <= {AGENT_LIMIT}" if role == "agent" else "reported"
            print(f"exposure {unit:<28} {score:<10} ({role}; {target})")


def provisioning() -> None:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        outcome = install(Path(folder))
        took = time.perf_counter() - start
        start = time.perf_counter()
        again = install(Path(folder))
        rerun = time.perf_counter() - start
    print(
        f"install into a staging root: {took * 1000:.0f} ms, 1 command "
        f"({len(outcome.changed)} items; rerun {rerun * 1000:.0f} ms, {len(again.changed)} changed)"
    )
    print("setup from a fresh Debian (<= 3 commands, <= 5 min): not built yet (setup, configure)")


def rollback_time() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        root = base / "root"
        service = ServiceManager(root, base / "status.json")
        how = Watch(window_s=120, settle_s=5, poll_s=DEFAULT_POLL_S)
        try:
            good = build_wheel(base, "1.0.0")
            bad = build_wheel(base, "2.0.0", healthy=False)
            update(root, str(good), restart=service.restart, health=service.health, how=how,
                   extras=())  # fmt: skip
            start = time.perf_counter()
            result = update(root, str(bad), restart=service.restart, health=service.health,
                            how=how, extras=())  # fmt: skip
            whole = time.perf_counter() - start
        finally:
            service.stop()
    if not result.rolled_back or result.recovery_s is None:
        print(f"update rollback: NOT rolled back ({result.reason})")
        return
    verdict = "OK" if result.recovery_s <= ROLLBACK_TARGET_S else "OVER"
    print(
        f"update rollback: failed check -> old version serving {result.recovery_s:.2f} s "
        f"(target <= {ROLLBACK_TARGET_S:.0f} s, {verdict}; poll every {DEFAULT_POLL_S:.0f} s; "
        f"whole update incl. install {whole:.1f} s)"
    )


def main() -> int:
    exposures()
    provisioning()
    rollback_time()
    print("health agent (peak RSS <= 40 MB, one ping <= 100 ms CPU): not built yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
