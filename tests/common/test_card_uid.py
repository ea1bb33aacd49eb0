from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.card_uid import CardUidError, canonical_uid, log_tag, uid_from_bytes, uid_from_decimal

pytestmark = pytest.mark.in_process


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04a1b2c3d4e5f6", "04A1B2C3D4E5F6"),
        ("04:A1:B2:C3", "04A1B2C3"),
        (" de ad be ef ", "DEADBEEF"),
    ],
)
def test_hex_forms_become_canonical(text: str, expected: str) -> None:
    assert canonical_uid(text) == expected


@pytest.mark.parametrize("text", ["", "ABC", "04A1B2", "ZZ112233", "04" * 11])
def test_non_uids_are_refused(text: str) -> None:
    with pytest.raises(CardUidError):
        canonical_uid(text)


def test_wedge_decimal_is_the_little_endian_uid_by_default() -> None:
    # UID bytes 04 A1 B2 C3 read little-endian: 0xC3B2A104 = 3283263748
    assert uid_from_decimal("3283263748") == "04A1B2C3"
    assert uid_from_decimal("0077705923", byte_order="big") == "04A1B2C3"


@given(
    st.binary(min_size=4, max_size=4) | st.binary(min_size=7, max_size=7),
    st.sampled_from(["little", "big"]),
)
def test_decimal_round_trips_for_4_and_7_byte_uids(raw: bytes, order: str) -> None:
    value = int.from_bytes(raw, order)  # type: ignore[arg-type]
    digits = f"{value:010d}" if len(raw) == 4 else f"{value:017d}"
    assert uid_from_decimal(digits, byte_order=order) == raw.hex().upper()  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["123", "12345678901234567890", "abcdefghij", "4294967296"])
def test_bad_decimals_are_refused(text: str) -> None:
    with pytest.raises(CardUidError):
        uid_from_decimal(text)


def test_reader_bytes_become_canonical_and_odd_lengths_are_refused() -> None:
    assert uid_from_bytes(bytes.fromhex("04a1b2c3d4e5f6")) == "04A1B2C3D4E5F6"
    for size in (0, 3, 5, 11):
        with pytest.raises(CardUidError, match="4, 7 or 10 bytes"):
            uid_from_bytes(bytes(size))


def test_log_tag_hides_the_uid() -> None:
    tag = log_tag("04A1B2C3D4E5F6")
    assert len(tag) == 8 and "04A1" not in tag.upper()
    assert tag == log_tag("04A1B2C3D4E5F6") != log_tag("04A1B2C3D4E5F7")
