"""Resident visits played by touch for bench/ui.py: each one starts and ends on the attract
screen and returns the touches it took, split by what they were for, so a figure can say
which part of a journey costs touches (keystrokes on the PIN pad, keyboard and keypad, one-touch
answers, or the steps between screens)."""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.demo.tray import PHOTOS, tray_photo

QUEUE = "Ambil nomor antrian"
LETTER = "Surat Keterangan Tidak Mampu (SKTM)"
INFORMATION = "Informasi desa"
PURPOSE = "Berobat"  # one of the SKTM's common purposes, a button above the keyboard
INCOME = "Rp 1.000.001 - 2.000.000"  # the family's monthly income, one of the bands
CAPTURE_WAIT_S = 90.0  # the steady-page wait and the capture on a loaded machine


@dataclass
class Touches:
    """Touches of one visit by purpose: keystrokes are the PIN's, the NIK's and the typed
    answers' keys; answers are one-touch answers (a suggested purpose, a choice); steps are
    every other touch (tiles, Start scanning, Send)."""

    by_part: dict[str, int] = field(default_factory=dict)

    def add(self, part: str, count: int) -> None:
        self.by_part[part] = self.by_part.get(part, 0) + count

    @property
    def total(self) -> int:
        return sum(self.by_part.values())

    def describe(self) -> str:
        return ", ".join(f"{part} {count}" for part, count in self.by_part.items())


class Visits:
    """The bench's finger (a ``Finger``) and the simulated kiosk, playing whole visits."""

    def __init__(self, ui: Any, kiosk: Any, person: Any) -> None:
        self.ui = ui
        self.kiosk = kiosk
        self.person = person

    def _count(self, touches: Touches, part: str, *labels: str) -> None:
        before = self.ui.touches
        self.ui.press(*labels)
        touches.add(part, self.ui.touches - before)

    def sign_in_by_card(self, touches: Touches) -> None:
        """The e-KTP tapped on the attract screen (a tap on the reader, not on the screen):
        the session skips the language and identify screens and asks the PIN."""
        ui = self.ui
        ui.on("attract")
        self.kiosk.tap_card(self.person.card_uid)
        ui.on("pin")
        self._count(touches, "PIN keys", *self.person.pin)
        ui.on("menu")
        ui.until(lambda: ui.buttons(QUEUE) != [], "the service tiles")

    def finish(self, touches: Touches | None = None) -> None:
        """ "Selesai" on the done screen: after the journey's end, so not one of its touches
        unless asked."""
        before = self.ui.touches
        self.ui.press("Selesai")
        if touches is not None:
            touches.add("steps", self.ui.touches - before)
        self.ui.on("attract")

    def queue_ticket(self) -> Touches:
        ui, touches = self.ui, Touches()
        ui.on("attract")
        ui.until(lambda: ui.buttons(QUEUE) != [], "the attract's queue button")
        self._count(touches, "steps", QUEUE)
        ui.on("done")
        self.finish()
        return touches

    def letter_with_two_pages(self) -> Touches:
        """A first SKTM request: card, PIN (its sixth digit sends it), the tile, the purpose
        and the income band each one touch, the family card and the RT's letter scanned (each
        laid on the tray before "Mulai memindai", the auto-capture waited for), no SMS number
        (the review offers it: nothing to skip), send; ends on done."""
        ui, touches = self.ui, Touches()
        self.sign_in_by_card(touches)
        self._count(touches, "steps", LETTER)
        ui.on("form")
        self._count(touches, "one-touch answers", PURPOSE)
        form = ui.root.ids.manager.current_screen
        ui.until(lambda: form.input_kind == "choice", "the income bands")
        self._count(touches, "one-touch answers", INCOME)
        for photo in PHOTOS:
            self._scan(touches, tray_photo(photo))
        ui.on("review")
        self._count(touches, "steps", "Kirim")
        ui.on("done")
        return touches

    def _scan(self, touches: Touches, photo: Path) -> None:
        ui = self.ui
        ui.on("scan")
        scan = ui.root.ids.manager.current_screen
        before = scan.prompt
        self.kiosk.put_on_tray(photo)
        self._count(touches, "steps", "Mulai memindai")
        ui.until(
            lambda: scan.prompt is not before or ui.screen != "scan", "the capture", CAPTURE_WAIT_S
        )

    def information(self) -> Touches:
        ui, touches = self.ui, Touches()
        self.sign_in_by_card(touches)
        self._count(touches, "steps", INFORMATION)
        ui.on("information")
        body = ui.root.ids.manager.current_screen.ids.body
        ui.until(lambda: len(body.children) > 3, "the village information")
        self._count(touches, "steps", "Kembali")
        ui.on("menu")
        self._count(touches, "steps", "Batal")
        ui.on("attract")
        return touches


@dataclass(frozen=True)
class Footprint:
    """What a long-running app must not accumulate: resident memory, threads, textures."""

    rss_mb: float
    anonymous_mb: float  # the process's own heap; the rest is shared libraries' pages
    threads: int
    textures: int  # kivy Texture objects the garbage collector tracks (frozen start-up ones not)
    cached: int  # entries in Kivy's Cache, every category
    python_blocks: int  # memory blocks Python's allocator holds: live Python objects' share

    def describe(self) -> str:
        return (
            f"RSS {self.rss_mb:.1f} MB ({self.anonymous_mb:.0f} MB anonymous), "
            f"{self.threads} threads, {self.textures} textures, {self.cached} cache entries, "
            f"{self.python_blocks / 1000:.0f}k Python blocks"
        )


def footprint() -> Footprint:
    """The app's memory, threads and textures now, once the visit's short-lived threads are
    done (the heap's give-back after each return to the attract runs some 10 ms: caught
    running, it read as a thread more)."""
    import gc
    import threading

    from kivy.cache import Cache
    from kivy.graphics.texture import Texture

    for thread in threading.enumerate():
        if thread.name == "heap-give-back":
            thread.join(5.0)
    gc.collect()
    status = Path("/proc/self/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return Footprint(
        rss_mb=int(fields["VmRSS"].split()[0]) / 1024,
        anonymous_mb=int(fields["RssAnon"].split()[0]) / 1024,
        threads=int(fields["Threads"]),
        textures=sum(isinstance(o, Texture) for o in gc.get_objects()),
        cached=sum(len(entries) for entries in Cache._objects.values()),  # noqa: SLF001 - no public count
        python_blocks=sys.getallocatedblocks(),
    )


def trimmed_rss_mb() -> float:
    """RSS once the C allocator gives back the free memory it keeps (glibc's malloc_trim):
    what was freed but not returned, e.g. in the arena of the session's and the devices'
    threads, which hold the centre's replies and the preview's pictures for a moment."""
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return footprint().rss_mb


def mix(visits: Visits, journeys: int) -> list[Any]:
    """The order of the soak's visits: mostly queue numbers (the kiosk's commonest use),
    village information, and a letter with two scans in every five."""
    cycle = [visits.queue_ticket, visits.information, visits.queue_ticket, visits.information]
    cycle.append(lambda: _letter_then_finish(visits))
    return [cycle[n % len(cycle)] for n in range(journeys)]


def _letter_then_finish(visits: Visits) -> Touches:
    touches = visits.letter_with_two_pages()
    visits.finish()
    return touches
