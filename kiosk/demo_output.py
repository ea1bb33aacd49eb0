"""The demo's output folder: claimed with a marker file, and only the demo's own files removed.

``kiosk demo --out DIR`` starts from a clean folder each run. It used to get one by deleting
DIR whatever it held, so ``--out .`` or ``--out ~`` would have wiped a repository or a home
folder. Now a folder is reused only when it is empty or carries the marker a previous demo
wrote, and even then only the entries the demo itself makes are removed: anything a person
added to the folder stays.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MARKER = ".anjungan-demo-output"
_MARKER_TEXT = "This folder is the output of `kiosk demo`; the next run may replace its files.\n"

# Everything `kiosk demo` writes at the top of its folder (and nothing else is ever removed).
DEMO_ENTRIES = (
    "etc",
    "state",
    "receipts",
    "scans",
    "journey.toml",
    "central.log",
    "central.sqlite3",
    "central.sqlite3-wal",
    "central.sqlite3-shm",
    "central.sqlite3.heartbeat-lock",
)


class OutputRefused(Exception):
    """The folder holds something the demo did not write; the message says what to do."""


def _is_ours(folder: Path) -> bool:
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


def claim_output_dir(folder: Path) -> None:
    """Make ``folder`` an empty demo output folder, or raise ``OutputRefused`` touching nothing.

    A missing or empty folder is created and marked; a marked folder loses only the entries in
    ``DEMO_ENTRIES``; anything else (a file, a symlink, a folder with other content) is refused.
    """
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputRefused(f"{folder} is not a folder: choose another --out")
    if folder.is_dir() and any(folder.iterdir()) and not _is_ours(folder):
        raise OutputRefused(
            f"{folder} is not empty and was not written by `kiosk demo`: nothing was deleted. "
            "Choose an empty or new folder with --out."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in DEMO_ENTRIES:
            entry = folder / name
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            elif entry.exists() or entry.is_symlink():
                entry.unlink()
        (folder / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    except OSError as err:
        raise OutputRefused(
            f"cannot write in {folder}: {err.strerror}. "
            "Choose a folder you can write to with --out."
        ) from err
