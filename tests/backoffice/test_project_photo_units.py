"""How a project photo is prepared, without a server: every result is a JPEG within the cap
(even pure noise), upright, without metadata; what is not a whole JPEG/PNG, or would decode
to more pixels than the limit, is refused."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from central.backoffice.project_photos import MAX_EDGE_PX, MAX_PHOTO_BYTES, prepare
from central.errors import ApiError
from central.services.document_check import MAX_IMAGE_PIXELS
from tests.backoffice.test_console_uploads import phone_photo


def test_pure_noise_is_still_brought_within_the_cap() -> None:
    noise = np.random.default_rng(7).integers(0, 255, (1500, 2000, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, "PNG")
    prepared = prepare(buffer.getvalue())
    assert len(prepared.content) <= MAX_PHOTO_BYTES
    with Image.open(io.BytesIO(prepared.content)) as photo:
        assert photo.format == "JPEG" and max(photo.size) <= MAX_EDGE_PX


def test_a_phone_photo_comes_out_upright_small_and_without_exif() -> None:
    prepared = prepare(phone_photo((4000, 3000)))
    assert (prepared.width, prepared.height) == (960, 1280)
    with Image.open(io.BytesIO(prepared.content)) as photo:
        assert not photo.getexif() and "icc_profile" not in photo.info


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "content",
    [
        _png_header_only(20_000, MAX_IMAGE_PIXELS // 20_000 + 1),
        b"GIF89a" + b"\x00" * 64,
        b"",
    ],
    ids=["too-many-pixels", "a-gif", "empty"],
)
def test_what_cannot_be_a_photo_is_refused(content: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        prepare(content)
    assert refused.value.status == 422 and refused.value.body.code == "photo_not_image"
