"""`kiosk run` carries only what it runs: a command line imports its own command's module,
and the service without a camera never loads OpenCV or the imaging stack (the bench's
`kiosk_run_rss`, <= 120 MB, was 128 MB while every command's module was imported)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from kiosk import cli as kiosk_cli

pytestmark = pytest.mark.integration

HEAVY = ("cv2", "numpy", "PIL", "qrcode", "pikepdf", "kivy", "escpos")


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(subparsers.choices)


def test_every_command_is_found_through_its_module() -> None:
    assert _commands(kiosk_cli.build_parser()) == set(kiosk_cli.COMMAND_MODULES)
    for command in kiosk_cli.COMMAND_MODULES:
        assert command in _commands(kiosk_cli.build_parser(command))


def test_the_service_without_a_camera_loads_no_imaging_stack() -> None:
    probe = (
        "import sys\n"
        "from kiosk.cli import build_parser\n"
        "build_parser('run')\n"
        "import kiosk.runtime.service\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"
