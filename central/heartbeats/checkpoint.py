"""WAL checkpoints beside the heartbeat writer instead of inside its commits.

SQLite's automatic checkpoint runs inside the COMMIT that finds the WAL past its size limit:
that commit copies the WAL back into the database file and syncs it, 15–20 ms on the
reference machine, while every heartbeat queued behind it waits. Under a steady stream that
is several stalls a second, and the p99 is made of them. So the writer's connection turns the
automatic checkpoint off and this thread checkpoints in PASSIVE mode, which never waits for
the writer or for readers, once a second while the writer runs. Other connections keep the
automatic checkpoint, so the WAL stays bounded even if this thread fails.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHECKPOINT_EVERY_S = 1.0
_STOP_TIMEOUT_S = 10.0  # a checkpoint in progress is bounded by the database's busy timeout


def wants_checkpointer(engine: Engine) -> bool:
    """Only an SQLite file has a WAL (PostgreSQL checkpoints by itself)."""
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


class Checkpointer:
    """A thread that checkpoints the WAL every ``CHECKPOINT_EVERY_S`` until stopped."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpointer", daemon=True)

    def __enter__(self) -> Checkpointer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(_STOP_TIMEOUT_S)

    def _run(self) -> None:
        while not self._stop.wait(CHECKPOINT_EVERY_S):
            try:
                with self._engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:  # the next round tries again; other connections still checkpoint
                log.warning("WAL checkpoint failed", exc_info=True)
