"""The agent's buffer of reports the centre has not confirmed: one small file per report in
``<agent dir>/spool``, oldest first by name, at most ``MAX_BUFFERED`` (the oldest go first).

Owned by the agent alone: one ping at a time holds ``<agent dir>/.lock``. The reports hold
the PC's facts and the app's state, never personal data.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

SPOOL = "spool"
LOCK = ".lock"
# A day of pings at one a minute (about 600 KB): enough for a long outage, bounded on a small disk.
MAX_BUFFERED = 1440
# A report file is a few hundred bytes; anything far larger is not one of ours and is not read.
MAX_REPORT_BYTES = 16_384


class Busy(Exception):
    """Another ping holds the agent's folder."""


class Buffered(NamedTuple):
    path: Path
    report: dict[str, Any]


class Spool:
    def __init__(self, agent_dir: Path, limit: int = MAX_BUFFERED) -> None:
        self.folder = agent_dir / SPOOL
        self.limit = limit

    def _names(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.folder) if n.endswith(".json"))
        except FileNotFoundError:
            return []

    def __len__(self) -> int:
        return len(self._names())

    def oldest(self, count: int) -> list[Buffered]:
        """Up to ``count`` reports, oldest first. A file that does not read as a report (cut
        short by a power cut) is removed: it can never be delivered."""
        found: list[Buffered] = []
        for name in self._names():
            if len(found) >= count:
                break
            path = self.folder / name
            try:
                with path.open("rb") as handle:
                    report = json.loads(handle.read(MAX_REPORT_BYTES + 1))
            except (OSError, ValueError):
                report = None
            if isinstance(report, dict):
                found.append(Buffered(path, report))
            else:
                path.unlink(missing_ok=True)
        return found

    def keep(self, report: dict[str, Any], observed_ns: int) -> int:
        """Buffer ``report``; drop the oldest beyond the limit. Returns how many were dropped."""
        import tempfile  # only when the centre was not reached: most pings never write here

        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{observed_ns:020d}-{report['report_id']}.json"
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(report, out)
            os.replace(temporary, self.folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        names = self._names()
        excess = names[: max(0, len(names) - self.limit)]
        for old in excess:
            (self.folder / old).unlink(missing_ok=True)
        return len(excess)

    @staticmethod
    def forget(delivered: list[Buffered]) -> None:
        for item in delivered:
            item.path.unlink(missing_ok=True)


@contextmanager
def locked(agent_dir: Path) -> Iterator[None]:
    """One ping at a time (the timer never overlaps them; a technician's run might)."""
    agent_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(agent_dir / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise Busy(f"another health ping is running (it holds {agent_dir / LOCK})") from err
        yield
