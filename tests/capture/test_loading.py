"""Bad input: a clear LoadError, bounded memory, never a crash."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.capture.loading import MAX_PIXELS, LoadError, decode, load

pytestmark = pytest.mark.in_process


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` but carries almost no data."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty file"),
    (b"this is not a picture\n", "not an image"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "not an image"),
])
def test_non_images(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.jpg"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        load(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        load(tmp_path / "absent.jpg")
    with pytest.raises(LoadError, match="not a regular file"):
        load(tmp_path)


def test_truncated_jpeg(tmp_path: Path) -> None:
    ok, buf = cv2.imencode(".jpg", np.full((400, 600, 3), 128, np.uint8))
    assert ok
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.tobytes()[:300])
    try:
        image = load(path)
    except LoadError:
        return  # refusing is fine
    assert image.shape == (400, 600, 3)  # or decoding what is there (libjpeg pads) is fine


def test_huge_png_is_refused_from_its_header() -> None:
    # 20000 x 15000 = 300 MP: decoding would need 900 MB; the header alone says no.
    with pytest.raises(LoadError, match="too large"):
        decode(_png_header_only(20000, 15000))


def test_huge_jpeg_is_decoded_reduced(tmp_path: Path) -> None:
    big = np.zeros((5800, 8700, 3), np.uint8)  # ~50 MP
    cv2.rectangle(big, (2000, 1000), (6000, 5000), (255, 255, 255), -1)
    ok, buf = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 50])
    assert ok
    del big
    path = tmp_path / "huge.jpg"
    path.write_bytes(buf.tobytes())
    image = load(path)
    assert image.shape[0] * image.shape[1] <= MAX_PIXELS
    assert image.shape[:2] == (5800 // 2, 8700 // 2)


def test_file_size_cap(photo: Path) -> None:
    with pytest.raises(LoadError, match="file too large"):
        load(photo, max_bytes=100)


def test_good_photo_loads(photo: Path) -> None:
    image = load(photo)
    assert image.shape == (1080, 1920, 3) and image.dtype == np.uint8
