"""`kiosk demo`: the whole system on one machine, with nothing to set up.

Starts a central server on SQLite with seeded Banyuwangi data, enrols a demo kiosk with it the
way a technician would, and walks a demo resident through what the kiosk core can do today.
Every part runs as the real command a deployment runs (`kiosk-central`, `kiosk-provision`),
so the demo also proves those commands work together. Everything it writes stays in ``--out``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from central.commands.process import CentralProcess, CentralStartError
from kiosk.central_client import CentralClient
from kiosk.config import KioskConfig, load_kiosk_config
from kiosk.demo.journey import ExpectationFailed, run_journey
from kiosk.demo.journey_script import load_script, morning_script
from kiosk.demo.output import DEMO_CONFIG_HEADER, OutputRefused, claim_output_dir
from kiosk.demo.tray import PHOTOS, tray_photo
from kiosk.demo.visitor import Visitor
from kiosk.demo.xvfb import NoVirtualDisplay, virtual_display
from kiosk.health import build_heartbeat
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner
from kiosk.simulated import build_simulated_kiosk

DEMO_OFFICE = "35.10.01.2001"  # Desa Sarongan, Kecamatan Pesanggaran
TOUR_TIMEOUT_S = 600
LOG_TAIL_LINES = 5
_IDENTITY = re.compile(r"NIK (\d{16})\s+card (\w+)\s+PIN (\d{6})")


@dataclass(frozen=True)
class DemoPerson:
    nik: str
    card_uid: str
    pin: str


class DemoFailed(Exception):
    """A step of the demo did not work; the message says which."""


def _command(name: str) -> str:
    """The console script next to this interpreter (the project's venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def _say(step: str) -> None:
    """One line before every step that can take a second or more: the demo is never silent."""
    print(f"== {step}", flush=True)


def _run(argv: list[str], env: dict[str, str], *, show_progress: bool = False) -> str:
    """Run one of our commands; its stdout is the answer. With ``show_progress`` its stderr
    (where the command reports progress) goes straight to the terminal."""
    result = subprocess.run(  # noqa: S603 - our own console scripts, no shell
        [_command(argv[0]), *argv[1:]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=None if show_progress else subprocess.PIPE,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        said = "see its message above" if show_progress else result.stderr.strip()
        raise DemoFailed(f"{' '.join(argv[:2])} failed: {said}")
    return result.stdout


def _prepare(out: Path, residents: int) -> tuple[dict[str, str], list[DemoPerson]]:
    (out / "etc").mkdir(parents=True)
    (out / "etc" / "kiosk.toml").write_text(
        f"{DEMO_CONFIG_HEADER}\n"
        f'[kiosk]\nmode = "demo"\nstate_dir = "{out.resolve() / "state"}"\n'
        f'[identity]\nkey_file = "{out.resolve() / "state" / "identity" / "kiosk.key"}"\n'
        f'[outbox]\npath = "{out.resolve() / "state" / "outbox.sqlite3"}"\nmax_backoff_s = 5\n'
    )
    env = {
        **os.environ,
        "ANJUNGAN_CONFIG_DIR": str(out / "etc"),
        "ANJUNGAN_CENTRAL_DATABASE_URL": f"sqlite:///{(out / 'central.sqlite3').resolve()}",
    }
    _say("creating the central database (kiosk-central migrate)")
    _run(["kiosk-central", "migrate"], env)
    _say(f"seeding Banyuwangi's offices and {residents} demo residents (kiosk-central seed)")
    seeded = _run(["kiosk-central", "seed", "--residents", str(residents)], env, show_progress=True)
    print(seeded.rstrip())
    people = [DemoPerson(*match) for match in _IDENTITY.findall(seeded)]
    if not people:
        raise DemoFailed("the seed printed no demo identities")
    return env, people


def _scans(folder: Path) -> None:
    """The papers the journey script puts on the simulated tray (kiosk/demo/tray)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in PHOTOS:
        shutil.copyfile(tray_photo(name), folder / name)


def _heartbeat(url: str, config: KioskConfig) -> None:
    assert config.kiosk.id is not None
    signer = RequestSigner(config.kiosk.id, KioskKey.load(config.identity.key_file))
    client = CentralClient(url, signer, retries=0)
    beat = build_heartbeat(config, sequence=1, app_state="AVAILABLE")
    ack = client.heartbeat(beat, idempotency_key=f"hb-{beat.boot_id}-1")
    print(f"heartbeat accepted at {ack.received_at:%H:%M:%S} UTC")


def _journey(url: str, env: dict[str, str], person: DemoPerson, out: Path) -> None:
    """Enrol like a technician, report health, then play the resident's morning."""
    _say("enrolling the demo kiosk (kiosk-central token create, kiosk-provision enroll)")
    token = _run(["kiosk-central", "token", "create", "--office", DEMO_OFFICE], env).strip()
    print(_run(["kiosk-provision", "enroll", "--central", url, f"--token={token}"], env).rstrip())
    config = load_kiosk_config(Path(env["ANJUNGAN_CONFIG_DIR"]), env=env)
    _heartbeat(url, config)
    _say("photographing two papers for the scanner tray")
    _scans(out / "scans")
    script_path = out / "journey.toml"
    script_path.write_text(morning_script(card_uid=person.card_uid, pin=person.pin))
    _say(f"a resident's morning at the kiosk ({script_path})")
    core = build_simulated_kiosk(config, central_url=url, receipts_dir=out / "receipts")
    core.start()
    try:
        run_journey(
            core, load_script(script_path), echo=lambda line: print(f"  {line}", flush=True)
        )
        _say("waiting for the outbox to deliver what was saved offline")
        deadline = time.monotonic() + 30
        while core.outbox_backlog() and time.monotonic() < deadline:
            time.sleep(0.2)
        print(f"outbox after reconnecting: {core.outbox_backlog()} waiting")
    except ExpectationFailed as failed:
        raise DemoFailed(f"the demo journey went wrong: {failed}") from failed
    finally:
        core.stop()
    for receipt in core.receipt_files():  # after stop: closing the printer ends the last one
        print(f"receipt: {receipt}")


def _app_act(url: str, env: dict[str, str], person: DemoPerson, out: Path, *, window: bool) -> None:
    """The touchscreen app on the same centre: in a window for a person to try, or under a
    virtual display playing residents' visits by touch, leaving a screenshot of each screen.
    Kivy's own log lines go to ``app/app.log``; the terminal gets the tour's narration."""
    folder = out / "app"
    (folder / "kivy").mkdir(parents=True, exist_ok=True)
    log = folder / "app.log"
    app_env = {
        **env,
        **Visitor(person.card_uid, person.pin).environment(),
        "KIVY_HOME": str((folder / "kivy").resolve()),
    }
    if window:
        _say(
            "the touchscreen app in a window: F5 taps the demo e-KTP (PIN "
            f"{person.pin}), F6 puts a paper on the tray, F7 runs the printer out of paper, "
            f"F8 cuts the network; Ctrl-C ends the demo (log: {log})"
        )
        try:
            _app(["--receipts", str(folder / "receipts")], url, app_env, log, timeout_s=None)
        except KeyboardInterrupt:
            print("the app was stopped")
        return
    _say(
        "the touchscreen app on a virtual display (Xvfb), residents' visits played by touch "
        f"(log: {log})"
    )
    try:
        with virtual_display() as display:
            _app(["--tour", str(folder)], url, {**app_env, "DISPLAY": display}, log, TOUR_TIMEOUT_S)
    except NoVirtualDisplay as missing:
        raise DemoFailed(str(missing)) from missing
    shots = sorted((folder / "screens").glob("*.png"))
    print(f"screenshots of {len(shots)} screens: {folder / 'screens'}/")
    for receipt in sorted((folder / "receipts").glob("*.png")):
        print(f"receipt: {receipt}")


def _app(
    args: list[str], url: str, env: dict[str, str], log: Path, timeout_s: float | None
) -> None:
    with log.open("w") as app_log:
        finished = subprocess.run(  # noqa: S603 - our own console script, no shell
            [_command("kiosk"), "app", "--central", url, *args],
            env=env,
            stderr=app_log,
            check=False,
            timeout=timeout_s,
        )
    if finished.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-LOG_TAIL_LINES:]
        raise DemoFailed("the touchscreen app stopped:\n  " + "\n  ".join(tail))


def run_demo(out: Path, *, residents: int, stay: bool, window: bool) -> int:
    try:
        claim_output_dir(out)
    except OutputRefused as refused:
        print(f"demo refused: {refused}", file=sys.stderr)
        return 2
    try:
        env, people = _prepare(out, residents)
        _say(f"starting the central server (log: {out / 'central.log'})")
        with CentralProcess(env=env, log_path=out / "central.log") as centre:
            url = centre.url
            _journey(url, env, people[0], out)
            _app_act(url, env, people[0], out, window=window)
            print(f"\ncentral API: {url}  (interactive docs: {url}/docs)")
            print(f"demo files: {out}/")
            if stay:
                print("press Ctrl-C to stop")
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt:
                    pass
    except (DemoFailed, CentralStartError) as err:
        print(f"demo failed: {err}", file=sys.stderr)
        return 1
    return 0


def _handle(args: argparse.Namespace) -> int:
    stay = args.stay if args.stay is not None else sys.stdin.isatty()
    window = not args.headless and bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    return run_demo(args.out, residents=args.residents, stay=stay, window=window)


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the central server with demo data, a scripted journey and the touchscreen app",
        description="Starts a central server on SQLite with seeded Banyuwangi data, enrols a "
        "demo kiosk, walks a demo resident through the kiosk core, then runs the touchscreen "
        "app on the simulated devices: in a window with the F5-F8 demo panel when there is a "
        "display, else under Xvfb playing residents' visits by touch and saving a screenshot "
        "of every screen in --out/app/screens. Writes only to --out, which must be new, empty "
        "or a previous demo's output (only the demo's own files are replaced there).",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("demo-output"), help="output folder (default %(default)s)"
    )
    parser.add_argument(
        "--residents",
        type=_at_least_one,
        default=2000,
        help="residents to seed (default %(default)s)",
    )
    parser.add_argument(
        "--stay",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep the server running until Ctrl-C (default: only when run in a terminal)",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="play the app's scripted visits on a virtual display even when a screen is "
        "there (without a display that is what happens anyway)",
    )
    parser.set_defaults(handler=_handle)
