"""Phone numbers: one rule for what an Indonesian mobile number is, one canonical form, a
mask for showing it, and sealing at rest that only this centre's key opens."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from central.contract.services import ComplaintCreate
from central.notify.phones import PhoneBox, SealedPhoneUnreadable
from common.phone import InvalidPhone, local_form, mask_phone, normalise_mobile

pytestmark = pytest.mark.in_process


@pytest.mark.parametrize(
    "written",
    ["081234567890", "0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(0812) 3456.7890"],
)
def test_the_ways_residents_write_a_number_become_one(written: str) -> None:
    assert normalise_mobile(written) == "+6281234567890"
    assert local_form(written) == "081234567890"
    assert mask_phone(written) == "0812****7890"


@pytest.mark.parametrize(
    "written",
    ["", "0212345678", "08123", "0812345678901234", "+61 812 3456 7890", "0812-3456-789x", "nomor"],
)
def test_what_is_not_a_mobile_number_is_refused_without_echoing_it(written: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        normalise_mobile(written)
    assert written not in str(refused.value) or not written


def test_the_contract_field_is_optional_normalised_and_bounded() -> None:
    base = {
        "local_ref": "K0123456789ABCDEF",
        "category": "lainnya",
        "text": "Jalan rusak di RT 2",
        "submitted_at": "2026-11-23T09:58:00+07:00",
    }
    assert ComplaintCreate.model_validate(base).notify_phone is None
    given = ComplaintCreate.model_validate({**base, "notify_phone": "0812 3456 7890"})
    assert given.notify_phone == "+6281234567890"
    for bad in ("0212345678", "0" * 40):
        with pytest.raises(ValidationError) as refused:
            ComplaintCreate.model_validate({**base, "notify_phone": bad})
        assert refused.value.errors()[0]["loc"] == ("notify_phone",)


def test_sealed_numbers_open_only_with_the_same_secret() -> None:
    box = PhoneBox.from_secret(b"centre secret one")
    sealed = box.seal("0812-3456-7890")
    assert b"3456" not in sealed and b"7890" not in sealed
    assert box.seal("081234567890") != sealed  # a fresh nonce each time
    assert box.open(sealed) == "+6281234567890"
    with pytest.raises(SealedPhoneUnreadable):
        PhoneBox.from_secret(b"another centre").open(sealed)
    with pytest.raises(SealedPhoneUnreadable):
        box.open(sealed[:-1] + bytes([sealed[-1] ^ 1]))
