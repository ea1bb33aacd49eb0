"""The real central app on uvicorn, on loopback, in a thread of the test process.

Running in-process lets tests hold the app's ManualClock and settings while every request
still crosses a real socket and the real HTTP stack.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import IO

import requests
import uvicorn

from central.app import create_app
from central.clock import ManualClock
from central.commands.process import CentralProcess, free_port
from central.context import CentralContext
from central.contract.models import EnrollmentRequest, EnrollmentResponse, HardwareSummary
from central.db import make_engine, make_sessionmaker
from central.migrate import upgrade
from central.security.enrollment import create_token
from central.security.operators import create_api_key, create_operator
from central.seeding.seed import DemoIdentity, seed_all
from central.settings import CentralSettings
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner, SignedAuth

SERVE_START_S = 20.0


@contextmanager
def serve_command(env: dict[str, str], stderr: IO[str] | int = subprocess.DEVNULL) -> Iterator[str]:
    """``kiosk-central serve`` run as a technician runs it (``central.commands.process``), on a free
    port: its URL once ``/healthz`` answers; stopped on exit."""
    with CentralProcess(env=env, stderr=stderr, start_timeout_s=SERVE_START_S) as server:
        yield server.url


def prepare_database(
    database_url: str, *, residents: int = 20, seed: int = 7
) -> list[DemoIdentity]:
    """Migrate and seed; returns the demo identities (with their PINs) for sign-in tests."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            return seed_all(db, seed=seed, residents=residents, today=date(2026, 11, 1))
    finally:
        engine.dispose()


HARDWARE = HardwareSummary(
    hostname="test-kiosk",
    machine="x86_64",
    os="Linux",
    cpu_count=2,
    ram_mb=4096,
    disk_mb=64000,
    app_version="test",
)


@dataclass
class EnrolledKiosk:
    kiosk_id: str
    key: KioskKey
    signer: RequestSigner
    session: requests.Session


@dataclass
class CentralServer:
    settings: CentralSettings
    clock: ManualClock = field(default_factory=ManualClock)
    port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.app = create_app(self.settings, self.clock)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="uvicorn", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def context(self) -> CentralContext:
        context: CentralContext = self.app.state.context
        return context

    def start(self) -> CentralServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.context.engine.dispose()

    # ------------------------------------------------------------ helpers for tests

    def enrollment_token(self, office_id: str = "35.10.01.2001", ttl_s: int = 3600) -> str:
        with self.context.sessions() as db:
            return create_token(db, office_id, ttl_s, self.clock.now()).token

    def operator_api_key(self, username: str = "operator") -> str:
        with self.context.sessions() as db:
            create_operator(db, username, "correct horse battery", self.clock.now())
            return create_api_key(db, username, self.clock.now())

    def enroll(self, office_id: str = "35.10.01.2001") -> EnrolledKiosk:
        key = KioskKey.generate()
        request = EnrollmentRequest(
            token=self.enrollment_token(office_id),
            public_key=key.public_key_b64(),
            hardware=HARDWARE,
        )
        reply = requests.post(
            f"{self.url}/v1/enrollments",
            data=request.model_dump_json(),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert reply.status_code == 201, reply.text
        answer = EnrollmentResponse.model_validate_json(reply.content)
        signer = RequestSigner(answer.kiosk_id, key, clock=lambda: self.clock.now().timestamp())
        session = requests.Session()
        session.auth = SignedAuth(signer)
        return EnrolledKiosk(answer.kiosk_id, key, signer, session)
