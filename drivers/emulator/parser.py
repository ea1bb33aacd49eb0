"""An incremental ESC/POS parser: bytes in (split anywhere), printer operations out.

TCP and serial deliver commands in arbitrary pieces, so the parser keeps an unfinished command
until the rest arrives. Commands it knows but does not draw are skipped by their exact length;
bytes it cannot make sense of are skipped one command at a time and counted, never raised:
a printer that crashed on line noise would be worse than useless as a test double.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
EOT, ENQ, DC4 = 0x04, 0x05, 0x14
LF, CR, HT = 0x0A, 0x0D, 0x09

MAX_RASTER_BYTES = 8 * 1024 * 1024
"""A raster header claiming more than this is noise, not an image: skip it, don't buffer it."""
MAX_PENDING = 16 * 1024 * 1024


@dataclass(frozen=True)
class Text:
    data: bytes


@dataclass(frozen=True)
class Newline:
    """LF: print the line buffer and advance one line."""


@dataclass(frozen=True)
class FeedLines:
    lines: int


@dataclass(frozen=True)
class FeedDots:
    dots: int


@dataclass(frozen=True)
class Init:
    """ESC @: styles back to defaults."""


@dataclass(frozen=True)
class Style:
    """A style change; None fields are left as they are."""

    bold: bool | None = None
    underline: bool | None = None
    width: int | None = None
    height: int | None = None
    align: int | None = None


@dataclass(frozen=True)
class Raster:
    width_bytes: int
    rows: int
    data: bytes
    scale_x: int
    scale_y: int


@dataclass(frozen=True)
class QrSetting:
    module_dots: int | None = None
    ecc: int | None = None


@dataclass(frozen=True)
class QrStore:
    data: bytes


@dataclass(frozen=True)
class QrPrint:
    """GS ( k … fn 81: print the stored symbol."""


@dataclass(frozen=True)
class NativeBarcode:
    data: bytes


@dataclass(frozen=True)
class Cut:
    partial: bool


@dataclass(frozen=True)
class StatusQuery:
    n: int


Op = (
    Text
    | Newline
    | FeedLines
    | FeedDots
    | Init
    | Style
    | Raster
    | QrSetting
    | QrStore
    | QrPrint
    | NativeBarcode
    | Cut
    | StatusQuery
)

# ESC commands with a fixed number of argument bytes that the emulator does not draw.
_ESC_SKIP = {
    ord("2"): 0,
    ord("3"): 1,
    ord("M"): 1,
    ord("t"): 1,
    ord("R"): 1,
    ord("{"): 1,
    ord("V"): 1,
    ord(" "): 1,
    ord("U"): 1,
    ord("r"): 1,
    ord("="): 1,
    ord("e"): 1,
    ord("$"): 2,
    ord("\\"): 2,
    ord("p"): 3,
    ord("%"): 1,
    ord("S"): 0,
    ord("L"): 0,
    ord("<"): 0,
    ord("c"): 2,
}
_GS_SKIP = {
    ord("B"): 1,
    ord("H"): 1,
    ord("h"): 1,
    ord("w"): 1,
    ord("f"): 1,
    ord("a"): 1,
    ord("b"): 1,
    ord("I"): 1,
    ord("r"): 1,
    ord("/"): 1,
    ord("L"): 2,
    ord("W"): 2,
    ord("P"): 2,
    ord("T"): 1,
}
_FS_SKIP = {ord("."): 0, ord("&"): 0, ord("p"): 2, ord("C"): 1, ord("!"): 1, ord("-"): 1}
_ESC_ONE_ARG = {ord(c) for c in "!EG-adJ*D"}
_ALIGN = {0: 0, 1: 1, 2: 2, 48: 0, 49: 1, 50: 2}


class EscPosParser:
    """Feed bytes with ``feed``; get the complete operations they finish, in order."""

    def __init__(self) -> None:
        self._pending = bytearray()
        self.garbage_bytes = 0
        self.skipped_commands = 0

    def reset(self) -> None:
        """Forget a half-received command (connection closed)."""
        self.garbage_bytes += len(self._pending)
        self._pending.clear()

    def feed(self, data: bytes) -> list[Op]:
        self._pending += data
        buf = self._pending
        ops: list[Op] = []
        pos = 0
        while pos < len(buf):
            used = self._one(buf, pos, ops)
            if used == 0:
                break
            pos += used
        del buf[:pos]
        if len(buf) > MAX_PENDING:
            self.reset()
        return ops

    def _garbage(self, count: int) -> int:
        self.garbage_bytes += count
        return count

    def _skip(self, count: int, available: int) -> int:
        if available < count:
            return 0
        self.skipped_commands += 1
        return count

    def _one(self, buf: bytearray, pos: int, ops: list[Op]) -> int:  # noqa: PLR0911
        """Parse one item at ``pos``; return bytes used, 0 when the command is incomplete."""
        byte = buf[pos]
        if byte >= 0x20:
            end = pos + 1
            while end < len(buf) and buf[end] >= 0x20:
                end += 1
            ops.append(Text(bytes(buf[pos:end])))
            return end - pos
        if byte == LF:
            ops.append(Newline())
            return 1
        if byte == HT:
            ops.append(Text(b" "))
            return 1
        if byte == CR:
            return 1
        available = len(buf) - pos
        if available < 2:
            return 0
        if byte == ESC:
            return self._esc(buf, pos, available, ops)
        if byte == GS:
            return self._gs(buf, pos, available, ops)
        if byte == DLE:
            return self._dle(buf, pos, available, ops)
        if byte == FS:
            args = _FS_SKIP.get(buf[pos + 1])
            return self._garbage(2) if args is None else self._skip(2 + args, available)
        return self._garbage(1)

    def _esc(self, buf: bytearray, pos: int, available: int, ops: list[Op]) -> int:  # noqa: PLR0911, PLR0912
        command = buf[pos + 1]
        if command == ord("@"):
            ops.append(Init())
            return 2
        if command in (ord("i"), ord("m")):
            ops.append(Cut(partial=True))
            return 2
        if command in _ESC_SKIP:
            return self._skip(2 + _ESC_SKIP[command], available)
        if available < 3:
            return 0 if command in _ESC_ONE_ARG else self._garbage(2)
        n = buf[pos + 2]
        if command == ord("!"):
            ops.append(
                Style(
                    bold=bool(n & 0x08),
                    underline=bool(n & 0x80),
                    width=2 if n & 0x20 else 1,
                    height=2 if n & 0x10 else 1,
                )
            )
        elif command in (ord("E"), ord("G")):
            ops.append(Style(bold=bool(n & 1)))
        elif command == ord("-"):
            ops.append(Style(underline=n in (1, 2, 49, 50)))
        elif command == ord("a"):
            ops.append(Style(align=_ALIGN.get(n, 0)))
        elif command == ord("d"):
            ops.append(FeedLines(n))
        elif command == ord("J"):
            ops.append(FeedDots(n))
        elif command == ord("*"):
            return self._esc_bit_image(buf, pos, available)
        elif command == ord("D"):
            end = buf.find(0, pos + 2, pos + 35)
            if end < 0:
                return 0 if available < 35 else self._garbage(2)
            return self._skip(end + 1 - pos, available)
        else:
            return self._garbage(2)
        return 3

    def _esc_bit_image(self, buf: bytearray, pos: int, available: int) -> int:
        """ESC * m nL nH d…: the old column image format; skipped by its length."""
        if available < 5:
            return 0
        m, count = buf[pos + 2], buf[pos + 3] | buf[pos + 4] << 8
        if m not in (0, 1, 32, 33):
            return self._garbage(2)
        return self._skip(5 + count * (1 if m < 32 else 3), available)

    def _gs(self, buf: bytearray, pos: int, available: int, ops: list[Op]) -> int:  # noqa: PLR0911
        command = buf[pos + 1]
        if command == ord("v"):
            return self._raster(buf, pos, available, ops)
        if command == ord("("):
            return self._gs_paren(buf, pos, available, ops)
        if command == ord("k"):
            return self._barcode(buf, pos, available, ops)
        if command == ord("8"):
            if available < 7:
                return 0
            length = int.from_bytes(buf[pos + 3 : pos + 7], "little")
            return (
                self._skip(7 + length, available) if buf[pos + 2] == ord("L") else self._garbage(2)
            )
        if available < 3:
            return 0 if command in (ord("!"), ord("V")) or command in _GS_SKIP else self._garbage(2)
        n = buf[pos + 2]
        if command == ord("!"):
            ops.append(Style(width=(n >> 4 & 7) + 1, height=(n & 7) + 1))
            return 3
        if command == ord("V"):
            if n in (0, 1, 48, 49):
                ops.append(Cut(partial=n in (1, 49)))
                return 3
            if n in (65, 66, 97, 98, 103, 104):
                if available < 4:
                    return 0
                ops.append(FeedDots(buf[pos + 3]))
                ops.append(Cut(partial=n in (66, 98, 104)))
                return 4
            return self._garbage(3)
        if command in _GS_SKIP:
            return self._skip(2 + _GS_SKIP[command], available)
        return self._garbage(2)

    def _raster(self, buf: bytearray, pos: int, available: int, ops: list[Op]) -> int:
        """GS v 0 m xL xH yL yH d…"""
        if available < 8:
            return 0
        if buf[pos + 2] not in (0, ord("0")) or buf[pos + 3] not in (0, 1, 2, 3, 48, 49, 50, 51):
            return self._garbage(2)
        mode = buf[pos + 3] & 3
        width_bytes = buf[pos + 4] | buf[pos + 5] << 8
        rows = buf[pos + 6] | buf[pos + 7] << 8
        size = width_bytes * rows
        if size > MAX_RASTER_BYTES or size == 0:
            return self._garbage(8)
        if available < 8 + size:
            return 0
        data = bytes(buf[pos + 8 : pos + 8 + size])
        ops.append(Raster(width_bytes, rows, data, 2 if mode & 1 else 1, 2 if mode & 2 else 1))
        return 8 + size

    def _gs_paren(self, buf: bytearray, pos: int, available: int, ops: list[Op]) -> int:
        """GS ( X pL pH …: a length-prefixed family; only QR (``k``, cn 49) is drawn."""
        if available < 5:
            return 0
        length = buf[pos + 3] | buf[pos + 4] << 8
        if available < 5 + length:
            return 0
        body = bytes(buf[pos + 5 : pos + 5 + length])
        if buf[pos + 2] != ord("k") or len(body) < 2 or body[0] != 49:
            return self._skip(5 + length, available)
        fn, params = body[1], body[2:]
        if fn == 67 and params:
            ops.append(QrSetting(module_dots=params[0]))
        elif fn == 69 and params:
            ops.append(QrSetting(ecc=params[0]))
        elif fn == 80 and params:
            ops.append(QrStore(params[1:]))
        elif fn == 81:
            ops.append(QrPrint())
        else:
            self.skipped_commands += 1
        return 5 + length

    def _barcode(self, buf: bytearray, pos: int, available: int, ops: list[Op]) -> int:  # noqa: PLR0911
        """GS k m …: NUL-terminated data for m ≤ 6, length-prefixed for m ≥ 65."""
        if available < 3:
            return 0
        m = buf[pos + 2]
        if m <= 6:
            end = buf.find(0, pos + 3, pos + 3 + 256)
            if end < 0:
                return 0 if available < 3 + 256 else self._garbage(3)
            ops.append(NativeBarcode(bytes(buf[pos + 3 : end])))
            return end + 1 - pos
        if 65 <= m <= 79:
            if available < 4:
                return 0
            count = buf[pos + 3]
            if available < 4 + count:
                return 0
            ops.append(NativeBarcode(bytes(buf[pos + 4 : pos + 4 + count])))
            return 4 + count
        return self._garbage(3)

    def _dle(self, buf: bytearray, pos: int, available: int, ops: list[Op]) -> int:
        command = buf[pos + 1]
        if command not in (EOT, ENQ, DC4):
            return self._garbage(1)
        if available < 3:
            return 0
        if command == EOT:
            if buf[pos + 2] in (1, 2, 3, 4):
                ops.append(StatusQuery(buf[pos + 2]))
                return 3
            return self._garbage(3)
        return self._skip(3 if command == ENQ else 5, available)
