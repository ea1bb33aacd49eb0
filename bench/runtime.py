"""The kiosk runtime's figures, on the real test stacks (pcscd with the virtual reader, the
ESC/POS emulator on TCP, a real centre on uvicorn).

What it measures:

- `kiosk run` steady RSS with real drivers (target <= 120 MB) and CPU while idle (<= 1 % of
  one core), measured from /proc over an idle window with the default heartbeat period;
- a device state change (the emulator's paper switch) to the centre having the heartbeat that
  shows it, p95 (target <= 1 s on loopback); the printer is polled every 0.5 s here
  (printer.status_poll_s), which is most of the figure;
- an intent posted from a device thread (a card tap on the simulated reader) to the session's
  StateChanged observed through a dispatcher on another thread (a UI's), p95 (target <= 5 ms).

Run: .venv/bin/python bench/runtime.py [--idle-s S] [--changes N] [--intents N]
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._central import cpu_seconds, info, machine_note, percentile, report
from central.contract.models import Fleet, Heartbeat
from central.settings import CentralSettings
from drivers.emulator import PaperState, PrinterEmulator, TcpPrinterServer
from kiosk.config import load_kiosk_config
from kiosk.session import State
from kiosk.session.events import StateChanged
from kiosk.simulated import build_simulated_kiosk
from provisioning.enroll import enroll
from tests.support.central_server import CentralServer, prepare_database
from tests.vcard.stack import PcscStack, ReaderDriver

OFFICE = "35.10.01.2001"
KIOSK = str(Path(sys.executable).parent / "kiosk")
CARD = "04A1B2C3D4E5F6"
POLL_S = 0.005  # how often the bench asks the centre for the newest heartbeat
STATUS_POLL_S = 0.5


def _config(root: Path, state: Path, body: str) -> Path:
    root.mkdir(parents=True)
    (root / "kiosk.toml").write_text(f'[kiosk]\nstate_dir = "{state}"\n{body}')
    return root


def _newest(centre: CentralServer, api_key: str) -> Heartbeat | None:
    reply = requests.get(f"{centre.url}/v1/fleet", headers={"X-Api-Key": api_key}, timeout=5)
    kiosks = Fleet.model_validate_json(reply.content).kiosks
    return kiosks[0].heartbeat if kiosks else None


def _centre_shows(centre: CentralServer, api_key: str, paper: str) -> bool:
    return _paper(_newest(centre, api_key)) == paper


def _wait(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench set-up failed: no {what} within {timeout_s:.0f} s")
        time.sleep(POLL_S)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _paper(beat: Heartbeat | None) -> str | None:
    if beat is None:
        return None
    return next((p.supply for p in beat.peripherals if p.name == "printer"), None)


def kiosk_run_figures(
    work: Path, centre: CentralServer, api_key: str, args: argparse.Namespace
) -> None:
    stack = PcscStack(ReaderDriver.EVENTS)
    stack.start()
    emulator = PrinterEmulator(576, None)
    server = TcpPrinterServer(emulator, port=0).start()
    process: subprocess.Popen[bytes] | None = None
    try:
        config = _config(
            work / "etc",
            work / "state",
            f'[card_reader]\ndriver = "pcsc"\nreader_pattern = "{stack.reader_name(0)}"\n'
            f'[printer]\ndriver = "network"\nhost = "{server.host}"\nport = {server.port}\n'
            f"status_poll_s = {STATUS_POLL_S}\nscreen_fallback = false\n"
            '[camera]\ndriver = "none"\n',
        )
        enroll(config, centre.url, centre.enrollment_token(OFFICE))  # period: the centre's 60 s
        env = {**os.environ, "ANJUNGAN_CONFIG_DIR": str(config)}
        log = (work / "kiosk.log").open("wb")
        process = subprocess.Popen([KIOSK, "run"], env=env, stdout=log, stderr=log)
        _wait(lambda: _paper(_newest(centre, api_key)) == "full", 60, "kiosk heartbeat")
        time.sleep(5)  # settle: imports done, first polls and beats sent
        cpu0, wall0 = cpu_seconds([process.pid]), time.monotonic()
        rss = [_rss_mb(process.pid)]
        while time.monotonic() - wall0 < args.idle_s:
            time.sleep(1)
            rss.append(_rss_mb(process.pid))
        cpu = (cpu_seconds([process.pid]) - cpu0) / (time.monotonic() - wall0) * 100
        info(f"kiosk run idle for {args.idle_s:.0f} s; RSS {min(rss):.1f}-{max(rss):.1f} MB")
        report("kiosk_run_rss", max(rss), "MB", "<=", 120)
        report("kiosk_run_idle_cpu", cpu, "% of one core", "<=", 1)

        latencies: list[float] = []
        phase = random.Random(7)
        for n in range(args.changes):
            state, shown = (PaperState.OUT, "out") if n % 2 == 0 else (PaperState.FULL, "full")
            # a paper roll runs out whenever it does, not just after the printer was polled
            time.sleep(phase.uniform(0, STATUS_POLL_S))
            started = time.perf_counter()
            emulator.set_paper(state)
            _wait(partial(_centre_shows, centre, api_key, shown), 30, "device change")
            latencies.append((time.perf_counter() - started) * 1000)
        info(
            f"{len(latencies)} paper switches; median {percentile(latencies, 50):.0f} ms, "
            f"max {max(latencies):.0f} ms (printer polled every {STATUS_POLL_S} s)"
        )
        report("device_change_to_centre_p95", percentile(latencies, 95), "ms", "<=", 1000)
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(10)
        server.stop()
        stack.close()


def intent_figures(work: Path, centre: CentralServer, args: argparse.Namespace) -> None:
    config_dir = _config(work / "demo-etc", work / "demo-state", "")
    (config_dir / "kiosk.toml").write_text(
        (config_dir / "kiosk.toml").read_text().replace("[kiosk]\n", '[kiosk]\nmode = "demo"\n')
    )
    enroll(config_dir, centre.url, centre.enrollment_token(OFFICE))
    kiosk = build_simulated_kiosk(load_kiosk_config(config_dir, env={}), central_url=centre.url)
    ui: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()

    def ui_thread() -> None:  # what Kivy's Clock does with the calls handed to it
        while (call := ui.get()) is not None:
            call()

    seen: queue.SimpleQueue[float] = queue.SimpleQueue()
    kiosk.core.owner.observe(
        StateChanged,
        lambda e: seen.put(time.perf_counter()) if e.state is State.VERIFYING_PIN else None,
        dispatch=ui.put,
    )
    runner = threading.Thread(target=ui_thread, name="ui")
    runner.start()
    kiosk.start()
    latencies: list[float] = []
    try:
        for _ in range(args.intents):
            posted: list[float] = []

            def tap(posted: list[float] = posted) -> None:  # on a device thread
                posted.append(time.perf_counter())
                kiosk.tap_card(CARD)

            device = threading.Thread(target=tap)
            device.start()
            observed = seen.get(timeout=10)
            device.join()
            latencies.append((observed - posted[0]) * 1000)
            kiosk.do(lambda s: s.cancel())
    finally:
        kiosk.stop()
        ui.put(None)
        runner.join()
    info(f"{len(latencies)} taps; median {percentile(latencies, 50):.2f} ms")
    report("intent_to_observer_p95", percentile(latencies, 95), "ms", "<=", 5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle-s", type=float, default=60.0, help="idle window (default 60)")
    parser.add_argument("--changes", type=int, default=40, help="paper switches (default 40)")
    parser.add_argument("--intents", type=int, default=1000, help="taps (default 1000)")
    args = parser.parse_args()
    print(machine_note())
    with tempfile.TemporaryDirectory(prefix="anjungan-bench-runtime-") as tmp:
        work = Path(tmp)
        database = f"sqlite:///{work / 'central.sqlite3'}"
        prepare_database(database, residents=4)
        centre = CentralServer(CentralSettings(database_url=database)).start()
        try:
            api_key = centre.operator_api_key()
            kiosk_run_figures(work, centre, api_key, args)
            intent_figures(work, centre, args)
        finally:
            centre.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
