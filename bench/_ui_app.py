"""The app's half of bench/ui.py, in its own process: the touchscreen app built on the
simulated kiosk with a scripted finger, measuring the journeys, the frames, the scan preview,
the card tap to the PIN screen, the letter by touch and --journeys visits' footprint; or, with
--card-port, only card taps through pcscd (a process of their own: the virtual card's code is
the bench's, not the app's, and stays out of the journeys' memory).

It runs apart from the bench's set-up (the seeded database, the centre's launcher, the test
helpers: some 80 MB of imports an app never loads), so its memory and threads are the app's.
bench/ui.py starts it with the display and the enrolled kiosk's configuration; the resident
comes in the environment (`KIOSK_DEMO_CARD`, `KIOSK_DEMO_PIN` as for `kiosk demo`, and
`BENCH_UI_NIK` for the NIK typed), never on the command line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._report import info, report
from bench._smaps import describe as memory_map
from bench._ui_visits import INCOME, PURPOSE, Visits, footprint, mix, trimmed_rss_mb
from kiosk.camera_host.client import LINGER_S
from kiosk.config import load_kiosk_config
from kiosk.config.schema import ScreenSection
from kiosk.demo.tray import PHOTOS, tray_photo
from kiosk.demo.visitor import visitor_from
from kiosk.simulated import build_simulated_kiosk
from screens.demo.finger import Finger

NIK_ENV = "BENCH_UI_NIK"
READY_WAIT_S = 60.0
QUEUE = "Ambil nomor antrian"
LETTER_ID = "sktm"
PREVIEW_S = 5.0  # seconds of the scan's live picture to count
ATTRACT_S = 5.0  # seconds on the attract screen whose CPU is measured


@dataclass(frozen=True)
class Resident:
    card_uid: str
    pin: str
    nik: str


class TimedUi(Finger):
    """The tests' scripted finger, timing every frame of Kivy's loop, and within it the buffer
    swap (software GL finishing the frame's drawing and Xvfb taking the picture: a kiosk's GPU
    does this part in a few ms, llvmpipe on 2 busy cores in hundreds)."""

    longest_frame_s = 0.0
    longest_on = ""
    longest_cpu_s = 0.0  # the UI thread's own CPU time in its longest frame: the code's share
    longest_unswapped_s = 0.0  # the longest frame less its buffer swap
    swapping_s = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # by moment ("done -> done"): its longest frame's wall, own CPU and swap seconds
        self.by_moment: dict[str, tuple[float, float, float]] = {}

    def frames(self, count: int = 3) -> None:
        from kivy.base import EventLoop

        self._time_swaps(EventLoop.window)
        for _ in range(count):
            before = self.screen
            self.swapping_s = 0.0
            started, cpu = time.perf_counter(), time.thread_time()
            EventLoop.idle()
            took = time.perf_counter() - started
            own = time.thread_time() - cpu
            self.longest_cpu_s = max(self.longest_cpu_s, own)
            self.longest_unswapped_s = max(self.longest_unswapped_s, took - self.swapping_s)
            moment = f"{before} -> {self.screen}"
            if took > self.longest_frame_s:
                self.longest_frame_s, self.longest_on = took, moment
            if took > self.by_moment.get(moment, (0.0, 0.0, 0.0))[0]:
                self.by_moment[moment] = (took, own, self.swapping_s)

    def slowest_moments(self, count: int = 5) -> str:
        """The moments whose longest frames were longest: wall / own CPU / swap, in ms."""
        moments = sorted(self.by_moment.items(), key=lambda m: -m[1][0])
        return "; ".join(
            f"{moment} {wall * 1000:.0f}/{own * 1000:.0f}/{swap * 1000:.0f}"
            for moment, (wall, own, swap) in moments[:count]
        )

    def _time_swaps(self, window: Any) -> None:
        if getattr(window, "timed_by_bench", False):
            return
        swap = window.flip

        def timed_flip() -> None:
            started = time.perf_counter()
            swap()
            self.swapping_s += time.perf_counter() - started

        window.flip = timed_flip
        window.timed_by_bench = True


def queue_ticket_after_the_pin(ui: Finger, pin: str) -> None:
    """From the PIN screen: the PIN, the queue tile, send; on the done screen."""
    ui.on("pin")
    ui.press(*pin)  # the 6th digit submits
    ui.on("menu")
    ui.until(lambda: ui.buttons(QUEUE) != [], "the tiles")
    ui.press(QUEUE)
    ui.on("review")
    ui.press("Kirim")
    ui.on("done")


@contextmanager
def running_app(config_dir: Path, work: Path) -> Iterator[tuple[TimedUi, Any]]:
    """The touchscreen app on the simulated kiosk, set up as `kiosk app` sets itself up, on
    the attract screen with its start-up heap settled; stopped on the way out."""
    os.environ.update(KIVY_HOME=str(work / "kivy-home"), KIVY_NO_ARGS="1", KIVY_LOG_MODE="PYTHON")
    from screens import heap

    heap.limit_arenas()  # as `kiosk app` does before any thread starts (screens/main.py)
    heap.map_large_blocks()
    from kivy.base import EventLoop
    from kivy.config import Config

    Config.set("graphics", "width", "1920")
    Config.set("graphics", "height", "1080")
    Config.set("graphics", "multisamples", str(ScreenSection().multisamples))  # as a kiosk
    EventLoop.ensure_window()
    from screens.app import KioskApp

    kiosk = build_simulated_kiosk(load_kiosk_config(config_dir, env={}), receipts_dir=work)
    kiosk.start()
    scanner = kiosk.core.scanner
    app = KioskApp(
        kiosk.core.owner,
        language="id",
        dpi=102.0,
        demo=True,
        preview=scanner.preview if scanner is not None else None,
    )
    root = app.build()
    EventLoop.window.add_widget(root)
    ui = TimedUi(app, root)
    try:
        ui.on("attract")
        heap.settle()  # as `kiosk app` does once READY=1 is sent (screens/main.py)
        yield ui, kiosk
    finally:
        app.dispatch("on_stop")
        kiosk.stop()


def journeys(config_dir: Path, work: Path, person: Resident, taps: int, soak: int) -> None:
    with running_app(config_dir, work) as (ui, kiosk):
        root = ui.root
        where_memory_is("on the attract screen, the start-up heap settled")
        attract_cpu(ui, kiosk)
        ui.until(lambda: ui.buttons(QUEUE) != [], "the attract's queue button")
        ui.longest_frame_s = ui.longest_cpu_s = ui.longest_unswapped_s = 0.0
        started = time.perf_counter()
        ui.press(QUEUE)
        ui.on("done")
        took = time.perf_counter() - started
        report("queue ticket from the attract screen, touches", ui.touches, "touches", "<=", 4)
        report("queue ticket from the attract screen, time", took, "s", "<=", 15)
        ui.press("Selesai")
        ui.on("attract")
        ui.touches = 0
        kiosk.tap_card(person.card_uid)  # the e-KTP: a tap on the reader, not on the screen
        queue_ticket_after_the_pin(ui, person.pin)
        info(f"queue ticket signed in with the e-KTP: {ui.touches} touches (6 of them PIN keys)")
        by_card = ui.touches
        ui.press("Selesai")
        ui.on("attract")
        ui.touches = 0
        ui.tap(root.ids.manager.current_screen)
        ui.on("language")
        ui.press("Bahasa Indonesia")
        ui.on("identify")
        ui.press("Masukkan NIK")
        ui.until(lambda: ui.buttons("0") != [], "the NIK keypad")
        ui.press(*person.nik)
        queue_ticket_after_the_pin(ui, person.pin)
        info(f"queue ticket signed in with the NIK typed: {ui.touches} touches (card: {by_card})")
        report(
            "longest UI-thread frame during the journeys", ui.longest_frame_s * 1000, "ms", "<=", 50
        )
        info(f"the longest frame: {ui.longest_on}; another helper's load shares these 2 cores")
        report("longest UI-thread frame, its own CPU time", ui.longest_cpu_s * 1000, "ms", "<=", 50)
        report(
            "longest UI-thread frame less its buffer swap",
            ui.longest_unswapped_s * 1000,
            "ms",
            "<=",
            50,
        )
        where_memory_is("after the first journeys (no scan yet)")
        ui.press("Layanan lain")
        ui.on("menu")
        preview_rate(ui, kiosk)
        where_memory_is("after the scan preview and one capture")
        info(f"the camera's process: {camera_process(kiosk)}")
        simulated_card_to_pin(ui, kiosk, person.card_uid, taps)
        visits = Visits(ui, kiosk, person)
        letter_by_touch(visits)
        many_journeys(visits, soak)
        where_memory_is(f"after the {soak} journeys")


def attract_cpu(ui: TimedUi, kiosk: Any) -> None:
    """CPU the app spends on the attract screen while nobody is there (no target), over
    ATTRACT_S of frames, and whether the camera's process runs meanwhile (it runs only while
    something needs the camera, and for its health probe: kiosk/camera_host)."""
    camera = kiosk.core.camera
    process = time.process_time()
    ends = time.perf_counter() + ATTRACT_S
    while time.perf_counter() < ends:
        ui.frames(1)
    process = time.process_time() - process
    running = "not running" if camera is None or camera.pid is None else "running"
    info(
        f"CPU on the attract screen over {ATTRACT_S:.0f} s: the app {process / ATTRACT_S:.1%} "
        f"of a core; the camera's process: {running}"
    )


def camera_process(kiosk: Any) -> str:
    """The camera's process's resident memory, if one runs (kiosk/camera_host)."""
    pid = kiosk.core.camera.pid if kiosk.core.camera is not None else None
    try:
        status = Path(f"/proc/{pid}/status").read_text() if pid is not None else ""
    except OSError:
        status = ""  # it ended between the two reads
    rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), None)
    return "not running" if rss is None else f"{int(rss) / 1024:.0f} MB resident"


def where_memory_is(moment: str) -> None:
    """The app process's resident memory by what maps it (bench/_smaps.py), at ``moment``."""
    info(f"memory {moment}:")
    for line in memory_map():
        info(line)


def card_to_pin(
    ui: TimedUi, kiosk: Any, tap: Callable[[], None], lift: Callable[[], None], taps: int
) -> list[float]:
    """Seconds from each card tap to the PIN screen drawn (the frame that switches to the
    PIN screen also draws it), sorted; the session is cancelled and the card lifted after
    each."""
    took: list[float] = []
    for _ in range(taps):
        ui.on("attract")
        started = time.perf_counter()
        tap()
        deadline = started + READY_WAIT_S
        while ui.screen != "pin":
            if time.perf_counter() > deadline:
                sys.exit("the PIN screen never came after a card tap")
            ui.frames(1)
        took.append(time.perf_counter() - started)
        kiosk.do(lambda s: s.cancel())
        lift()
    return sorted(took)


def p95_ms(took: list[float]) -> float:
    return took[min(len(took) - 1, round(0.95 * (len(took) - 1)))] * 1000


def simulated_card_to_pin(ui: TimedUi, kiosk: Any, card_uid: str, taps: int) -> None:
    """From the simulated reader's event: the session's and the screens' share of the card
    tap (bench/ui.py measures the whole path through pcscd in a process of its own)."""
    took = card_to_pin(ui, kiosk, lambda: kiosk.tap_card(card_uid), lambda: None, taps)
    report("simulated card tap to the PIN screen drawn, p95", p95_ms(took), "ms", "<=", 300)
    info(f"{taps} taps, median {took[len(took) // 2] * 1000:.0f} ms; the reader's share not in it")


def pcsc_card_to_pin(config_dir: Path, work: Path, person: Resident, port: int, taps: int) -> None:
    """The e-KTP tapped on a reader through pcscd: a virtual card connects to the event-driven
    virtual reader's slot (tests/vcard), pcscd sees it, the kiosk's PC/SC driver reads its UID
    and the session asks for the PIN. Timed from the card's connection to the PIN screen
    drawn, as a resident waits from the tap."""
    from tests.vcard.card import CardProfile, VirtualCard

    profile = CardProfile.ektp_type_a(uid=bytes.fromhex(person.card_uid))
    held: list[VirtualCard] = []

    def tap() -> None:
        held.append(VirtualCard(profile, port))
        held[-1].insert()

    def lift() -> None:
        held.pop().remove()
        ui.until(lambda: ui.screen == "attract", "the attract screen after the card left")
        settle = time.monotonic() + 0.3  # the reader's removal event passes before a new tap
        while time.monotonic() < settle:
            ui.frames(1)

    with running_app(config_dir, work) as (ui, kiosk):
        card_to_pin(ui, kiosk, tap, lift, 1)  # the reader's first card: not timed
        took = card_to_pin(ui, kiosk, tap, lift, taps)
    report("card tap to the PIN screen drawn, through pcscd, p95", p95_ms(took), "ms", "<=", 300)
    info(f"{taps} taps, median {took[len(took) // 2] * 1000:.0f} ms; the app on Xvfb's software GL")


def preview_rate(ui: TimedUi, kiosk: Any) -> None:
    """Frames of the tray drawn per second on the scan screen, beside the camera's rate."""
    kiosk.do(lambda s: s.choose(LETTER_ID))
    kiosk.do(lambda s: s.answer(PURPOSE))
    kiosk.do(lambda s: s.answer(INCOME))
    ui.on("scan")
    preview = ui.root.ids.manager.current_screen.ids.preview
    textures: set[int] = set()
    preview.bind(texture=lambda _w, texture: textures.add(id(texture)))
    ui.press("Mulai memindai")
    ui.until(lambda: preview.frames_shown > 0, "the first picture")
    slot = kiosk.core.scanner.preview
    first = slot.latest()
    shown, started = preview.frames_shown, time.perf_counter()
    while time.perf_counter() - started < PREVIEW_S:
        ui.frames(1)
    elapsed = time.perf_counter() - started
    last = slot.latest()
    drawn = (preview.frames_shown - shown) / elapsed
    camera = (last.number - first.number) / elapsed if first and last else 0.0
    report("scan preview: pictures drawn per second", drawn, "fps", ">=", 15)
    info(f"the camera delivered {camera:.1f} fps meanwhile; textures made: {len(textures)}")
    kiosk.put_on_tray(tray_photo(PHOTOS[0]))  # the scan takes it and stops watching
    ui.until(lambda: "Halaman 2 dari 2" in ui.texts(), "the captured page", 90)
    kiosk.do(lambda s: s.cancel())


KEY_S = 1.0  # a guess at a resident's pace per key, for the estimate beside the figure
STEP_S = 3.0  # and per step: reading the screen (or the answers offered), then the touch
KEYSTROKES = ("PIN keys", "typed answers")  # the parts paced as keys; the rest as steps


def letter_by_touch(visits: Visits) -> None:
    """The letter with two scans, from the card tap to the done screen."""
    visits.ui.on("attract")
    started = time.perf_counter()
    touches = visits.letter_with_two_pages()
    took = time.perf_counter() - started
    report("letter by touch touches", touches.total, "touches", "<=", 12)
    report("letter by touch seconds", took, "s", "<=", 90)
    keys = sum(touches.by_part.get(part, 0) for part in KEYSTROKES)
    paced = took + keys * KEY_S + (touches.total - keys) * STEP_S
    info(f"touches: {touches.describe()}")
    info(
        f"with a resident's pace ({KEY_S:g} s a key, {STEP_S:g} s a step, a guess): "
        f"about {paced:.0f} s"
    )
    visits.finish()


def many_journeys(visits: Visits, count: int) -> None:
    """``count`` visits in this process; the footprint after the first ten (warm: every
    screen built, the caches filled) against the one after the last."""
    plan = mix(visits, count)
    warm = min(10, count)
    ui = visits.ui
    ui.longest_frame_s = ui.longest_cpu_s = ui.longest_unswapped_s = 0.0
    ui.by_moment = {}
    before = footprint()
    started = time.perf_counter()
    for visit in plan[:warm]:
        visit()
    steady = footprint()
    halfway, halfway_at = steady, max(warm, count // 2)
    for number, visit in enumerate(plan[warm:], start=warm + 1):
        visit()
        if number == halfway_at:
            halfway = footprint()
        if number % 50 == 0:
            info(f"after {number} journeys: {footprint().describe()}")
    took = time.perf_counter() - started
    after = footprint()
    info(f"before: {before.describe()}")
    info(f"after {warm} (steady): {steady.describe()}")
    info(f"after {count}: {after.describe()}; {took:.0f} s in all")
    growth = after.rss_mb - steady.rss_mb
    report(f"RSS growth over {count - warm} journeys", growth, "MB", "<=", 10)
    if count > warm:
        info(f"slope: {growth / (count - warm) * 1000:.1f} kB a journey")
        info(  # a warm-up that lasts past the 10th visit, or a leak that goes on
            f"growth over the second half ({halfway_at} -> {count}): "
            f"{after.rss_mb - halfway.rss_mb:+.1f} MB RSS, "
            f"{(after.python_blocks - halfway.python_blocks) / 1000:+.1f}k Python blocks"
        )
    report("thread growth", after.threads - steady.threads, "threads", "<=", 0)
    report("texture growth", after.textures - steady.textures, "textures", "<=", 0)
    report("steady RSS", after.rss_mb, "MB", "<=", 250)
    info(f"the camera's process meanwhile (not the app's; ends {LINGER_S:g} s after its last use): "
         f"{camera_process(visits.kiosk)}")
    info(f"RSS once the C allocator returns what it keeps free: {trimmed_rss_mb():.0f} MB")
    info(
        f"longest UI-thread frame over these visits (the scans included): "
        f"{ui.longest_frame_s * 1000:.1f} ms, {ui.longest_on}; its own CPU at most "
        f"{ui.longest_cpu_s * 1000:.1f} ms, less the swap at most "
        f"{ui.longest_unswapped_s * 1000:.1f} ms"
    )
    info(f"the slowest moments (longest frame: wall/own CPU/swap ms): {ui.slowest_moments()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config-dir", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="receipts and Kivy's home")
    parser.add_argument("--taps", type=int, required=True)
    parser.add_argument("--journeys", type=int, required=True)
    parser.add_argument(
        "--card-port", type=int, help="time --taps card taps through pcscd on this vpcd slot"
    )
    args = parser.parse_args()
    visitor, nik = visitor_from(os.environ), os.environ.get(NIK_ENV)
    if visitor is None or not nik:
        sys.exit("bench/_ui_app.py needs KIOSK_DEMO_CARD, KIOSK_DEMO_PIN and BENCH_UI_NIK")
    person = Resident(visitor.card_uid, visitor.pin, nik)
    if args.card_port is not None:
        pcsc_card_to_pin(args.config_dir, args.work, person, args.card_port, args.taps)
    else:
        journeys(args.config_dir, args.work, person, args.taps, args.journeys)
    return 0


if __name__ == "__main__":
    sys.exit(main())
