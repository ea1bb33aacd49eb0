"""The touchscreen app's figures (issue 13), on Xvfb with a real centre and the simulated kiosk.

The centre is `kiosk-central serve` in its own process; the kiosk is in demo mode (simulated
card reader and camera) and prints with its network printer driver on the ESC/POS emulator,
which listens on TCP in the bench's process, as a printer is a device of its own and not a
part of the app (in the app's process the emulator's receipt pictures weighed some 9 MB).
The journeys run in a process of their own (bench/_ui_app.py), which imports what the app
imports and little else, so its memory and threads are the app's:

- cold start to the attract screen: `kiosk app` started as a process until its READY=1 over
  $NOTIFY_SOCKET, which the app sends after its first frame (target <= 2.5 s);
- touches per journey, counted by the scripted finger: a queue number from the attract
  screen's button, which needs no card and no PIN (target <= 4 touches and <= 15 s from the
  first touch to the done screen); beside it, no target, the same number taken signed in,
  with the e-KTP tapped (the card tap is not a touch) and with the NIK typed;
- the longest UI-thread stall during those journeys: the longest single frame of Kivy's loop
  (events, clock callbacks, drawing, plus its frame pacing), target <= 50 ms. Software GL
  (llvmpipe under Xvfb) draws slower than a kiosk's GPU, so this is an upper bound; beside
  it the UI thread's own CPU time in a frame, and the longest frame less its buffer swap
  (where llvmpipe finishes drawing and Xvfb takes the picture). The app freezes its start-up
  heap after READY=1 (screens/heap.py); the journeys start after the same call;
- the scan screen's live picture: frames drawn per second while the scanner watches the
  simulated camera's moving pattern (no page, so it never captures), beside the camera's own
  rate (target >= 15 fps; the simulator is paced at 30 fps here, as a USB document camera
  set to 30 would be, so the camera's rate is not what is measured), and
  the textures the preview made (one);
- card tap to the PIN screen drawn, through pcscd (p95 of --taps taps, target <= 300 ms): a
  virtual e-KTP connects to the event-driven virtual reader (tests/vcard), pcscd reports it,
  the kiosk's PC/SC driver reads the UID, the session asks the centre and the PIN screen is
  drawn; in an app process of its own, started once the journeys' is done. Beside it, the
  same from the simulated reader's event (the session's and the screens' share);
- a first SKTM letter request with two scanned pages, by touch: the e-KTP tapped on the
  attract screen, the PIN (its sixth digit sends it), the tile, the purpose and the income
  band one touch each, two pages laid on the simulated camera's tray and auto-captured, no
  SMS number (offered on the review, not a step), sent; touches (target <= 12) split into
  keystrokes, one-touch answers and steps, and seconds from the card tap to the done
  screen (target <= 90), the auto-captures' waits included, the resident's own reading and
  typing not (estimated beside it);
- --journeys resident visits in the same process (a mix: queue numbers, village information,
  a letter with two scans in every five): RSS growth after the first ten (target <= 10 MB),
  and beside it the growth over the second half (a warm-up ends, a leak goes on), threads
  and textures before and after (no growth), steady RSS (target <= 250 MB), and the longest
  UI-thread frame over these visits, the scans included;
- beside the steady RSS, the platform's floor under it: a bare Kivy window showing one label
  with the app's window settings (bench/_bare_kivy.py; Python, SDL and the GL driver, which
  on Debian 12 loads libLLVM whatever the GPU: docs/screens.md);
- CPU on the attract screen with nobody there (no target): the app's and its camera grab
  thread's share of a core over 5 s, and the camera frames published meanwhile;
- where the app's memory is (bench/_smaps.py: its smaps grouped by heap, arenas, GL driver,
  OpenCV, numpy, Python, ...) on the attract screen, after the first journeys, after the
  scan preview and after the visits.

Run: .venv/bin/python bench/ui.py [--starts N] [--taps N] [--journeys N]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._central import OFFICE, central_process, info, machine_note, report
from bench._smaps import arena_count
from bench._ui_app import NIK_ENV
from central.db import make_engine, make_sessionmaker
from central.security.enrollment import create_token
from drivers.emulator import PrinterEmulator, TcpPrinterServer
from drivers.printer.profile import profile_named
from kiosk.config.schema import PrinterSection
from kiosk.demo.visitor import Visitor
from kiosk.demo.xvfb import virtual_display
from provisioning.enroll import enroll
from tests.journeys.conftest import kiosk_config_dir
from tests.support.central_server import prepare_database

KIOSK = str(Path(sys.executable).parent / "kiosk")
READY_WAIT_S = 60.0


def enrollment_token(database_url: str) -> str:
    """A token for the bench's kiosk, written straight into the centre's database."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            return create_token(db, OFFICE, 3600, datetime.now(UTC)).token
    finally:
        engine.dispose()


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def cold_start(config_dir: Path, work: Path, display: str) -> tuple[float, float, int]:
    """Seconds from spawning `kiosk app` to its READY=1 (its first frame: attract), the
    process's resident memory then (MB) and its malloc arenas besides the main heap."""
    address = str(work / f"notify-{time.monotonic_ns()}")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(READY_WAIT_S)
        env = {
            **os.environ,
            "DISPLAY": display,
            "NOTIFY_SOCKET": address,
            "KIVY_HOME": str(work / "kivy-home"),
        }
        started = time.perf_counter()
        app = subprocess.Popen(
            [KIOSK, "app", "--config-dir", str(config_dir)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            while sock.recv(256) != b"READY=1":
                pass
            elapsed = time.perf_counter() - started
            resident, arenas = rss_mb(app.pid), arena_count(app.pid)
        finally:
            app.send_signal(signal.SIGTERM)
            _, stderr = app.communicate(timeout=30)
        if app.returncode != 0:
            sys.exit(f"kiosk app exited {app.returncode}: {stderr.decode()[-2000:]}")
    return elapsed, resident, arenas


def app_part(
    config_dir: Path, work: Path, display: str, person: Any, args: Any, *extra: str
) -> None:
    """The journeys (or with ``extra`` other figures), in a process of their own
    (bench/_ui_app.py): its figures are printed as it measures them."""
    env = {
        **os.environ,
        "DISPLAY": display,
        **Visitor(person.card_uid, person.pin).environment(),
        NIK_ENV: person.nik,
    }
    argv = [sys.executable, str(REPO / "bench" / "_ui_app.py"), "--config-dir", str(config_dir)]
    argv += ["--work", str(work), "--taps", str(args.taps), "--journeys", str(args.journeys)]
    done = subprocess.run([*argv, *extra], env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"the app's part failed (exit {done.returncode})")


def bare_window_mb(display: str, work: Path) -> float:
    """Resident MB of a bare Kivy window showing one label (bench/_bare_kivy.py): the floor
    the platform puts under the app before any of the kiosk's code."""
    env = {**os.environ, "DISPLAY": display, "KIVY_HOME": str(work / "kivy-home-bare")}
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "_bare_kivy.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=READY_WAIT_S,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"the bare Kivy window failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return float(done.stdout.split()[-1])


def pcsc_part(config_dir: Path, work: Path, display: str, person: Any, args: Any) -> None:
    """Card taps through a real pcscd with the event-driven virtual reader: the app's card
    reader is switched to PC/SC by a drop-in, as a kiosk's provisioning configures it."""
    from tests.vcard.stack import PcscStack, ReaderDriver

    stack = PcscStack(ReaderDriver.EVENTS)
    stack.start()  # points this process's environment (so the app's) at its socket
    try:
        (config_dir / "kiosk.d" / "96-bench-pcsc.toml").write_text(
            f'[card_reader]\ndriver = "pcsc"\nreader_pattern = "{stack.reader_name(0)}"\n'
        )
        app_part(config_dir, work, display, person, args, "--card-port", str(stack.card_port(0)))
    finally:
        stack.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=3, help="cold starts to time")
    parser.add_argument(
        "--taps",
        type=int,
        default=20,
        help="card taps timed to the PIN screen (simulated reader, then through pcscd)",
    )
    parser.add_argument(
        "--journeys", type=int, default=500, help="resident visits in one process (memory)"
    )
    args = parser.parse_args()
    print(machine_note())
    with (
        virtual_display("1920x1920x24") as display,
        tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp,
    ):
        work = Path(tmp)
        url = f"sqlite:///{work / 'central.sqlite3'}"
        people = prepare_database(url, residents=4)
        (work / "central").mkdir()
        printer = PrinterEmulator(profile_named(PrinterSection().profile).width_dots, work)
        with (
            central_process(url, work / "central", workers=1) as central,
            TcpPrinterServer(printer, port=0) as printer_server,
        ):
            config_dir = kiosk_config_dir(work)
            with (config_dir / "kiosk.toml").open("a") as config:
                config.write(
                    "[screen]\nfullscreen = false\n[camera]\nfps = 30\n"
                    f'[printer]\ndriver = "network"\nhost = "{printer_server.host}"\n'
                    f"port = {printer_server.port}\n"
                )
            enroll(config_dir, central.url, enrollment_token(url))
            starts = sorted(cold_start(config_dir, work, display) for _ in range(args.starts))
            report(
                "cold start to the attract screen (median)",
                starts[len(starts) // 2][0],
                "s",
                "<=",
                2.5,
            )
            info(f"{len(starts)} starts: " + ", ".join(f"{s:.2f} s" for s, _, _ in starts))
            median = starts[len(starts) // 2]
            info(
                f"`kiosk app`'s RSS at its READY=1: {median[1]:.0f} MB, "
                f"{median[2]} malloc arena(s) besides the main heap"
            )
            person = next(p for p in people if not p.must_change_pin)
            app_part(config_dir, work, display, person, args)
            floor = bare_window_mb(display, work)
            info(
                f"the platform's floor: a bare Kivy window showing one label, the app's window "
                f"settings, is {floor:.0f} MB resident; the steady RSS above less this is what "
                "the kiosk adds"
            )
            pcsc_part(config_dir, work, display, person, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
