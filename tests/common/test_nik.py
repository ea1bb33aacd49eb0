"""NIK rules, property-based: every structurally valid NIK passes, every broken rule is named."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.nik import InvalidNik, NikRule, build_nik, check_nik, mask_nik

pytestmark = pytest.mark.in_process

PROVINCES = [
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    21,
    31,
    32,
    33,
    34,
    35,
    36,
    51,
    52,
    53,
    61,
    62,
    63,
    64,
    65,
    71,
    72,
    73,
    74,
    75,
    76,
    81,
    82,
    91,
    92,
    93,
    94,
    95,
    96,
]
NOT_PROVINCES = sorted(set(range(100)) - set(PROVINCES))
TODAY = date(2026, 11, 23)

district_codes = st.builds(
    lambda p, r, d: f"{p:02d}.{r:02d}.{d:02d}",
    st.sampled_from(PROVINCES),
    st.integers(1, 99),
    st.integers(1, 99),
)
birth_dates = st.dates(min_value=date(1927, 1, 1), max_value=TODAY)
sexes = st.sampled_from(["L", "P"])
serials = st.integers(1, 9999)


@given(district_codes, birth_dates, sexes, serials)
def test_every_structurally_valid_nik_passes_and_reads_back(
    district: str, born: date, sex: str, serial: int
) -> None:
    facts = check_nik(
        build_nik(district_code=district, birth_date=born, sex=sex, serial=serial), today=TODAY
    )
    assert facts.district_code == district
    assert facts.birth_date == born
    assert facts.sex == sex
    assert facts.serial == f"{serial:04d}"


@given(st.sampled_from(NOT_PROVINCES), birth_dates, sexes, serials)
def test_unknown_province_is_named(province: int, born: date, sex: str, serial: int) -> None:
    nik = build_nik(district_code=f"{province:02d}.01.01", birth_date=born, sex=sex, serial=serial)
    with pytest.raises(InvalidNik) as caught:
        check_nik(nik, today=TODAY)
    assert caught.value.rule is NikRule.PROVINCE


@given(district_codes, st.integers(32, 40) | st.integers(72, 99) | st.just(0), st.integers(1, 12))
def test_impossible_day_is_named(district: str, day: int, month: int) -> None:
    nik = f"{district.replace('.', '')}{day:02d}{month:02d}900001"
    with pytest.raises(InvalidNik) as caught:
        check_nik(nik, today=TODAY)
    assert caught.value.rule is NikRule.BIRTH_DATE


@given(district_codes, birth_dates, sexes)
def test_serial_0000_is_named(district: str, born: date, sex: str) -> None:
    nik = build_nik(district_code=district, birth_date=born, sex=sex, serial=0)
    with pytest.raises(InvalidNik) as caught:
        check_nik(nik, today=TODAY)
    assert caught.value.rule is NikRule.SERIAL


@given(st.text(max_size=20).filter(lambda t: sum(c.isdigit() for c in t) != 16))
def test_anything_but_sixteen_digits_is_a_format_error(text: str) -> None:
    with pytest.raises(InvalidNik) as caught:
        check_nik(text)
    assert caught.value.rule is NikRule.FORMAT


def test_women_have_forty_added_to_the_day() -> None:
    facts = check_nik("3510014705900012", today=TODAY)
    assert (facts.sex, facts.birth_date) == ("P", date(1990, 5, 7))


@pytest.mark.parametrize("province", ["65", "92", "93", "96"])
def test_new_provinces_are_accepted(province: str) -> None:
    assert check_nik(f"{province}01010101900001", today=TODAY).province_code == province


def test_region_00_is_named() -> None:
    with pytest.raises(InvalidNik) as caught:
        check_nik("3500000101900001", today=TODAY)
    assert caught.value.rule is NikRule.REGION


def test_errors_are_bilingual_and_never_repeat_the_nik() -> None:
    with pytest.raises(InvalidNik) as caught:
        check_nik("3510019905900012", today=TODAY)
    assert "3510019905900012" not in str(caught.value)
    assert "3510019905900012" not in caught.value.message_id
    assert caught.value.message_id != str(caught.value)


def test_mask_keeps_region_and_serial_only() -> None:
    assert mask_nik("3510014705900012") == "3510********0012"


# lokal-id is the reference these rules were written from (common/nik.py says why they are
# not imported from it): the two must give the same answer on anything a resident types.
LOKAL_RULES = {
    "format": NikRule.FORMAT,
    "province": NikRule.PROVINCE,
    "wilayah": NikRule.REGION,
    "birth_date": NikRule.BIRTH_DATE,
    "serial": NikRule.SERIAL,
}
nik_like = st.text(alphabet="0123456789", min_size=16, max_size=16) | st.builds(
    lambda digits, separators: "".join(d + s for d, s in zip(digits, separators, strict=False)),
    st.text(alphabet="0123456789", min_size=14, max_size=18),
    st.lists(st.sampled_from(["", "", "", " ", ".", "-", "\u00a0", "\ufeff", "/", "\u2003"]),
             min_size=18, max_size=18),
)
near_valid = st.builds(
    lambda place, day, month, year, serial: f"{place}{day:02d}{month:02d}{year:02d}{serial:04d}",
    st.sampled_from(["351001", "351001", "650101", "960101", "350001", "351000", "200101"]),
    st.integers(0, 99),
    st.integers(0, 13),
    st.sampled_from([0, 25, 26, 27, 90, 99]),  # around TODAY's year, where the century turns
    st.sampled_from([0, 1, 9999]),
)
@settings(max_examples=2000)
@given(nik_like | near_valid | near_valid | st.text(max_size=24))
def test_the_rules_answer_as_lokal_id_does(text: str) -> None:
    from lokal.nik import parse_nik

    expected = parse_nik(text.strip(), reference_date=TODAY)
    try:
        facts = check_nik(text, today=TODAY)
    except InvalidNik as refused:
        assert expected.errors, f"lokal-id accepts what check_nik refuses ({refused.rule})"
        assert refused.rule is LOKAL_RULES[expected.errors[0].code]
        return
    assert not expected.errors
    assert (facts.nik, facts.province_code, facts.regency_code, facts.district_code) == (
        expected.nik, expected.province_code, expected.regency_code, expected.district_code
    )
    assert (facts.sex, facts.birth_date.isoformat(), facts.serial) == (
        expected.gender, expected.birth_date, expected.serial
    )


@pytest.mark.parametrize("written", ["3510 0147 0590 0012", "35.10.01-470590-0012",
                                     "3510\u00a0014705900012\ufeff", "\t3510014705900012\n"])
def test_separators_are_read_past_as_lokal_id_does(written: str) -> None:
    facts = check_nik(written, today=TODAY)
    assert (facts.nik, facts.sex, facts.birth_date) == ("3510014705900012", "P", date(1990, 5, 7))


def test_the_province_list_is_lokal_ids() -> None:
    from lokal.provinces import PROVINCES as LOKAL_PROVINCES

    from common.nik import PROVINCE_CODES

    assert set(LOKAL_PROVINCES) == PROVINCE_CODES == {f"{p:02d}" for p in PROVINCES}
