"""`kiosk scan detect|capture`, through main(argv) and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.scan_cli import EXIT_BAD_INPUT, EXIT_NO_PAGE, EXIT_OK, main
from tests.support.evalset import Sample, Scene

KIOSK = Path(sys.executable).parent / "kiosk"


@pytest.fixture()
def empty_tray(tmp_path: Path, scene_frames: dict[Scene, list[Sample]]) -> Path:
    path = tmp_path / "empty.jpg"
    path.write_bytes(scene_frames[Scene.EMPTY][0].jpeg)
    return path


def test_detect_json_lines(photo: Path, empty_tray: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_text("not an image")
    code = main(["scan", "detect", str(photo), str(empty_tray), str(junk), "--json"])
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == EXIT_BAD_INPUT  # one bad file makes the run fail, after all are done
    assert [r["file"] for r in rows] == [str(photo), str(empty_tray), str(junk)]
    assert rows[0]["reason"] == "ok" and len(rows[0]["quad"]) == 4
    assert rows[0]["confidence"] > 0.5
    assert rows[1] == {"file": str(empty_tray), "quad": None, "confidence": 0.0,
                       "reason": "no_page"}
    assert rows[2]["quad"] is None and rows[2]["reason"] == "bad_input"
    assert "not an image" in err


def test_detect_plain_text(photo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "detect", str(photo)]) == EXIT_OK
    assert "confidence" in capsys.readouterr().out


def test_detect_exits_1_when_a_photo_has_no_page(photo: Path, empty_tray: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "detect", str(empty_tray)]) == EXIT_NO_PAGE
    assert main(["scan", "detect", str(photo), str(empty_tray)]) == EXIT_NO_PAGE
    assert "no page" in capsys.readouterr().out


def test_scan_help_has_no_literal_markup(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "detect" in out and "Exit codes" in out
    assert "``" not in out and "`" not in out


def test_capture_writes_a_pdf(photo: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.pdf"
    code = main(["scan", "capture", str(photo), "--out", str(out), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK
    assert out.read_bytes().startswith(b"%PDF")
    assert report["issues"] == [] and report["format_name"] in ("a4", "f4")
    assert report["bytes"] == out.stat().st_size


def test_capture_bw_jpeg_under_a_cap(photo: Path, tmp_path: Path) -> None:
    out = tmp_path / "page.jpg"
    assert main(["scan", "capture", str(photo), "--out", str(out), "--mode", "bw",
                 "--max-mb", "0.05"]) == EXIT_OK
    assert out.read_bytes()[:3] == b"\xff\xd8\xff"
    assert out.stat().st_size <= 0.05 * 1024 * 1024


def test_capture_without_a_page_writes_nothing(empty_tray: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.pdf"
    assert main(["scan", "capture", str(empty_tray), "--out", str(out)]) == EXIT_NO_PAGE
    assert not out.exists()
    assert "Letakkan dokumen" in capsys.readouterr().err  # the guidance, in Indonesian too


def test_capture_refuses_a_blurred_page_unless_forced(
        tmp_path: Path, scene_frames: dict[Scene, list[Sample]]) -> None:
    blurred = tmp_path / "blurred.jpg"
    blurred.write_bytes(scene_frames[Scene.BLURRED][0].jpeg)
    out = tmp_path / "page.pdf"
    assert main(["scan", "capture", str(blurred), "--out", str(out)]) == EXIT_NO_PAGE
    assert not out.exists()
    assert main(["scan", "capture", str(blurred), "--out", str(out), "--force"]) == EXIT_OK
    assert out.exists()


@pytest.mark.parametrize("argv", [
    ["scan", "capture", "IMG", "--out", "page.png"],
    ["scan", "capture", "IMG", "--out", "page.pdf", "--max-mb", "0"],
    ["scan", "capture", "missing.jpg", "--out", "page.pdf"],
    ["scan", "frobnicate"],
])
def test_usage_and_input_errors(argv: list[str], photo: Path, tmp_path: Path) -> None:
    argv = [str(photo) if a == "IMG" else a for a in argv]
    argv = [str(tmp_path / a) if a.startswith("page.") else a for a in argv]
    assert main(argv) == EXIT_BAD_INPUT


def test_real_subprocess(photo: Path, empty_tray: Path) -> None:
    done = subprocess.run([str(KIOSK), "scan", "detect", str(photo), str(empty_tray), "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == EXIT_NO_PAGE, done.stderr  # the empty tray has no page
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows[0]["reason"] == "ok" and rows[1]["quad"] is None


def test_real_subprocess_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    done = subprocess.run([str(KIOSK), "scan", "capture", str(empty), "--out",
                           str(tmp_path / "x.pdf")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == EXIT_BAD_INPUT
    assert "empty file" in done.stderr
    assert "Traceback" not in done.stderr
