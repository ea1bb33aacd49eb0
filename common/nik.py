"""NIK validation, shared by the kiosk (keypad entry) and the centre (login, registration).

Wraps `lokal-id`, which gets the cases that matter right where python-stdnum does not
(provinces 65 and 92–96, day + 40 for women, day 99 rejected) and ships the current
Kemendagri province list. The rest of the project sees only this module's small interface:
``check_nik`` answers with the first rule that failed, so a message can name it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from lokal.nik import parse_nik


class NikRule(enum.StrEnum):
    """The structural rules of `PP RR SS DDMMYY NNNN`, in the order they are checked."""

    FORMAT = "format"
    PROVINCE = "province"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    SERIAL = "serial"


_LOKAL_CODES = {
    "format": NikRule.FORMAT,
    "province": NikRule.PROVINCE,
    "wilayah": NikRule.REGION,
    "birth_date": NikRule.BIRTH_DATE,
    "serial": NikRule.SERIAL,
}

RULE_MESSAGES: dict[NikRule, tuple[str, str]] = {
    NikRule.FORMAT: ("NIK harus 16 digit angka.", "A NIK is exactly 16 digits."),
    NikRule.PROVINCE: (
        "Dua digit pertama NIK bukan kode provinsi yang berlaku.",
        "The first two digits of the NIK are not a current province code.",
    ),
    NikRule.REGION: (
        "Kode kabupaten/kota dan kecamatan di NIK tidak boleh 00.",
        "The regency and district codes in a NIK cannot be 00.",
    ),
    NikRule.BIRTH_DATE: (
        "Tanggal lahir di NIK tidak valid (perempuan: tanggal + 40).",
        "The birth date in the NIK is not a real date (women: day + 40).",
    ),
    NikRule.SERIAL: ("Nomor urut NIK tidak boleh 0000.", "The NIK's serial number cannot be 0000."),
}


class InvalidNik(ValueError):
    """A NIK that breaks ``rule``. The message never repeats the NIK itself."""

    def __init__(self, rule: NikRule) -> None:
        super().__init__(RULE_MESSAGES[rule][1])
        self.rule = rule

    @property
    def message_id(self) -> str:
        return RULE_MESSAGES[self.rule][0]


@dataclass(frozen=True)
class NikFacts:
    """What the 16 digits themselves say. The NIK never changes, even when these are wrong."""

    nik: str
    province_code: str
    regency_code: str
    district_code: str
    sex: str
    birth_date: date
    serial: str


def check_nik(text: str, *, today: date | None = None) -> NikFacts:
    """Parse and validate; raises :class:`InvalidNik` naming the first rule that failed.

    ``today`` decides the century of a two-digit birth year (a year not after this year's
    last two digits is taken as 20YY).
    """
    info = parse_nik(text.strip(), reference_date=today)
    if info.errors:
        raise InvalidNik(_LOKAL_CODES.get(info.errors[0].code, NikRule.FORMAT))
    assert info.nik and info.province_code and info.regency_code and info.district_code
    assert info.gender and info.birth_date and info.serial
    return NikFacts(
        nik=info.nik,
        province_code=info.province_code,
        regency_code=info.regency_code,
        district_code=info.district_code,
        sex=info.gender,
        birth_date=date.fromisoformat(info.birth_date),
        serial=info.serial,
    )


def is_valid_nik(text: str) -> bool:
    try:
        check_nik(text)
    except InvalidNik:
        return False
    return True


def mask_nik(nik: str) -> str:
    """`3510********0001`: region and serial stay readable, the birth date does not."""
    return f"{nik[:4]}{'*' * 8}{nik[12:]}" if len(nik) == 16 else "*" * len(nik)


def build_nik(*, district_code: str, birth_date: date, sex: str, serial: int) -> str:
    """Compose a NIK from its parts (seed data and tests): the inverse of :func:`check_nik`."""
    day = birth_date.day + (40 if sex == "P" else 0)
    digits = district_code.replace(".", "")
    return f"{digits}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
