"""Kiosk credentials: each enrolled kiosk's public key and office, cached for the life of
a centre process (docs/DESIGN.md, "Kiosk keys are cached…"). Whether a kiosk may act is
never cached: ``kiosk_auth.refused_kiosks`` reads it for every request, and with it the key in
the database, so a key replaced by a re-key (``enrollment._rekey``) stops counting in every
process at its next request."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, bindparam, event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from central.models import Kiosk

# Kiosks whose key a worker process keeps in memory: a district's fleet many times over. Past
# this, the longest-kept entry makes room (it is read again on that kiosk's next request).
MAX_CACHED_KIOSKS = 200_000
_KIOSK_ROW = select(Kiosk.office_id, Kiosk.public_key).where(Kiosk.id == bindparam("kiosk_id"))
_ALL_KIOSKS = select(Kiosk.id, Kiosk.office_id, Kiosk.public_key)


@dataclass(frozen=True, slots=True)  # slots: one object per cached kiosk for the collector
class KioskCredential:
    """What checking a kiosk's signature needs, with the public key already parsed. Only what
    never changes for an enrolled kiosk: whether it may act (not revoked, still enrolled) is
    read from the database every time (``kiosk_auth.refused_kiosks``), so no cache entry, stale or
    wrong, can let a kiosk through."""

    office_id: str
    public_key: Ed25519PublicKey

    @property
    def raw_key(self) -> bytes:
        """The key as the database holds it, to compare with."""
        return self.public_key.public_bytes_raw()


def load_credential(connection: Session | Connection, kiosk_id: str) -> KioskCredential | None:
    """The kiosk's row as a credential; None for a kiosk that was never enrolled."""
    row = connection.execute(_KIOSK_ROW, {"kiosk_id": kiosk_id}).one_or_none()
    if row is None:
        return None
    return KioskCredential(
        office_id=row.office_id, public_key=Ed25519PublicKey.from_public_bytes(row.public_key)
    )


class KioskCredentials:
    """Kiosk id → credential, kept for as long as the process runs (up to ``capacity``).

    Every signed request needs its kiosk's public key; reading and parsing it for each one was
    a database round trip per heartbeat. A kiosk's office never changes and its key only by a
    re-key, which every request notices (``kiosk_auth.refused_kiosks``, and a wrong signature
    looks in the database once), so entries need no lifetime: a fleet that pings once a minute
    finds every key here after its first ping. Unknown kiosks are never cached, so a kiosk
    enrolled through another worker is accepted at once.
    """

    def __init__(self, capacity: int = MAX_CACHED_KIOSKS) -> None:
        self.capacity = capacity
        self._entries: dict[str, KioskCredential] = {}
        self._lock = threading.Lock()

    def fill(self, connection: Session | Connection) -> None:
        """Every enrolled kiosk's key, up to the capacity, read at start: after a restart the
        whole fleet pings within a minute (about 1,400 kiosks a second), and a cold cache
        would send each of those to the database on its first ping, more reads than the
        heartbeat path can absorb at that rate. 83,000 kiosks take well under a second."""
        rows = connection.execute(_ALL_KIOSKS.limit(self.capacity))
        entries = {
            row.id: KioskCredential(
                row.office_id, Ed25519PublicKey.from_public_bytes(row.public_key)
            )
            for row in rows
        }
        with self._lock:
            self._entries = entries | self._entries

    def cached(self, kiosk_id: str) -> KioskCredential | None:
        return self._entries.get(kiosk_id)

    def forget(self, kiosk_id: str) -> None:
        with self._lock:
            self._entries.pop(kiosk_id, None)

    def remember(self, kiosk_id: str, credential: KioskCredential) -> None:
        with self._lock:
            self._entries[kiosk_id] = credential
            while len(self._entries) > self.capacity:  # dicts keep insertion order
                del self._entries[next(iter(self._entries))]


_NEW_KIOSKS = "central.new_kiosks"


def cache_new_kiosks(sessions: sessionmaker[Session], credentials: KioskCredentials) -> None:
    """A kiosk enrolled through this process pings right after: its key goes into the cache
    once the enrollment is committed (a rolled-back one leaves nothing). A wrong entry could
    not let anyone in anyway: a cached kiosk without a row is refused and forgotten
    (``kiosk_auth.refused_kiosks``); a missing one costs one read."""

    @event.listens_for(sessions, "after_flush")
    def _flushed(session: Session, _context: object) -> None:
        new = [obj for obj in session.new if isinstance(obj, Kiosk)]
        new += [  # re-keyed: the same row with another key
            obj
            for obj in session.dirty
            if isinstance(obj, Kiosk) and inspect(obj).attrs.public_key.history.has_changes()
        ]
        if new:
            session.info.setdefault(_NEW_KIOSKS, []).extend(new)

    @event.listens_for(sessions, "after_commit")
    def _committed(session: Session) -> None:
        if session.in_nested_transaction():  # a savepoint released: the outer one decides
            return
        for kiosk in session.info.pop(_NEW_KIOSKS, []):
            credentials.remember(
                kiosk.id,
                KioskCredential(
                    kiosk.office_id, Ed25519PublicKey.from_public_bytes(kiosk.public_key)
                ),
            )

    @event.listens_for(sessions, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop(_NEW_KIOSKS, None)
