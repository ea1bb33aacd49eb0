"""`kiosk demo`: the whole system on one machine, with nothing to set up.

Starts a central server on SQLite with seeded Banyuwangi data, enrols a demo kiosk with it the
way a technician would, and walks a demo resident through what the kiosk core can do today.
Every part runs as the real command a deployment runs (`kiosk-central`, `kiosk-provision`),
so the demo also proves those commands work together. Everything it writes stays in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
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

from central.contract.models import LoginResponse, ServiceCatalog
from central.contract.signing import HEADER_SESSION
from kiosk.config import load_kiosk_config
from kiosk.health import build_heartbeat
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner, SignedAuth

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


def _run(argv: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - our own console scripts, no shell
        [_command(argv[0]), *argv[1:]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise DemoFailed(f"{' '.join(argv[:2])} failed: {result.stderr.strip()}")
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
    if out.exists():
        shutil.rmtree(out)
    (out / "etc").mkdir(parents=True)
    (out / "etc" / "kiosk.toml").write_text(
        "# Demo kiosk: simulated devices, state kept inside the demo folder.\n"
        f'[kiosk]\nstate_dir = "{out.resolve() / "state"}"\n'
        f'[identity]\nkey_file = "{out.resolve() / "state" / "identity" / "kiosk.key"}"\n'
    )
    env = {
        **os.environ,
        "ANJUNGAN_CONFIG_DIR": str(out / "etc"),
        "ANJUNGAN_CENTRAL_DATABASE_URL": f"sqlite:///{(out / 'central.sqlite3').resolve()}",
    }
    _run(["kiosk-central", "migrate"], env)
    seeded = _run(["kiosk-central", "seed", "--residents", str(residents)], env)
    print(seeded.rstrip())
    people = [DemoPerson(*match) for match in _IDENTITY.findall(seeded)]
    if not people:
        raise DemoFailed("the seed printed no demo identities")
    return env, people


def _journey(url: str, env: dict[str, str], person: DemoPerson, out: Path) -> None:
    """What the kiosk core does today: enrol, report health, sign a resident in, list services."""
    token = _run(["kiosk-central", "token", "create", "--office", DEMO_OFFICE], env).strip()
    print(_run(["kiosk-provision", "enroll", "--central", url, "--token", token], env).rstrip())
    config = load_kiosk_config(Path(env["ANJUNGAN_CONFIG_DIR"]), env=env)
    assert config.kiosk.id is not None
    signer = RequestSigner(config.kiosk.id, KioskKey.load(config.identity.key_file))
    session = requests.Session()
    session.auth = SignedAuth(signer)
    timeout = (config.central.connect_timeout_s, config.central.read_timeout_s)

    beat = build_heartbeat(config, sequence=1, app_state="AVAILABLE")
    reply = session.post(
        f"{url}/v1/heartbeats",
        data=beat.model_dump_json(),
        timeout=timeout,
        headers={"Content-Type": "application/json"},
    )
    print(f"heartbeat sent: HTTP {reply.status_code}")

    login = session.post(
        f"{url}/v1/sessions",
        json={"method": "card", "card_uid": person.card_uid, "pin": person.pin},
        timeout=timeout,
    )
    if login.status_code != 201:
        raise DemoFailed(f"demo sign-in refused: {login.text}")
    signed_in = LoginResponse.model_validate_json(login.content)
    print(f"signed in: {signed_in.resident.name} ({signed_in.resident.nik_masked})")
    catalog = ServiceCatalog.model_validate_json(
        session.get(f"{url}/v1/catalog", timeout=timeout).content
    )
    print(f"services at {catalog.office.name}:")
    for service in catalog.services:
        print(f"  - {service.label.id}  /  {service.label.en}")
    session.delete(
        f"{url}/v1/sessions/current",
        headers={HEADER_SESSION: signed_in.session_token},
        timeout=timeout,
    )
    (out / "catalog.json").write_text(json.dumps(catalog.model_dump(mode="json"), indent=2))


def run_demo(out: Path, *, residents: int, stay: bool) -> int:
    try:
        env, people = _prepare(out, residents)
        port = _free_port()
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


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the central server with demo data and a scripted resident journey",
        description="Starts a central server on SQLite with seeded Banyuwangi data, enrols a "
        "demo kiosk and walks a demo resident through the kiosk core. Writes only to --out.",
    )
    parser.add_argument("--out", type=Path, default=Path("demo-output"), help="output folder")
    parser.add_argument(
        "--residents", type=int, default=2000, help="residents to seed (default %(default)s)"
    )
    parser.add_argument(
        "--stay",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep the server running until Ctrl-C (default: only when run in a terminal)",
    )
    parser.set_defaults(handler=_handle)
