"""Everything a request handler needs, built once per app and handed in (no globals).

Shared data only. The heartbeat pipeline that works on it (``ingest.HeartbeatPipeline``) is
built beside it by the app factory, so nothing here imports the modules that import this one."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from central.clock import Clock
from central.db import make_engine, make_sessionmaker, transaction
from central.models import Setting
from central.security.credentials import KioskCredentials, cache_new_kiosks
from central.settings import CentralSettings

_SECRET_SETTING = "identifier_hash_key"  # noqa: S105 - a row name, not a secret


@dataclass
class CentralContext:
    settings: CentralSettings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    identifier_key: bytes
    # Sessions without a transaction, for the public pages' lookups: no BEGIN and ROLLBACK
    # round trips around a couple of SELECTs (a status page tolerates reading a letter's
    # status and its history a moment apart). Never for a write.
    readers: sessionmaker[Session] = field(init=False)
    credentials: KioskCredentials = field(default_factory=KioskCredentials)
    # Housekeeping runs at most once a minute per task from inside requests; no extra thread.
    _last_housekeeping: dict[str, datetime] = field(default_factory=dict)
    _housekeeping_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.readers = make_sessionmaker(autocommit)
        cache_new_kiosks(self.sessions, self.credentials)

    @classmethod
    def create(cls, settings: CentralSettings, clock: Clock) -> CentralContext:
        engine = make_engine(settings.database_url)
        sessions = make_sessionmaker(engine)
        context = cls(
            settings=settings,
            clock=clock,
            engine=engine,
            sessions=sessions,
            identifier_key=_identifier_key(settings, sessions),
        )
        with engine.connect() as connection:
            context.credentials.fill(connection)
        return context

    def housekeeping_due(self, task: str) -> bool:
        """True for exactly one caller per minute and ``task`` (expired nonces, expired
        idempotency records), so one task's pruning never starves another's."""
        now = self.clock.now()
        with self._housekeeping_lock:
            last = self._last_housekeeping.get(task)
            if last is not None and (now - last).total_seconds() < 60:
                return False
            self._last_housekeeping[task] = now
            return True


def _identifier_key(settings: CentralSettings, sessions: sessionmaker[Session]) -> bytes:
    """The configured secret, else one made on first start and kept in the database."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    with transaction(sessions) as db:
        stored = db.scalar(select(Setting.value).where(Setting.name == _SECRET_SETTING))
        if stored is None:
            stored = secrets.token_hex(32)
            db.add(Setting(name=_SECRET_SETTING, value=stored))
    return bytes.fromhex(stored)


async def get_context(request: Request) -> CentralContext:
    """Async on purpose: FastAPI runs a plain ``def`` dependency on a worker thread."""
    context: CentralContext = request.app.state.context
    return context


def get_db(request: Request) -> Iterator[Session]:
    """A session per request; handlers commit explicitly with ``db.commit()``."""
    context: CentralContext = request.app.state.context
    with context.sessions() as db:
        yield db
