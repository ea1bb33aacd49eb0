"""Citizen-services benchmarks (issue 4).

1. Time spent in the kiosk's own code per journey step, network waits excluded: the demo's
   resident morning (kiosk/demo/journeys/morning.toml: letter with two pages scanned through the
   capture pipeline, queue ticket, complaint while offline) played many times through
   the real kiosk core against a real centre process on loopback. Waiting on the centre (HTTP
   calls, and the session waiting for the outbox sender's delivery) is measured by the kiosk's
   transport stopwatch and subtracted. Target: p95 <= 20 ms.
2. The outbox figures (drain rate, 10,000 submissions surviving a restart) from
   bench/services_outbox.py, run as a subprocess.

Run: ``.venv/bin/python bench/services.py [--journeys N]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._central import (
    central_cli,
    central_process,
    database,
    info,
    main_wrapper,
    percentile,
    report,
)
from central.db import make_engine, make_sessionmaker
from central.security.enrollment import create_token
from kiosk.config import load_kiosk_config
from kiosk.demo.journey import run_journey
from kiosk.demo.journey_script import load_script, morning_script
from kiosk.simulated import build_simulated_kiosk
from provisioning.enroll import enroll
from tests.support.evalset import Scene, generate


def _kiosk_config(workdir: Path) -> Path:
    config = workdir / "etc"
    config.mkdir()
    state = workdir / "state"
    (config / "kiosk.toml").write_text(
        f'[kiosk]\nmode = "demo"\nstate_dir = "{state}"\n'
        f'[identity]\nkey_file = "{state / "kiosk.key"}"\n'
        f'[outbox]\npath = "{state / "outbox.sqlite3"}"\n'
    )
    return config


def _enrollment_token(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            return create_token(db, "35.10.01.2001", 3600, datetime.now(UTC)).token
    finally:
        engine.dispose()


def bench_journey_steps(journeys: int, workdir: Path) -> None:
    with database("sqlite", workdir) as db:
        central_cli(["migrate", "--database-url", db.url], workdir)
        seeded = central_cli(["seed", "--residents", "30", "--database-url", db.url], workdir)
        line = next(row for row in seeded.splitlines() if "must change" not in row and "PIN" in row)
        words = line.split()
        card, pin = words[words.index("card") + 1], words[words.index("PIN") + 1]
        with central_process(db.url, workdir, workers=1) as server:
            url = f"http://127.0.0.1:{server.port}"
            config_dir = _kiosk_config(workdir)
            enroll(config_dir, url, _enrollment_token(db.url))
            scans = workdir / "scans"
            scans.mkdir()
            for name, sample in zip(
                ("kk.jpg", "pengantar_rt.jpg"),
                generate("realistic", Scene.CLEAN, 2, seed=3),
                strict=True,
            ):
                (scans / name).write_bytes(sample.jpeg)
            script_path = workdir / "journey.toml"
            script_path.write_text(morning_script(card_uid=card, pin=pin))
            script = load_script(script_path)
            core = build_simulated_kiosk(load_kiosk_config(config_dir, env={}), central_url=url)
            core.start()
            own: list[float] = []
            scan: list[float] = []
            try:
                run_journey(core, script, echo=lambda _line: None)  # warm-up: imports, caches
                for _ in range(journeys):
                    record = run_journey(core, script, echo=lambda _line: None)
                    for action, ms in zip(record.actions, record.own_ms, strict=True):
                        (scan if action == "scan" else own).append(ms)
            finally:
                core.stop()
    info(
        f"{journeys} journeys x {len(script.steps)} steps; own-code median "
        f"{percentile(own, 50):.2f} ms, max {max(own):.1f} ms"
    )
    report("journey_step_own_code_p95", percentile(own, 95), "ms", "<=", 20)
    # A scan step runs page detection on every preview frame until the page holds still, then
    # the whole capture pipeline on the still. Issue 5 budgets those (bench/capture.py:
    # detection >= 60 frames/s, capture <= 250 ms), so the step is shown here for information
    # rather than against the 20 ms of a tap or a button.
    info(
        f"scan steps ({len(scan)}): own code median {percentile(scan, 50):.0f} ms, "
        f"p95 {percentile(scan, 95):.0f} ms (detection on each preview frame + one capture)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=20, help="journeys to time (default 20)")
    args = parser.parse_args()

    def run() -> int:
        with tempfile.TemporaryDirectory(prefix="anjungan-bench-services-") as tmp:
            bench_journey_steps(args.journeys, Path(tmp))
        outbox = [sys.executable, str(ROOT / "bench" / "services_outbox.py")]
        return subprocess.run(outbox, check=False).returncode

    return main_wrapper(run)


if __name__ == "__main__":
    sys.exit(main())
