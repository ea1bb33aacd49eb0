"""Everything a request handler needs, built once per app and handed in (no globals)."""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Request
from sqlalchemy import Connection, Engine, bindparam, event, select
from sqlalchemy.orm import Session, sessionmaker

from central.clock import Clock
from central.db import make_engine, make_sessionmaker, transaction
from central.models import Kiosk, Setting
from central.settings import CentralSettings

if TYPE_CHECKING:
    from central.ingest import HeartbeatWriter
    from central.verifier import SignatureVerifier

_SECRET_SETTING = "identifier_hash_key"  # noqa: S105 - a row name, not a secret

# How long a worker process trusts what it read about a kiosk (key, office, revoked). A change
# made through this process's own sessions (an operator's revocation) clears the entry at
# once; another worker process sees it after at most this long.
KIOSK_CACHE_TTL_S = 5.0

_KIOSK_ROW = select(Kiosk.office_id, Kiosk.public_key, Kiosk.revoked_at).where(
    Kiosk.id == bindparam("kiosk_id")
)


@dataclass(frozen=True)
class KioskCredential:
    """What checking a kiosk's signature needs, with the public key already parsed."""

    office_id: str
    public_key: Ed25519PublicKey
    revoked: bool


def load_credential(connection: Session | Connection, kiosk_id: str) -> KioskCredential | None:
    """The kiosk's row as a credential; None for a kiosk that was never enrolled."""
    row = connection.execute(_KIOSK_ROW, {"kiosk_id": kiosk_id}).one_or_none()
    if row is None:
        return None
    return KioskCredential(
        office_id=row.office_id,
        public_key=Ed25519PublicKey.from_public_bytes(row.public_key),
        revoked=row.revoked_at is not None,
    )


class KioskCredentials:
    """Kiosk id → credential, each entry trusted for ``ttl_s`` seconds.

    Every signed request needs its kiosk's public key; reading and parsing it for each one was
    a database round trip per heartbeat. Unknown kiosks are never cached, so a kiosk enrolled
    through another worker is accepted at once. A read that overlapped a ``forget`` is not
    stored (the generation check), so a revocation cannot be undone by a read that started
    before the revocation was committed.
    """

    def __init__(self, ttl_s: float = KIOSK_CACHE_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[float, KioskCredential]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def cached(self, kiosk_id: str) -> KioskCredential | None:
        entry = self._entries.get(kiosk_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    @property
    def generation(self) -> int:
        """Take this before reading the database, and hand it to ``remember``."""
        return self._generation

    def remember(self, kiosk_id: str, credential: KioskCredential, generation: int) -> None:
        """Trusted for between half the lifetime and all of it, at random: kiosks first seen
        together (a restart, a burst) then expire at different moments, instead of all
        going back to the database in the same instant while their heartbeats wait."""
        lifetime = self.ttl_s * random.uniform(0.5, 1.0)  # noqa: S311 - spreading, not secrecy
        with self._lock:
            if generation == self._generation:
                self._entries[kiosk_id] = (time.monotonic() + lifetime, credential)

    def forget(self, kiosk_ids: Iterable[str]) -> None:
        with self._lock:
            self._generation += 1
            for kiosk_id in kiosk_ids:
                self._entries.pop(kiosk_id, None)


_CHANGED_KIOSKS = "central.changed_kiosks"


def _watch_kiosk_changes(sessions: sessionmaker[Session], credentials: KioskCredentials) -> None:
    """Any kiosk row changed through this app's sessions (a revocation) leaves the cache when
    flushed and again when committed: a read between the two cannot keep the old state."""

    @event.listens_for(sessions, "after_flush")
    def _flushed(session: Session, _context: object) -> None:
        changed = {obj.id for obj in (*session.dirty, *session.deleted) if isinstance(obj, Kiosk)}
        if changed:
            session.info.setdefault(_CHANGED_KIOSKS, set()).update(changed)
            credentials.forget(changed)

    @event.listens_for(sessions, "after_commit")
    def _committed(session: Session) -> None:
        changed = session.info.pop(_CHANGED_KIOSKS, None)
        if changed:
            credentials.forget(changed)

    @event.listens_for(sessions, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop(_CHANGED_KIOSKS, None)


@dataclass
class CentralContext:
    settings: CentralSettings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    identifier_key: bytes
    credentials: KioskCredentials = field(default_factory=KioskCredentials)
    # Heartbeats are written in groups by one writer per process (central/ingest.py).
    heartbeats: HeartbeatWriter = field(init=False)
    # Their signatures are checked on a thread of its own (central/verifier.py).
    signatures: SignatureVerifier = field(init=False)
    # Housekeeping runs at most once a minute per task from inside requests; no extra thread.
    _last_housekeeping: dict[str, datetime] = field(default_factory=dict)
    _housekeeping_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        from central.ingest import HeartbeatWriter  # these build on auth, which needs us
        from central.verifier import SignatureVerifier

        _watch_kiosk_changes(self.sessions, self.credentials)
        self.heartbeats = HeartbeatWriter(self)
        self.signatures = SignatureVerifier()

    @classmethod
    def create(cls, settings: CentralSettings, clock: Clock) -> CentralContext:
        engine = make_engine(settings.database_url)
        sessions = make_sessionmaker(engine)
        return cls(
            settings=settings,
            clock=clock,
            engine=engine,
            sessions=sessions,
            identifier_key=_identifier_key(settings, sessions),
        )

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
