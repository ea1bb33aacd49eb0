"""Shared frames for the capture tests: a few synthetic photos, drawn once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.evalset import Kind, Sample, Scene, render


@pytest.fixture(scope="session")
def clean_by_kind() -> dict[Kind, list[Sample]]:
    """Two realistic frames of each document kind."""
    kinds = (Kind.LETTER, Kind.KK, Kind.ID_CARD, Kind.RECEIPT)
    return {kind: [render(5000 + 10 * i + k, "realistic", Scene.CLEAN, kind)
                   for i in range(2)] for k, kind in enumerate(kinds)}


@pytest.fixture(scope="session")
def scene_frames() -> dict[Scene, list[Sample]]:
    """Two realistic frames per defect scene, plus empty trays."""
    scenes = (Scene.EMPTY, Scene.CUT_OFF, Scene.BLURRED, Scene.GLARE, Scene.TOO_DARK,
              Scene.TOO_SMALL)
    return {scene: [render(7000 + 100 * s + i, "realistic", scene) for i in range(2)]
            for s, scene in enumerate(scenes)}


@pytest.fixture()
def photo(tmp_path: Path, clean_by_kind: dict[Kind, list[Sample]]) -> Path:
    path = tmp_path / "letter.jpg"
    path.write_bytes(clean_by_kind[Kind.LETTER][0].jpeg)
    return path
