"""Where a process's resident memory is, from /proc/PID/smaps, grouped by what maps it: the C
heap and the per-thread malloc arenas, thread stacks, the GL driver (Mesa's llvmpipe and
LLVM), OpenCV, numpy and its BLAS, SDL, fonts, Python and the rest. bench/ui.py prints it
for its app process, so a footprint figure comes with where it lies rather than a guess.

Anonymous mappings cannot say whose they are; they are told apart by shape: glibc's
secondary arenas are 64 MB-aligned heaps of exactly 64 MB reserved (HEAP_MAX_SIZE), thread
stacks are 8 MB with a guard page before them, and the rest is mmap'd blocks (numpy
arrays and frames over glibc's mmap threshold, Python's arenas, Mesa's buffers).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ARENA_RESERVE_KB = 64 * 1024  # glibc's HEAP_MAX_SIZE on 64-bit: each secondary arena's reserve
STACK_KB = 8 * 1024  # a pthread's default stack (ulimit -s)

# (group, pattern on the mapping's path); the first that matches wins
LIBRARIES: tuple[tuple[str, str], ...] = (
    ("GL driver (Mesa, LLVM)", r"libLLVM|libgallium|_dri\.so|swrast|libGL|libEGL|libglapi|mesa"),
    ("OpenCV", r"cv2|opencv|libavcodec|libavformat|libavutil|libswscale|libQt|libvpx|libx26"),
    ("numpy and BLAS", r"numpy|openblas|libgfortran|libquadmath"),
    ("SDL and X", r"SDL|libX|libxcb|libwayland|libdrm|libgbm"),
    ("fonts", r"\.ttf|\.otf|fonts"),
    ("Pillow and image codecs", r"PIL|pillow|libjpeg|libpng|libtiff|libwebp|libopenjp|libz\."),
    ("Kivy", r"kivy"),
    ("Python", r"python3|libpython|\.pyc|lib-dynload"),
)


@dataclass
class Mapping:
    start: int
    end: int
    path: str
    rss_kb: int = 0
    anonymous_kb: int = 0
    fields: dict[str, int] = field(default_factory=dict)

    @property
    def size_kb(self) -> int:
        return (self.end - self.start) // 1024


HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$")


def mappings(pid: int | str = "self") -> list[Mapping]:
    """Every mapping of the process with its Rss and Anonymous (kB)."""
    found: list[Mapping] = []
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        header = HEADER.match(line)
        if header:
            found.append(Mapping(int(header[1], 16), int(header[2], 16), header[3].strip()))
            continue
        key, _, rest = line.partition(":")
        if found and rest.strip().endswith("kB"):
            found[-1].fields[key] = int(rest.split()[0])
    for mapping in found:
        mapping.rss_kb = mapping.fields.get("Rss", 0)
        mapping.anonymous_kb = mapping.fields.get("Anonymous", 0)
    return found


def _arenas(found: list[Mapping]) -> set[int]:
    """Indices of glibc's secondary arenas: an anonymous mapping at a 64 MB boundary and the
    anonymous mappings that follow it without a gap (its heap, then the inaccessible rest of
    its reserve, which a shrink may split) adding up to exactly 64 MB."""
    arenas: set[int] = set()
    for index, mapping in enumerate(found):
        if mapping.path or mapping.start % (ARENA_RESERVE_KB * 1024):
            continue
        parts, end = [index], mapping.end
        while end - mapping.start < ARENA_RESERVE_KB * 1024 and parts[-1] + 1 < len(found):
            following = found[parts[-1] + 1]
            if following.path or following.start != end:
                break
            parts.append(parts[-1] + 1)
            end = following.end
        if end - mapping.start == ARENA_RESERVE_KB * 1024:
            arenas.update(parts)
    return arenas


def _stacks(found: list[Mapping]) -> set[int]:
    """Indices of thread stacks: anonymous, 8 MB, right after a 4 kB guard page."""
    stacks: set[int] = set()
    for index, mapping in enumerate(found[1:], start=1):
        guard = found[index - 1]
        if (
            not mapping.path
            and mapping.size_kb == STACK_KB
            and not guard.path
            and guard.size_kb == 4
            and guard.end == mapping.start
        ):
            stacks.add(index)
    return stacks


def group_of(mapping: Mapping) -> str:
    path = mapping.path
    if path == "[heap]":
        return "C heap (main arena)"
    if path.startswith("[stack"):
        return "thread stacks"
    if path.startswith("/memfd:") or path.startswith("/dev/shm") or "SYSV" in path:
        return "shared memory (X, GL)"
    for group, pattern in LIBRARIES:
        if re.search(pattern, path):
            return group
    if path.startswith("["):
        return "kernel ([vdso], [vvar])"
    return "other files" if path else "anonymous mmap (numpy, Python arenas, Mesa, frames)"


def breakdown(pid: int | str = "self") -> dict[str, tuple[int, int]]:
    """Resident and anonymous kB by group, largest first."""
    found = mappings(pid)
    arenas, stacks = _arenas(found), _stacks(found)
    totals: dict[str, list[int]] = {}
    for index, mapping in enumerate(found):
        if index in arenas:
            group = "malloc arenas of other threads"
        elif index in stacks:
            group = "thread stacks"
        else:
            group = group_of(mapping)
        total = totals.setdefault(group, [0, 0])
        total[0] += mapping.rss_kb
        total[1] += mapping.anonymous_kb
    ordered = sorted(totals.items(), key=lambda item: -item[1][0])
    return {group: (rss, anonymous) for group, (rss, anonymous) in ordered}


def arena_count(pid: int | str = "self") -> int:
    """glibc's secondary arenas (one per thread that allocated, up to M_ARENA_MAX). An arena
    that outgrows its 64 MB heap gets another, so heaps are told apart by the arena each
    belongs to: the first word of a heap (glibc's heap_info) points to its arena."""
    found = mappings(pid)
    starts = [
        found[i].start for i in _arenas(found) if found[i].start % (ARENA_RESERVE_KB * 1024) == 0
    ]
    owners: set[int] = set()
    try:
        with open(f"/proc/{pid}/mem", "rb") as memory:
            for start in starts:
                memory.seek(start)
                owners.add(int.from_bytes(memory.read(8), sys.byteorder))
    except OSError:  # not allowed to read the process: one arena per heap, an upper bound
        return len(starts)
    return len(owners)


def describe(pid: int | str = "self") -> Iterator[str]:
    """One line per group: resident MB, of which anonymous."""
    groups = breakdown(pid)
    total = sum(rss for rss, _ in groups.values())
    yield f"RSS {total / 1024:.1f} MB in {arena_count(pid)} malloc arenas besides the main heap:"
    for group, (rss, anonymous) in groups.items():
        if rss >= 512:
            yield f"  {rss / 1024:6.1f} MB ({anonymous / 1024:5.1f} anonymous)  {group}"
