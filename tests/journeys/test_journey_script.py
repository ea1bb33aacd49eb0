"""A malformed journey script is refused before anything runs (docs/journeys.md), naming
the step and the key (issue 12, items 13 and 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.demo.journey_script import ScriptError, load_script, morning_script


def _write(folder: Path, text: str) -> Path:
    script = folder / "journey.toml"
    script.write_text(text)
    return script


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[[step]]\ndo = "tap_card"\ncard_uid = "{card_uid}"\n', "step 1: card_uid is still"),
        ('[[step]]\ndo = "printer"\npaper = "near_end"\n', "paper must be one of full, near-end"),
        ('[[step]]\ndo = "pin"\npin = 549247\n', "step 1: pin must be text"),
        ('[[step]]\ndo = "idle"\nseconds = "ten"\n', "seconds must be a number"),
        ('[[step]]\ndo = "centre"\nonline = "no"\n', "online must be true or false"),
        ('[[step]]\ndo = "language"\nlanguage = "fr"\n', "language must be one of id, en"),
        ('language = "jv"\n[[step]]\ndo = "finish"\n', "language must be one of id, en"),
        ('[[step]]\ndo = "scan"\nimage = "scans/kk.jpg"\n', "no image 'scans/kk.jpg'"),
    ],
)
def test_a_malformed_script_is_refused(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(ScriptError, match=complaint.replace("(", r"\(")):
        load_script(_write(tmp_path, text))


def test_the_filled_in_morning_loads(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    for name in ("kk.jpg", "pengantar_rt.jpg"):
        (tmp_path / "scans" / name).write_bytes(b"\xff\xd8\xff")
    script = load_script(_write(tmp_path, morning_script(card_uid="0485C924C364C4", pin="1")))
    assert script.steps[0].args == {"card_uid": "0485C924C364C4"}
    assert any(step.action == "printer" or step.action == "centre" for step in script.steps)
