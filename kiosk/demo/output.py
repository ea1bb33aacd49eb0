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
    "app",
    "journey.toml",
    "central.log",
    "central.sqlite3",
    "central.sqlite3-wal",
    "central.sqlite3-shm",
    "central.sqlite3.heartbeat-lock",
)


class OutputRefused(Exception):
    """The folder holds something the demo did not write; the message says what to do."""


# The first line of the demo's kiosk.toml, also in releases that wrote no marker yet.
DEMO_CONFIG_HEADER = "# Demo kiosk: simulated devices, state kept inside the demo folder."


def _is_ours(folder: Path) -> bool:
    marker = folder / MARKER
    return (marker.is_file() and not marker.is_symlink()) or _is_unmarked_demo(folder)


def _is_unmarked_demo(folder: Path) -> bool:
    """Output of a release before the marker: nothing but the demo's own entries, and the
    demo's kiosk.toml. So `make demo` keeps working where it ran before."""
    names = {entry.name for entry in folder.iterdir()}
    config = folder / "etc" / "kiosk.toml"
    if not names <= set(DEMO_ENTRIES) or not config.is_file() or config.is_symlink():
        return False
    with config.open(encoding="utf-8", errors="replace") as text:
        return text.readline().rstrip("\n") == DEMO_CONFIG_HEADER


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
