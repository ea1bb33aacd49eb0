"""Each quality check fires on a frame made to fail it, and none fires on clean frames."""

from __future__ import annotations

import pytest

from kiosk.capture.guidance import GUIDANCE, Code
from kiosk.capture.pipeline import capture
from kiosk.capture.quality import Measures, QualityConfig, judge
from tests.support.evalset import Kind, Sample, Scene

pytestmark = pytest.mark.in_process


@pytest.mark.parametrize("scene", [Scene.BLURRED, Scene.GLARE, Scene.TOO_DARK,
                                   Scene.TOO_SMALL, Scene.CUT_OFF])
def test_defect_is_flagged(scene_frames: dict[Scene, list[Sample]], scene: Scene) -> None:
    for sample in scene_frames[scene]:
        result = capture(sample.image())
        assert Code(str(scene)) in result.issues, (sample.name, result.issues)
        assert not result.ok


def test_clean_frames_pass(clean_by_kind: dict[Kind, list[Sample]]) -> None:
    for samples in clean_by_kind.values():
        for sample in samples:
            result = capture(sample.image())
            assert result.issues == [], (sample.name, result.issues, result.measures)
            assert result.ok


def test_empty_tray_asks_for_a_document(scene_frames: dict[Scene, list[Sample]]) -> None:
    result = capture(scene_frames[Scene.EMPTY][0].image())
    assert result.issues == [Code.NO_PAGE]
    assert result.encoded is None


GOOD = Measures(sharpness=0.1, glare=0.0, brightness=200.0, long_side=0.8, cut_off=False)


@pytest.mark.parametrize(("change", "code"), [
    ({"sharpness": 0.01}, Code.BLURRED),
    ({"glare": 0.5}, Code.GLARE),
    ({"brightness": 20.0}, Code.TOO_DARK),
    ({"long_side": 0.1}, Code.TOO_SMALL),
    ({"cut_off": True}, Code.CUT_OFF),
])
def test_each_limit(change: dict[str, float], code: Code) -> None:
    assert judge(GOOD) == []
    measures = Measures(**{**GOOD.__dict__, **change})
    assert judge(measures) == [code]
    lenient = QualityConfig(min_sharpness=0.0, max_glare=1.0, min_brightness=0.0,
                            min_long_side=0.0)
    if code is not Code.CUT_OFF:
        assert judge(measures, lenient) == []


def test_every_code_has_both_languages() -> None:
    for code in Code:
        texts = GUIDANCE[code]
        assert texts["id"].strip() and texts["en"].strip()
        assert texts["id"] != texts["en"]
