"""NIK validation, shared by the kiosk (keypad entry) and the centre (login, registration).

The structural rules of `lokal-id`'s ``parse_nik``, which gets the cases that matter right
where python-stdnum does not (provinces 65 and 92–96, day + 40 for women, day 99 rejected),
written out here with its Kemendagri province list. Why not call it: importing `lokal`
loads its whole package (holidays, QRIS, phone numbers, the PII masker: 42 modules, some
4 MB resident in the kiosk app) for sixteen digits, and the app's memory has a budget
(docs/screens.md). `tests/common/test_nik.py` holds this module to lokal-id's answers on
random and edge-case input, so the two cannot drift apart unnoticed; the centre still uses
lokal-id's region data to seed its offices.

The rest of the project sees only this module's small interface: ``check_nik`` answers with
the first rule that failed, so a message can name it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date


class NikRule(enum.StrEnum):
    """The structural rules of `PP RR SS DDMMYY NNNN`, in the order they are checked."""

    FORMAT = "format"
    PROVINCE = "province"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    SERIAL = "serial"


# Kemendagri's province codes (lokal-id 0.7's list, with the four Papua provinces of 2022).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35",
    "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76",
    "81", "82", "91", "92", "93", "94", "95", "96",
})
# What may separate the digits as written ("3510 0101 ...", "35.10.01-..."): JavaScript's
# whitespace, as lokal-id (a port of a TypeScript library) strips it, dots and hyphens.
_SEPARATORS = re.compile(
    "[\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff.-]"
)
_SIXTEEN_DIGITS = re.compile("[0-9]{16}")
WOMEN_DAY_OFFSET = 40

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
    digits = _SEPARATORS.sub("", text.strip())
    if not _SIXTEEN_DIGITS.fullmatch(digits):
        raise InvalidNik(NikRule.FORMAT)
    province, regency, district = digits[0:2], digits[2:4], digits[4:6]
    if province not in PROVINCE_CODES:
        raise InvalidNik(NikRule.PROVINCE)
    if regency == "00" or district == "00":
        raise InvalidNik(NikRule.REGION)
    day, month, short_year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = "P" if day > WOMEN_DAY_OFFSET else "L"
    if sex == "P":
        day -= WOMEN_DAY_OFFSET
    this_year = (today or date.today()).year
    year = (2000 if short_year <= this_year % 100 else 1900) + short_year
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise InvalidNik(NikRule.BIRTH_DATE) from None
    if digits[12:] == "0000":
        raise InvalidNik(NikRule.SERIAL)
    return NikFacts(
        nik=digits,
        province_code=province,
        regency_code=f"{province}.{regency}",
        district_code=f"{province}.{regency}.{district}",
        sex=sex,
        birth_date=birth_date,
        serial=digits[12:],
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
