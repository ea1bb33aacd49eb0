"""ESC/POS command bytes, named once so the renderer, the driver and the emulator agree.

References: Epson "ESC/POS Application Programming Guide" command pages (ESC @, ESC a, ESC E,
ESC -, GS !, ESC d, GS v 0, GS ( k, GS V, DLE EOT).
"""

from __future__ import annotations

ESC = 0x1B
GS = 0x1D
DLE = 0x10
EOT = 0x04
FS = 0x1C
LF = 0x0A

INIT = bytes([ESC, ord("@")])

QR_MODEL_2 = 50
QR_ECC_M = 49
"""Error correction level M (15 %): survives a smudge on thermal paper, stays small."""


def align(code: int) -> bytes:
    """``ESC a n``: 0 left, 1 centre, 2 right."""
    return bytes([ESC, ord("a"), code])


def bold(on: bool) -> bytes:
    """``ESC E n``: emphasised printing."""
    return bytes([ESC, ord("E"), int(on)])


def underline(on: bool) -> bytes:
    """``ESC - n``: one-dot underline."""
    return bytes([ESC, ord("-"), int(on)])


def char_size(width: int, height: int) -> bytes:
    """``GS ! n``: magnification 1..8 in each direction (high nibble width, low nibble height)."""
    return bytes([GS, ord("!"), ((width - 1) << 4) | (height - 1)])


def feed_lines(lines: int) -> bytes:
    """``ESC d n``: print the buffer and feed ``n`` lines."""
    return bytes([ESC, ord("d"), lines])


def raster(width_bytes: int, rows: int, data: bytes) -> bytes:
    """``GS v 0``: a raster bit image, 1 bit per dot, 1 = black, rows padded to whole bytes."""
    if len(data) != width_bytes * rows:
        raise ValueError("raster data length does not match its size")
    header = bytes([GS, ord("v"), ord("0"), 0])
    return header + width_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little") + data


def qr_function(fn: int, payload: bytes) -> bytes:
    """``GS ( k pL pH cn fn …`` with cn = 49 (QR code)."""
    body = bytes([49, fn]) + payload
    return bytes([GS, ord("("), ord("k")]) + len(body).to_bytes(2, "little") + body


def qr_native(data: bytes, module_dots: int) -> bytes:
    """Select model 2, module size, error correction M, store the data, print it."""
    return (
        qr_function(65, bytes([QR_MODEL_2, 0]))
        + qr_function(67, bytes([module_dots]))
        + qr_function(69, bytes([QR_ECC_M]))
        + qr_function(80, b"0" + data)
        + qr_function(81, b"0")
    )


def cut(partial: bool) -> bytes:
    """``GS V m n`` function B: feed to the cutter, then a full (65) or partial (66) cut."""
    return bytes([GS, ord("V"), 66 if partial else 65, 0])


def status_query(n: int) -> bytes:
    """``DLE EOT n``: real-time status, answered even while the print buffer is full."""
    return bytes([DLE, EOT, n])
