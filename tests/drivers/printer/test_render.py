"""Exact ESC/POS bytes for both capability profiles (the renderer is pure)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from drivers.printer import PROFILE_58MM, PROFILE_80MM, Align, Receipt, RenderError
from drivers.printer.render import encode_text, render, wrap

pytestmark = pytest.mark.in_process

INIT = b"\x1b@"


def test_text_pair_feed_and_cut_on_80mm() -> None:
    receipt = Receipt().text("Halo", bold=True, align=Align.CENTER).pair("A", "B").feed(2).cut()
    rendered = render(receipt, PROFILE_80MM)
    assert rendered.prefix == INIT
    assert rendered.chunks == (
        b"\x1ba\x01" + b"\x1bE\x01" + b"Halo\n",
        b"\x1ba\x00" + b"\x1bE\x00" + b"A" + b" " * 46 + b"B\n",
        b"\x1bd\x02",
        b"\x1dVA\x00",
    )
    assert rendered.data == INIT + b"".join(rendered.chunks)


def test_58mm_has_32_columns_and_no_cut_command() -> None:
    rendered = render(Receipt().pair("A", "B").cut(partial=True), PROFILE_58MM)
    assert rendered.chunks == (b"A" + b" " * 30 + b"B\n", b"\x1bd\x03")
    assert b"\x1dV" not in rendered.data


def test_partial_cut_on_80mm() -> None:
    assert render(Receipt().cut(partial=True), PROFILE_80MM).chunks == (b"\x1dVB\x00",)


def test_style_is_sent_only_when_it_changes() -> None:
    receipt = (
        Receipt().text("a", underline=True, size=(2, 3)).text("b", underline=True, size=(2, 3))
    )
    chunks = render(receipt, PROFILE_80MM).chunks
    assert chunks == (b"\x1b-\x01" + b"\x1d!\x12" + b"a\n", b"b\n")


def test_big_number_is_centred_bold_and_as_large_as_fits() -> None:
    chunk = render(Receipt().big_number("A-012"), PROFILE_58MM).chunks[0]
    assert chunk == b"\x1ba\x01\x1bE\x01\x1d!\x33A-012\n"
    wide = render(Receipt().big_number("1234567890"), PROFILE_58MM).chunks[0]
    assert b"\x1d!\x22" in wide  # 32 columns / 10 characters -> 3x


def test_native_qr_on_80mm() -> None:
    chunk = render(Receipt().qr("HELLO"), PROFILE_80MM).chunks[0]
    assert chunk == (
        b"\x1ba\x01\n"
        + b"\x1d(k\x04\x001A2\x00"
        + b"\x1d(k\x03\x001C\x06"
        + b"\x1d(k\x03\x001E1"
        + b"\x1d(k\x08\x001P0HELLO"
        + b"\x1d(k\x03\x001Q0"
        + b"\n"
    )


def test_qr_on_58mm_is_a_raster_that_decodes_back() -> None:
    chunk = render(Receipt().qr("HELLO"), PROFILE_58MM).chunks[0]
    assert chunk[:3] == b"\x1ba\x01"
    header = chunk[3:11]
    assert header[:4] == b"\x1dv0\x00"
    width_bytes = int.from_bytes(header[4:6], "little")
    rows = int.from_bytes(header[6:8], "little")
    assert (width_bytes, rows) == (22, 174)  # (21 modules + 2 x 4 quiet) x 6 dots
    bits = np.unpackbits(np.frombuffer(chunk[11:], np.uint8)).reshape(rows, width_bytes * 8)
    picture = np.where(bits == 1, 0, 255).astype(np.uint8)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(picture)
    assert text == "HELLO"


def test_qr_module_shrinks_to_fit_the_paper() -> None:
    # 200 bytes need version 10 at level M (v9 holds 180): 57 modules + 8 quiet = 65;
    # 8-dot modules would be 520 dots, so 384 // 65 = 5 dots per module, 325 rows.
    chunk = render(Receipt().qr("x" * 200, module_dots=8), PROFILE_58MM).chunks[0]
    assert int.from_bytes(chunk[9:11], "little") == 325
    assert int.from_bytes(chunk[7:9], "little") == 41


def test_barcode_is_a_centred_raster_with_text_below() -> None:
    chunk = render(Receipt().barcode("K7QF", height_dots=10), PROFILE_80MM).chunks[0]
    assert chunk.startswith(b"\x1ba\x01\x1dv0\x00")
    width_bytes = int.from_bytes(chunk[7:9], "little")
    assert int.from_bytes(chunk[9:11], "little") == 10
    # Code 128: start + 4 symbols + check = 6 x 11 modules, stop 13, quiet 2 x 10 -> 99 modules
    assert width_bytes == (99 * 2 + 7) // 8
    assert chunk.endswith(b"K7QF\n")


def test_barcode_wider_than_paper_is_refused() -> None:
    with pytest.raises(RenderError):
        render(Receipt().barcode("A" * 40), PROFILE_58MM)


def test_picture_is_scaled_to_paper_width() -> None:
    image = Image.new("L", (1000, 100), 0)
    chunk = render(Receipt().picture(image), PROFILE_80MM).chunks[0]
    assert chunk[3:11] == b"\x1dv0\x00" + (72).to_bytes(2, "little") + (58).to_bytes(2, "little")
    assert set(chunk[11:]) == {0xFF}


def test_long_text_wraps_to_columns_of_its_width() -> None:
    chunk = render(Receipt().text("x" * 30, size=2), PROFILE_58MM).chunks[0]
    assert chunk == b"\x1d!\x11" + b"x" * 16 + b"\n" + b"x" * 14 + b"\n"


def test_text_encoding_strips_accents_and_neutralises_control_bytes() -> None:
    assert encode_text("Désa\x1b@\x1dV") == b"Desa @ V"
    assert encode_text("日") == b"?"
    assert wrap("a\n\nb", 10) == ["a", "", "b"]


def test_model_rejects_impossible_values() -> None:
    with pytest.raises(ValueError, match="width"):
        Receipt().text("x", size=(9, 1))
    with pytest.raises(ValueError, match="QR"):
        Receipt().qr("")
    with pytest.raises(ValueError):
        Receipt().barcode("é")
