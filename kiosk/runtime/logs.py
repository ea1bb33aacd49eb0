"""Logging for a service under systemd: one line per record on stderr, prefixed with the
syslog priority (``<3>``…``<7>``) that journald reads as the line's level, and no timestamp
(journald stamps each line itself). What is logged never names a resident: the kiosk logs
states, counts and exception types."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

# Python level -> syslog priority (sd-daemon(3)): err, warning, info, debug.
_PRIORITY = ((logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))
DEBUG_PRIORITY = 7


class JournalFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        priority = next((p for level, p in _PRIORITY if record.levelno >= level), DEBUG_PRIORITY)
        lines = super().format(record).splitlines() or [""]
        return "\n".join(f"<{priority}>{line}" for line in lines)


def configure(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Route every logger to stderr in the journal's format (replaces earlier handlers)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JournalFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("urllib3", "requests"):  # their debug lines carry URLs and headers
        logging.getLogger(noisy).setLevel(logging.WARNING)
