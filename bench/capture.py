"""Document capture against its targets (Anjungan issues 5 and 16): real frames and the
synthetic evaluation set.

    .venv/bin/python bench/capture.py [--small] [--no-cache] [--real DIR] [--no-regions]

Real frames: bench/data/realdocs-dev (twelve SmartDoc 2015 frames with official corners,
CC BY 4.0), or any directory laid out the same way (photos + truth.jsonl), given by --real;
they are also shown under seven other lights at three exposures (no target), through other
cameras (720p, 360p, closer, turned, out of focus, JPEG, noise, exposure) and slid partly out of the
frame at three camera resolutions (tests/support/realvariants.py: 0 wrong quads and 0 cut-off pages
answered the targets).

Frames come from tests.support.evalset with fixed seeds and are cached as JPEG under the temp
directory (keyed by the generator's source, so a changed generator never reuses stale frames).
Timing runs on one core (cv2.setNumThreads(1)); the machine may be shared, so each timing is a
median over many runs with its p95 beside it. Prints one line per figure:
``bench: <name> = <value> <unit> (target <op> <value>) ok|short``, plus ``info:`` lines for
figures without a target. Always exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from kiosk.capture.autocapture import AutoCapture
from kiosk.capture.detect import Detection, DetectorConfig, PageDetector, Reason
from kiosk.capture.guidance import Code
from kiosk.capture.metric import corner_error, jaccard
from kiosk.capture.pipeline import CaptureConfig, capture
from kiosk.capture.preview import PreviewDetector
from kiosk.capture.sizes import DocSize
from tests.support import evalset
from tests.support.evalset import Sample, Scene
from tests.support.realset import RealFrame
from tests.support.realset import load as load_real
from tests.support.realvariants import CUT_SCALES, CUT_SHARES, SIDES, VARIANTS, cut_at

REAL_DIR = Path(__file__).resolve().parent / "data" / "realdocs-dev"
TIMING_RUNS = 5  # per real frame: the machine is shared, so each frame is timed repeatedly
PREVIEW_SCENE_FRAMES = 30  # one second of preview at 30 fps per real scene

FULL = {"clean": 200, "empty": 150, "cut_off": 50, "defect": 40, "stills": 20}
SMALL = {"clean": 40, "empty": 10, "cut_off": 10, "defect": 10, "stills": 5}  # empty: per split
DEFECTS = (Scene.BLURRED, Scene.GLARE, Scene.TOO_DARK, Scene.TOO_SMALL, Scene.CUT_OFF)
STILL_SIZE = (4032, 2268)  # a 9 MP 16:9 still, what the camera's full resolution gives


def line(name: str, value: float, unit: str, op: str, target: float, fmt: str = ".3f") -> None:
    ok = value >= target if op == ">=" else value <= target
    print(
        f"bench: {name} = {value:{fmt}} {unit} (target {op} {target:{fmt}}) "
        f"{'ok' if ok else 'short'}"
    )


def info(text: str) -> None:
    print(f"info: {text}")


# -- the evaluation set, cached -----------------------------------------------------------------


def _cache_dir() -> Path:
    source = Path(evalset.__file__).read_bytes()
    key = hashlib.sha256(source).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / "anjungan-capture-evalset" / key
    path.mkdir(parents=True, exist_ok=True)
    return path


def _render(job: tuple[int, str, str]) -> Sample:
    seed, split, scene = job
    return evalset.render(seed, split, Scene(scene))


def load_set(split: str, scene: Scene, count: int, use_cache: bool) -> list[Sample]:
    base = evalset.SPLIT_SEEDS[split] + list(Scene).index(scene) * 10_000
    jobs = [(base + i, split, str(scene)) for i in range(count)]
    cache = _cache_dir()
    samples: list[Sample | None] = []
    missing = []
    for job in jobs:
        meta = cache / f"{job[0]}-{split}-{scene}.json"
        if use_cache and meta.exists():
            m = json.loads(meta.read_text())
            quad = None if m["quad"] is None else np.array(m["quad"])
            size = None if m["size"] is None else DocSize(*m["size"])
            samples.append(
                Sample(
                    m["name"],
                    meta.with_suffix(".jpg").read_bytes(),
                    evalset.Kind(m["kind"]),
                    scene,
                    split,
                    quad,
                    size,
                )
            )
        else:
            samples.append(None)
            missing.append(job)
    if missing:
        with Pool(2) as pool:
            made = pool.map(_render, missing, chunksize=4)
        for job, sample in zip(missing, made, strict=True):
            meta = cache / f"{job[0]}-{split}-{scene}.json"
            meta.with_suffix(".jpg").write_bytes(sample.jpeg)
            size_fields = (
                None
                if sample.size is None
                else [sample.size.name, sample.size.width_mm, sample.size.height_mm]
            )
            meta.write_text(
                json.dumps(
                    {
                        "name": sample.name,
                        "kind": str(sample.kind),
                        "size": size_fields,
                        "quad": None if sample.quad is None else sample.quad.tolist(),
                    }
                )
            )
            samples[jobs.index(job)] = sample
    return [s for s in samples if s is not None]


# -- figures ------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(CPU ms, wall ms) of one call. CPU time is what one core spends, whatever else the
    shared machine runs; wall time is reported beside it."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return (time.process_time() - cpu) * 1000.0, (time.perf_counter() - wall) * 1000.0


def detection_figures(
    name: str, samples: list[Sample], detector: PageDetector,
    targets: dict[str, tuple[str, float]], confidences: list[float],
) -> list[tuple[float, float]]:
    """Accuracy on a synthetic split; appends the accepted quads' confidences."""
    scores, errors, times = [], [], []
    wrong = 0
    for s in samples:
        image = s.image()
        cpu, wall = time.process_time(), time.perf_counter()
        found = detector.detect(image)
        times.append(((time.process_time() - cpu) * 1000.0, (time.perf_counter() - wall) * 1000))
        assert s.quad is not None
        scores.append(jaccard(found.quad, s.quad))
        if found.quad is not None:
            errors.append(corner_error(found.quad, s.quad))
            confidences.append(found.confidence)
            wrong += scores[-1] < 0.5
    info(f"{name} accepted quads with Jaccard < 0.5 = {wrong} of {len(scores)}")
    mean = float(np.mean(scores))
    share = float(np.mean(np.array(scores) >= 0.95))
    op, target = targets["mean"]
    line(f"{name} mean Jaccard", mean, "", op, target, ".4f")
    if "share" in targets:
        op, target = targets["share"]
        line(f"{name} frames with Jaccard >= 0.95", share * 100, "%", op, target, ".1f")
    else:
        info(f"{name} frames with Jaccard >= 0.95 = {share * 100:.1f} %")
    misses = sum(1 for s in scores if s == 0.0)
    info(f"{name} misses = {misses} of {len(scores)}")
    if errors:
        info(
            f"{name} worst-corner error / diagonal: median {np.median(errors) * 100:.2f} %, "
            f"p95 {np.percentile(errors, 95) * 100:.2f} %"
        )
    return times


def real_figures(frames: list[RealFrame], detector: PageDetector, runs: int) -> list[float]:
    """Accuracy on real frames, the worst shown with their reason; returns confidences of
    the accepted quads (for the calibration line)."""
    scores, accepted_conf, wrong, captured_below = [], [], 0, 0
    rows = []
    for frame in frames:
        found = detector.detect(frame.image())
        score = jaccard(found.quad, frame.quad)
        scores.append(score)
        if found.quad is not None:
            accepted_conf.append(found.confidence)
            wrong += score < 0.5
            captured_below += score < 0.9 and _would_capture(found)
        rows.append((score, frame.name, str(found.reason), found.confidence))
    arr = np.array(scores)
    line("real frames mean Jaccard", float(arr.mean()), "", ">=", 0.95, ".4f")
    line("real frames with Jaccard >= 0.90", float(np.mean(arr >= 0.9)) * 100, "%", ">=", 90.0,
         ".1f")
    line("real frames: accepted quads with Jaccard < 0.5", wrong, "", "<=", 0, ".0f")
    info(f"real frames auto-capture could take below Jaccard 0.9: {captured_below} "
         "(region-backed finds, outlines at the border and pages too small never are)")
    for score, name, reason, conf in sorted(rows)[:6]:
        info(f"real worst: {name} Jaccard {score:.3f} reason {reason} confidence {conf:.2f}")
    cold: list[float] = []
    followed: list[float] = []
    for frame in frames:
        image = frame.image()
        for _ in range(runs):
            cpu, found = _timed_detect(detector, image, None)
            cold.append(cpu)
            # A page lying on the tray: the last frame's outline is followed.
            cpu, _ = _timed_detect(detector, image, found.quad)
            followed.append(cpu)
    line("detection per real 1920x1080 frame, one core (p95)", float(np.percentile(cold, 95)),
         "ms", "<=", 33.0, ".1f")
    info(f"detection per real frame: CPU median {statistics.median(cold):.1f} ms")
    info(f"following the last page (hint), real frames: CPU median "
         f"{statistics.median(followed):.1f} ms, p95 {np.percentile(followed, 95):.1f} ms "
         f"({len(frames)} frames x {runs} runs; frames without a page search every time)")
    stream = _preview_stream(frames, detector, PREVIEW_SCENE_FRAMES if runs > 1 else 5)
    line("preview stream of real scenes, one core (p95)", float(np.percentile(stream, 95)),
         "ms", "<=", 33.0, ".1f")
    slow = sum(1 for t in stream if t > 33.0)
    info(f"preview stream: CPU median {statistics.median(stream):.1f} ms over {len(stream)} "
         f"frames (each real scene held still, with sensor noise); {slow} frames over 33 ms "
         f"(the first of each scene: a full search), max {max(stream):.1f} ms")
    return accepted_conf


# Other lights on the same real frames: the camera's white balance or the room's bulbs give
# paper a colour (BGR gains), and an exposure or tone curve darkens or lightens it (the
# power applied to each channel: 2.0 is a dim, contrasty picture).
CASTS = {
    "as shot": (1.0, 1.0, 1.0),
    "warm bulb": (0.6, 0.85, 1.0),
    "very warm": (0.45, 0.75, 1.0),
    "cool": (1.0, 0.9, 0.7),
    "very cool": (1.0, 0.85, 0.55),
    "green": (0.85, 1.0, 0.8),
    "magenta": (1.0, 0.8, 1.0),
}
TONES = (1.0, 1.5, 2.0)


def relit(image: np.ndarray, gains: tuple[float, float, float], tone: float) -> np.ndarray:
    """``image`` as another light and exposure would have given it."""
    tinted = np.clip(image * np.array(gains, np.float32), 0, 255).astype(np.uint8)
    curve = np.clip((np.arange(256) / 255.0) ** tone * 255, 0, 255).astype(np.uint8)
    return cv2.LUT(tinted, curve)


def lighting_figures(frames: list[RealFrame], detector: PageDetector) -> None:
    """The real frames under other lights (CASTS x TONES), per desk: how many pages are
    still found, and whether any answer is wrong. No target: the real frames' own figures
    above are the measure; this shows how far they carry to rooms lit otherwise."""
    for desk in sorted({f.name.split("_")[0] for f in frames}):
        scores, found_count, wrong, captured_below = [], 0, 0, 0
        for frame in (f for f in frames if f.name.startswith(desk)):
            for gains in CASTS.values():
                for tone in TONES:
                    found = detector.detect(relit(frame.image(), gains, tone))
                    score = jaccard(found.quad, frame.quad)
                    scores.append(score)
                    found_count += found.quad is not None
                    wrong += found.quad is not None and score < 0.5
                    captured_below += (found.quad is not None and score < 0.9
                                       and _would_capture(found))
        arr = np.array(scores)
        info(f"{desk} under {len(CASTS)} lights x {len(TONES)} exposures: mean Jaccard "
             f"{arr.mean():.3f}, found {found_count} of {len(arr)}, accepted below "
             f"0.5: {wrong}, auto-capture could take below 0.9: {captured_below}")


def variant_figures(frames: list[RealFrame], detector: PageDetector) -> None:
    """The real frames through other cameras and moments (tests/support/realvariants.py):
    never a wrong answer, and never an outline for a page partly out of the frame (cropped
    at the camera's resolution and as lower-resolution cameras would see it). Both
    targets are the issue's own (0 wrong quads; "move the page into the tray")."""
    wrong, taken = 0, 0
    for name, variant in VARIANTS.items():
        scores = []
        for frame in frames:
            image, truth = variant(frame.image(), frame.quad)
            found = detector.detect(image)
            score = jaccard(found.quad, truth)
            scores.append(score)
            wrong += found.quad is not None and score < 0.5
            taken += found.quad is not None and score < 0.9 and _would_capture(found)
        info(f"real frames, {name}: mean Jaccard {np.mean(scores):.3f}")
    count = len(VARIANTS) * len(frames)
    line("real frames through other cameras: accepted quads with Jaccard < 0.5", wrong,
         f"of {count}", "<=", 0, ".0f")
    info(f"real frames through other cameras: answers auto-capture could take below "
         f"Jaccard 0.9: {taken}")
    answered = dict.fromkeys(CUT_SCALES, 0)
    edge_backed, capturable = 0, 0
    for frame in frames:
        image = frame.image()
        for side in SIDES:
            for share in CUT_SHARES:
                for scale in CUT_SCALES:
                    found = detector.detect(cut_at(image, frame.quad, side, share, scale))
                    answered[scale] += found.quad is not None
                    edge_backed += found.quad is not None and not found.region_backed
                    capturable += found.quad is not None and _would_capture(found)
    per_scale = len(frames) * len(SIDES) * len(CUT_SHARES)
    line("real pages partly out of the frame: quads accepted", sum(answered.values()),
         f"of {per_scale * len(CUT_SCALES)}", "<=", 0, ".0f")
    info("real pages partly out of the frame, by the camera's resolution: "
         + ", ".join(f"{scale:g}x {answered[scale]} of {per_scale}" for scale in CUT_SCALES)
         + f"; {edge_backed} of the outlines edge-backed, {capturable} of them large enough "
         "and clear of the border for auto-capture to take")


def _would_capture(found: Detection) -> bool:
    """Would auto-capture take this outline, held steady? Region-backed ones, outlines
    touching the frame's border and pages too small to read never are."""
    return found.quad is not None and AutoCapture().problem(found) is None


def _preview_stream(frames: list[RealFrame], detector: PageDetector,
                    per_scene: int) -> list[float]:
    """CPU ms per preview frame when each real scene stays in view for ``per_scene`` frames
    (a resident needs at least a second to lay a page down and wait): the first frame of a
    scene is a full search, the rest are the same scene with fresh sensor noise."""
    preview = PreviewDetector(detector)
    rng = np.random.default_rng(11)
    times = []
    for frame in frames:
        image = frame.image()
        for k in range(per_scene):
            shot = image if k == 0 else np.clip(
                image + rng.normal(0, 2.0, image.shape), 0, 255).astype(np.uint8)
            cpu = time.process_time()
            preview.detect(shot)
            times.append((time.process_time() - cpu) * 1000.0)
    return times


def _timed_detect(detector: PageDetector, image: np.ndarray,
                  hint: np.ndarray | None) -> tuple[float, Detection]:
    cpu = time.process_time()
    found = detector.detect(image, hint=hint)
    return (time.process_time() - cpu) * 1000.0, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a quick run on fewer frames")
    parser.add_argument("--no-regions", action="store_true",
                        help="detect on edge evidence alone (DetectorConfig.region_pages off)")
    parser.add_argument("--no-cache", action="store_true", help="regenerate every frame")
    parser.add_argument("--real", type=Path, default=REAL_DIR,
                        help="directory of real frames with truth.jsonl (default: %(default)s)")
    args = parser.parse_args(argv)
    counts = SMALL if args.small else FULL
    cache = not args.no_cache
    cv2.setNumThreads(1)
    detector = PageDetector(DetectorConfig(region_pages=not args.no_regions))
    real = load_real(args.real)
    confidences = real_figures(real, detector, 1 if args.small else TIMING_RUNS)
    lighting_figures(real, detector)
    variant_figures(real, detector)

    t0 = time.perf_counter()
    realistic = load_set("realistic", Scene.CLEAN, counts["clean"], cache)
    hard = load_set("hard", Scene.CLEAN, counts["clean"], cache)
    kiosk = load_set("kiosk", Scene.CLEAN, counts["clean"] // 2, cache)
    desk = load_set("desk", Scene.CLEAN, counts["clean"], cache)
    empty = [sample for split in ("realistic", "hard", "desk", "kiosk")
             for sample in load_set(split, Scene.EMPTY, counts["empty"], cache)]
    defects = {
        scene: load_set(
            "realistic",
            scene,
            counts["defect"] if scene is not Scene.CUT_OFF else counts["cut_off"],
            cache,
        )
        for scene in DEFECTS
    }
    info(f"evaluation set ready in {time.perf_counter() - t0:.1f} s ({_cache_dir()})")

    times = detection_figures(
        "realistic", realistic, detector, {"mean": (">=", 0.99), "share": (">=", 97.0)},
        confidences,
    )
    hard_times = detection_figures("hard", hard, detector, {"mean": (">=", 0.97)}, confidences)
    kiosk_times = detection_figures("kiosk tray", kiosk, detector, {"mean": (">=", 0.99)},
                                    confidences)
    desk_times = detection_figures("desk (light, stacked, clutter across edges)", desk,
                                   detector, {"mean": (">=", 0.95)}, confidences)

    accepts = sum(1 for s in empty if detector.detect(s.image()).quad is not None)
    line("empty-tray quads accepted", accepts, f"of {len(empty)}", "<=", 0, ".0f")
    cut = defects[Scene.CUT_OFF]
    cut_quads = sum(1 for s in cut if detector.detect(s.image()).quad is not None)
    line("out-of-frame (cut-off) quads accepted", cut_quads, f"of {len(cut)}", "<=", 0, ".0f")
    low = sum(1 for c in confidences if c < 0.9)
    info(f"calibration: {low} of {len(confidences)} accepted quads scored below 0.9 "
         f"({low / max(len(confidences), 1) * 100:.1f} %; real and synthetic clean frames)")

    # Quality checks through the whole pipeline, detection included, as the kiosk runs it.
    config = CaptureConfig(detector=detector.config)
    recall_hits, recall_total = 0, 0
    for scene, samples in defects.items():
        hits = 0
        for s in samples:
            result = capture(s.image(), config)
            hits += Code(str(scene)) in result.issues
        info(f"quality check {scene}: flagged {hits} of {len(samples)}")
        recall_hits += hits
        recall_total += len(samples)
    rejects = sum(1 for s in realistic if capture(s.image(), config).issues)
    line("quality checks recall", recall_hits / recall_total * 100, "%", ">=", 95.0, ".1f")
    line(
        "quality checks false rejects (realistic)",
        rejects / len(realistic) * 100,
        "%",
        "<=",
        5.0,
        ".1f",
    )

    cpu = [t[0] for t in times]
    med = statistics.median(cpu)
    info(f"detection speed on synthetic 1920x1080, one core (median): {1000.0 / med:.1f} frames/s")
    for label, runs in (("realistic", times), ("hard", hard_times), ("kiosk tray", kiosk_times),
                        ("desk", desk_times)):
        c, w = [t[0] for t in runs], [t[1] for t in runs]
        info(
            f"detection {label}: CPU median {statistics.median(c):.1f} ms, p95 "
            f"{np.percentile(c, 95):.1f} ms; wall median {statistics.median(w):.1f} ms, p95 "
            f"{np.percentile(w, 95):.1f} ms"
        )

    capture_times: list[tuple[float, float]] = []
    for s in realistic[: counts["stills"]]:
        still = cv2.resize(s.image(), STILL_SIZE, interpolation=cv2.INTER_CUBIC)
        found = detector.detect(still)
        if found.quad is None or found.reason is not Reason.OK:
            continue
        for _ in range(3):
            capture_times.append(
                timed(partial(capture, still, config, detection=found))
            )
    if capture_times:
        c, w = [t[0] for t in capture_times], [t[1] for t in capture_times]
        line(
            "full capture 9 MP still, one core (median)",
            statistics.median(c),
            "ms",
            "<=",
            250.0,
            ".0f",
        )
        info(
            f"full capture: CPU p95 {np.percentile(c, 95):.0f} ms; wall median "
            f"{statistics.median(w):.0f} ms, p95 {np.percentile(w, 95):.0f} ms over {len(c)} "
            "runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
