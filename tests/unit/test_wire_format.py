"""hoga.wire.format: wire formatting and tolerant parsing (round trips with hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoga.wire import format as fmt

ints = st.integers(min_value=-(10**13), max_value=10**13)
rates = st.decimals(min_value=-10000, max_value=10000, places=2, allow_nan=False)


@given(ints)
def test_signed_round_trip(n: int) -> None:
    text = fmt.signed(n)
    assert fmt.parse_int(text) == n
    assert text.startswith("+") == (n > 0)


@given(ints, st.integers(min_value=15, max_value=20))
def test_padded_round_trip(n: int, width: int) -> None:
    text = fmt.padded(n, width)
    assert len(text) == width
    assert fmt.parse_int(text) == n


@given(rates)
def test_rate_round_trip(d: Decimal) -> None:
    assert fmt.parse_decimal(fmt.rate(d)) == d
    assert fmt.parse_decimal(fmt.rate(d, sign=False)) == d


@given(rates)
def test_padded_rate_round_trip(d: Decimal) -> None:
    text = fmt.padded_rate(d, 9)
    assert fmt.parse_decimal(text) / 100 == d


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_direction_sign(price: int, base: int) -> None:
    text = fmt.direction(price, base)
    assert abs(fmt.parse_int(text)) == price
    assert text[0] == ("+" if price > base else "-" if price < base else text[0])


@given(st.integers(min_value=0, max_value=4_102_444_800_000_000))
def test_kst_datetime_round_trip(us: int) -> None:
    text = fmt.ymdhms(us)
    assert text == fmt.ymd(us) + fmt.hms(us)
    d, t = fmt.parse_date(text[:8]), fmt.parse_time(text[8:])
    back = datetime.combine(d, t, tzinfo=fmt.KST)
    assert int(back.timestamp()) == us // 1_000_000
    assert fmt.parse_time(fmt.hms_colon(us)) == t


def test_spec_examples() -> None:
    assert fmt.padded(17534, 15) == "000000000017534"
    assert fmt.padded(-84, 15) == "-00000000000084"
    assert fmt.padded(17534, 12) == "000000017534"
    assert fmt.padded(1, 12) == "000000000001"
    assert fmt.padded(26034239, 16) == "0000000026034239"
    assert fmt.padded(136000, 8) == "00136000"
    assert fmt.padded_rate(Decimal("-1.30"), 9) == "-00000130"
    assert fmt.padded(-100, 9) == "-00000100"
    assert fmt.ord_no(139) == "0000139"
    assert fmt.direction(78800, 79400) == "-78800"
    assert fmt.direction(53500, 53000) == "+53500"
    assert fmt.direction(70700, 70700) == "70700"
    assert fmt.signed(-600) == "-600"
    assert fmt.signed(0) == "0"
    assert fmt.rate(Decimal("0.944")) == "+0.94"
    assert fmt.rate(Decimal("-0.245")) == "-0.25"  # half-up, away from zero
    assert fmt.rate(Decimal("46.25"), sign=False) == "46.25"
    assert fmt.rate(Decimal("-0.001")) == "0.00"
    assert fmt.rate(Decimal("-43.89771"), places=4) == "-43.8977"
    assert fmt.a_code("005930") == "A005930"
    assert fmt.a_code("A005930") == "A005930"
    assert fmt.plain_code("A005930") == "005930"
    assert fmt.plain_code("005930_AL") == "005930_AL"


def test_kst_strings() -> None:
    us = int(datetime(2024, 11, 6, 23, 37, 13, tzinfo=UTC).timestamp()) * 1_000_000
    assert fmt.ymdhms(us) == "20241107083713"
    assert fmt.ymd(us) == "20241107"
    assert fmt.hms(us) == "083713"
    assert fmt.hms_colon(us) == "08:37:13"


@pytest.mark.parametrize(
    ("price", "upper", "lower", "code"),
    [
        (91900, 91900, 49500, "1"),
        (71000, 91900, 49500, "2"),
        (70700, 91900, 49500, "3"),
        (49500, 91900, 49500, "4"),
        (69600, 91900, 49500, "5"),
        (71000, None, None, "2"),
    ],
)
def test_sign_code(price: int, upper: int | None, lower: int | None, code: str) -> None:
    assert fmt.sign_code(price, 70700, upper, lower) == code


def test_change_rate() -> None:
    assert fmt.change_rate(53500, 53000) == Decimal("0.94")
    assert fmt.change_rate(70100, 70700) == Decimal("-0.85")
    assert fmt.change_rate(1, 0) == Decimal("0.00")


@pytest.mark.parametrize(
    ("value", "n"),
    [
        (12, 12),
        ("12", 12),
        (" +000012 ", 12),
        ("-5", -5),
        ("1,000", 1000),
        ("70000.0", 70000),
        (Decimal("3"), 3),
        (Decimal("3.00"), 3),
        ("000000000017534", 17534),
    ],
)
def test_parse_int_tolerance(value: object, n: int) -> None:
    assert fmt.parse_int(value) == n


@pytest.mark.parametrize("value", ["", "abc", "1.5", Decimal("1.5"), True, None, [1], "1e3"])
def test_parse_int_rejects(value: object) -> None:
    with pytest.raises(fmt.FormatError):
        fmt.parse_int(value)


def test_parse_optional_and_decimal() -> None:
    assert fmt.parse_optional_int("") is None
    assert fmt.parse_optional_int(None) is None
    assert fmt.parse_optional_int("0") == 0
    assert fmt.parse_decimal("+0.94") == Decimal("0.94")
    assert fmt.parse_decimal(Decimal("1.5")) == Decimal("1.5")
    assert fmt.parse_decimal(".5") == Decimal("0.5")
    with pytest.raises(fmt.FormatError):
        fmt.parse_decimal("1.2.3")


def test_parse_date_and_time() -> None:
    assert fmt.parse_date("20250917") == date(2025, 9, 17)
    assert fmt.parse_date(20250917) == date(2025, 9, 17)
    assert fmt.parse_time("13:05:43") == time(13, 5, 43)
    for bad in ("2025091", "20251340", "abcdefgh"):
        with pytest.raises(fmt.FormatError):
            fmt.parse_date(bad)
    for bad in ("1305", "250000"):
        with pytest.raises(fmt.FormatError):
            fmt.parse_time(bad)


def test_padded_overflow() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        fmt.padded(10**7, 7)
    with pytest.raises(ValueError, match="does not fit"):
        fmt.padded(-(10**6), 7)
