"""Issue 14's operations figures, each beside its target.

- The units' exposure (``systemd-analyze security --offline``): agent units <= 4.5; the
  touchscreen app's score is reported.
- ``kiosk-provision install`` into a fresh staging root: wall time; ``kiosk-provision setup``
  (install, configure, enrol, self-test; simulated devices, a centre on loopback) into another:
  wall time (target <= 5 min of technician time) and the commands a technician types from a
  fresh Debian (target <= 3).
- An update to a version that fails its health check: time from the failed check to the old
  version serving again (target <= 60 s), with real virtualenvs, real wheels and a stand-in
  kiosk process (tests/support/wheels.py), watched at the default poll interval.
- The health agent (``kiosk health ping``, as the timer runs it, against a real centre on
  loopback, the app up): peak RSS (target <= 40 MB) and CPU (user + system, target <= 100 ms)
  of one ping, the median of several, each measured by a small helper process so that the
  figure is the ping's own (a child forked from this large process would inherit its peak).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/x.py`: tests/

from provisioning.install import install
from provisioning.update import DEFAULT_POLL_S, Watch, update
from tests.support.wheels import ServiceManager, build_wheel
from tests.systemd.staging import staging_root

AGENT_LIMIT = 4.5
AGENT_RSS_TARGET_MB = 40.0
AGENT_CPU_TARGET_MS = 100.0
AGENT_PINGS = 15
KIOSK = str(Path(sys.executable).parent / "kiosk")
# Runs its arguments as a child and prints that child's CPU and peak RSS (from wait4).
MEASURE = (
    "import json, resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'code': code, 'cpu_ms': (use.ru_utime + use.ru_stime) * 1000, "
    "'rss_mb': use.ru_maxrss / 1024}))\n"
)
ROLLBACK_TARGET_S = 60.0
UNITS = (
    ("anjungan-kiosk.service", "exposure_kiosk_unit", True),
    ("anjungan-health.service", "exposure_health_unit", True),
    ("anjungan-app.service", "exposure_app_unit", False),
    ("anjungan-firstboot.service", "exposure_firstboot_unit", False),
)


def report(name: str, value: float, unit: str, target: float) -> None:
    """One figure in the project's bench line format (docs/benchmarks.md)."""
    verdict = "ok" if value <= target else "short"
    shown = f"{value:.1f} {unit}" if unit else f"{value:.1f}"
    print(f"bench: {name} = {shown} (target <= {target:g}) {verdict}")


def info(text: str) -> None:
    """Context, or a figure without a target: indented, never a bench line."""
    print(f"  {text}", flush=True)


def exposures() -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        info("exposure: systemd-analyze missing (Debian: systemd), not measured")
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        staging_root(root)
        for unit, name, agent in UNITS:
            shown = subprocess.run(
                [analyze, "security", "--offline=yes", f"--root={root}", "--no-pager", unit],
                capture_output=True, text=True, check=False,
            ).stdout  # fmt: skip
            found = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", shown)
            if found is None:
                info(f"{name}: systemd-analyze gave no score")
            elif agent:
                report(name, float(found.group(1)), "", AGENT_LIMIT)
            else:
                info(f"{name} = {found.group(1)} (report only: {unit})")


def provisioning() -> None:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        outcome = install(Path(folder))
        took = time.perf_counter() - start
        start = time.perf_counter()
        again = install(Path(folder))
        rerun = time.perf_counter() - start
    info(
        f"install_staging_root = {took * 1000:.0f} ms, 1 command (report only: "
        f"{len(outcome.changed)} items; rerun {rerun * 1000:.0f} ms, {len(again.changed)} changed)"
    )
    setup_time()


# What a technician types on a fresh Debian (docs/install.md): the packages, the first version
# from the wheel itself (provisioning/first_install.py, tested by
# tests/provisioning/test_first_install.py), then the one setup command.
TECHNICIAN_COMMANDS = (
    "apt-get install python3-venv pcscd libccid cage",
    "PYTHONPATH=anjungan-$V-py3-none-any.whl python3 -m provisioning.first_install "
    "anjungan-$V-py3-none-any.whl",
    "/opt/anjungan/current/bin/kiosk-provision setup --central URL",
)
COMMANDS_TARGET = 3
SETUP_TARGET_S = 300.0


def setup_time() -> None:
    """`kiosk-provision setup` into a fresh staging root, simulated devices, against a real
    centre on loopback: install, configure, enrol, self-test, as the technician runs it."""
    from central.settings import CentralSettings
    from tests.support.central_server import CentralServer, prepare_database

    provision = str(Path(sys.executable).parent / "kiosk-provision")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        url = f"sqlite:///{base / 'central.sqlite3'}"
        prepare_database(url, residents=2)
        centre = CentralServer(CentralSettings(database_url=url)).start()
        try:
            token = centre.enrollment_token("35.10.01.2001")
            start = time.perf_counter()
            done = subprocess.run(
                [provision, "setup", "--central", centre.url, "--root", str(base / "root"),
                 "--demo", "--yes"],
                input=token, capture_output=True, text=True, check=False,
            )  # fmt: skip
            took = time.perf_counter() - start
        finally:
            centre.stop()
    if done.returncode != 0:
        info(f"setup failed, not measured: {done.stderr.strip()}")
        return
    info(
        "setup (install, configure, enroll, selftest) into a staging root: 1 command; from a "
        f"fresh Debian {len(TECHNICIAN_COMMANDS)}: " + "; ".join(TECHNICIAN_COMMANDS)
    )
    report("setup_staging_root_s", took, "s", SETUP_TARGET_S)
    report("technician_commands", len(TECHNICIAN_COMMANDS), "", COMMANDS_TARGET)


def rollback_time() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        root = base / "root"
        service = ServiceManager(root, base / "status.json")
        how = Watch(window_s=120, settle_s=5, poll_s=DEFAULT_POLL_S)
        try:
            good = build_wheel(base, "1.0.0")
            bad = build_wheel(base, "2.0.0", healthy=False)
            update(root, str(good), restart=service.restart, health=lambda: service.health, how=how,
                   extras=())  # fmt: skip
            start = time.perf_counter()
            result = update(root, str(bad), restart=service.restart, health=lambda: service.health,
                            how=how, extras=())  # fmt: skip
            whole = time.perf_counter() - start
        finally:
            service.stop()
    if not result.rolled_back or result.recovery_s is None:
        info(f"update_rollback_s: NOT rolled back ({result.reason}), not measured")
        return
    info(
        f"stand-in kiosk process, health polled every {DEFAULT_POLL_S:.0f} s; the whole update "
        f"with its install took {whole:.1f} s"
    )
    report("update_rollback_s", result.recovery_s, "s", ROLLBACK_TARGET_S)


def _measured(argv: list[str]) -> dict[str, float]:
    shown = subprocess.run(
        [sys.executable, "-c", MEASURE, *argv], capture_output=True, text=True, check=True
    ).stdout
    figures: dict[str, float] = json.loads(shown)
    return figures


def health_agent() -> None:
    from central.settings import CentralSettings
    from kiosk.runtime.status import RuntimeStatus, write_status
    from provisioning.enroll import enroll
    from tests.support.central_server import CentralServer, prepare_database

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        url = f"sqlite:///{base / 'central.sqlite3'}"
        prepare_database(url, residents=2)
        centre = CentralServer(CentralSettings(database_url=url)).start()
        try:
            config = base / "etc"
            config.mkdir()
            (config / "kiosk.toml").write_text(f'[kiosk]\nstate_dir = "{base / "state"}"\n')
            enroll(config, centre.url, centre.enrollment_token("35.10.01.2001"))
            status = base / "state" / "status.json"
            ping = [KIOSK, "health", "ping", "--config-dir", str(config),
                    "--agent-dir", str(base / "agent")]  # fmt: skip
            cold = _measured(ping)  # the first ping loads the configuration and keeps a digest
            runs = []
            for _ in range(AGENT_PINGS):
                write_status(status, RuntimeStatus(
                    kiosk_id="bench", pid=os.getpid(), mode="production", app_state="AVAILABLE",
                    reason=None, centre_reachable=True, outbox_backlog=0, heartbeats_sent=1,
                    last_heartbeat_at=None, updated_at=datetime.now(UTC).isoformat(),
                ))  # fmt: skip
                runs.append(_measured(ping))
            bare = [_measured([sys.executable, "-c", "pass"]) for _ in range(5)]
        finally:
            centre.stop()
    if any(run["code"] != 0 for run in [cold, *runs]):
        info("health agent: a ping failed, not measured")
        return
    info(
        f"{AGENT_PINGS} pings, app up, centre on loopback; the first (configuration loaded, "
        f"digest written): {cold['cpu_ms']:.0f} ms CPU, {cold['rss_mb']:.1f} MB; this "
        f"interpreter starting and stopping alone: "
        f"{statistics.median(b['cpu_ms'] for b in bare):.0f} ms CPU"
    )
    report("agent_ping_cpu_ms", statistics.median(r["cpu_ms"] for r in runs), "ms",
           AGENT_CPU_TARGET_MS)  # fmt: skip
    report("agent_peak_rss_mb", max(r["rss_mb"] for r in runs), "MB", AGENT_RSS_TARGET_MB)


def main() -> int:
    exposures()
    provisioning()
    rollback_time()
    health_agent()
    return 0


if __name__ == "__main__":
    sys.exit(main())
