"""Every benchmark's --help is true and whole: it runs, and its description is a complete
sentence (four once printed only the first line of their docstring, cut mid-sentence)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for p in (ROOT / "bench").glob("*.py") if "argparse" in p.read_text())


def _description(help_text: str) -> str:
    """The paragraph argparse prints between the usage and the options."""
    paragraphs = [p for p in help_text.split("\n\n") if p.strip()]
    return " ".join(paragraphs[1].split())


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_the_help_runs_and_its_description_ends_a_sentence(script: Path) -> None:
    shown = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    description = _description(shown.stdout)
    assert not description.startswith(("options:", "positional arguments:")), shown.stdout
    assert description.endswith((".", ")")), description
