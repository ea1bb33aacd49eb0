"""WAL checkpoints beside the heartbeat writer (central/heartbeats/checkpoint.py): the thread
checkpoints
a growing WAL while it runs and is gone once stopped; only an SQLite file gets one."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from central.db import make_engine
from central.heartbeats import checkpoint
from central.heartbeats.checkpoint import Checkpointer, wants_checkpointer


def test_the_thread_checkpoints_while_it_runs_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "CHECKPOINT_EVERY_S", 0.05)
    engine = make_engine(f"sqlite:///{tmp_path / 'central.db'}")
    checkpoints: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "wal_checkpoint" in statement:
            checkpoints.append(statement)

    with engine.connect() as writer:
        writer.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")  # as the heartbeat writer
        writer.execute(text("CREATE TABLE beats (n INTEGER PRIMARY KEY, body TEXT)"))
        writer.commit()
        with Checkpointer(engine) as running:
            for n in range(2000):
                writer.execute(
                    text("INSERT INTO beats VALUES (:n, :body)"), {"n": n, "body": "x" * 500}
                )
                if n % 100 == 99:
                    writer.commit()
            writer.commit()
            deadline = time.monotonic() + 5
            while len(checkpoints) < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
        assert not running._thread.is_alive()
    engine.dispose()
    assert len(checkpoints) >= 3
    assert checkpoints[0] == "PRAGMA wal_checkpoint(PASSIVE)"


def test_only_an_sqlite_file_gets_a_checkpointer(tmp_path: Path) -> None:
    file_engine = make_engine(f"sqlite:///{tmp_path / 'central.db'}")
    memory_engine = make_engine("sqlite:///:memory:")
    try:
        assert wants_checkpointer(file_engine)
        assert not wants_checkpointer(memory_engine)
    finally:
        file_engine.dispose()
        memory_engine.dispose()
