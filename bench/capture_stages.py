"""Where one page detection spends its time, stage by stage (issue 16: 33 ms per frame).

    .venv/bin/python bench/capture_stages.py [--runs N] [--real DIR]

Times every cold detection of the real frames (bench/data/realdocs-dev, each ``--runs``
times) on one core (cv2.setNumThreads(1); pin the process with ``taskset -c 0`` as well on
a shared machine) and prints, per stage, the CPU milliseconds it took per frame: median and
p95 over all detections, and its share of the total. A stage is timed where the detector
enters it from ``detect`` or its search, so nested work (the side fits inside a peel) counts
once, under the stage that asked for it. The detector is not changed: its steps are wrapped
for this run only. Profile before optimising; docs/capture.md keeps the table.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from kiosk.capture import detect as detect_module
from kiosk.capture.detect import PageDetector
from tests.support.realset import load as load_real

REAL_DIR = ROOT / "bench" / "data" / "realdocs-dev"

# (owner, attribute, stage): the detector's steps in the order a search meets them.
STAGES: tuple[tuple[Any, str, str], ...] = (
    (PageDetector, "_search", ""),  # not timed: tells a margin refit from the polish
    (PageDetector, "_levels", "pyramid + Lab"),
    (detect_module, "views", "views (closing, colour Canny)"),
    (detect_module, "propose", "proposals"),
    (PageDetector, "_paper_check", "paper check before a fit"),
    (PageDetector, "_fit_proposal", "side fits (middle level)"),
    (PageDetector, "_acceptable", "acceptance tests"),
    (detect_module, "_foreign_sides", "margin test"),
    (PageDetector, "_refine", "refits"),  # margin refit in the search; polish in detect
    (PageDetector, "_region_pages", "region evidence"),
    (PageDetector, "_peel", "peeling"),
    (detect_module, "_conclude", "choice"),
)


class StageClock:
    """CPU time per stage of one detection: only the outermost wrapped call counts."""

    def __init__(self) -> None:
        self.depth = 0
        self.searching = False  # inside the search (a refit there is the margin test's)
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
        if fn.__name__ == "_search":
            @functools.wraps(fn)
            def search(*args: Any, **kwargs: Any) -> Any:
                self.searching = True
                try:
                    return fn(*args, **kwargs)
                finally:
                    self.searching = False

            return search

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return fn(*args, **kwargs)
            label = stage
            if fn.__name__ == "propose" and kwargs.get("lines"):
                label = "line proposals (Hough)"
            elif fn.__name__ == "_refine":
                label = "margin refit" if self.searching else "polish (full resolution)"
            self.depth += 1
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[label] += (time.process_time() - start) * 1000.0
                self.depth -= 1

        return timed

    @contextmanager
    def installed(self) -> Iterator[None]:
        saved = [(owner, name, getattr(owner, name)) for owner, name, _ in STAGES]
        try:
            for owner, name, stage in STAGES:
                setattr(owner, name, self.wrap(getattr(owner, name), stage))
            yield
        finally:
            for owner, name, fn in saved:
                setattr(owner, name, fn)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="detections per frame (%(default)s)")
    parser.add_argument("--real", type=Path, default=REAL_DIR,
                        help="directory of real frames with truth.jsonl (default: %(default)s)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    detector = PageDetector()
    images = [frame.image() for frame in load_real(args.real)]
    for image in images:  # warm caches and lazy imports before timing
        detector.detect(image)
    per_frame: list[dict[str, float]] = []
    totals: list[float] = []
    clock = StageClock()
    with clock.installed():
        for _ in range(args.runs):
            for image in images:
                clock.spent.clear()
                start = time.process_time()
                detector.detect(image)
                totals.append((time.process_time() - start) * 1000.0)
                per_frame.append(dict(clock.spent))
    stages = [s for s in dict.fromkeys(k for row in per_frame for k in row)]
    print(f"{len(totals)} detections ({len(images)} frames x {args.runs}), CPU ms per frame")
    print(f"{'stage':34} {'median':>7} {'p95':>7} {'mean':>7} {'share':>6}")
    mean_total = float(np.mean(totals))
    for stage in [*stages, "other (detect itself)"]:
        if stage in stages:
            values = [row.get(stage, 0.0) for row in per_frame]
        else:
            values = [t - sum(row.values()) for t, row in zip(totals, per_frame, strict=True)]
        print(f"{stage:34} {statistics.median(values):7.2f} {np.percentile(values, 95):7.2f} "
              f"{np.mean(values):7.2f} {np.mean(values) / mean_total * 100:5.1f}%")
    print(f"{'total':34} {statistics.median(totals):7.2f} {np.percentile(totals, 95):7.2f} "
          f"{mean_total:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
