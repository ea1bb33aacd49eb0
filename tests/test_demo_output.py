"""`kiosk demo --out` never deletes what the demo did not write (issue 12, item 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.demo.output import (
    DEMO_CONFIG_HEADER,
    DEMO_ENTRIES,
    MARKER,
    OutputRefused,
    claim_output_dir,
)


def test_a_new_folder_is_created_and_marked(tmp_path: Path) -> None:
    out = tmp_path / "a" / "demo"
    claim_output_dir(out)
    assert sorted(p.name for p in out.iterdir()) == [MARKER]


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    claim_output_dir(tmp_path)
    assert (tmp_path / MARKER).is_file()


def test_a_folder_with_other_files_is_refused_untouched(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("years of work")
    (tmp_path / "receipts").mkdir()
    with pytest.raises(OutputRefused, match="not empty"):
        claim_output_dir(tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "years of work"
    assert (tmp_path / "receipts").is_dir()
    assert not (tmp_path / MARKER).exists()


def test_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("keep")
    with pytest.raises(OutputRefused, match="not a folder"):
        claim_output_dir(target)
    assert target.read_text() == "keep"


def test_a_symlinked_marker_does_not_count(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    (tmp_path / MARKER).symlink_to(tmp_path / "mine.txt")
    with pytest.raises(OutputRefused):
        claim_output_dir(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep"


def test_a_previous_demo_loses_only_its_own_entries(tmp_path: Path) -> None:
    claim_output_dir(tmp_path)
    for name in DEMO_ENTRIES:
        if "." in name:
            (tmp_path / name).write_text("old")
        else:
            (tmp_path / name / "deep").mkdir(parents=True)
            (tmp_path / name / "deep" / "old.bin").write_bytes(b"old")
    (tmp_path / "my-notes.md").write_text("added by a person")
    claim_output_dir(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MARKER, "my-notes.md"])
    assert (tmp_path / "my-notes.md").read_text() == "added by a person"


def test_kiosk_demo_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "README.md").write_text("a repository")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kiosk"), "demo", "--out", str(tmp_path), "--no-stay"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not empty" in result.stderr and "--out" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "README.md"]


def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep")
    with pytest.raises(OutputRefused, match="cannot write in"):
        claim_output_dir(blocker / "demo")
    assert blocker.read_text() == "keep"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--residents", "0"], "at least 1"),
        (["--out", "/proc/anjungan-demo"], "cannot write in /proc/anjungan-demo"),
    ],
)
def test_kiosk_demo_refuses_bad_arguments_in_one_line(
    tmp_path: Path, argv: list[str], says: str
) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kiosk"), "demo", "--no-stay", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected error" not in result.stderr


def test_an_earlier_release_s_unmarked_demo_output_is_reused(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "kiosk.toml").write_text(DEMO_CONFIG_HEADER + "\n[kiosk]\n")
    (tmp_path / "receipts").mkdir()
    (tmp_path / "central.sqlite3").write_bytes(b"old")
    claim_output_dir(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER]


def test_an_unmarked_folder_with_anything_else_is_not_taken_for_a_demo(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "kiosk.toml").write_text(DEMO_CONFIG_HEADER + "\n")
    (tmp_path / "etc" / "passwd").write_text("keep")
    (tmp_path / "notes.txt").write_text("keep")
    with pytest.raises(OutputRefused):
        claim_output_dir(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep"
    assert (tmp_path / "etc" / "passwd").read_text() == "keep"
