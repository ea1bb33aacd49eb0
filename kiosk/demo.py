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
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from kiosk.capture.evalset import Scene, generate
from kiosk.central_client import CentralClient
from kiosk.config import KioskConfig, load_kiosk_config
from kiosk.demo_output import DEMO_CONFIG_HEADER, OutputRefused, claim_output_dir
from kiosk.health import build_heartbeat
from kiosk.identity import KioskKey
from kiosk.journey import ExpectationFailed, run_journey
from kiosk.journey_script import load_script, morning_script
from kiosk.signing import RequestSigner
from kiosk.simulated import build_simulated_kiosk

DEMO_OFFICE = "35.10.01.2001"  # Desa Sarongan, Kecamatan Pesanggaran
_IDENTITY = re.compile(r"NIK (\d{16})\s+card (\w+)\s+PIN (\d{6})")


@dataclass(frozen=True)
class DemoPerson:
    nik: str
    card_uid: str
    pin: str


class DemoFailed(Exception):
    """A step of the demo did not work; the message says which."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


@contextmanager
def _central_server(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [_command("kiosk-central"), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise DemoFailed(f"the central server did not start; see {log}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


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
    """Photos of papers on the tray, from the capture evaluation generator (fixed seeds)."""
    folder.mkdir(parents=True, exist_ok=True)
    photos = generate("realistic", Scene.CLEAN, 2, seed=7)
    for name, sample in zip(("kk.jpg", "pengantar_rt.jpg"), photos, strict=True):
        (folder / name).write_bytes(sample.jpeg)


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


def run_demo(out: Path, *, residents: int, stay: bool) -> int:
    try:
        claim_output_dir(out)
    except OutputRefused as refused:
        print(f"demo refused: {refused}", file=sys.stderr)
        return 2
    try:
        env, people = _prepare(out, residents)
        port = _free_port()
        _say(f"starting the central server on port {port} (log: {out / 'central.log'})")
        with _central_server(env, port, out / "central.log") as url:
            _journey(url, env, people[0], out)
            print(f"\ncentral API: {url}  (interactive docs: {url}/docs)")
            print(f"demo files: {out}/")
            if stay:
                print("press Ctrl-C to stop")
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt:
                    pass
    except DemoFailed as err:
        print(f"demo failed: {err}", file=sys.stderr)
        return 1
    return 0


def _handle(args: argparse.Namespace) -> int:
    stay = args.stay if args.stay is not None else sys.stdin.isatty()
    return run_demo(args.out, residents=args.residents, stay=stay)


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
        help="run the central server with demo data and a scripted resident journey",
        description="Starts a central server on SQLite with seeded Banyuwangi data, enrols a "
        "demo kiosk and walks a demo resident through the kiosk core. Writes only to --out, "
        "which must be new, empty or a previous demo's output (only the demo's own files "
        "are replaced there).",
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
    parser.set_defaults(handler=_handle)
